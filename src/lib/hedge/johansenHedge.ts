import { johansen } from "../timeseries/johansen.js";
import { asFloat64ReadOnly, requireOptions, requireSameLength } from "../util/validate.js";

/** Options of {@link johansenHedge} (passed to `johansen`). */
export interface JohansenHedgeOptions {
  /** Deterministic terms: −1 none, 0 constant (default), 1 linear trend (statsmodels det_order). */
  detOrder?: -1 | 0 | 1;
  /** Lagged differences in the VECM (statsmodels k_ar_diff). Default 1. */
  kArDiff?: number;
}

/** Result of {@link johansenHedge}: spread y − beta·x (minus its mean, the intercept). */
export interface JohansenHedgeResult {
  readonly beta: number;
  /** Sample mean of y − beta·x, so y − intercept − beta·x has mean 0. */
  readonly intercept: number;
  /** Largest Johansen eigenvalue λ₁ (its vector is the hedge). */
  readonly eigenvalue: number;
  /** Trace statistic for rank 0 and its 95 % critical value (statsmodels lr1[0], cvt[0][1]). */
  readonly traceStatistic: number;
  readonly traceCritical95: number;
  readonly warnings: readonly string[];
}

/**
 * Johansen hedge ratio: the first cointegrating vector v = (v_y, v_x) of `johansen([y, x])` (the
 * eigenvector of the largest eigenvalue, statsmodels coint_johansen `evec[:, 0]`), normalised on y:
 * v / v_y = (1, −β), so the spread is y − β·x. The intercept is the sample mean of y − β·x.
 * Degenerate case: v_y = 0 (y does not enter the relation) gives β = NaN with a warning.
 * @see [1] Johansen, S. (1991) "Estimation and Hypothesis Testing of Cointegration Vectors in
 *   Gaussian Vector Autoregressive Models", Econometrica 59(6).
 * @throws RangeError if the lengths differ, a value is non-finite, or johansen's requirements fail
 * @example johansenHedge(logEWG, logEWQ).beta // ≈ 0.4486167363474981 (statsmodels coint_johansen −evec[1,0]/evec[0,0], det_order 0, k_ar_diff 1; fixtures/johansenHedge.json)
 */
export function johansenHedge(y: ArrayLike<number>, x: ArrayLike<number>, options?: JohansenHedgeOptions): JohansenHedgeResult {
  const fn = "johansenHedge";
  const o = requireOptions<JohansenHedgeOptions>(fn, options);
  requireSameLength(fn, "y", y, "x", x);
  const yv = asFloat64ReadOnly(y, "y", fn);
  const xv = asFloat64ReadOnly(x, "x", fn);
  const result = johansen([yv, xv], { detOrder: o.detOrder ?? 0, kArDiff: o.kArDiff ?? 1 });
  const v = result.eigenvectors.data; // 2 × 2 row-major, column 0 = first vector
  const vy = v[0];
  const vx = v[2];
  const warnings = [...result.warnings];
  let beta = -vx / vy;
  if (vy === 0) {
    beta = Number.NaN;
    warnings.push("johansenHedge: the first cointegrating vector has no y component; no hedge normalised on y");
  }
  let spreadMean = 0;
  for (let t = 0; t < yv.length; t++) spreadMean += (yv[t] - beta * xv[t] - spreadMean) / (t + 1);
  return {
    beta,
    intercept: spreadMean,
    eigenvalue: result.eigenvalues[0],
    traceStatistic: result.traceStat[0],
    traceCritical95: result.traceCrit[0]?.[1] ?? Number.NaN,
    warnings,
  };
}
