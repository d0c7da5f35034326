import { asFloat64ReadOnly, rangeError, requireSameLength } from "../util/validate.js";

/** Result of {@link boxTiaoHedge}: spread y − intercept − beta·x. */
export interface BoxTiaoHedgeResult {
  readonly beta: number;
  /** Sample mean of y − beta·x. */
  readonly intercept: number;
  /**
   * Box–Tiao predictability of the spread, the smallest generalised eigenvalue λ (below): the
   * share of the spread's variance its VAR(1) forecast explains (0 = white noise, 1 = random walk).
   */
  readonly predictability: number;
  readonly warnings: readonly string[];
}

/**
 * Box–Tiao canonical hedge: the combination w of (y, x) that is least predictable from its own past,
 * i.e. the most mean-reverting portfolio (Box & Tiao 1977, as used for statistical arbitrage by
 * d'Aspremont 2011). With p_t = (y_t, x_t) demeaned over the sample:
 *   VAR(1) by OLS without intercept, t = 1..n−1:   A = (Σ p_t p_{t−1}ᵀ)(Σ p_{t−1} p_{t−1}ᵀ)⁻¹
 *   Γ₀ = (1/n) Σ_{t=0}^{n−1} p_t p_tᵀ
 *   predictability ν(w) = wᵀ A Γ₀ Aᵀ w / wᵀ Γ₀ w, minimised by the eigenvector of the smallest
 *   eigenvalue of the symmetric-definite pencil A Γ₀ Aᵀ w = λ Γ₀ w (scipy.linalg.eigh(B, Γ₀)[1][:, 0]);
 * then w is normalised on y: w / w_y = (1, −β). For two legs the pencil is solved in closed form
 * (the quadratic det(B − λΓ₀) = 0, smaller root by the cancellation-free formula).
 * Degenerate cases: w_y = 0 gives β = NaN with a warning.
 * @see [1] Box, G.E.P. & Tiao, G.C. (1977) "A canonical analysis of multiple time series", Biometrika 64(2).
 * @see [2] d'Aspremont, A. (2011) "Identifying small mean-reverting portfolios", Quantitative Finance 11(3).
 * @throws RangeError if the lengths differ, n < 4, a value is non-finite, or Γ₀ or the lagged
 *   moment matrix is singular (a constant leg, or y and x exactly collinear)
 * @example boxTiaoHedge(logEWG, logEWQ).beta // ≈ 1.3476607250289099 (NumPy/scipy.linalg.eigh transcription, fixtures/boxTiaoHedge.json)
 */
export function boxTiaoHedge(y: ArrayLike<number>, x: ArrayLike<number>): BoxTiaoHedgeResult {
  const fn = "boxTiaoHedge";
  requireSameLength(fn, "y", y, "x", x);
  const yv = asFloat64ReadOnly(y, "y", fn, { minLength: 4 });
  const xv = asFloat64ReadOnly(x, "x", fn, { minLength: 4 });
  const n = yv.length;
  let my = 0;
  let mx = 0;
  for (let t = 0; t < n; t++) {
    my += (yv[t] - my) / (t + 1);
    mx += (xv[t] - mx) / (t + 1);
  }
  // Γ₀ and the VAR moments: C1 = Σ p_t p_{t−1}ᵀ (cross), C0 = Σ p_{t−1} p_{t−1}ᵀ (lagged).
  let g11 = 0;
  let g12 = 0;
  let g22 = 0;
  let c11 = 0;
  let c12 = 0;
  let c21 = 0;
  let c22 = 0;
  let l11 = 0;
  let l12 = 0;
  let l22 = 0;
  for (let t = 0; t < n; t++) {
    const a = yv[t] - my;
    const b = xv[t] - mx;
    g11 += a * a;
    g12 += a * b;
    g22 += b * b;
    if (t > 0) {
      const pa = yv[t - 1] - my;
      const pb = xv[t - 1] - mx;
      c11 += a * pa;
      c12 += a * pb;
      c21 += b * pa;
      c22 += b * pb;
      l11 += pa * pa;
      l12 += pa * pb;
      l22 += pb * pb;
    }
  }
  g11 /= n;
  g12 /= n;
  g22 /= n;
  const detGamma = g11 * g22 - g12 * g12;
  const detLag = l11 * l22 - l12 * l12;
  if (!(detGamma > 1e-14 * g11 * g22) || !(detLag > 1e-14 * l11 * l22)) {
    rangeError(fn, "y and x must not be constant or exactly collinear (their covariance matrix is singular)");
  }
  // A = C1 · L⁻¹ with L⁻¹ = [l22, −l12; −l12, l11] / detLag
  const a11 = (c11 * l22 - c12 * l12) / detLag;
  const a12 = (-c11 * l12 + c12 * l11) / detLag;
  const a21 = (c21 * l22 - c22 * l12) / detLag;
  const a22 = (-c21 * l12 + c22 * l11) / detLag;
  // B = A Γ₀ Aᵀ (symmetric)
  const ag11 = a11 * g11 + a12 * g12;
  const ag12 = a11 * g12 + a12 * g22;
  const ag21 = a21 * g11 + a22 * g12;
  const ag22 = a21 * g12 + a22 * g22;
  const b11 = ag11 * a11 + ag12 * a12;
  const b12 = ag11 * a21 + ag12 * a22;
  const b22 = ag21 * a21 + ag22 * a22;
  // det(B − λΓ₀) = detΓ·λ² − s·λ + detB, s = b11·g22 + b22·g11 − 2·b12·g12
  const s = b11 * g22 + b22 * g11 - 2 * b12 * g12;
  const detB = b11 * b22 - b12 * b12;
  const discriminant = Math.max(0, s * s - 4 * detGamma * detB);
  // smaller root = 2·detB / (s + √disc) (no cancellation: s ≥ 0 for a definite pencil)
  const lambda = s + Math.sqrt(discriminant) > 0 ? (2 * detB) / (s + Math.sqrt(discriminant)) : 0;
  // null vector of M = B − λΓ₀ from its larger row
  const m11 = b11 - lambda * g11;
  const m12 = b12 - lambda * g12;
  const m22 = b22 - lambda * g22;
  let wy: number;
  let wx: number;
  if (Math.hypot(m11, m12) >= Math.hypot(m12, m22)) {
    wy = -m12;
    wx = m11;
  } else {
    wy = m22;
    wx = -m12;
  }
  const warnings: string[] = [];
  let beta = -wx / wy;
  if (wy === 0 || (m11 === 0 && m12 === 0 && m22 === 0)) {
    beta = Number.NaN;
    warnings.push("boxTiaoHedge: the least predictable combination has no y component (or is not unique); no hedge normalised on y");
  }
  let spreadMean = 0;
  for (let t = 0; t < n; t++) spreadMean += (yv[t] - beta * xv[t] - spreadMean) / (t + 1);
  return { beta, intercept: spreadMean, predictability: lambda, warnings };
}
