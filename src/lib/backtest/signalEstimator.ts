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
  /** Observe bar t's spread; returns the rule's signal value at t (NaN when undefined). */
  update(spread: number): number;
}

/** Levels rule: the spread itself. */
export class SpreadLevel implements SignalEstimator {
  update(spread: number): number {
    return spread;
  }
}

/** z-score against a given mean and sd. */
export class FixedZScore implements SignalEstimator {
  constructor(
    private readonly mean: number,
    private readonly sd: number,
  ) {}

  update(spread: number): number {
    return (spread - this.mean) / this.sd;
  }
}

/** z-score over all spreads so far (defined from `minPeriods` on). */
export class ExpandingZScore implements SignalEstimator {
  private readonly moments = new RollingMoments(0);

  constructor(private readonly minPeriods: number) {}

  update(spread: number): number {
    if (spread !== spread) return NaN;
    const m = this.moments;
    m.add(spread);
    if (m.count < this.minPeriods) return NaN;
    const variance = m.m2 / (m.count - 1);
    return variance > 0 && variance > ZERO_VARIANCE * m.mean * m.mean ? (spread - m.mean) / Math.sqrt(variance) : NaN;
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

  update(spread: number): number {
    if (spread !== spread) return NaN;
    const m = this.moments;
    if (!m.push(spread)) return NaN;
    const variance = m.m2 * this.invDdof;
    return variance > 0 && variance > ZERO_VARIANCE * m.mean * m.mean ? (spread - m.mean) / Math.sqrt(variance) : NaN;
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
