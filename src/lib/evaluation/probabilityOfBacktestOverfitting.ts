import { rangeError, requireInteger, requireOptions, toFloat64, typeError, describe } from "../util/validate.js";
import { sharpeFromMoments } from "./sharpeRatio.js";

/** Largest S accepted: C(20, 10) = 184,756 splits, each O(N·S). */
export const PBO_MAX_PARTITIONS = 20;
/** Splits evaluated between two checks of the abort signal. */
const ABORT_CHECK_INTERVAL = 256;

/** Options of {@link probabilityOfBacktestOverfitting}. */
export interface ProbabilityOfBacktestOverfittingOptions {
  /** S, the even number of contiguous blocks the T periods are cut into. Default 16 (as in [1]). */
  partitions?: number;
  /** Checked between splits; an aborted signal throws its reason (an AbortError). */
  signal?: AbortSignal;
}

/** Result of {@link probabilityOfBacktestOverfitting}. */
export interface ProbabilityOfBacktestOverfittingResult {
  /** PBO: the share of splits whose logit λ ≤ 0 (the in-sample best ranks in the OOS bottom half). */
  readonly pbo: number;
  /** λ per split, in the order of the splits (lexicographic combinations of block indices). */
  readonly logits: Float64Array;
  /** Number of splits C(S, S/2). */
  readonly splits: number;
}

/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV, [1]).
 * The T periods (shared by the N trials) are cut into S contiguous blocks, block sizes as numpy
 * `array_split` (the first T mod S blocks one period longer). For each of the C(S, S/2) choices of
 * S/2 blocks as the in-sample set (the rest out of sample):
 *   n* = argmax_n SR_IS(n)      (ties: the lowest trial index)
 *   ω  = rank_OOS(n*) / (N + 1)  (rank 1 = worst OOS Sharpe; tied Sharpes share their average rank)
 *   λ  = ln(ω / (1 − ω))
 * and PBO = #{λ ≤ 0} / C(S, S/2). SR is the per-period Sharpe mean/sd(ddof 1) of the trial's
 * returns over the chosen periods, a zero sd giving ±∞ or 0 by the sign of the mean. Block means
 * and sums of squared deviations are pooled by Chan et al.'s parallel update, not raw power sums.
 * @see [1] Bailey, D.H., Borwein, J.M., López de Prado, M. & Zhu, Q.J. (2017) "The Probability of
 *   Backtest Overfitting", Journal of Computational Finance 20(4) (SSRN 2326253, 2015).
 * @throws TypeError if trials is not an array of numeric arrays
 * @throws RangeError if fewer than 2 trials, lengths differ, partitions is odd, < 2 or > 20, or
 *   T < 2·S (each half needs at least 2 periods per block set); non-finite returns
 * @example probabilityOfBacktestOverfitting(noiseTrials, { partitions: 8 }).pbo
 *   // 0.44285714285714284 = 31/70 (20 pure-noise trials; fixtures/probabilityOfBacktestOverfitting.json, NumPy CSCV)
 */
