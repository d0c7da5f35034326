/**
 * How far to trust the best combination of a sweep: the deflated Sharpe ratio of the best trial
 * against the number of trials, and (when every trial's returns are given) the probability of
 * backtest overfitting by CSCV. A composition of library functions, so that every caller (the
 * SweepBacktests RPC, notebooks) reports the same statistics:
 *   best       = argmax_n SR_n over the finite per-period Sharpes (ties: the lowest index);
 *   V          = sample variance (ddof 1) of the finite SR_n (0 with one finite trial);
 *   γ₃, γ₄     = population skewness m₃/m₂^{3/2} and non-excess kurtosis m₄/m₂² of the best trial's
 *                returns (the moments of the probabilistic Sharpe ratio, Bailey & López de Prado 2014 [1]);
 *                γ₄ is raised to 1 + γ₃² if rounding put it below Pearson's bound;
 *   DSR, SR₀   = deflatedSharpe({ sharpe: SR_best, trials: N, sharpeVariance: V, nObs: T, γ₃, γ₄ });
 *   PBO        = probabilityOfBacktestOverfitting(trialReturns, { partitions: S }) [2], S reduced to
 *                the largest even S ≤ T/2 when the series is too short for the one asked.
 * Degenerate cases (each with a warning, the statistic NaN): no finite Sharpe (no best), an
 * infinite best Sharpe (a flat nonzero return), constant best returns (γ₃ = 0, γ₄ = 3 used), fewer
 * than 2 trials or T < 4 for PBO, no trial returns (PBO not computed).
 * @see [1] Bailey & López de Prado (2014), Journal of Portfolio Management 40(5) (deflatedSharpe.ts).
 * @see [2] Bailey, Borwein, López de Prado & Zhu (2017), Journal of Computational Finance 20(4).
 * @throws RangeError/TypeError for non-finite returns, bestReturns of another length than the
 *   trials', trialReturns with a length other than sharpes', partitions odd or outside [2, 20]
 * @example sweepOverfitting({ sharpes: results.map((r) => r.sharpe), bestReturns, trialReturns }).dsr
 *   // the DSR of the best of a sweepBacktests run (see sweepOverfitting.test.ts for the composition)
 */
import { deflatedSharpe } from "../evaluation/deflatedSharpe.js";
import { PBO_MAX_PARTITIONS, probabilityOfBacktestOverfitting } from "../evaluation/probabilityOfBacktestOverfitting.js";
import { describe, rangeError, requireInteger, requireOptions, toFloat64, typeError } from "../util/validate.js";

export interface SweepOverfittingInput {
  /** Per-period Sharpe of every trial, in trial order (non-finite ones are skipped, with a warning). */
  readonly sharpes: ArrayLike<number>;
  /** Per-period returns of the best trial, `bestTrialIndex(sharpes)`. */
  readonly bestReturns: ArrayLike<number>;
  /** Every trial's per-period returns (same order as sharpes), for PBO; omit to skip PBO. */
  readonly trialReturns?: readonly ArrayLike<number>[];
  /** CSCV blocks S, even, 2..20. Default 16. */
  readonly partitions?: number;
  /** Checked by PBO between splits. */
  readonly signal?: AbortSignal;
}

export interface SweepOverfittingResult {
  readonly bestIndex: number;
  readonly bestSharpe: number;
  readonly trials: number;
  readonly sharpeVariance: number;
  readonly skewness: number;
  readonly kurtosis: number;
  readonly dsr: number;
  readonly expectedMaxSharpe: number;
  readonly pbo: number;
  /** S actually used (0 when PBO was not computed). */
  readonly partitions: number;
  readonly warnings: readonly string[];
}

/** argmax of the finite values (ties: the lowest index); −1 when none is finite. */
export function bestTrialIndex(sharpes: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < sharpes.length; i++) {
    const s = sharpes[i];
    if (Number.isFinite(s) && (best < 0 || s > sharpes[best])) best = i;
  }
  return best;
}

