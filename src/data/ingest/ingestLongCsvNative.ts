/**
 * Fast path of ingestFiles for one long-format CSV: DuckDB's own (multi-threaded, C++) CSV reader
 * reads the file twice inside the write transaction: once for the distinct timestamp texts, which
 * the readers' parseTimestamp parses (same rules as the JS path), once straight into the staging
 * table with those texts joined to their epoch ms (no intermediate copy of the raw file); the bar rules are checked in SQL (Store.upsertStaged with validate). When DuckDB
 * cannot read the file or any rule fails, this returns null with nothing written and the caller
 * runs the JS reader, which either names file:line, column and rule or (for input only the JS
 * reader accepts, e.g. "NA" volumes) ingests it.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { DOUBLE, DuckDBDataChunk, VARCHAR } from "@duckdb/node-api";
import { StagedValidationError, type Store } from "../store/Store.js";
import { csvTable } from "../readers/csvTable.js";
import { ALIASES, detectShape, intervalMs, type BarColumnRole, type ReadBarsOptions } from "../readers/readBars.js";
import { parseTimestamp } from "../readers/parseTimestamp.js";

/** Bytes read to find the header line. */
const HEADER_PROBE_BYTES = 1 << 16;

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** Try the fast path; null = not applicable or not valid (use the JS path). */
export async function ingestLongCsvNative(
  store: Store,
  file: string,
  options: ReadBarsOptions & { source: string; onWriteStart?: () => void },
): Promise<{ inserted: number; updated: number; unchanged: number; bars: number; symbols: string[] } | null> {
  if (extname(file).toLowerCase() !== ".csv" || options.field === "adjClose" || options.columns !== undefined) return null;
  if (options.format !== undefined && options.format !== "auto" && options.format !== "long") return null;
  let head: string;
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(HEADER_PROBE_BYTES);
    const n = readSync(fd, buffer, 0, HEADER_PROBE_BYTES, 0);
    head = buffer.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
  const newline = head.indexOf("\n");
  if (newline <= 0 || head.charCodeAt(0) === 0xfeff || head.includes('"')) return null;
  const header = csvTable(file, head.slice(0, newline).replace(/\r$/, ""));
  if (detectShape(header, { format: options.format }) !== "long") return null;
  const find = (role: BarColumnRole) => {
    const names = header.columns.map((c) => c.toLowerCase().replace(/[\s_\-.]/g, ""));
    for (const alias of ALIASES[role]) {
      const i = names.indexOf(alias);
      if (i >= 0) return header.columns[i]!;
    }
    return null;
  };
  const ts = find("timestamp"),
    symbol = find("symbol"),
    close = find("close");
  if (!ts || !symbol || !close || new Set(header.columns).size !== header.columns.length) return null;
  const open = find("open"),
    high = find("high"),
    low = find("low"),
    volume = find("volume");
  const priceColumns = new Set([close, open, high, low, volume].filter((c): c is string => c !== null));
  const columns = header.columns.map((c) => `${sqlString(c)}: ${priceColumns.has(c) ? "'DOUBLE'" : "'VARCHAR'"}`).join(", ");
  const interval = options.interval ?? "1d";
  const spacingMs = intervalMs(interval);
  const epoch = options.epoch ?? "auto";
  let bars = 0;
  options.onWriteStart?.();
  try {
    const counts = await store.upsertStaged(
      async (con) => {
        const csv = `read_csv(${sqlString(file)}, header = true, delim = ',', quote = '"',
        auto_detect = false, strict_mode = true, null_padding = false, columns = {${columns}})`;
        // Pass 1 (the timestamp column only): distinct timestamp texts and the row count.
        const byText = (
          await con.runAndReadAll(`SELECT ${sqlIdent(ts)} AS t, count(*)::DOUBLE AS n FROM ${csv} GROUP BY ALL`)
        ).getColumns() as [(string | null)[], number[]];
        const distinct = byText[0] ?? [];
        const raw = (byText[1] ?? []).reduce((sum, n) => sum + n, 0);
        const ms = distinct.map((t) => (t === null ? null : parseTimestamp(t, epoch)));
        if (ms.some((v) => v === null)) throw new StagedValidationError("unparsed timestamp");
        await con.run("CREATE OR REPLACE TEMP TABLE csv_ts (t VARCHAR, ms DOUBLE)");
        const appender = await con.createAppender("csv_ts", null, "temp");
        for (let from = 0; from < distinct.length; from += 2048) {
          const part = distinct.slice(from, from + 2048);
          const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE], part.length);
          chunk.setColumns([part, ms.slice(from, from + 2048)]);
          appender.appendDataChunk(chunk);
        }
        appender.closeSync();
        // Pass 2: the whole file straight into the staging table, timestamps joined to their epoch ms.
        const c = (col: string | null, fallback: string) => (col ? sqlIdent(col) : fallback);
        await con.run(`INSERT INTO bars_staging SELECT trim(r.${sqlIdent(symbol)}), ${sqlString(interval)}, m.ms,
          ${c(open, sqlIdent(close))}, ${c(high, `greatest(${c(open, sqlIdent(close))}, ${sqlIdent(close)})`)},
          ${c(low, `least(${c(open, sqlIdent(close))}, ${sqlIdent(close)})`)}, ${sqlIdent(close)}, ${volume ? sqlIdent(volume) : "NULL"}
        FROM ${csv} r JOIN csv_ts m ON r.${sqlIdent(ts)} = m.t`);
        const staged = Number((await con.runAndReadAll(`SELECT count(*)::DOUBLE FROM bars_staging`)).getColumns()[0]?.[0]);
        if (raw !== staged || raw === 0) throw new StagedValidationError("rows lost in the timestamp join or no rows");
        bars = staged;
        await con.run("DROP TABLE csv_ts");
      },
      { source: options.source, validate: { spacingMs } },
    );
    return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, bars, symbols: counts.symbols ?? [] };
  } catch (err) {
    // DuckDB's reader refused the file, or a rule failed: the JS reader gives the exact message.
    if (
      err instanceof StagedValidationError ||
      /Invalid Input Error|Conversion Error|CSV Error|Could not convert|Error when/i.test((err as Error).message)
    )
      return null;
    throw err;
  }
}
