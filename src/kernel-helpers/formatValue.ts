/**
 * Display formatting shared by `table`, `progress` and the text/plain fallbacks.
 * Presentation only: no rounding is ever fed back into a computation.
 */

/** Significant digits shown for non-integer numbers unless a caller asks otherwise. */
export const DEFAULT_DIGITS = 4;

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * Escape Markdown's inline syntax (`* _ ` [ ] < > # | \\`) so text such as a warning naming
 * `b*_L` displays literally inside `showMarkdown` (even inside *emphasis*).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`);
}

/**
 * Format one cell value for people.
 * - integers: digit grouping (`12,345`);
 * - other finite numbers: `digits` significant digits, scientific notation below 1e-3 or from 1e6
 *   (p-values such as 3.2e-7 stay readable);
 * - NaN, ±Infinity: `NaN`, `∞`, `-∞`; null/undefined: `—`;
 * - Date: ISO date (time dropped when it is midnight UTC);
 * - typed arrays and arrays: `Float64Array(945)` — tables summarise, they do not dump series.
 * @example formatValue(0.000012345) // "1.234e-5"
 * @example formatValue(1234567) // "1,234,567"
 */
export function formatValue(value: unknown, digits: number = DEFAULT_DIGITS): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return formatNumber(value, digits);
  if (typeof value === "bigint") return value.toLocaleString("en-US");
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Number formatting used by `formatValue`. */
export function formatNumber(value: number, digits: number = DEFAULT_DIGITS): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "∞";
  if (value === -Infinity) return "-∞";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return value.toLocaleString("en-US");
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    return value
      .toExponential(Math.max(0, digits - 1))
      .replace(/\.?0+e/, "e")
      .replace("e+", "e");
  }
  return value.toLocaleString("en-US", { maximumSignificantDigits: digits, minimumSignificantDigits: 1 });
}

/**
 * JSON safe to embed inside an HTML <script> element (no "</script>" or "<!--" can appear).
 * Typed arrays become plain arrays; NaN and ±Infinity become null (JSON has no such numbers).
 */
export function scriptSafeJson(value: unknown): string {
  const replacer = (_key: string, v: unknown): unknown =>
    ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v;
  return JSON.stringify(value, replacer)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
