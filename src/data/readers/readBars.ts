/**
 * Read price files into bars (the store's column form), in any of the four shapes:
 *   long        timestamp, symbol, open, high, low, close[, adj close][, volume] — one row per symbol and bar
 *               (the original lab's export `timestamp,symbol,open,high,low,close,volume`);
 *   wide        date, SYM1, SYM2, … — one price per cell (stored as a bar with open = high = low = close);
 *   per-symbol  date, open, high, low, close[, adj close][, volume] — symbol from the file name or `symbol`;
 *   and the same shapes in Parquet (hyparquet) or Arrow IPC (apache-arrow), chosen by extension.
 * Column names are matched case-insensitively through ALIASES (Date, Close, Adj Close, …) or given
 * explicitly in `columns`. `field: "adjClose"` stores the adjusted close as close and scales open,
 * high and low by adjClose/close (the usual split/dividend adjustment).
 *
 * Validation, every error naming file:line (row group/batch for Parquet/Arrow), column and rule:
 * required columns present; timestamps parse; prices numeric and > 0 (missing cells are skipped in
 * wide files and are an error elsewhere); low ≤ open, close ≤ high; volume ≥ 0; a repeated
 * (symbol, timestamp) must repeat the same values (exact repeats are dropped and counted); bars of
 * one symbol at least one `interval` apart (closer bars mean mixed intervals); at least one row.
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import type { BarColumns } from "../store/Store.js";
import { csvTable } from "./csvTable.js";
import { arrowTable, parquetTable } from "./columnarTables.js";
import { formatTimestamp, type EpochUnit } from "./parseTimestamp.js";
import type { RawTable } from "./RawTable.js";

export type FileShape = "long" | "wide" | "per-symbol";

/** Options of `readBars`. */
export interface ReadBarsOptions {
  /** Shape; "auto" (default): a symbol column → long; open/high/low or a single price column → per-symbol; else wide. */
  readonly format?: FileShape | "auto";
  /** Bar interval stored with the bars (default "1d"); also the smallest allowed spacing of a symbol's bars. */
  readonly interval?: string;
  /** Which price becomes close (default "close"). */
  readonly field?: "close" | "adjClose";
  /** Symbol of a per-symbol file (default: the file name without extension, upper-cased). */
  readonly symbol?: string;
  /** Explicit column names, overriding the aliases. */
  readonly columns?: Partial<Record<BarColumnRole, string>>;
  /** Unit of numeric timestamps (default "auto": < 1e11 is seconds). */
  readonly epoch?: EpochUnit;
  /** Symbols to keep in a wide file (default all). */
  readonly symbols?: readonly string[];
}

export type BarColumnRole = "timestamp" | "symbol" | "open" | "high" | "low" | "close" | "adjClose" | "volume";

/** Accepted header names per role (lower-case, spaces/underscores/dashes removed before matching). */
export const ALIASES: Readonly<Record<BarColumnRole, readonly string[]>> = {
  timestamp: ["timestamp", "date", "dates", "datetime", "time", "ts", "opentime"],
  symbol: ["symbol", "ticker", "asset", "instrument", "code"],
  open: ["open", "o"],
  high: ["high", "h"],
  low: ["low", "l"],
  close: ["close", "c", "price", "last"],
  adjClose: ["adjclose", "adjustedclose", "adjcloseprice", "adjusted"],
  volume: ["volume", "vol", "v"],
};

/** Bars read from one file, with what was found on the way. */
export interface BarFile {
  readonly file: string;
  readonly shape: FileShape;
  readonly bars: BarColumns;
  /** Per bar, where it came from ("file:line"). */
  readonly where: (bar: number) => string;
  readonly symbols: readonly string[];
  /** Exact repeats of a (symbol, timestamp) row, dropped. */
  readonly duplicatesDropped: number;
  /** Missing cells skipped (wide files). */
  readonly missingCells: number;
}

