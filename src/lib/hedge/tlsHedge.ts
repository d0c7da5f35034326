import { asFloat64ReadOnly, requireSameLength } from "../util/validate.js";

/** Result of {@link tlsHedge}: the spread is y − intercept − beta·x. */
export interface TlsHedgeResult {
  readonly beta: number;
  readonly intercept: number;
  readonly warnings: readonly string[];
}

/**
 * Total-least-squares (orthogonal) hedge ratio: the line y = α + β·x minimising the sum of squared
 * perpendicular distances, i.e. Deming regression with equal error variances in y and x. With
 * centred sums S_xx, S_yy, S_xy:
 *   β = (S_yy − S_xx + √((S_yy − S_xx)² + 4·S_xy²)) / (2·S_xy),   α = ȳ − β·x̄
 * (the major axis of the sample covariance). Unlike OLS it treats the legs symmetrically: the
 * hedge of x on y is exactly 1/β. Sums are centred two-pass (no raw power sums).
 * Degenerate cases: S_xy = 0 gives β = 0 when S_xx > S_yy (horizontal axis) and β = ±∞ is not a
 * hedge, so S_xy = 0 with S_yy ≥ S_xx returns β = NaN with a warning; constant x and y likewise.
 * @see [1] Deming, W.E. (1943) Statistical Adjustment of Data, Wiley; [2] Van Huffel, S. &
 *   Vandewalle, J. (1991) The Total Least Squares Problem, SIAM.
 * @throws RangeError if the lengths differ, n < 3 or a value is non-finite
 * @example tlsHedge(logEWG, logEWQ).beta // ≈ 1.04974208 (scipy.odr 1.0497420851327472, fixtures/tlsHedge.json; first 1000 rows of data/stock_prices.csv)
 */
export function tlsHedge(y: ArrayLike<number>, x: ArrayLike<number>): TlsHedgeResult {
  const fn = "tlsHedge";
  requireSameLength(fn, "y", y, "x", x);
  const yv = asFloat64ReadOnly(y, "y", fn, { minLength: 3 });
  const xv = asFloat64ReadOnly(x, "x", fn, { minLength: 3 });
  const n = yv.length;
  let my = 0;
  let mx = 0;
  for (let t = 0; t < n; t++) {
    my += (yv[t] - my) / (t + 1);
    mx += (xv[t] - mx) / (t + 1);
  }
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < n; t++) {
    const dx = xv[t] - mx;
    const dy = yv[t] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const warnings: string[] = [];
  let beta: number;
  if (sxy === 0) {
    if (sxx > syy) beta = 0;
    else {
      beta = Number.NaN;
      warnings.push(
        "tlsHedge: y and x are uncorrelated with var(y) >= var(x) (or both constant): the orthogonal fit is vertical or undefined",
      );
    }
  } else {
    const d = syy - sxx;
    // the two algebraically equal forms; pick the one without cancellation (sign of d)
    const root = Math.sqrt(d * d + 4 * sxy * sxy);
    beta = d >= 0 ? (d + root) / (2 * sxy) : (2 * sxy) / (root - d);
  }
  return { beta, intercept: my - beta * mx, warnings };
}
