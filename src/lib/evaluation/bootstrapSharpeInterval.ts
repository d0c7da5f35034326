import { quantileSorted } from "../stats/quantile.js";
import { requireFinite, requireInteger, requireOptions, toFloat64, typeError } from "../util/validate.js";
import { sharpeFromMoments, sharpeRatioKernel } from "./sharpeRatio.js";
import { stationaryBootstrapKernel } from "./stationaryBootstrapIndices.js";

/** Most resamples accepted (bounded work: resamples · n). */
export const BOOTSTRAP_MAX_RESAMPLES = 1_000_000;
/** Resamples between two checks of the abort signal. */
const ABORT_CHECK_INTERVAL = 64;

/** Options of {@link bootstrapSharpeInterval}. */
export interface BootstrapSharpeIntervalOptions {
  /** Uniform [0, 1) source; pass `randomSource(seed)` for a reproducible interval. Required. */
  rng: () => number;
  /** Mean block length of the stationary bootstrap. Default ⌈n^{1/3}⌉ (a common rule of thumb). */
  meanBlockLength?: number;
  /** Number of bootstrap resamples B. Default 2000. */
  resamples?: number;
  /** Two-sided confidence level. Default 0.95. */
  confidence?: number;
  /** Checked between resamples; an aborted signal throws its reason. */
  signal?: AbortSignal;
}

/** Result of {@link bootstrapSharpeInterval}; Sharpe ratios are per period. */
export interface BootstrapSharpeIntervalResult {
  /** Per-period Sharpe of the original series. */
  readonly sharpe: number;
  /** Lower percentile bound, the (1 − confidence)/2 quantile of the resampled Sharpes. */
  readonly lower: number;
  /** Upper percentile bound, the (1 + confidence)/2 quantile. */
  readonly upper: number;
  /** Standard deviation (ddof 1) of the finite resampled Sharpes. */
  readonly standardError: number;
  readonly meanBlockLength: number;
  readonly resamples: number;
  readonly confidence: number;
}

/**
 * Percentile confidence interval for a per-period Sharpe ratio SR = mean(r)/sd(r, ddof 1) by the
 * stationary block bootstrap (Politis & Romano 1994), which keeps serial dependence within blocks
 * of geometric length with mean L: B resamples (see stationaryBootstrapIndices), SR of each,
 * interval = [Q((1−c)/2), Q((1+c)/2)] of the B values (linear interpolation, R type 7).
 * A resample whose sd is 0 gets ±∞/0 per sharpeRatio and still counts in the quantiles.
 * @see [1] Politis, D.N. & Romano, J.P. (1994) "The Stationary Bootstrap", JASA 89(428).
 * @see [2] Ledoit, O. & Wolf, M. (2008) "Robust performance hypothesis testing with the Sharpe
 *   ratio", Journal of Empirical Finance 15(5) (why block resampling for Sharpe ratios).
 * @throws RangeError if returns has fewer than 3 values, resamples < 10 or > 1e6, confidence
 *   outside (0, 1), or meanBlockLength < 1; TypeError if rng is missing
 * @example bootstrapSharpeInterval(returns, { rng: randomSource(7) }) // { lower, upper } bracketing sharpe
 */
export function bootstrapSharpeInterval(
  returns: ArrayLike<number>,
  options: BootstrapSharpeIntervalOptions,
): BootstrapSharpeIntervalResult {
  const fn = "bootstrapSharpeInterval";
  const o = requireOptions<BootstrapSharpeIntervalOptions>(fn, options);
  const r = toFloat64(returns, "returns", fn, { minLength: 3 });
  const n = r.length;
  if (typeof o.rng !== "function") typeError(fn, "rng must be a function returning uniforms on [0, 1) (e.g. randomSource(seed))");
  const rng = o.rng;
  const meanBlockLength =
    o.meanBlockLength === undefined ? Math.ceil(Math.cbrt(n)) : requireFinite(fn, "meanBlockLength", o.meanBlockLength, { min: 1 });
  const resamples =
    o.resamples === undefined ? 2000 : requireInteger(fn, "resamples", o.resamples, { min: 10, max: BOOTSTRAP_MAX_RESAMPLES });
  const confidence =
    o.confidence === undefined ? 0.95 : requireFinite(fn, "confidence", o.confidence, { minExclusive: 0, maxExclusive: 1 });
  const signal = o.signal;
  const indices = new Int32Array(n);
  const sharpes = new Float64Array(resamples);
  const restartProbability = 1 / meanBlockLength;
  for (let b = 0; b < resamples; b++) {
    if (signal !== undefined && b % ABORT_CHECK_INTERVAL === 0 && signal.aborted) throw signal.reason;
    stationaryBootstrapKernel(n, restartProbability, rng, indices);
    let m = 0;
    let s = 0;
    for (let k = 0; k < n; k++) {
      const v = r[indices[k]];
      const delta = v - m;
      m += delta / (k + 1);
      s += delta * (v - m);
    }
    sharpes[b] = sharpeFromMoments(m, s / (n - 1));
  }
  let count = 0;
  let m = 0;
  let s = 0;
  for (let b = 0; b < resamples; b++) {
    const v = sharpes[b];
    if (!Number.isFinite(v)) continue;
    count++;
    const delta = v - m;
    m += delta / count;
    s += delta * (v - m);
  }
  sharpes.sort();
  return {
    sharpe: sharpeRatioKernel(r, 0, n),
    lower: quantileSorted(sharpes, (1 - confidence) / 2),
    upper: quantileSorted(sharpes, (1 + confidence) / 2),
    standardError: count > 1 ? Math.sqrt(s / (count - 1)) : NaN,
    meanBlockLength,
    resamples,
    confidence,
  };
}
