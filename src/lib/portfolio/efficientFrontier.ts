/**
 * Mean–variance efficient frontier of fully invested portfolios (Σ w_i = 1, shorts allowed), in
 * closed form (Merton 1972): with A = 1ᵀΣ⁻¹1, B = 1ᵀΣ⁻¹μ, C = μᵀΣ⁻¹μ, D = AC − B²,
 *   σ²(m) = (A·m² − 2B·m + C)/D,   w(m) = Σ⁻¹[(C − B·m)·1 + (A·m − B)·μ]/D
 * for each target mean return m. The global minimum-variance portfolio is w = Σ⁻¹1/A with mean B/A
 * and variance 1/A. Every point is computed exactly (two Cholesky solves for the whole frontier),
 * not sampled from random portfolios. μ, Σ per period; Σ sample (ddof = 1) or Ledoit–Wolf, with the
 * singular-covariance policy of the other optimisers (estimateMoments).
 * Targets: `points` equally spaced returns from `minReturn` (default B/A, the minimum-variance
 * return) to `maxReturn` (default B/A + (max μ_i − min μ_i)), i.e. the efficient upper branch.
 * D is computed in the centred form A·μ̃ᵀΣ⁻¹μ̃, μ̃ = μ − (B/A)·1, which does not cancel.
 * Degenerate: all means equal (range ≤ 1e-12 of their size, so μ ∝ 1 and D = 0) throws — the
 * frontier is then one point, the minimum-variance portfolio.
 * @see [1] Merton, R.C. (1972) "An analytic derivation of the efficient portfolio frontier", JFQA 7(4).
 * @throws RangeError/TypeError for a bad panel or option, singular covariance, or D ≈ 0
 * @example efficientFrontier(last400ReturnsOf8Etfs, { points: 7 }).volatilities[6] // ≈ 0.0088367169776 (numpy KKT solve; fixtures/efficientFrontier.json)
 */
import { choleskySolveInPlace } from "../linalg/choleskySolve.js";
import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, requireFinite, requireInteger, requireOptions } from "../util/validate.js";
import { estimateMoments, type ShrinkageMethod } from "./estimateMoments.js";
import { toReturnsMatrix, type ReturnsInput } from "./returnsMatrix.js";

/** Most frontier points one call computes (each is an N-vector of weights). */
const MAX_POINTS = 10_000;
/** Means whose range is at most this fraction of their size count as all equal (μ ∝ 1, D = 0). */
const DEGENERATE_SPREAD = 1e-12;

export interface EfficientFrontierOptions {
  /** Number of frontier points (default 50, 2 … 10 000). */
  readonly points?: number;
  /** Lowest target mean return per period (default B/A, the minimum-variance portfolio's mean). */
  readonly minReturn?: number;
  /** Highest target mean return per period (default B/A + (max μ_i − min μ_i)). */
  readonly maxReturn?: number;
  readonly shrinkage?: ShrinkageMethod;
}

export interface EfficientFrontierResult {
  /** Target mean returns m_k per period, ascending. */
  readonly targetReturns: Float64Array;
  /** σ(m_k) = √((A·m_k² − 2B·m_k + C)/D) per period. */
  readonly volatilities: Float64Array;
  /** Frontier weights, points × N row-major: row k sums to 1 and has mean return m_k. */
  readonly weights: MatrixRowMajor;
  /** The global minimum-variance portfolio Σ⁻¹1/A. */
  readonly minVariance: { readonly weights: Float64Array; readonly expectedReturn: number; readonly volatility: number };
  /** Merton's constants A = 1ᵀΣ⁻¹1, B = 1ᵀΣ⁻¹μ, C = μᵀΣ⁻¹μ, D = AC − B². */
  readonly constants: { readonly a: number; readonly b: number; readonly c: number; readonly d: number };
  /** Per-asset mean returns and volatilities (for plotting the assets beside the frontier). */
  readonly assetMeans: Float64Array;
  readonly assetVolatilities: Float64Array;
  readonly shrinkageIntensity: number;
  readonly conditionNumber: number;
  readonly warnings: readonly string[];
}

