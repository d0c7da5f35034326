/**
 * HTML tables for arquero tables and arrays of row objects, with number formatting and truncation.
 */
import { kernelAdapter, type MimeBundle } from "./kernelAdapter.js";
import { DEFAULT_DIGITS, escapeHtml, formatValue } from "./formatValue.js";

/** Rows shown before truncating (first half and last half of this many). */
export const DEFAULT_MAX_ROWS = 20;
/** Columns shown before truncating. */
export const DEFAULT_MAX_COLUMNS = 24;

/** The part of an arquero ColumnTable that `table` uses. */
export interface ColumnTableLike {
  numRows(): number;
  columnNames(): string[];
  objects(options?: { limit?: number; offset?: number }): object[];
}

/** What `table` accepts: an arquero table or an array of plain row objects. */
export type TableInput = ColumnTableLike | readonly object[];

/** Options of `table`. */
export interface TableOptions {
  /** Significant digits of non-integer numbers (default 4). */
  readonly digits?: number;
  /** Maximum rows shown; longer tables show the first and last rows (default 20). */
  readonly maxRows?: number;
  /** Maximum columns shown (default 24). */
  readonly maxColumns?: number;
  /** Columns to show, in this order (default: all, in input order). */
  readonly columns?: readonly string[];
  /** A caption above the table. */
  readonly caption?: string;
}

function isColumnTable(input: unknown): input is ColumnTableLike {
  return (
    typeof input === "object" &&
    input !== null &&
    typeof (input as ColumnTableLike).numRows === "function" &&
    typeof (input as ColumnTableLike).columnNames === "function" &&
    typeof (input as ColumnTableLike).objects === "function"
  );
}

/** Build the MIME bundle of a table without displaying it. */
export function tableBundle(input: TableInput, options: TableOptions = {}): MimeBundle {
  const digits = options.digits ?? DEFAULT_DIGITS;
  const maxRows = Math.max(2, options.maxRows ?? DEFAULT_MAX_ROWS);
  const maxColumns = Math.max(1, options.maxColumns ?? DEFAULT_MAX_COLUMNS);
  let total: number;
  let head: object[];
  let tail: object[];
  let allColumns: string[];
  const headCount = Math.ceil(maxRows / 2);
  if (isColumnTable(input)) {
    total = input.numRows();
    allColumns = input.columnNames();
    if (total <= maxRows) {
      head = input.objects();
      tail = [];
    } else {
      head = input.objects({ limit: headCount });
      tail = input.objects({ offset: total - (maxRows - headCount), limit: maxRows - headCount });
    }
  } else if (Array.isArray(input)) {
    total = input.length;
    const seen = new Set<string>();
    for (const row of input.slice(0, 1000)) for (const key of Object.keys(row ?? {})) seen.add(key);
    allColumns = [...seen];
    head = total <= maxRows ? [...input] : input.slice(0, headCount);
    tail = total <= maxRows ? [] : input.slice(total - (maxRows - headCount));
  } else {
    throw new TypeError("table: input must be an arquero table or an array of row objects");
  }
  const wanted = options.columns ? [...options.columns] : allColumns;
  for (const c of wanted) {
    if (!allColumns.includes(c)) throw new RangeError(`table: column "${c}" is not in the table (has ${allColumns.join(", ")})`);
  }
  const columns = wanted.slice(0, maxColumns);
  const hiddenColumns = wanted.length - columns.length;
  const cell = (row: object, c: string): string => formatValue((row as Record<string, unknown>)[c], digits);
  const numeric = (row: object, c: string): boolean => typeof (row as Record<string, unknown>)[c] === "number";

  const html: string[] = ['<div class="arbitrage-lab-table" style="max-width:100%;overflow-x:auto">'];
  if (options.caption) html.push(`<div style="font-weight:600;margin:4px 0">${escapeHtml(options.caption)}</div>`);
  html.push('<table class="dataframe" style="border-collapse:collapse;font-size:12px">');
  html.push(
    `<thead><tr>${columns.map((c) => `<th style="text-align:right;padding:2px 8px">${escapeHtml(c)}</th>`).join("")}</tr></thead><tbody>`,
  );
  const rowHtml = (row: object): string =>
    `<tr>${columns.map((c) => `<td style="text-align:${numeric(row, c) ? "right" : "left"};padding:2px 8px;font-variant-numeric:tabular-nums">${escapeHtml(cell(row, c))}</td>`).join("")}</tr>`;
  for (const row of head) html.push(rowHtml(row));
  if (tail.length)
    html.push(
      `<tr><td colspan="${columns.length}" style="text-align:center;color:#888">… ${total - head.length - tail.length} more rows …</td></tr>`,
    );
  for (const row of tail) html.push(rowHtml(row));
  html.push("</tbody></table>");
  const note =
    `${total} row${total === 1 ? "" : "s"} × ${wanted.length} column${wanted.length === 1 ? "" : "s"}` +
    (hiddenColumns > 0 ? ` (${hiddenColumns} columns not shown)` : "");
  html.push(`<div style="color:#888;font-size:11px">${escapeHtml(note)}</div></div>`);

  // text/plain: aligned columns
  const textRows = [columns, ...head.map((r) => columns.map((c) => cell(r, c)))];
  if (tail.length) textRows.push(columns.map(() => "…"));
  for (const r of tail) textRows.push(columns.map((c) => cell(r, c)));
  const widths = columns.map((_, j) => Math.max(...textRows.map((r) => r[j]!.length)));
  const text = [
    ...(options.caption ? [options.caption] : []),
    ...textRows.map((r) => r.map((v, j) => v.padStart(widths[j]!)).join("  ")),
    note,
  ].join("\n");
  return { "text/html": html.join(""), "text/plain": text };
}

/**
 * Display a table.
 * @example table(results, { columns: ["pair", "pValue", "halfLife"], maxRows: 10 })
 */
export function table(input: TableInput, options: TableOptions = {}): void {
  kernelAdapter().display(tableBundle(input, options));
}
