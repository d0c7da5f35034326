import { normalCdf, normalQuantile } from "../stats/normal.js";
import { rangeError, requireFinite, requireInteger, requireOptions } from "../util/validate.js";

/** Euler–Mascheroni constant γ (OEIS A001620). */
const EULER_MASCHERONI = 0.5772156649015329;

/** Inputs of {@link deflatedSharpe}; every Sharpe is per period (not annualised). */
export interface DeflatedSharpeInput {
  /** Observed per-period Sharpe ratio SR of the selected (best) trial. */
  sharpe: number;
  /** Number of independent trials N tried before selecting it (integer ≥ 1). */
  trials: number;
  /** Variance V of the per-period Sharpe ratios across the N trials (≥ 0). */
  sharpeVariance: number;
  /** Number of return observations T behind SR (integer ≥ 2). */
  nObs: number;
  /** Skewness γ₃ of the selected trial's returns. Default 0 (normal). */
  skewness?: number;
  /** Kurtosis γ₄ of the selected trial's returns, NON-excess (normal = 3). Default 3. */
  kurtosis?: number;
}

/** Result of {@link deflatedSharpe}. */
export interface DeflatedSharpeResult {
  /** Deflated Sharpe ratio: probability that the true Sharpe exceeds SR₀ = expectedMaxSharpe. */
  readonly dsr: number;
  /** SR₀: expected maximum per-period Sharpe among N unskilled trials with Sharpe variance V. */
  readonly expectedMaxSharpe: number;
}

/**
 * Deflated Sharpe ratio (Bailey & López de Prado 2014): the probabilistic Sharpe ratio measured
 * against the Sharpe the best of N skill-less trials would be expected to reach.
 *   SR₀ = √V·((1−γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))),   γ = Euler–Mascheroni constant
 *   DSR = Φ((SR − SR₀)·√(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4·SR²))
 * SR, SR₀ and V are per period; γ₃ is the skewness and γ₄ the non-excess kurtosis of the returns.
 * Degenerate cases: N = 1 means no selection, so SR₀ = 0 (the formula's Φ⁻¹(0) = −∞ would give
 * −∞; the expected value of one unskilled trial's Sharpe is 0) and DSR is the probabilistic Sharpe
 * ratio against 0. V = 0 also gives SR₀ = 0. The denominator is ≥ (1 − γ₃·SR/2)² ≥ 0 by Pearson's
 * inequality γ₄ ≥ 1 + γ₃² (enforced); where it is exactly 0 the DSR is 1, 0 or ½ by the sign of
 * SR − SR₀.
 * @see [1] Bailey, D.H. & López de Prado, M. (2014) "The Deflated Sharpe Ratio: Correcting for
 *   Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5).
 * @throws RangeError if trials or nObs is not an integer in range, sharpeVariance < 0, any input is
 *   non-finite, or kurtosis < 1 + skewness²
 * @example deflatedSharpe({ sharpe: 0.1, trials: 100, sharpeVariance: 0.001, nObs: 1250, skewness: -0.5, kurtosis: 5 })
 *   // { dsr ≈ 0.7535427, expectedMaxSharpe ≈ 0.0800247 } (fixtures/deflatedSharpe.json, closed form with scipy.stats.norm)
 */
export function deflatedSharpe(input: DeflatedSharpeInput): DeflatedSharpeResult {
  const fn = "deflatedSharpe";
  const o = requireOptions<DeflatedSharpeInput>(fn, input);
  const sharpe = requireFinite(fn, "sharpe", o.sharpe);
  const trials = requireInteger(fn, "trials", o.trials, { min: 1 });
  const sharpeVariance = requireFinite(fn, "sharpeVariance", o.sharpeVariance, { min: 0 });
  const nObs = requireInteger(fn, "nObs", o.nObs, { min: 2 });
  const skewness = o.skewness === undefined ? 0 : requireFinite(fn, "skewness", o.skewness);
  const kurtosis = o.kurtosis === undefined ? 3 : requireFinite(fn, "kurtosis", o.kurtosis);
  if (kurtosis < 1 + skewness * skewness) {
    rangeError(fn, `kurtosis (non-excess) must be >= 1 + skewness² = ${1 + skewness * skewness}, got ${kurtosis}`);
  }
  const expectedMaxSharpe =
    trials === 1 || sharpeVariance === 0
      ? 0
      : Math.sqrt(sharpeVariance) *
        ((1 - EULER_MASCHERONI) * normalQuantile(1 - 1 / trials) + EULER_MASCHERONI * normalQuantile(1 - 1 / (trials * Math.E)));
  const denominator = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  const excess = sharpe - expectedMaxSharpe;
  const dsr = denominator > 0 ? normalCdf((excess * Math.sqrt(nObs - 1)) / Math.sqrt(denominator)) : excess > 0 ? 1 : excess < 0 ? 0 : 0.5;
  return { dsr, expectedMaxSharpe };
}
