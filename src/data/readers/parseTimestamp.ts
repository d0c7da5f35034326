/**
 * Timestamps as the readers accept them, turned into epoch milliseconds UTC:
 *   - ISO dates "YYYY-MM-DD" (midnight UTC) and US dates "M/D/YYYY" (the bundled CSVs), "YYYYMMDD";
 *   - ISO date-times "YYYY-MM-DDTHH:MM[:SS[.sss]]" with "Z" or a "±HH:MM" offset (converted to UTC);
 *     without an offset the time is taken as UTC;
 *   - epoch numbers: seconds or milliseconds (`epoch: "auto"` takes |v| < 1e11 as seconds, i.e.
 *     seconds up to the year 5138 and milliseconds from 1973 on);
 *   - Date objects and bigint (from Parquet/Arrow: ms).
 * Returns null when the text is none of these (the caller reports file:line and the rule).
 */

export type EpochUnit = "auto" | "s" | "ms";

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const NUMERIC = /^[+-]?\d+(\.\d+)?$/;
/** Epoch values below this magnitude are seconds under epoch "auto". */
const AUTO_SECONDS_LIMIT = 1e11;

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Reject 2021-02-30 and the like (Date.UTC rolls them over).
  if (new Date(t).getUTCDate() !== d) return null;
  return t;
}

function fromEpoch(v: number, epoch: EpochUnit): number | null {
  if (!Number.isFinite(v)) return null;
  const ms = epoch === "s" || (epoch === "auto" && Math.abs(v) < AUTO_SECONDS_LIMIT) ? v * 1000 : v;
  return Math.round(ms);
}

/** Parse one timestamp (see the file comment); null if unrecognised. */
export function parseTimestamp(value: unknown, epoch: EpochUnit = "auto"): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === "bigint") return fromEpoch(Number(value), epoch === "auto" ? "ms" : epoch);
  if (typeof value === "number") return fromEpoch(value, epoch);
  if (typeof value !== "string") return null;
  const t = value.trim();
  let m = ISO.exec(t);
  if (m) {
    const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
    const base = utc(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, frac);
    if (base === null) return null;
    const zone = m[8];
    if (!zone || zone === "Z") return base;
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    return base - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  m = US.exec(t);
  if (m) return utc(+m[3]!, +m[1]!, +m[2]!);
  m = COMPACT.exec(t);
  if (m && epoch === "auto") return utc(+m[1]!, +m[2]!, +m[3]!);
  if (NUMERIC.test(t)) return fromEpoch(Number(t), epoch);
  return null;
}

/** "YYYY-MM-DD" for midnight-UTC times, else the full ISO string. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}
