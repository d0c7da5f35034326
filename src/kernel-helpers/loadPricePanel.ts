/**
 * Load daily price panels (CSV, first column the date, one column per symbol) into an arquero
 * table with ISO dates, ascending and unique, and an explicit missing-value policy.
 *
 * Several files are aligned on their common dates (inner join), so a pair from two sources lines
 * up bar by bar. Data handling only: no statistics are computed here.
 */
import { readFileSync } from "node:fs";
import * as aq from "arquero";

/** What to do with a missing price (empty cell, "NA", "NaN", "null", non-numeric text). */
export type MissingPolicy =
  /** Drop every date on which any selected symbol is missing (listwise deletion; the default). */
  | "drop"
  /** Carry the last observed price forward; dates before a symbol's first price are dropped. */
  | "forward-fill"
  /** Keep NaN (the library's functions will reject it: use only for inspection). */
  | "keep";

/** Options of `loadPricePanel`. */
export interface LoadPricePanelOptions {
  /** Symbols (column names) to keep, in this order (default: all). */
  readonly symbols?: readonly string[];
  /** Missing-value policy (default "drop"). */
  readonly missing?: MissingPolicy;
  /** Drop symbols whose share of non-missing prices is below this, before applying `missing` (default 0: keep all). */
  readonly minCoverage?: number;
  /** First date kept (ISO "YYYY-MM-DD", inclusive). */
  readonly start?: string;
  /** Last date kept (ISO "YYYY-MM-DD", inclusive). */
  readonly end?: string;
}

/** The loaded panel. */
export interface PricePanel {
  /** arquero table: column "date" (ISO strings) then one Float64Array column per symbol. */
  readonly table: aq.ColumnTable;
  /** ISO dates, ascending. */
  readonly dates: readonly string[];
  /** Symbols in column order. */
  readonly symbols: readonly string[];
  /** The price column of one symbol (the table's own Float64Array: do not mutate). */
  prices(symbol: string): Float64Array;
  /** Per symbol, missing cells found in the files over the selected date range (before the policy). */
  readonly missingCounts: Readonly<Record<string, number>>;
  /** Dates removed by the policy or by alignment of several files. */
  readonly droppedDates: number;
  /** Symbols removed by `minCoverage`. */
  readonly droppedSymbols: readonly string[];
  readonly policy: MissingPolicy;
}

const MISSING_TOKENS = new Set(["", "na", "nan", "null", "none", "n/a", "#n/a", "-"]);

/** Parse "YYYY-MM-DD[...]", "M/D/YYYY" or "YYYYMMDD" into "YYYY-MM-DD". */
export function parseIsoDate(text: string, where: string): string {
  const t = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(t);
  let y: number, mo: number, d: number;
  if (m) {
    y = +m[1]!;
    mo = +m[2]!;
    d = +m[3]!;
  } else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) {
    mo = +m[1]!;
    d = +m[2]!;
    y = +m[3]!;
  } else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) {
    y = +m[1]!;
    mo = +m[2]!;
    d = +m[3]!;
  } else throw new RangeError(`loadPricePanel: cannot parse date "${text}" (${where}); expected YYYY-MM-DD or M/D/YYYY`);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw new RangeError(`loadPricePanel: invalid calendar date "${text}" (${where})`);
  }
  return date.toISOString().slice(0, 10);
}

interface RawPanel {
  readonly dates: string[];
  readonly columns: Map<string, Float64Array>;
}

function readCsvPanel(file: string): RawPanel {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RangeError(`loadPricePanel: cannot read "${file}" (working directory ${process.cwd()}): ${(error as Error).message}`);
  }
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "");
  if (lines.length < 2) throw new RangeError(`loadPricePanel: "${file}" needs a header and at least one row`);
  const header = lines[0]!.split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const symbols = header.slice(1);
  if (symbols.length === 0) throw new RangeError(`loadPricePanel: "${file}" has no price columns`);
  const duplicate = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (duplicate) throw new RangeError(`loadPricePanel: "${file}" has column "${duplicate}" twice`);
  const rows: { date: string; values: Float64Array }[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(",");
    if (cells.length !== header.length) {
      throw new RangeError(`loadPricePanel: "${file}" line ${r + 1} has ${cells.length} fields, header has ${header.length}`);
    }
    const values = new Float64Array(symbols.length);
    for (let c = 0; c < symbols.length; c++) {
      const cell = cells[c + 1]!.trim().replace(/^"|"$/g, "");
      const v = MISSING_TOKENS.has(cell.toLowerCase()) ? NaN : Number(cell);
      values[c] = Number.isFinite(v) && v > 0 ? v : NaN; // a price must be positive; anything else counts as missing
    }
    rows.push({ date: parseIsoDate(cells[0]!.replace(/^"|"$/g, ""), `"${file}" line ${r + 1}`), values });
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.date === rows[i - 1]!.date) throw new RangeError(`loadPricePanel: "${file}" has date ${rows[i]!.date} twice`);
  }
  const columns = new Map<string, Float64Array>();
  symbols.forEach((s, c) => {
    columns.set(
      s,
      Float64Array.from(rows, (row) => row.values[c]!),
    );
  });
  return { dates: rows.map((row) => row.date), columns };
}