/** Closed-form efficient frontier; see the module comment. */
export function efficientFrontier(returns: ReturnsInput, options: EfficientFrontierOptions = {}): EfficientFrontierResult {
  const fn = "efficientFrontier";
  const o = requireOptions<EfficientFrontierOptions>(fn, options);
  const points = o.points === undefined ? 50 : requireInteger(fn, "points", o.points, { min: 2, max: MAX_POINTS });
  const x = toReturnsMatrix(fn, "returns", returns);
  const warnings: string[] = [];
  const m = estimateMoments(fn, x, o.shrinkage, warnings);
  const n = x.cols;
  const mu = m.mean;
  const sigmaInvOnes = new Float64Array(n).fill(1);
  choleskySolveInPlace(m.cholesky, sigmaInvOnes);
  const sigmaInvMu = Float64Array.from(mu);
  choleskySolveInPlace(m.cholesky, sigmaInvMu);
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    a += sigmaInvOnes[i];
    b += sigmaInvMu[i];
    c += mu[i] * sigmaInvMu[i];
  }
  let muMin = Infinity;
  let muMax = -Infinity;
  for (let i = 0; i < n; i++) {
    muMin = Math.min(muMin, mu[i]);
    muMax = Math.max(muMax, mu[i]);
  }
  if (!(muMax - muMin > DEGENERATE_SPREAD * Math.max(Math.abs(muMin), Math.abs(muMax)))) {
    rangeError(
      fn,
      `all assets have the same mean return (${muMax}), so AC − B² = 0 and the frontier is the single minimum-variance portfolio`,
    );
  }
  // D = AC − B² = A·μ̃ᵀΣ⁻¹μ̃ with μ̃ = μ − (B/A)·1: the centred form avoids AC − B² cancelling.
  let centredQuadratic = 0;
  for (let i = 0; i < n; i++) centredQuadratic += (mu[i] - b / a) * (sigmaInvMu[i] - (b / a) * sigmaInvOnes[i]);
  const d = a * centredQuadratic;
  const minVarReturn = b / a;
  const lo = o.minReturn === undefined ? minVarReturn : requireFinite(fn, "minReturn", o.minReturn);
  const hi = o.maxReturn === undefined ? minVarReturn + (muMax - muMin) : requireFinite(fn, "maxReturn", o.maxReturn);
  if (!(hi > lo)) rangeError(fn, `maxReturn must be > minReturn, got minReturn ${lo} and maxReturn ${hi}`);
  if (lo < minVarReturn)
    warnings.push(
      `${fn}: minReturn ${lo} is below the minimum-variance return ${minVarReturn}: those points are on the inefficient lower branch`,
    );

  const targetReturns = new Float64Array(points);
  const volatilities = new Float64Array(points);
  const weights = new Float64Array(points * n);
  for (let k = 0; k < points; k++) {
    const target = k === points - 1 ? hi : lo + ((hi - lo) * k) / (points - 1);
    targetReturns[k] = target;
    volatilities[k] = Math.sqrt(Math.max(0, (a * target * target - 2 * b * target + c) / d));
    const onesCoefficient = (c - b * target) / d;
    const muCoefficient = (a * target - b) / d;
    for (let i = 0; i < n; i++) weights[k * n + i] = onesCoefficient * sigmaInvOnes[i] + muCoefficient * sigmaInvMu[i];
  }
  const assetVolatilities = new Float64Array(n);
  for (let i = 0; i < n; i++) assetVolatilities[i] = Math.sqrt(m.covariance.data[i * n + i]);
  return {
    targetReturns,
    volatilities,
    weights: { rows: points, cols: n, data: weights },
    minVariance: { weights: sigmaInvOnes.map((v) => v / a), expectedReturn: minVarReturn, volatility: Math.sqrt(1 / a) },
    constants: { a, b, c, d },
    assetMeans: Float64Array.from(mu),
    assetVolatilities,
    shrinkageIntensity: m.shrinkageIntensity,
    conditionNumber: m.conditionNumber,
    warnings,
  };
}
