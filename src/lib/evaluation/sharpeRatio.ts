import { toFloat64 } from "../util/validate.js";

/**
 * Per-period Sharpe ratio of a return series: SR = mean(r) / sd(r, ddof 1), no annualisation and no
 * risk-free rate (pass excess returns when one applies). Mean and variance by Welford's update.
 * Degenerate case: a constant series (sd = 0) gives +Infinity for a positive mean, −Infinity for a
 * negative one and 0 for a zero mean, so rankings of trials stay total.
 * @see Sharpe, W.F. (1994) "The Sharpe Ratio", Journal of Portfolio Management 21(1).
 * @throws RangeError if returns has fewer than 2 values or a non-finite value
 * @example sharpeRatio([0.01, -0.02, 0.03, 0.0]) // ≈ 0.2401922307076307 (numpy mean/std(ddof=1): 0.24019223070763063)
 */
export function sharpeRatio(returns: ArrayLike<number>): number {
  const r = toFloat64(returns, "returns", "sharpeRatio", { minLength: 2 });
  return sharpeRatioKernel(r, 0, r.length);
}

/** Sharpe of r[start..end) (end − start ≥ 2), the rule and degenerate values of {@link sharpeRatio}. */
export function sharpeRatioKernel(r: Float64Array, start: number, end: number): number {
  let m = 0;
  let s = 0;
  for (let k = start; k < end; k++) {
    const delta = r[k] - m;
    m += delta / (k - start + 1);
    s += delta * (r[k] - m);
  }
  return sharpeFromMoments(m, s / (end - start - 1));
}

/** SR from a mean and a variance with the degenerate-variance convention of {@link sharpeRatio}. */
export function sharpeFromMoments(mean: number, variance: number): number {
  if (variance > 0) return mean / Math.sqrt(variance);
  return mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
}
