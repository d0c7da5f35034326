import { rangeError, toFloat64 } from "../util/validate.js";

/**
 * Log returns r_t = ln(p_t / p_{t−1}), t = 1..n−1 (length n − 1), computed as ln of the ratio
 * (as numpy's np.diff(np.log(p)) up to rounding; the ratio form keeps relative accuracy for small moves).
 * @throws RangeError if prices has fewer than 2 values, a non-finite value, or a value ≤ 0
 * @example logReturns([100, 110, 99]) // Float64Array [0.09531017980432493, -0.10536051565782628] (= ln 1.1, ln 0.9)
 */
export function logReturns(prices: ArrayLike<number>): Float64Array {
  const fn = "logReturns";
  const p = toFloat64(prices, "prices", fn, { minLength: 2 });
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] > 0)) rangeError(fn, `prices must be strictly positive for log returns, got ${p[i]} at index ${i}`);
  }
  const out = new Float64Array(p.length - 1);
  for (let t = 1; t < p.length; t++) out[t - 1] = Math.log(p[t] / p[t - 1]);
  return out;
}
