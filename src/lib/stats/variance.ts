import { requireInteger, requireOptions, toFloat64, rangeError } from "../util/validate.js";

/** Options of {@link variance}. */
export interface VarianceOptions {
  /** Delta degrees of freedom: the divisor is n − ddof. Default 1 (sample variance, as pandas/R). */
  ddof?: number;
}

/**
 * Variance by Welford's one-pass update (numerically stable, no catastrophic cancellation):
 *   m_k = m_{k−1} + (x_k − m_{k−1})/k,  S_k = S_{k−1} + (x_k − m_{k−1})(x_k − m_k),
 *   Var = S_n / (n − ddof).
 * ddof = 1 is the unbiased sample variance (numpy `var(ddof=1)`, R `var`); ddof = 0 the population one.
 * @see Welford, B.P. (1962) "Note on a method for calculating corrected sums of squares and products", Technometrics 4(3).
 * @throws RangeError if n ≤ ddof, ddof is not a non-negative integer, or x has a non-finite value
 * @example variance([2, 4, 4, 4, 5, 5, 7, 9]) // 4.571428571428571 (= 32/7, hand-worked; numpy var(ddof=1) agrees)
 */
export function variance(x: ArrayLike<number>, options?: VarianceOptions): number {
  const fn = "variance";
  const o = requireOptions<VarianceOptions>(fn, options);
  const ddof = o.ddof === undefined ? 1 : requireInteger(fn, "ddof", o.ddof, { min: 0 });
  const v = toFloat64(x, "x", fn);
  if (v.length <= ddof) rangeError(fn, `x must have more than ddof = ${ddof} observations, got ${v.length}`);
  let m = 0;
  let s = 0;
  for (let k = 0; k < v.length; k++) {
    const delta = v[k] - m;
    m += delta / (k + 1);
    s += delta * (v[k] - m);
  }
  return s / (v.length - ddof);
}