/**
 * Load one CSV price panel, or several aligned on their common dates.
 * Paths are relative to the working directory (a notebook's kernel runs in `notebooks/`, so
 * `"../data/stock_prices.csv"`).
 * @example loadPricePanel("../data/stock_prices.csv", { symbols: ["EWA", "EWC"], missing: "drop" }).prices("EWC")
 */
export function loadPricePanel(files: string | readonly string[], options: LoadPricePanelOptions = {}): PricePanel {
  const list = typeof files === "string" ? [files] : [...files];
  if (list.length === 0) throw new RangeError("loadPricePanel: files must name at least one CSV file");
  const policy = options.missing ?? "drop";
  if (!["drop", "forward-fill", "keep"].includes(policy)) {
    throw new RangeError(`loadPricePanel: options.missing must be "drop", "forward-fill" or "keep", got ${JSON.stringify(policy)}`);
  }
  const minCoverage = options.minCoverage ?? 0;
  if (!(minCoverage >= 0 && minCoverage <= 1))
    throw new RangeError(`loadPricePanel: options.minCoverage must be in [0, 1], got ${minCoverage}`);
  const start = options.start ? parseIsoDate(options.start, "options.start") : undefined;
  const end = options.end ? parseIsoDate(options.end, "options.end") : undefined;

  // Align the files on their common dates.
  const panels = list.map(readCsvPanel);
  let common = new Set(panels[0]!.dates);
  for (const p of panels.slice(1)) common = new Set(p.dates.filter((d) => common.has(d)));
  const inRange = (d: string): boolean => (!start || d >= start) && (!end || d <= end);
  const allDates = [...common].sort().filter(inRange);
  const unionInRange = new Set(panels.flatMap((p) => p.dates).filter(inRange)).size;
  const merged = new Map<string, Float64Array>();
  for (const p of panels) {
    const index = new Map(p.dates.map((d, i) => [d, i]));
    for (const [symbol, values] of p.columns) {
      if (merged.has(symbol)) throw new RangeError(`loadPricePanel: symbol "${symbol}" appears in more than one file`);
      merged.set(
        symbol,
        Float64Array.from(allDates, (d) => values[index.get(d)!]!),
      );
    }
  }
  const wanted = options.symbols ? [...options.symbols] : [...merged.keys()];
  for (const s of wanted) {
    if (!merged.has(s)) throw new RangeError(`loadPricePanel: symbol "${s}" is not in ${list.join(", ")}`);
  }
  const missingCounts: Record<string, number> = {};
  for (const s of wanted) missingCounts[s] = merged.get(s)!.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0);
  const droppedSymbols = wanted.filter((s) => allDates.length > 0 && 1 - missingCounts[s]! / allDates.length < minCoverage);
  const symbols = wanted.filter((s) => !droppedSymbols.includes(s));
  if (symbols.length === 0) throw new RangeError(`loadPricePanel: no symbol has coverage ≥ ${minCoverage}`);

  let columns = symbols.map((s) => Float64Array.from(merged.get(s)!));
  let keep = allDates.map(() => true);
  if (policy === "forward-fill") {
    for (const col of columns) {
      let last = NaN;
      for (let i = 0; i < col.length; i++) {
        if (Number.isNaN(col[i]!)) col[i] = last;
        else last = col[i]!;
      }
    }
  }
  if (policy !== "keep") keep = allDates.map((_, i) => columns.every((col) => !Number.isNaN(col[i]!)));
  const dates = allDates.filter((_, i) => keep[i]);
  columns = columns.map((col) => Float64Array.from(col.filter((_, i) => keep[i])));
  if (dates.length === 0) throw new RangeError(`loadPricePanel: no dates left after the "${policy}" missing-value policy`);

  const data: Record<string, unknown> = { date: dates };
  symbols.forEach((s, j) => {
    data[s] = columns[j];
  });
  const table = aq.table(data);
  const bySymbol = new Map(symbols.map((s, j) => [s, columns[j]!]));
  return {
    table,
    dates,
    symbols,
    prices(symbol: string): Float64Array {
      const col = bySymbol.get(symbol);
      if (!col)
        throw new RangeError(
          `loadPricePanel: prices("${symbol}"): not in the panel (${symbols.length} symbols: ${symbols.slice(0, 8).join(", ")}${symbols.length > 8 ? ", …" : ""})`,
        );
      return col;
    },
    missingCounts,
    droppedDates: unionInRange - dates.length,
    droppedSymbols,
    policy,
  };
}
