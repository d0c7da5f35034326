import { rangeError, toFloat64 } from "../util/validate.js";

/**
 * Simple (arithmetic) returns R_t = p_t / p_{t−1} − 1, t = 1..n−1 (length n − 1), as pandas
 * `pct_change` without the leading NaN.
 * @throws RangeError if prices has fewer than 2 values, a non-finite value, or a zero divisor p_{t−1} = 0
 * @example simpleReturns([100, 110, 99]) // Float64Array [0.10000000000000009, -0.09999999999999998] (110/100 − 1, 99/110 − 1 in IEEE doubles)
 */
export function simpleReturns(prices: ArrayLike<number>): Float64Array {
  const fn = "simpleReturns";
  const p = toFloat64(prices, "prices", fn, { minLength: 2 });
  const out = new Float64Array(p.length - 1);
  for (let t = 1; t < p.length; t++) {
    if (p[t - 1] === 0)
      rangeError(fn, `prices must be non-zero before the last element (returns divide by p[t-1]), got 0 at index ${t - 1}`);
    out[t - 1] = p[t] / p[t - 1] - 1;
  }
  return out;
}
