/**
 * The value the trading rule compares with its thresholds at each bar (step 4 of BacktestEngine.ts):
 * the spread itself (levels rule), or its z-score over the rule's window, (s_t − mean)/sd with
 * sd of ddof = 1 over a window that includes s_t (pandas `rolling(w).std()` convention):
 * - "rolling": the last `length` spreads (RollingMoments ring); NaN until `length` are in;
 * - "expanding": all spreads so far; NaN until `minPeriods` are in;
 * - "fixed": given mean and sd (e.g. the OU stationary law, as generateSignal uses).
 * Undefined (NaN) when the window's variance is ≤ 0 or numerically zero (≤ 1e-24·mean²). A NaN
 * spread (undefined hedge ratio) gives NaN and leaves the window unchanged.
 * The Kalman hedge brings its own signal (the standardised forecast error; kalmanHedgeEstimator.ts).
 */
import { RollingMoments } from "./rollingMoments.js";
import type { NormalizedRule } from "./tradingRule.js";

/** Relative threshold below which a window's variance counts as zero: variance ≤ this·mean². */
const ZERO_VARIANCE = 1e-24;

export interface SignalEstimator {
  /** Observe the spreads of a block, spread[0..count), in order; write the rule's value of each to signal[k] (NaN when undefined). */
  update(spread: Float64Array, count: number, signal: Float64Array): void;
  /**
   * Optional fast path for a hedge ratio β that is a known constant over the block (a static hedge
   * past its formation window): form the spread s_k = ys[from + k] − β·xs[from + k] (the same
   * expression as staticHedge.ts), write it to spread[k], then do exactly what `update` does. One
   * pass instead of two; the engine uses it only when the hedge says its β is constant.
   */
  updateFromLegs?(
    ys: Float64Array,
    xs: Float64Array,
    from: number,
    beta: number,
    count: number,
    spread: Float64Array,
    signal: Float64Array,
  ): void;
}

/** A signal estimator with the constant-β fast path. */
export interface LegsSignalEstimator extends SignalEstimator {
  updateFromLegs: NonNullable<SignalEstimator["updateFromLegs"]>;
}

/** Whether `estimator` has the constant-β fast path (`updateFromLegs`). */
export function hasUpdateFromLegs(estimator: SignalEstimator): estimator is LegsSignalEstimator {
  return estimator.updateFromLegs !== undefined;
}

/** Levels rule: the spread itself. */
export class SpreadLevel implements SignalEstimator {
  update(spread: Float64Array, count: number, signal: Float64Array): void {
    signal.set(spread.subarray(0, count));
  }
}

/** z-score against a given mean and sd. */
export class FixedZScore implements SignalEstimator {
  constructor(
    private readonly mean: number,
    private readonly sd: number,
  ) {}

  update(spread: Float64Array, count: number, signal: Float64Array): void {
    const mean = this.mean;
    const sd = this.sd;
    for (let k = 0; k < count; k++) signal[k] = (spread[k] - mean) / sd;
  }
}

/** z-score over all spreads so far (defined from `minPeriods` on). */
export class ExpandingZScore implements SignalEstimator {
  private readonly moments = new RollingMoments(0);

  constructor(private readonly minPeriods: number) {}

  update(spread: Float64Array, count: number, signal: Float64Array): void {
    const m = this.moments;
    for (let k = 0; k < count; k++) {
      const s = spread[k];
      signal[k] = NaN;
      if (s !== s) continue;
      m.add(s);
      if (m.count < this.minPeriods) continue;
      const variance = m.m2 / (m.count - 1);
      if (variance > 0 && variance > ZERO_VARIANCE * m.mean * m.mean) signal[k] = (s - m.mean) / Math.sqrt(variance);
    }
  }
}

/** z-score over the last `length` spreads. */
export class RollingZScore implements SignalEstimator {
  private readonly moments: RollingMoments;
  /** 1/(length − 1): the full window multiplies instead of dividing (the divider is the loop's scarcest unit). */
  private readonly invDdof: number;

  constructor(length: number) {
    this.moments = new RollingMoments(length);
    this.invDdof = 1 / (length - 1);
  }

  update(spread: Float64Array, count: number, signal: Float64Array): void {
    this.run(null, null, 0, 0, count, spread, signal);
  }

  updateFromLegs(
    ys: Float64Array,
    xs: Float64Array,
    from: number,
    beta: number,
    count: number,
    spread: Float64Array,
    signal: Float64Array,
  ): void {
    this.run(ys, xs, from, beta, count, spread, signal);
  }

  /**
   * The window pass of both entry points: with legs (ys, xs non-null) s_k = ys[from + k] − β·xs[from + k]
   * is formed and stored in spread[k] first (fused with the window update, so the loads of the
   * prices overlap the square root and division); otherwise s_k = spread[k].
   */
  private run(
    ys: Float64Array | null,
    xs: Float64Array | null,
    from: number,
    beta: number,
    count: number,
    spread: Float64Array,
    signal: Float64Array,
  ): void {
    const m = this.moments;
    const w = m.window;
    const inv = m.invWindow;
    const buffer = m.buffer;
    const invDdof = this.invDdof;
    // the window's running mean, M2 and ring slot in locals (written back around the rare paths)
    let mean = m.mean;
    let m2 = m.m2;
    let slot = m.slot;
    let turnSum = m.turnSum;
    // whether the window is full, in a local: the loop's call to `recompute` would make V8 reload m.count every bar
    let full = m.count === w;
    for (let k = 0; k < count; k++) {
      let s = 0;
      if (ys !== null && xs !== null) {
        s = ys[from + k] - beta * xs[from + k];
        spread[k] = s;
      } else s = spread[k];
      if (s !== s) {
        signal[k] = NaN;
        continue;
      }
      if (full) {
        // full window: replace the oldest value in one centred step (rollingMoments.ts)
        const old = buffer[slot];
        const delta = s - old;
        m2 += (s - mean) * (s - mean) - (old - mean) * (old - mean) - delta * delta * inv;
        mean += delta * inv;
        buffer[slot] = s;
        turnSum += s;
        slot = slot + 1 === w ? 0 : slot + 1;
        if (slot === 0) {
          m.slot = 0;
          m.turnSum = turnSum;
          m.recompute();
          mean = m.mean;
          m2 = m.m2;
          turnSum = 0;
        }
      } else {
        m.mean = mean;
        m.m2 = m2;
        m.slot = slot;
        m.turnSum = turnSum;
        m.fill(s);
        mean = m.mean;
        m2 = m.m2;
        slot = m.slot;
        turnSum = m.turnSum;
        full = m.count === w;
        if (!full) {
          signal[k] = NaN;
          continue;
        }
      }
      const variance = m2 * invDdof;
      signal[k] = variance > 0 && variance > ZERO_VARIANCE * mean * mean ? (s - mean) / Math.sqrt(variance) : NaN;
    }
    m.mean = mean;
    m.m2 = m2;
    m.slot = slot;
    m.turnSum = turnSum;
  }
}

/** The signal estimator of a validated rule's window ("none": the spread itself). */
export function createSignalEstimator(rule: NormalizedRule): SignalEstimator {
  switch (rule.windowType) {
    case "rolling":
      return new RollingZScore(rule.windowLength);
    case "expanding":
      return new ExpandingZScore(rule.windowLength);
    case "fixed":
      return new FixedZScore(rule.fixedMean, rule.fixedSd);
    default:
      return new SpreadLevel();
  }
}
