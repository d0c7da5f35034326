/**
 * Maximum-Sharpe (tangency) portfolio, fully invested (Σ w_i = 1):
 *   maximise (μᵀw − r_f)/√(wᵀΣw).
 * - Shorts allowed: w* = z/(1ᵀz), z = Σ⁻¹(μ − r_f·1) (Cholesky solve).
 * - longOnly: the scale-free reformulation min yᵀΣy s.t. (μ − r_f)ᵀy = 1, y ≥ 0, then w = y/(1ᵀy)
 *   (Cornuejols & Tütüncü 2007, §8.2), solved exactly by quadprog's dual active-set method.
 * μ, Σ, r_f per period; Σ sample (ddof = 1) or Ledoit–Wolf.
 * Degenerate: 1ᵀz < 0 means the fully invested tangency point has negative excess return (every
 * asset's excess return is poor relative to its risk); the weights are still z/(1ᵀz) and a warning
 * says so. 1ᵀz = 0 (no fully invested tangency portfolio) throws. longOnly with no asset whose mean
 * exceeds r_f throws (the long-only maximum-Sharpe portfolio does not exist).
 * @see [1] Cornuejols, G. & Tütüncü, R. (2007) Optimization Methods in Finance, CUP, §8.2.
 * @throws RangeError/TypeError for a bad panel or option, singular covariance, or the cases above
 * @example maxSharpeWeights(last400ReturnsOf8Etfs, { riskFree: 0 }).weights[7] // ≈ 0.92918078 (numpy; fixtures/portfolio.json)
 */
import { choleskySolveInPlace } from "../linalg/choleskySolve.js";
import { describe, rangeError, requireFinite, requireOptions, typeError } from "../util/validate.js";
import { estimateMoments, type ShrinkageMethod } from "./estimateMoments.js";
import { portfolioSummary } from "./portfolioSummary.js";
import { toReturnsMatrix, type ReturnsInput } from "./returnsMatrix.js";
import { solveQuadraticProgram } from "./solveQuadraticProgram.js";

export interface MaxSharpeWeightsOptions {
  /** Per-period risk-free rate (default 0). */
  readonly riskFree?: number;
  readonly constraints?: { readonly longOnly?: boolean };
  readonly shrinkage?: ShrinkageMethod;
}

export interface MaxSharpeWeightsResult {
  /** Weights summing to 1. */
  readonly weights: Float64Array;
  readonly expectedReturn: number;
  readonly volatility: number;
  /** Per-period Sharpe ratio (μᵀw − r_f)/√(wᵀΣw). */
  readonly sharpe: number;
  readonly shrinkageIntensity: number;
  readonly conditionNumber: number;
  readonly warnings: readonly string[];
}

/** Tangency portfolio; see the module comment. */
export function maxSharpeWeights(returns: ReturnsInput, options: MaxSharpeWeightsOptions = {}): MaxSharpeWeightsResult {
  const fn = "maxSharpeWeights";
  const o = requireOptions<MaxSharpeWeightsOptions>(fn, options);
  const riskFree = o.riskFree === undefined ? 0 : requireFinite(fn, "riskFree", o.riskFree);
  const c = requireOptions<{ longOnly?: boolean }>(fn, o.constraints);
  if (c.longOnly !== undefined && typeof c.longOnly !== "boolean")
    typeError(fn, `constraints.longOnly must be a boolean, got ${describe(c.longOnly)}`);
  const x = toReturnsMatrix(fn, "returns", returns);
  const warnings: string[] = [];
  const m = estimateMoments(fn, x, o.shrinkage, warnings);
  const n = x.cols;
  const excess = m.mean.map((v) => v - riskFree);
  let w: Float64Array;
  if (c.longOnly !== true) {
    const z = Float64Array.from(excess);
    choleskySolveInPlace(m.cholesky, z);
    let sum = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      sum += z[i];
      scale += Math.abs(z[i]);
    }
    if (!(Math.abs(sum) > 1e-14 * scale)) rangeError(fn, "1ᵀΣ⁻¹(μ − riskFree) is 0: no fully invested tangency portfolio exists");
    if (sum < 0) {
      warnings.push(`${fn}: 1ᵀΣ⁻¹(μ − riskFree) < 0, so the fully invested tangency portfolio has a negative expected excess return`);
    }
    w = z.map((v) => v / sum);
  } else {
    if (!excess.some((v) => v > 0))
      rangeError(fn, `no asset has a mean return above riskFree (${riskFree}); the long-only maximum-Sharpe portfolio does not exist`);
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    const y = solveQuadraticProgram(fn, {
      hessian: { rows: n, cols: n, data: m.covariance.data.map((v) => 2 * v) },
      linear: new Float64Array(n),
      equality: { a: { rows: 1, cols: n, data: excess }, b: Float64Array.of(1) },
      inequality: { a: { rows: n, cols: n, data: identity }, b: new Float64Array(n) },
    }).x;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (y[i] < 0) y[i] = 0; // rounding-level negatives of the exact active-set solution
      sum += y[i];
    }
    w = y.map((v) => v / sum);
  }
  const s = portfolioSummary(fn, m.mean, m.covariance, w, riskFree, warnings);
  return {
    weights: w,
    expectedReturn: s.expectedReturn,
    volatility: s.volatility,
    sharpe: s.sharpe,
    shrinkageIntensity: m.shrinkageIntensity,
    conditionNumber: m.conditionNumber,
    warnings,
  };
}