export function probabilityOfBacktestOverfitting(
  trials: ArrayLike<ArrayLike<number>>,
  options?: ProbabilityOfBacktestOverfittingOptions,
): ProbabilityOfBacktestOverfittingResult {
  const fn = "probabilityOfBacktestOverfitting";
  const o = requireOptions<ProbabilityOfBacktestOverfittingOptions>(fn, options);
  const partitions = o.partitions === undefined ? 16 : requireInteger(fn, "partitions", o.partitions, { min: 2, max: PBO_MAX_PARTITIONS });
  if (partitions % 2 !== 0) rangeError(fn, `partitions must be even, got ${partitions}`);
  if (trials === null || typeof trials !== "object" || typeof trials.length !== "number") {
    typeError(fn, `trials must be an array of return series, got ${describe(trials)}`);
  }
  const nTrials = trials.length;
  if (nTrials < 2) rangeError(fn, `trials must hold at least 2 series, got ${nTrials}`);
  const series: Float64Array[] = [];
  for (let i = 0; i < nTrials; i++) series.push(toFloat64(trials[i], `trials[${i}]`, fn));
  const nPeriods = series[0].length;
  for (let i = 1; i < nTrials; i++) {
    if (series[i].length !== nPeriods) {
      rangeError(fn, `every trial must have the same length, trials[0] has ${nPeriods} and trials[${i}] has ${series[i].length}`);
    }
  }
  if (nPeriods < 2 * partitions) {
    rangeError(fn, `each trial needs at least 2·partitions = ${2 * partitions} periods, got ${nPeriods}`);
  }
  const signal = o.signal;

  // Per block, per trial: count, mean and sum of squared deviations (block-major, trial inner).
  const blockCount = new Float64Array(partitions);
  const blockMean = new Float64Array(partitions * nTrials);
  const blockM2 = new Float64Array(partitions * nTrials);
  const base = Math.floor(nPeriods / partitions);
  const longer = nPeriods % partitions;
  let start = 0;
  for (let b = 0; b < partitions; b++) {
    const size = base + (b < longer ? 1 : 0);
    blockCount[b] = size;
    for (let t = 0; t < nTrials; t++) {
      const r = series[t];
      let m = 0;
      let s = 0;
      for (let k = 0; k < size; k++) {
        const v = r[start + k];
        const delta = v - m;
        m += delta / (k + 1);
        s += delta * (v - m);
      }
      blockMean[b * nTrials + t] = m;
      blockM2[b * nTrials + t] = s;
    }
    start += size;
  }

  const half = partitions / 2;
  const splits = binomial(partitions, half);
  const logits = new Float64Array(splits);
  const chosen = new Int32Array(half);
  for (let i = 0; i < half; i++) chosen[i] = i;
  const inSample = new Uint8Array(partitions);
  const sharpeIs = new Float64Array(nTrials);
  const sharpeOos = new Float64Array(nTrials);
  let overfit = 0;
  for (let split = 0; split < splits; split++) {
    if (signal !== undefined && split % ABORT_CHECK_INTERVAL === 0 && signal.aborted) throw signal.reason;
    inSample.fill(0);
    for (let i = 0; i < half; i++) inSample[chosen[i]] = 1;
    pooledSharpes(blockCount, blockMean, blockM2, nTrials, inSample, 1, sharpeIs);
    pooledSharpes(blockCount, blockMean, blockM2, nTrials, inSample, 0, sharpeOos);
    let best = 0;
    for (let t = 1; t < nTrials; t++) if (sharpeIs[t] > sharpeIs[best]) best = t;
    const target = sharpeOos[best];
    let below = 0;
    let equal = 0;
    for (let t = 0; t < nTrials; t++) {
      if (sharpeOos[t] < target) below++;
      else if (sharpeOos[t] === target) equal++;
    }
    const rank = below + (equal + 1) / 2; // average rank among ties, 1 = worst
    const omega = rank / (nTrials + 1);
    const logit = Math.log(omega / (1 - omega));
    logits[split] = logit;
    if (logit <= 0) overfit++;
    nextCombination(chosen, partitions);
  }
  return { pbo: overfit / splits, logits, splits };
}

/** Sharpe of every trial over the blocks whose flag equals `want`, pooling block moments (Chan et al. 1979). */
function pooledSharpes(
  blockCount: Float64Array,
  blockMean: Float64Array,
  blockM2: Float64Array,
  nTrials: number,
  inSample: Uint8Array,
  want: number,
  out: Float64Array,
): void {
  for (let t = 0; t < nTrials; t++) {
    let count = 0;
    let m = 0;
    let s = 0;
    for (let b = 0; b < inSample.length; b++) {
      if (inSample[b] !== want) continue;
      const nb = blockCount[b];
      const mb = blockMean[b * nTrials + t];
      const total = count + nb;
      const delta = mb - m;
      m += (delta * nb) / total;
      s += blockM2[b * nTrials + t] + (delta * delta * count * nb) / total;
      count = total;
    }
    out[t] = sharpeFromMoments(m, s / (count - 1));
  }
}

/** C(n, k) for the small n used here (exact in doubles). */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** Advance `chosen` (sorted k indices out of n) to the next combination in lexicographic order. */
function nextCombination(chosen: Int32Array, n: number): void {
  const k = chosen.length;
  let i = k - 1;
  while (i >= 0 && chosen[i] === n - k + i) i--;
  if (i < 0) return;
  chosen[i]++;
  for (let j = i + 1; j < k; j++) chosen[j] = chosen[j - 1] + 1;
}
