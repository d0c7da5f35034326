/**
 * Mean–variance (CARA) optimal weights: maximise U(w) = μᵀw − (γ/2)·wᵀΣw.
 * - No constraints: w* = Σ⁻¹μ/γ (Cholesky solve, no explicit inverse).
 * - budget (1ᵀw = 1): closed form w* = Σ⁻¹(μ − λ1)/γ, λ = (1ᵀΣ⁻¹μ − γ)/(1ᵀΣ⁻¹1).
 * - longOnly (w ≥ 0), with or without the budget: the quadratic programme min (γ/2)wᵀΣw − μᵀw
 *   solved exactly by the Goldfarb–Idnani dual active-set method (npm quadprog).
 * μ = column means, Σ = sample covariance (ddof = 1) or Ledoit–Wolf (`shrinkage: "ledoitWolf"`).
 * Everything is per period (daily returns give daily μ, Σ and utility); γ is the absolute risk
 * aversion in those units. Under CARA utility with normal returns this is the exact optimum (Merton).
 * Near-singular Σ: see estimateMoments.ts (RangeError naming the shrinkage fix; warning when κ > 1e8).
 * @see [1] Markowitz, H. (1952) Portfolio selection. J. Finance 7(1). [2] Goldfarb & Idnani (1983).
 * @throws RangeError/TypeError for a bad panel, gamma ≤ 0, unknown option, singular covariance, or a gamma so small that the weights overflow
 * @example caraWeights(last400ReturnsOf8Etfs, { gamma: 2 }).weights[7] // ≈ 7.188000938 (numpy solve; fixtures/portfolio.json)
 */
import { choleskySolveInPlace } from "../linalg/choleskySolve.js";
import { rangeError, requireFinite, requireOptions } from "../util/validate.js";
import { estimateMoments, type ShrinkageMethod } from "./estimateMoments.js";
import { portfolioSummary } from "./portfolioSummary.js";
import { toReturnsMatrix, type ReturnsInput } from "./returnsMatrix.js";
import { solveQuadraticProgram } from "./solveQuadraticProgram.js";
import { requireConstraints, type WeightConstraints } from "./weightConstraints.js";

export interface CaraWeightsOptions {
  /** Absolute risk aversion γ > 0 (per-period units). */
  readonly gamma: number;
  readonly constraints?: WeightConstraints;
  /** Covariance estimator (default "none" = sample covariance, ddof = 1). */
  readonly shrinkage?: ShrinkageMethod;
  /** Per-period risk-free rate for the reported sharpe (default 0). */
  readonly riskFree?: number;
}

export interface CaraWeightsResult {
  readonly weights: Float64Array;
  /** μᵀw per period. */
  readonly expectedReturn: number;
  /** √(wᵀΣw) per period. */
  readonly volatility: number;
  /** (μᵀw − r_f)/√(wᵀΣw), per period (multiply by √periodsPerYear to annualise). */
  readonly sharpe: number;
  /** μᵀw − (γ/2)·wᵀΣw. */
  readonly utility: number;
  /** Ledoit–Wolf intensity (0 without shrinkage). */
  readonly shrinkageIntensity: number;
  /** λ_max/λ_min of the covariance used. */
  readonly conditionNumber: number;
  readonly warnings: readonly string[];
}

/** CARA / mean–variance optimal weights; see the module comment. */
export function caraWeights(returns: ReturnsInput, options: CaraWeightsOptions): CaraWeightsResult {
  const fn = "caraWeights";
  const o = requireOptions<CaraWeightsOptions>(fn, options);
  const gamma = requireFinite(fn, "gamma", o.gamma, { minExclusive: 0 });
  const riskFree = o.riskFree === undefined ? 0 : requireFinite(fn, "riskFree", o.riskFree);
  const { budget, longOnly } = requireConstraints(fn, o.constraints);
  const x = toReturnsMatrix(fn, "returns", returns);
  const warnings: string[] = [];
  const m = estimateMoments(fn, x, o.shrinkage, warnings);
  const n = x.cols;
  let w: Float64Array;
  if (!longOnly) {
    const a = Float64Array.from(m.mean);
    choleskySolveInPlace(m.cholesky, a); // Σ⁻¹μ
    if (!budget) {
      w = a.map((v) => v / gamma);
    } else {
      const b = new Float64Array(n).fill(1);
      choleskySolveInPlace(m.cholesky, b); // Σ⁻¹1
      let sa = 0;
      let sb = 0;
      for (let i = 0; i < n; i++) {
        sa += a[i];
        sb += b[i];
      }
      const lambda = (sa - gamma) / sb;
      w = new Float64Array(n);
      for (let i = 0; i < n; i++) w[i] = (a[i] - lambda * b[i]) / gamma;
    }
  } else {
    const hessian = { rows: n, cols: n, data: m.covariance.data.map((v) => gamma * v) };
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    w = solveQuadraticProgram(fn, {
      hessian,
      linear: m.mean,
      inequality: { a: { rows: n, cols: n, data: identity }, b: new Float64Array(n) },
      ...(budget ? { equality: { a: { rows: 1, cols: n, data: new Float64Array(n).fill(1) }, b: Float64Array.of(1) } } : {}),
    }).x;
    // the active-set solution is exact up to rounding: clear the −1e-18-sized zeros
    for (let i = 0; i < n; i++) if (w[i] < 0) w[i] = 0;
  }
  const s = portfolioSummary(fn, m.mean, m.covariance, w, riskFree, warnings);
  const utility = s.expectedReturn - (gamma / 2) * s.variance;
  // Σ⁻¹μ/γ grows without bound as γ → 0: refuse a result that left double precision.
  if (!w.every(Number.isFinite) || !Number.isFinite(s.expectedReturn) || !Number.isFinite(s.volatility) || !Number.isFinite(utility)) {
    rangeError(
      fn,
      `gamma = ${gamma} is too small for these returns: the weights Σ⁻¹μ/γ or their variance overflow double precision (raise gamma)`,
    );
  }
  return {
    weights: w,
    expectedReturn: s.expectedReturn,
    volatility: s.volatility,
    sharpe: s.sharpe,
    utility,
    shrinkageIntensity: m.shrinkageIntensity,
    conditionNumber: m.conditionNumber,
    warnings,
  };
}
