/**
 * A file's cells before interpretation, whatever the format: column names, a row count, typed
 * access to one cell and `where(row)`, the location an error message names ("prices.csv:17",
 * "prices.parquet: row group 2, row 17", "prices.arrow: batch 0, row 17").
 */
import { parseTimestamp, type EpochUnit } from "./parseTimestamp.js";

export interface RawTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rowCount: number;
  /** Where row `row` sits in the file, for error messages. */
  where(row: number): string;
  /** Where the header sits ("file:1" for CSV, "file: schema" otherwise). */
  readonly headerWhere: string;
  /** The cell as text (trimmed; "" when missing). */
  text(row: number, col: number): string;
  /** The cell as a number; NaN when missing or not numeric (tell them apart with `isMissing`). */
  number(row: number, col: number): number;
  /** Missing cell: empty, NA, NaN, null, None, N/A, #N/A, "-". */
  isMissing(row: number, col: number): boolean;
  /** The cell as epoch ms, or null when it is not a timestamp. */
  timestamp(row: number, col: number, epoch: EpochUnit): number | null;
}

/** Cell texts that mean "no value" (compared lower-cased). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(["", "na", "nan", "null", "none", "n/a", "#n/a", "-"]);

/** A RawTable over decoded column arrays (Parquet, Arrow). */
export function columnarTable(
  file: string,
  columns: readonly string[],
  data: readonly ArrayLike<unknown>[],
  where: (row: number) => string,
): RawTable {
  const rowCount = data.length > 0 ? data[0]!.length : 0;
  const cell = (r: number, c: number): unknown => data[c]![r];
  const missing = (v: unknown): boolean =>
    v === null ||
    v === undefined ||
    (typeof v === "number" && Number.isNaN(v)) ||
    (typeof v === "string" && MISSING_TOKENS.has(v.trim().toLowerCase()));
  return {
    file,
    columns,
    rowCount,
    where,
    headerWhere: `${file}: schema`,
    text: (r, c) => {
      const v = cell(r, c);
      if (missing(v)) return "";
      return v instanceof Date ? v.toISOString() : String(v).trim();
    },
    number: (r, c) => {
      const v = cell(r, c);
      if (typeof v === "number") return v;
      if (typeof v === "bigint") return Number(v);
      if (typeof v === "string" && v.trim() !== "") return Number(v);
      return Number.NaN;
    },
    isMissing: (r, c) => missing(cell(r, c)),
    timestamp: (r, c, epoch) => parseTimestamp(cell(r, c), epoch),
  };
}
