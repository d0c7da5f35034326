/**
 * The rules every stored bar obeys: non-empty symbol and interval; ts an integral epoch-ms number;
 * open, high, low, close finite and > 0 with low ≤ min(open, close) and max(open, close) ≤ high;
 * volume finite and ≥ 0, or NaN for unknown.
 */
import type { Bar } from "./Store.js";

/** Check one bar; `where` prefixes the error ("Store.upsertBars: bars[3]"). @throws RangeError naming the field and the rule */
export function validateBar(bar: Bar, where: string): void {
  if (typeof bar !== "object" || bar === null) throw new TypeError(`${where} must be a bar object`);
  if (typeof bar.symbol !== "string" || bar.symbol.length === 0)
    throw new TypeError(`${where}.symbol must be a non-empty string, got ${JSON.stringify(bar.symbol)}`);
  if (typeof bar.interval !== "string" || bar.interval.length === 0)
    throw new TypeError(`${where}.interval must be a non-empty string, got ${JSON.stringify(bar.interval)}`);
  if (!Number.isSafeInteger(bar.ts)) throw new RangeError(`${where}.ts must be an integral epoch-ms number, got ${bar.ts}`);
  for (const key of ["open", "high", "low", "close"] as const) {
    const v = bar[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
      throw new RangeError(`${where}.${key} must be a finite price > 0, got ${v}`);
  }
  if (bar.low > Math.min(bar.open, bar.close) || bar.high < Math.max(bar.open, bar.close)) {
    throw new RangeError(
      `${where}: prices must satisfy low ≤ open, close ≤ high, got open ${bar.open} high ${bar.high} low ${bar.low} close ${bar.close}`,
    );
  }
  if (typeof bar.volume !== "number" || (!Number.isNaN(bar.volume) && !(Number.isFinite(bar.volume) && bar.volume >= 0))) {
    throw new RangeError(`${where}.volume must be a finite number ≥ 0 (or NaN for unknown), got ${bar.volume}`);
  }
}
