/**
 * Internal kernel shared by `halfLife` and `fitOu` (not exported from the barrel).
 *
 * OLS of Δx_t on [1, x_{t−1}], t = 1..n−1:  Δx_t = a + β·x_{t−1} + ε_t.
 * This is the AR(1) regression x_t = a + φ·x_{t−1} + ε_t with φ = 1 + β; regressing the
 * differences gives β directly, without the cancellation of φ − 1 when φ ≈ 1.
 * Closed form with centred (two-pass) sums:
 *   β = Σ(x_{t−1} − x̄)(Δx_t − Δ̄) / Σ(x_{t−1} − x̄)²,  a = Δ̄ − β·x̄,
 *   SSR = Σ(Δx_t − Δ̄ − β(x_{t−1} − x̄))²  (summed from the residuals, not Syy − β·Sxy).
 */
import { rangeError } from "../util/validate.js";

export interface Ar1Regression {
  /** a in Δx_t = a + β·x_{t−1} + ε_t (also the intercept of the AR(1) form). */
  readonly intercept: number;
  /** β = φ − 1, the slope of Δx_t on x_{t−1}. */
  readonly slope: number;
  /** Sum of squared residuals. */
  readonly ssr: number;
  /** Number of transitions used, n − 1. */
  readonly nobs: number;
}

/**
 * @param x a validated Float64Array of length ≥ 3
 * @param fn the public function's name, for the error message
 * @throws RangeError when x_0..x_{n−2} are all equal (the lagged regressor is constant)
 */
export function ar1Regression(x: Float64Array, fn: string): Ar1Regression {
  const nobs = x.length - 1;
  let laggedMean = 0;
  let diffMean = 0;
  for (let t = 1; t <= nobs; t++) {
    laggedMean += x[t - 1];
    diffMean += x[t] - x[t - 1];
  }
  laggedMean /= nobs;
  diffMean /= nobs;
  let sxx = 0;
  let sxy = 0;
  for (let t = 1; t <= nobs; t++) {
    const u = x[t - 1] - laggedMean;
    sxx += u * u;
    sxy += u * (x[t] - x[t - 1] - diffMean);
  }
  if (!(sxx > 0)) {
    rangeError(fn, `x[0..n-2] must not be constant (the lagged regressor x_{t-1} is constant, all equal ${x[0]})`);
  }
  const slope = sxy / sxx;
  let ssr = 0;
  for (let t = 1; t <= nobs; t++) {
    const e = x[t] - x[t - 1] - diffMean - slope * (x[t - 1] - laggedMean);
    ssr += e * e;
  }
  return { intercept: diffMean - slope * laggedMean, slope, ssr, nobs };
}
