import { asFloat64ReadOnly, rangeError, requireFinite, requireOptions, requireSameLength } from "../util/validate.js";

/** Options of {@link minHalfLifeHedge}. */
export interface MinHalfLifeHedgeOptions {
  /**
   * Search interval [lo, hi] for β. Default β_OLS ± max(|β_OLS|, 1), β_OLS the OLS slope of y on
   * [1, x] (so a positive OLS hedge searches [0, 2·β_OLS] when β_OLS ≥ 1).
   */
  bounds?: readonly [number, number];
}

/** Result of {@link minHalfLifeHedge}: spread y − intercept − beta·x. */
export interface MinHalfLifeHedgeResult {
  readonly beta: number;
  /** Sample mean of y − beta·x. */
  readonly intercept: number;
  /** AR(1) coefficient φ of the spread at beta (1 + the slope of Δs_t on [1, s_{t−1}]). */
  readonly phi: number;
  /** Half-life in bars, −ln 2 / ln|φ| (Infinity if |φ| ≥ 1, 0 if φ = 0). */
  readonly halfLife: number;
  /** The search interval used. */
  readonly bounds: readonly [number, number];
  readonly warnings: readonly string[];
}

/**
 * Minimum-half-life hedge: the β in a bounded interval whose spread s_t = y_t − β·x_t has the
 * shortest AR(1) half-life, −ln 2 / ln|φ(β)|, with φ(β) − 1 the OLS slope of Δs_t on [1, s_{t−1}]
 * (t = 1..n−1; the exact-discretisation half-life of fitOu and halfLife({ form: "ar1" })).
 * Minimising the half-life is minimising |φ(β)|. Both the covariance of (Δs_t, s_{t−1}) and the
 * variance of s_{t−1} are quadratics in β built from seven centred moments of (y, x), so
 *   φ(β) = 1 + N(β)/D(β),  N = n₀ − n₁β + n₂β²,  D = d₀ − d₁β + d₂β²,
 * and the search is exact rather than iterative: |φ| is minimised on [lo, hi] at an end point, at a
 * root of φ' (N'D − ND' = 0, a quadratic: the cubic terms cancel) or at a root of φ (N + D = 0, a
 * quadratic); all candidates are evaluated and the smallest |φ| wins (ties: smaller β).
 * The spread's intercept does not change φ (the regression has a constant). β is bounded because
 * φ(β) → 1 + cov(Δx, x_lag)/var(x_lag) as |β| → ∞ and a minimiser may sit at infinity.
 * @see [1] Chan, E. (2013) Algorithmic Trading, Wiley, ch. 2 (half-life of mean reversion).
 * @throws RangeError if the lengths differ, n < 4, a value is non-finite, bounds are not lo < hi
 *   finite, or x is constant (no hedge to choose)
 * @example minHalfLifeHedge(logEWG, logEWQ).beta // ≈ 1.3467165 (grid + bounded Brent in NumPy/scipy, fixtures/minHalfLifeHedge.json; half-life 73.3 bars)
 */
