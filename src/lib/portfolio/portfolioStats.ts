/**
 * Statistics of a fixed-weight portfolio over a returns panel (per-period units):
 * - portfolio returns r_p = R·w; mean; std with ddof = 1;
 * - skewness g₁ = m₃/m₂^{3/2} and excess kurtosis g₂ = m₄/m₂² − 3 with population (biased) central
 *   moments m_k = (1/T)Σ(r − r̄)^k — scipy.stats.skew / kurtosis defaults (bias=True, fisher=True);
 * - asset covariance (ddof = 1, np.cov) and correlation (np.corrcoef);
 * - risk contributions with σ_p = √(wᵀΣw): marginal MRC = Σw/σ_p, component CRC_i = w_i·MRC_i
 *   (Σ_i CRC_i = σ_p, Euler allocation), percent PRC_i = 100·CRC_i/σ_p (Σ = 100).
 * Degenerate: zero portfolio variance → skewness, kurtosis and the contributions are 0 with a
 * warning; a constant asset has correlation 0 with the others (and 1 with itself) with a warning.
 * @see [1] Qian, E. (2006) On the financial interpretation of risk contribution. J. Asset Management 7.
 * @throws RangeError/TypeError for a bad panel (T ≥ 3), weights of the wrong length or non-finite
 * @example portfolioStats(last400ReturnsOf8Etfs, [0.2, 0.1, 0.15, 0.05, 0.2, 0.1, 0.1, 0.1]).skewness
 *   // ≈ −0.2129036 (scipy.stats.skew; fixtures/portfolio.json)
 */
import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, toFloat64 } from "../util/validate.js";
import { columnMeans, covarianceMatrix, matVec, toReturnsMatrix, type ReturnsInput } from "./returnsMatrix.js";

export interface PortfolioStatsResult {
  readonly mean: number;
  /** ddof = 1. */
  readonly std: number;
  /** Biased (population) skewness, scipy.stats.skew default. */
  readonly skewness: number;
  /** Biased excess kurtosis (normal = 0), scipy.stats.kurtosis default. */
  readonly kurtosis: number;
  /** Asset covariance, ddof = 1 (N × N). */
  readonly covariance: MatrixRowMajor;
  readonly correlation: MatrixRowMajor;
  /** Σw/σ_p. */
  readonly marginalRiskContributions: Float64Array;
  /** w_i·(Σw)_i/σ_p, summing to σ_p. */
  readonly componentRiskContributions: Float64Array;
  /** 100·CRC_i/σ_p, summing to 100. */
  readonly percentRiskContributions: Float64Array;
  /** Per-period portfolio returns R·w. */
  readonly portfolioReturns: Float64Array;
  readonly warnings: readonly string[];
}

/** Portfolio statistics; see the module comment. */
export function portfolioStats(returns: ReturnsInput, weights: ArrayLike<number>): PortfolioStatsResult {
  const fn = "portfolioStats";
  const x = toReturnsMatrix(fn, "returns", returns, 3);
  const w = toFloat64(weights, "weights", fn);
  const n = x.cols;
  const t = x.rows;
  if (w.length !== n) rangeError(fn, `weights must have one entry per asset (${n}), got ${w.length}`);
  const warnings: string[] = [];
  const rp = new Float64Array(t);
  for (let r = 0; r < t; r++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += x.data[r * n + j] * w[j];
    rp[r] = acc;
  }
  let mean = 0;
  for (let r = 0; r < t; r++) mean += rp[r];
  mean /= t;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let r = 0; r < t; r++) {
    const d = rp[r] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const std = Math.sqrt(m2 / (t - 1));
  m2 /= t;
  m3 /= t;
  m4 /= t;
  let skewness = 0;
  let kurtosis = 0;
  // scipy treats m2 ≤ (eps·mean)² as zero variance
  if (m2 > (Number.EPSILON * mean) ** 2 && m2 > 0) {
    skewness = m3 / Math.pow(m2, 1.5);
    kurtosis = m4 / (m2 * m2) - 3;
  } else warnings.push(`${fn}: portfolio returns are constant; skewness and kurtosis reported as 0`);

  const means = columnMeans(x);
  const covariance = covarianceMatrix(x, 1, means);
  const c = covariance.data;
  const corr = new Float64Array(n * n);
  const sd = new Float64Array(n);
  for (let i = 0; i < n; i++) sd[i] = Math.sqrt(c[i * n + i]);
  let constantAssets = 0;
  for (let i = 0; i < n; i++) {
    if (sd[i] === 0) constantAssets++;
    for (let j = 0; j < n; j++) {
      corr[i * n + j] = i === j ? 1 : sd[i] > 0 && sd[j] > 0 ? Math.max(-1, Math.min(1, c[i * n + j] / (sd[i] * sd[j]))) : 0;
    }
  }
  if (constantAssets > 0) warnings.push(`${fn}: ${constantAssets} asset(s) have zero variance; their correlations are reported as 0`);
  const sigmaW = matVec(covariance, w);
  let variance = 0;
  for (let i = 0; i < n; i++) variance += w[i] * sigmaW[i];
  const sigma = Math.sqrt(Math.max(variance, 0));
  const marginal = new Float64Array(n);
  const component = new Float64Array(n);
  const percent = new Float64Array(n);
  if (sigma > 0) {
    for (let i = 0; i < n; i++) {
      marginal[i] = sigmaW[i] / sigma;
      component[i] = w[i] * marginal[i];
      percent[i] = (100 * component[i]) / sigma;
    }
  } else warnings.push(`${fn}: portfolio variance is 0; risk contributions reported as 0`);
  return {
    mean,
    std,
    skewness,
    kurtosis,
    covariance,
    correlation: { rows: n, cols: n, data: corr },
    marginalRiskContributions: marginal,
    componentRiskContributions: component,
    percentRiskContributions: percent,
    portfolioReturns: rp,
    warnings,
  };
}