/** See the module comment. */
export function sweepOverfitting(input: SweepOverfittingInput): SweepOverfittingResult {
  const fn = "sweepOverfitting";
  const o = requireOptions<SweepOverfittingInput>(fn, input);
  if (o.sharpes === null || typeof o.sharpes !== "object" || typeof o.sharpes.length !== "number")
    typeError(fn, `sharpes must be an array of numbers, got ${describe(o.sharpes)}`);
  const trials = o.sharpes.length;
  const best = toFloat64(o.bestReturns, "bestReturns", fn);
  const nObs = best.length;
  const partitionsAsked =
    o.partitions === undefined ? 16 : requireInteger(fn, "partitions", o.partitions, { min: 2, max: PBO_MAX_PARTITIONS });
  if (partitionsAsked % 2 !== 0) rangeError(fn, `partitions must be even, got ${partitionsAsked}`);
  const warnings: string[] = [];

  let finite = 0;
  let mean = 0;
  let sumSquares = 0;
  for (let i = 0; i < trials; i++) {
    const s = o.sharpes[i];
    if (!Number.isFinite(s)) continue;
    finite++;
    const delta = s - mean;
    mean += delta / finite;
    sumSquares += delta * (s - mean);
  }
  if (finite < trials) warnings.push(`${trials - finite} of ${trials} trials have a non-finite Sharpe ratio; V and the best exclude them`);
  const sharpeVariance = finite >= 2 ? sumSquares / (finite - 1) : 0;
  const bestIndex = bestTrialIndex(o.sharpes);
  const bestSharpe = bestIndex >= 0 ? o.sharpes[bestIndex] : Number.NaN;

  // Population moments of the best trial's returns (two-pass).
  let m1 = 0;
  for (let t = 0; t < nObs; t++) m1 += (best[t] - m1) / (t + 1);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let t = 0; t < nObs; t++) {
    const d = best[t] - m1;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  let skewness = 0;
  let kurtosis = 3;
  if (nObs > 0 && m2 > 0) {
    m2 /= nObs;
    m3 /= nObs;
    m4 /= nObs;
    skewness = m3 / m2 ** 1.5;
    kurtosis = Math.max(m4 / (m2 * m2), 1 + skewness * skewness);
  } else {
    warnings.push("the best trial's returns are constant: skewness 0 and kurtosis 3 (normal) used");
  }

  let dsr = Number.NaN;
  let expectedMaxSharpe = Number.NaN;
  if (bestIndex < 0) warnings.push("no trial has a finite Sharpe ratio: no deflated Sharpe");
  else if (nObs < 2) warnings.push(`the deflated Sharpe needs at least 2 returns, got ${nObs}`);
  else {
    const d = deflatedSharpe({ sharpe: bestSharpe, trials, sharpeVariance, nObs, skewness, kurtosis });
    dsr = d.dsr;
    expectedMaxSharpe = d.expectedMaxSharpe;
  }

  let pbo = Number.NaN;
  let partitions = 0;
  if (o.trialReturns === undefined) warnings.push("PBO not computed: no trial returns given");
  else {
    if (!Array.isArray(o.trialReturns)) typeError(fn, `trialReturns must be an array of return series, got ${describe(o.trialReturns)}`);
    if (o.trialReturns.length !== trials)
      rangeError(fn, `trialReturns must hold one series per trial (${trials}), got ${o.trialReturns.length}`);
    const length = trials > 0 ? o.trialReturns[0].length : 0;
    if (length !== nObs) rangeError(fn, `bestReturns and trialReturns[0] must have the same length, got ${nObs} and ${length}`);
    partitions = Math.min(partitionsAsked, 2 * Math.floor(length / 4));
    if (trials < 2 || partitions < 2) {
      warnings.push(`PBO needs at least 2 trials and 4 periods, got ${trials} trials of ${length}`);
      partitions = 0;
    } else {
      if (partitions < partitionsAsked)
        warnings.push(`PBO uses ${partitions} partitions instead of ${partitionsAsked}: ${length} periods allow at most ${partitions}`);
      pbo = probabilityOfBacktestOverfitting(o.trialReturns, { partitions, ...(o.signal ? { signal: o.signal } : {}) }).pbo;
    }
  }
  return { bestIndex, bestSharpe, trials, sharpeVariance, skewness, kurtosis, dsr, expectedMaxSharpe, pbo, partitions, warnings };
}
