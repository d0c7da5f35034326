import { rangeError, requireFinite, toFloat64 } from "../util/validate.js";

/**
 * Sample quantile by linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of R `quantile`, numpy `quantile` and pandas `Series.quantile`):
 *   h = (n − 1)·p,  Q(p) = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)   (0-based order statistics).
 * @see Hyndman, R.J. & Fan, Y. (1996) "Sample quantiles in statistical packages", The American Statistician 50(4).
 * @throws RangeError if x is empty or non-finite, or p is outside [0, 1]
 * @example quantile([1, 2, 3, 4], 0.05) // 1.15 (numpy.quantile, linear)
 */
export function quantile(x: ArrayLike<number>, p: number): number {
  const sorted = toFloat64(x, "x", "quantile", { minLength: 1 }).sort();
  requireFinite("quantile", "p", p, { min: 0, max: 1 });
  return quantileSorted(sorted, p);
}

/**
 * Type-7 quantile of an ascending-sorted Float64Array (no copy, no validation beyond p; ±∞ are
 * allowed as order statistics, an interpolation between two equal infinities returns that infinity).
 */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) rangeError("quantileSorted", "sorted must not be empty");
  if (!(p >= 0 && p <= 1)) rangeError("quantileSorted", `p must lie in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const fraction = h - lo;
  if (fraction === 0 || sorted[lo] === sorted[hi]) return sorted[lo];
  return sorted[lo] + fraction * (sorted[hi] - sorted[lo]);
}
