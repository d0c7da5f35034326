/**
 * Ledoit–Wolf shrunk covariance, as sklearn.covariance.LedoitWolf (assume_centered = False):
 *   Σ_LW = (1 − δ)·S + δ·μ·I,   S = XcᵀXc / T (MLE, ddof = 0),   μ = tr(S)/N,
 *   δ = min(β, d²)/d²,  d² = ‖S − μI‖²_F / N,
 *   β = (1/(N·T))·( (1/T)·Σ_t ‖x_t‖⁴ − ‖S‖²_F )    (x_t the centred rows).
 * The shrinkage δ ∈ [0, 1] is the estimated optimal intensity towards the scaled identity; it keeps
 * Σ_LW positive definite even when T ≤ N or assets are collinear.
 * Note the covariance is the MLE (÷T) like sklearn's, not the ÷(T − 1) sample covariance.
 * Degenerate: one asset → δ = 0 (as sklearn); all-zero centred data → δ = 0 and Σ = 0.
 * @see [1] Ledoit, O. & Wolf, M. (2004) A well-conditioned estimator for large-dimensional
 *   covariance matrices. J. Multivariate Analysis 88(2), 365–411.
 * @throws RangeError/TypeError if returns is not a finite T × N panel with T ≥ 2
 * @example ledoitWolf(last500ReturnsOf23Etfs).shrinkage // ≈ 0.0165786 (sklearn 1.2.1 LedoitWolf; fixtures/portfolio.json)
 */
import type { MatrixRowMajor } from "../util/matrix.js";
import { columnMeans, covarianceMatrix, toReturnsMatrix, type ReturnsInput } from "./returnsMatrix.js";

export interface LedoitWolfResult {
  /** Shrunk covariance (N × N). */
  readonly covariance: MatrixRowMajor;
  /** Shrinkage intensity δ ∈ [0, 1]. */
  readonly shrinkage: number;
  /** Target scale μ = tr(S)/N. */
  readonly target: number;
  readonly warnings: readonly string[];
}

/** Ledoit–Wolf covariance of a returns panel; see the module comment. */
export function ledoitWolf(returns: ReturnsInput): LedoitWolfResult {
  return ledoitWolfKernel(toReturnsMatrix("ledoitWolf", "returns", returns));
}

/** Internal kernel on a validated panel. */
export function ledoitWolfKernel(x: MatrixRowMajor): LedoitWolfResult {
  const { rows: t, cols: n, data } = x;
  const mean = columnMeans(x);
  const s = covarianceMatrix(x, 0, mean).data; // MLE S = XcᵀXc/T
  let sumRowNorm4 = 0;
  for (let r = 0; r < t; r++) {
    const o = r * n;
    let norm2 = 0;
    for (let j = 0; j < n; j++) {
      const v = data[o + j] - mean[j];
      norm2 += v * v;
    }
    sumRowNorm4 += norm2 * norm2;
  }
  let trace = 0;
  let frob2 = 0;
  for (let i = 0; i < n * n; i++) frob2 += s[i] * s[i];
  for (let i = 0; i < n; i++) trace += s[i * n + i];
  const mu = trace / n;
  const warnings: string[] = [];
  let shrinkage = 0;
  if (n === 1) {
    warnings.push("ledoitWolf: one asset, shrinkage 0 (as sklearn)");
  } else {
    // sklearn's ledoit_wolf_shrinkage: beta and delta as in the module comment
    let beta = (sumRowNorm4 / t - frob2) / (n * t);
    const delta = (frob2 - 2 * mu * trace + n * mu * mu) / n;
    beta = Math.min(beta, delta);
    if (delta > 0) shrinkage = beta <= 0 ? 0 : beta / delta;
    else warnings.push("ledoitWolf: sample covariance already equals the scaled identity; shrinkage 0");
  }
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) cov[i] = (1 - shrinkage) * s[i];
  for (let i = 0; i < n; i++) cov[i * n + i] += shrinkage * mu;
  return { covariance: { rows: n, cols: n, data: cov }, shrinkage, target: mu, warnings };
}