/** Largest interval length understood, by unit suffix. */
const INTERVAL_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Length of an interval such as "1d", "15m", "4h", "1w" in ms; "1M" (month) counts as 28 days. @throws RangeError */
export function intervalMs(interval: string): number {
  const m = /^(\d+)([smhdwM])$/.exec(interval);
  if (!m || Number(m[1]) <= 0)
    throw new RangeError(`interval must look like 1m, 15m, 1h, 4h, 1d, 1w or 1M, got ${JSON.stringify(interval)}`);
  return Number(m[1]) * (m[2] === "M" ? 28 * 86_400_000 : INTERVAL_UNITS[m[2]!]!);
}

/** Load the file's cells by extension: .parquet, .arrow/.feather/.ipc, anything else CSV. */
export async function rawTableOf(file: string): Promise<RawTable> {
  const ext = extname(file).toLowerCase();
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read: ${(err as Error).message}`);
  }
  if (ext === ".parquet") return parquetTable(file, buffer);
  if (ext === ".arrow" || ext === ".feather" || ext === ".ipc" || ext === ".arrows") return arrowTable(file, buffer);
  if (buffer.length === 0) throw new Error(`${file}: empty file (no header line)`);
  return csvTable(file, buffer.toString("utf8"));
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]/g, "");
}

function findColumn(t: RawTable, role: BarColumnRole, options: ReadBarsOptions): number {
  const explicit = options.columns?.[role];
  if (explicit !== undefined) {
    const i = t.columns.indexOf(explicit);
    if (i < 0) throw new Error(`${t.headerWhere}: column "${explicit}" (given for ${role}) is not in the header [${t.columns.join(", ")}]`);
    return i;
  }
  const names = t.columns.map(normalise);
  for (const alias of ALIASES[role]) {
    const i = names.indexOf(alias);
    if (i >= 0) return i;
  }
  return -1;
}

function requireColumn(t: RawTable, role: BarColumnRole, options: ReadBarsOptions): number {
  const i = findColumn(t, role, options);
  if (i < 0)
    throw new Error(
      `${t.headerWhere}: missing required column "${role}" (accepted names: ${ALIASES[role].join(", ")}; or pass columns.${role})`,
    );
  return i;
}

/** Decide the shape of a table (see ReadBarsOptions.format). */
export function detectShape(t: RawTable, options: ReadBarsOptions = {}): FileShape {
  if (options.format && options.format !== "auto") return options.format;
  if (findColumn(t, "symbol", options) >= 0) return "long";
  if (options.symbol !== undefined) return "per-symbol";
  const ohl = ["open", "high", "low"].some((r) => findColumn(t, r as BarColumnRole, options) >= 0);
  if (ohl) return "per-symbol";
  return "wide";
}

/** Read one file into bars. @throws Error naming file:line, column and rule */
export async function readBars(file: string, options: ReadBarsOptions = {}): Promise<BarFile> {
  return barsFromTable(await rawTableOf(file), options);
}

/** Interpret an already loaded RawTable (see readBars). */
export function barsFromTable(t: RawTable, options: ReadBarsOptions = {}): BarFile {
  const interval = options.interval ?? "1d";
  const spacing = intervalMs(interval);
  const epoch = options.epoch ?? "auto";
  const shape = detectShape(t, options);
  if (t.rowCount === 0) throw new Error(`${t.headerWhere}: no data rows after the header`);
  const tsCol = requireColumn(t, "timestamp", options);
  const out = new BarBuilder(t.rowCount * (shape === "wide" ? t.columns.length - 1 : 1));
  let missingCells = 0;

  const price = (r: number, c: number, name: string): number => {
    const v = t.number(r, c);
    if (Number.isNaN(v)) {
      if (t.isMissing(r, c)) throw new Error(`${t.where(r)}: column "${name}": missing price`);
      throw new Error(`${t.where(r)}: column "${name}": "${t.text(r, c)}" is not a number`);
    }
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${t.where(r)}: column "${name}": price must be finite and > 0, got ${v}`);
    return v;
  };
  const stamp = (r: number): number => {
    const ms = t.timestamp(r, tsCol, epoch);
    if (ms === null)
      throw new Error(`${t.where(r)}: column "${t.columns[tsCol]}": "${t.text(r, tsCol)}" is not a date, date-time or epoch number`);
    return ms;
  };

  if (shape === "wide") {
    const keep = options.symbols ? new Set(options.symbols) : null;
    const cols: number[] = [];
    for (let c = 0; c < t.columns.length; c++) if (c !== tsCol && (!keep || keep.has(t.columns[c]!))) cols.push(c);
    if (keep)
      for (const s of keep) if (!t.columns.includes(s)) throw new Error(`${t.headerWhere}: symbols: no column "${s}" in the header`);
    if (cols.length === 0) throw new Error(`${t.headerWhere}: a wide file needs at least one symbol column besides "${t.columns[tsCol]}"`);
    for (let r = 0; r < t.rowCount; r++) {
      const ts = stamp(r);
      for (const c of cols) {
        if (t.isMissing(r, c)) {
          missingCells++;
          continue;
        }
        const v = price(r, c, t.columns[c]!);
        out.push(t.columns[c]!, ts, v, v, v, v, Number.NaN, r);
      }
    }
  } else {
    const symCol = shape === "long" ? requireColumn(t, "symbol", options) : -1;
    const fixedSymbol = shape === "per-symbol" ? (options.symbol ?? basename(t.file, extname(t.file)).toUpperCase()) : "";
    const closeCol = requireColumn(t, options.field === "adjClose" ? "adjClose" : "close", options);
    const rawCloseCol = options.field === "adjClose" ? findColumn(t, "close", options) : closeCol;
    const openCol = findColumn(t, "open", options),
      highCol = findColumn(t, "high", options),
      lowCol = findColumn(t, "low", options);
    const volCol = findColumn(t, "volume", options);
    for (let r = 0; r < t.rowCount; r++) {
      const ts = stamp(r);
      const symbol = symCol >= 0 ? t.text(r, symCol) : fixedSymbol;
      if (symbol === "") throw new Error(`${t.where(r)}: column "${t.columns[symCol]}": empty symbol`);
      const close = price(r, closeCol, t.columns[closeCol]!);
      const scale = rawCloseCol >= 0 && rawCloseCol !== closeCol ? close / price(r, rawCloseCol, t.columns[rawCloseCol]!) : 1;
      const open = openCol >= 0 ? price(r, openCol, t.columns[openCol]!) * scale : close;
      const high = highCol >= 0 ? price(r, highCol, t.columns[highCol]!) * scale : Math.max(open, close);
      const low = lowCol >= 0 ? price(r, lowCol, t.columns[lowCol]!) * scale : Math.min(open, close);
      // 1e-12 relative slack: the adjustment scale can move a price by one ulp.
      if (low > Math.min(open, close) * (1 + 1e-12) || high < Math.max(open, close) * (1 - 1e-12)) {
        throw new Error(
          `${t.where(r)}: columns open/high/low/close: prices must satisfy low ≤ open, close ≤ high, got open ${open} high ${high} low ${low} close ${close}`,
        );
      }
      let volume = Number.NaN;
      if (volCol >= 0 && !t.isMissing(r, volCol)) {
        volume = t.number(r, volCol);
        if (!(volume >= 0) || !Number.isFinite(volume))
          throw new Error(`${t.where(r)}: column "${t.columns[volCol]}": volume must be a finite number ≥ 0, got "${t.text(r, volCol)}"`);
      }
      out.push(symbol, ts, open, Math.max(high, open, close), Math.min(low, open, close), close, volume, r);
    }
  }
  const { bars, rows, symbols, duplicates } = out.finish(t, interval, spacing);
  return {
    file: t.file,
    shape,
    bars,
    where: (b: number) => t.where(rows[b]!),
    symbols,
    duplicatesDropped: duplicates,
    missingCells,
  };
}

