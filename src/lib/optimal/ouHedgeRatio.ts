import { maximizeGoldenSection } from "../util/maximizeGoldenSection.js";
import { fitOu } from "../ou/fitOu.js";
import type { FitOuResult } from "../ou/fitOu.js";
import {
  rangeError,
  requireInteger,
  requireOneOf,
  requireOptions,
  requirePositive,
  requireSameLength,
  toFloat64,
} from "../util/validate.js";

/** Default number of grid candidates for B before the golden-section refinement. */
const DEFAULT_GRID_POINTS = 1000;

export type HedgeScale = "initial-price" | "none";

export interface OuHedgeRatioOptions {
  /** Observation spacing (default 1/252: daily data, κ per year). */
  dt?: number;
  /** "initial-price" (default, Leung & Li): X_t = y_t/y_0 − B·x_t/x_0 ($1 long, $B short); "none": X_t = y_t − B·x_t. */
  scale?: HedgeScale;
  /** Largest B searched (default 1 for "initial-price" as in Leung & Li, 2·mean|y|/mean|x| for "none"). */
  maxRatio?: number;
  /** Grid size before refinement (default 1000). */
  gridPoints?: number;
}

export interface OuHedgeRatioResult {
  /** B maximising the exact OU log-likelihood of the portfolio. */
  readonly hedgeRatio: number;
  /** The portfolio X_t for that B. */
  readonly spread: Float64Array;
  /** fitOu of the spread (κ, θ, σ, logLikelihood, …) with the given dt. */
  readonly ou: FitOuResult;
  /** Average log-likelihood per transition at the optimum (Leung & Li's criterion ℓ̂/n). */
  readonly averageLogLikelihood: number;
  readonly warnings: string[];
}

/**
 * Hedge ratio chosen by maximum OU likelihood (Leung & Li 2015, §5): hold one unit of asset y and
 * short B units of x, X_t = α·y_t − β·x_t with α = 1/y_0, β = B/x_0 (scale "initial-price") or
 * α = 1, β = B (scale "none"); pick B maximising the maximised exact OU log-likelihood
 * ℓ̂(θ̂, κ̂, σ̂ | X) of fitOu over a grid of B ∈ (0, maxRatio], refined by golden-section search
 * around the best grid point. Only mean-reverting fits (κ̂ > 0) compete.
 * Note the likelihood is not scale-free (it favours B that shrink the spread's variance), which is
 * exactly Leung & Li's criterion; compare ouHedgeRatio with an Engle–Granger OLS ratio if unsure.
 * @see [1] Leung, T. & Li, X. (2015) "Optimal mean reversion trading with transaction costs and
 *      stop-loss exit", Int. J. Theor. Appl. Finance 18(3), §5 (GLD–GDX, B on a grid in [0, 1]).
 * @throws RangeError if y and x differ in length, have < 3 points or non-finite values, or options are invalid
 * @example ouHedgeRatio(gld, gdx, { dt: 1 / 252 }).hedgeRatio // GLD/GDX data/gld_gdx_data.csv: see ouHedgeRatio.test.ts (checked against a brute-force grid)
 */
export function ouHedgeRatio(y: ArrayLike<number>, x: ArrayLike<number>, options?: OuHedgeRatioOptions): OuHedgeRatioResult {
  const fn = "ouHedgeRatio";
  const opts = requireOptions<OuHedgeRatioOptions>(fn, options);
  const ys = toFloat64(y, "y", fn, { minLength: 3 });
  const xs = toFloat64(x, "x", fn, { minLength: 3 });
  requireSameLength(fn, "y", ys, "x", xs);
  const dt = requirePositive(fn, "options.dt", opts.dt ?? 1 / 252);
  const scale = requireOneOf<HedgeScale>(fn, "options.scale", opts.scale ?? "initial-price", ["initial-price", "none"]);
  const gridPoints = requireInteger(fn, "options.gridPoints", opts.gridPoints ?? DEFAULT_GRID_POINTS, { min: 10 });
  let alpha = 1;
  let betaUnit = 1;
  if (scale === "initial-price") {
    if (ys[0] === 0 || xs[0] === 0) rangeError(fn, 'y[0] and x[0] must be non-zero for scale "initial-price"');
    alpha = 1 / ys[0];
    betaUnit = 1 / xs[0];
  }
  let defaultMax = 1;
  if (scale === "none") {
    let sy = 0;
    let sx = 0;
    for (let i = 0; i < ys.length; i++) {
      sy += Math.abs(ys[i]);
      sx += Math.abs(xs[i]);
    }
    if (sx === 0) rangeError(fn, "x must not be identically zero");
    defaultMax = (2 * sy) / sx;
  }
  const maxRatio = requirePositive(fn, "options.maxRatio", opts.maxRatio ?? defaultMax);
  const n = ys.length;
  const spread = new Float64Array(n);
  const build = (b: number): Float64Array => {
    for (let i = 0; i < n; i++) spread[i] = alpha * ys[i] - b * betaUnit * xs[i];
    return spread;
  };
  const score = (b: number): number => {
    try {
      const fit = fitOu(build(b), { dt });
      return fit.kappa > 0 && Number.isFinite(fit.kappa) && Number.isFinite(fit.logLikelihood) ? fit.logLikelihood : -Infinity;
    } catch {
      return -Infinity;
    }
  };
  const step = maxRatio / gridPoints;
  let bestIndex = -1;
  let bestScore = -Infinity;
  for (let k = 1; k <= gridPoints; k++) {
    const s = score(k * step);
    if (s > bestScore) {
      bestScore = s;
      bestIndex = k;
    }
  }
  const warnings: string[] = [];
  if (bestIndex < 0) {
    rangeError(fn, `no B in (0, ${maxRatio}] gives a mean-reverting OU fit (κ̂ > 0) of the portfolio`);
  }
  // Golden-section refinement on the neighbouring grid cells.
  const lo = Math.max(step * 1e-6, (bestIndex - 1) * step);
  const hi = Math.min(maxRatio, (bestIndex + 1) * step);
  const bracket = maximizeGoldenSection(score, lo, hi, 1e-10 * maxRatio);
  let hedgeRatio = 0.5 * (bracket.lo + bracket.hi);
  if (score(hedgeRatio) < bestScore) hedgeRatio = bestIndex * step;
  if (bestIndex === gridPoints) warnings.push(`ouHedgeRatio: the optimum is at the edge maxRatio = ${maxRatio}; widen options.maxRatio`);
  const finalSpread = build(hedgeRatio).slice();
  const ou = fitOu(finalSpread, { dt });
  return Object.freeze({
    hedgeRatio,
    spread: finalSpread,
    ou,
    averageLogLikelihood: ou.logLikelihood / ou.nobs,
    warnings: [...warnings, ...ou.warnings],
  });
}