export function minHalfLifeHedge(y: ArrayLike<number>, x: ArrayLike<number>, options?: MinHalfLifeHedgeOptions): MinHalfLifeHedgeResult {
  const fn = "minHalfLifeHedge";
  const o = requireOptions<MinHalfLifeHedgeOptions>(fn, options);
  requireSameLength(fn, "y", y, "x", x);
  const yv = asFloat64ReadOnly(y, "y", fn, { minLength: 4 });
  const xv = asFloat64ReadOnly(x, "x", fn, { minLength: 4 });
  const n = yv.length;
  // Means of the lagged levels and the differences over t = 1..n−1.
  let myl = 0;
  let mxl = 0;
  let mdy = 0;
  let mdx = 0;
  for (let t = 1; t < n; t++) {
    myl += (yv[t - 1] - myl) / t;
    mxl += (xv[t - 1] - mxl) / t;
    mdy += (yv[t] - yv[t - 1] - mdy) / t;
    mdx += (xv[t] - xv[t - 1] - mdx) / t;
  }
  // Centred cross moments (sums): lagged levels (yl, xl) and differences (dy, dx).
  let sylyl = 0;
  let sylxl = 0;
  let sxlxl = 0;
  let sdyyl = 0;
  let sdyxl = 0;
  let sdxyl = 0;
  let sdxxl = 0;
  for (let t = 1; t < n; t++) {
    const yl = yv[t - 1] - myl;
    const xl = xv[t - 1] - mxl;
    const dy = yv[t] - yv[t - 1] - mdy;
    const dx = xv[t] - xv[t - 1] - mdx;
    sylyl += yl * yl;
    sylxl += yl * xl;
    sxlxl += xl * xl;
    sdyyl += dy * yl;
    sdyxl += dy * xl;
    sdxyl += dx * yl;
    sdxxl += dx * xl;
  }
  if (!(sxlxl > 0)) rangeError(fn, "x must not be constant");
  // N(β) = cov(Δy − βΔx, y_l − βx_l), D(β) = var(y_l − βx_l) (as sums)
  const n0 = sdyyl;
  const n1 = sdyxl + sdxyl;
  const n2 = sdxxl;
  const d0 = sylyl;
  const d1 = 2 * sylxl;
  const d2 = sxlxl;
  const phiAt = (beta: number): number => {
    const den = d0 - d1 * beta + d2 * beta * beta;
    return den > 0 ? 1 + (n0 - n1 * beta + n2 * beta * beta) / den : Number.NaN;
  };

  let bounds: [number, number];
  if (o.bounds === undefined) {
    let mx = 0;
    let my = 0;
    for (let t = 0; t < n; t++) {
      mx += (xv[t] - mx) / (t + 1);
      my += (yv[t] - my) / (t + 1);
    }
    let sxy = 0;
    let sxx = 0;
    for (let t = 0; t < n; t++) {
      sxy += (xv[t] - mx) * (yv[t] - my);
      sxx += (xv[t] - mx) * (xv[t] - mx);
    }
    const ols = sxy / sxx;
    const half = Math.max(Math.abs(ols), 1);
    bounds = [ols - half, ols + half];
  } else {
    if (!Array.isArray(o.bounds) || o.bounds.length !== 2) rangeError(fn, "bounds must be a [lo, hi] pair");
    const lo = requireFinite(fn, "bounds[0]", o.bounds[0]);
    const hi = requireFinite(fn, "bounds[1]", o.bounds[1]);
    if (!(lo < hi)) rangeError(fn, `bounds must satisfy lo < hi, got [${lo}, ${hi}]`);
    bounds = [lo, hi];
  }
  const [lo, hi] = bounds;
  const candidates = [lo, hi];
  // φ'(β) = 0 ⇔ N'D − ND' = 0: (n₁d₀ − n₀d₁)·(−1)… expanded with N = n₀ − n₁β + n₂β², D = d₀ − d₁β + d₂β²:
  // N'D − ND' = (−n₁d₀ + n₀d₁) + 2(n₂d₀ − n₀d₂)β + (n₁d₂ − n₂d₁)β²
  pushQuadraticRoots(n1 * d2 - n2 * d1, 2 * (n2 * d0 - n0 * d2), n0 * d1 - n1 * d0, candidates);
  // φ = 0 ⇔ N + D = 0
  pushQuadraticRoots(n2 + d2, -(n1 + d1), n0 + d0, candidates);
  let bestBeta = Number.NaN;
  let bestAbsPhi = Infinity;
  for (const beta of candidates) {
    if (!(beta >= lo && beta <= hi)) continue;
    const absPhi = Math.abs(phiAt(beta));
    if (absPhi < bestAbsPhi || (absPhi === bestAbsPhi && beta < bestBeta)) {
      bestAbsPhi = absPhi;
      bestBeta = beta;
    }
  }
  const warnings: string[] = [];
  if (Number.isNaN(bestBeta)) {
    bestBeta = lo;
    warnings.push("minHalfLifeHedge: the spread is constant over the whole interval; returned the lower bound");
  }
  if (bestBeta === lo || bestBeta === hi) {
    warnings.push(`minHalfLifeHedge: the minimum is at the bound ${bestBeta} of [${lo}, ${hi}]; widen bounds to search further`);
  }
  const phi = phiAt(bestBeta);
  const absPhi = Math.abs(phi);
  const halfLife = absPhi >= 1 || Number.isNaN(phi) ? Infinity : absPhi === 0 ? 0 : -Math.LN2 / Math.log(absPhi);
  let spreadMean = 0;
  for (let t = 0; t < n; t++) spreadMean += (yv[t] - bestBeta * xv[t] - spreadMean) / (t + 1);
  return { beta: bestBeta, intercept: spreadMean, phi, halfLife, bounds: [lo, hi], warnings };
}

/** Real roots of a·β² + b·β + c = 0 (linear when a = 0), by the cancellation-free formula. */
function pushQuadraticRoots(a: number, b: number, c: number, out: number[]): void {
  const scale = Math.max(Math.abs(a), Math.abs(b), Math.abs(c));
  if (scale === 0) return;
  if (Math.abs(a) <= 1e-14 * scale) {
    if (b !== 0) out.push(-c / b);
    return;
  }
  const disc = b * b - 4 * a * c;
  if (disc < 0) return;
  const q = -0.5 * (b + (b >= 0 ? 1 : -1) * Math.sqrt(disc));
  out.push(q / a);
  if (q !== 0) out.push(c / q);
}