/** Growable bar columns with the source row of each bar; `finish` sorts, dedupes and checks spacing. */
class BarBuilder {
  private n = 0;
  private symbol: string[] = [];
  private data: Float64Array[];
  private row: Int32Array;

  constructor(capacity: number) {
    const cap = Math.max(16, capacity);
    this.data = Array.from({ length: 6 }, () => new Float64Array(cap));
    this.row = new Int32Array(cap);
  }

  push(symbol: string, ts: number, open: number, high: number, low: number, close: number, volume: number, row: number): void {
    if (this.n === this.row.length) {
      this.data = this.data.map((a) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      });
      const r = new Int32Array(this.row.length * 2);
      r.set(this.row);
      this.row = r;
    }
    const i = this.n++;
    this.symbol.push(symbol);
    const d = this.data;
    d[0]![i] = ts;
    d[1]![i] = open;
    d[2]![i] = high;
    d[3]![i] = low;
    d[4]![i] = close;
    d[5]![i] = volume;
    this.row[i] = row;
  }

  finish(t: RawTable, interval: string, spacing: number): { bars: BarColumns; rows: Int32Array; symbols: string[]; duplicates: number } {
    const n = this.n;
    const [ts, open, high, low, close, volume] = this.data as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    // Symbol ids in first-seen order, then sort bar indices by (symbol, ts, row).
    const ids = new Map<string, number>();
    const sid = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let id = ids.get(this.symbol[i]!);
      if (id === undefined) {
        id = ids.size;
        ids.set(this.symbol[i]!, id);
      }
      sid[i] = id;
    }
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => sid[a]! - sid[b]! || ts[a]! - ts[b]! || a - b);
    const keep: number[] = [];
    let duplicates = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const prev = keep.length > 0 ? keep[keep.length - 1]! : -1;
      if (prev >= 0 && sid[prev] === sid[i]) {
        if (ts[prev] === ts[i]) {
          const same =
            open[prev] === open[i] &&
            high[prev] === high[i] &&
            low[prev] === low[i] &&
            close[prev] === close[i] &&
            (volume[prev] === volume[i] || (Number.isNaN(volume[prev]!) && Number.isNaN(volume[i]!)));
          if (!same)
            throw new Error(
              `${t.where(this.row[i]!)}: duplicate (symbol, timestamp) = (${this.symbol[i]}, ${formatTimestamp(ts[i]!)}) with different values than ${t.where(this.row[prev]!)}`,
            );
          duplicates++;
          continue;
        }
        if (ts[i]! - ts[prev]! < spacing) {
          throw new Error(
            `${t.where(this.row[i]!)}: ${this.symbol[i]} bar at ${formatTimestamp(ts[i]!)} is ${(ts[i]! - ts[prev]!) / 60_000} min after the one at ${t.where(this.row[prev]!)}; interval ${interval} needs ≥ ${spacing / 60_000} min (mixed intervals in one file?)`,
          );
        }
      }
      keep.push(i);
    }
    const m = keep.length;
    const pick = (a: Float64Array) => {
      const b = new Float64Array(m);
      for (let k = 0; k < m; k++) b[k] = a[keep[k]!]!;
      return b;
    };
    const symbol = keep.map((i) => this.symbol[i]!);
    const rows = new Int32Array(m);
    for (let k = 0; k < m; k++) rows[k] = this.row[keep[k]!]!;
    return {
      bars: {
        symbol,
        interval: new Array<string>(m).fill(interval),
        ts: pick(ts),
        open: pick(open),
        high: pick(high),
        low: pick(low),
        close: pick(close),
        volume: pick(volume),
      },
      rows,
      symbols: [...ids.keys()],
      duplicates,
    };
  }
}
