/**
 * Ingest price files into the store: every file is read and validated first (readBars), then all
 * bars go in with one upsert, i.e. one transaction. A file that fails validation therefore writes
 * nothing at all, and a crash (or kill -9) during the write leaves the store as it was (DuckDB's
 * write-ahead log drops the uncommitted transaction on the next open). One long-format CSV takes
 * the DuckDB-native fast path (ingestLongCsvNative) and falls back to the JS reader on any doubt.
 */
import { basename } from "node:path";
import type { BarColumns, Store } from "../store/Store.js";
import { readBars, type BarFile, type ReadBarsOptions } from "../readers/readBars.js";
import { ingestLongCsvNative } from "./ingestLongCsvNative.js";

/** Options of ingestFiles: how to read, an optional universe to (re)define, progress and cancel. */
export interface IngestOptions extends ReadBarsOptions {
  /** Create or replace this universe with the ingested symbols. */
  readonly universe?: string;
  /** Source label stored with the bars (default "file:<name>"). */
  readonly source?: string;
  /** Called after each file is read and after the write. */
  readonly onProgress?: (done: number, total: number, stage: string) => void;
  readonly signal?: AbortSignal;
}

/** What ingestFiles did. */
export interface IngestReport {
  readonly files: readonly {
    readonly file: string;
    readonly shape: string;
    readonly bars: number;
    readonly symbols: number;
    readonly duplicatesDropped: number;
    readonly missingCells: number;
  }[];
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly symbols: readonly string[];
  readonly universe: string | null;
}

/** Concatenate bar columns of several files. */
export function concatBars(parts: readonly BarColumns[]): BarColumns {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((s, p) => s + p.ts.length, 0);
  const f = () => new Float64Array(n);
  const out = { symbol: [] as string[], interval: [] as string[], ts: f(), open: f(), high: f(), low: f(), close: f(), volume: f() };
  let k = 0;
  for (const p of parts) {
    for (const key of ["ts", "open", "high", "low", "close", "volume"] as const) out[key].set(p[key], k);
    for (let i = 0; i < p.ts.length; i++) {
      out.symbol.push(p.symbol[i]!);
      out.interval.push(p.interval[i]!);
    }
    k += p.ts.length;
  }
  return out;
}

/** Read, validate and store `files` (see the file comment). @throws Error naming file:line and the rule; nothing is written then */
export async function ingestFiles(store: Store, files: readonly string[], options: IngestOptions = {}): Promise<IngestReport> {
  if (files.length === 0) throw new RangeError("ingest: give at least one file");
  if (files.length === 1 && !options.signal?.aborted) {
    const source = options.source ?? `file:${basename(files[0]!)}`;
    const fast = await ingestLongCsvNative(store, files[0]!, {
      ...options,
      source,
      onWriteStart: () => options.onProgress?.(1, 2, "writing"),
    });
    if (fast) {
      if (options.universe !== undefined)
        await store.createUniverse(options.universe, fast.symbols, { replace: true, description: `ingested from ${basename(files[0]!)}` });
      options.onProgress?.(2, 2, "stored");
      return {
        files: [
          {
            file: files[0]!,
            shape: "long",
            bars: fast.bars,
            symbols: fast.symbols.length,
            duplicatesDropped: fast.bars - fast.inserted - fast.updated - fast.unchanged,
            missingCells: 0,
          },
        ],
        inserted: fast.inserted,
        updated: fast.updated,
        unchanged: fast.unchanged,
        symbols: fast.symbols,
        universe: options.universe ?? null,
      };
    }
  }
  const read: BarFile[] = [];
  for (let i = 0; i < files.length; i++) {
    options.signal?.throwIfAborted();
    read.push(await readBars(files[i]!, options));
    options.onProgress?.(i + 1, files.length + 1, `read ${basename(files[i]!)}`);
  }
  const seen = new Map<string, string>();
  for (const f of read) {
    for (const s of f.symbols) {
      const other = seen.get(s);
      if (other !== undefined && read.length > 1)
        throw new Error(`${f.file}: symbol ${s} also appears in ${other} (ingest one file per symbol, or merge them)`);
      seen.set(s, f.file);
    }
  }
  options.signal?.throwIfAborted();
  const bars = concatBars(read.map((f) => f.bars));
  const source = options.source ?? `file:${files.map((f) => basename(f)).join("+")}`.slice(0, 200);
  const counts = await store.upsertBarColumns(bars, { source });
  const symbols = [...seen.keys()];
  if (options.universe !== undefined)
    await store.createUniverse(options.universe, symbols, {
      replace: true,
      description: `ingested from ${files.map((f) => basename(f)).join(", ")}`,
    });
  options.onProgress?.(files.length + 1, files.length + 1, "stored");
  return {
    files: read.map((f) => ({
      file: f.file,
      shape: f.shape,
      bars: f.bars.ts.length,
      symbols: f.symbols.length,
      duplicatesDropped: f.duplicatesDropped,
      missingCells: f.missingCells,
    })),
    ...counts,
    symbols,
    universe: options.universe ?? null,
  };
}
