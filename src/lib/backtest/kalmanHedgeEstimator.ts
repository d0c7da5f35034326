/**
 * Kalman hedge in the backtester (`hedge: { method: "kalman", delta?, ve? }`): β_t is the filtered
 * slope of kalmanHedge (Chan 2013 ex. 3.3) after observing bar t, from the same
 * `KalmanHedgeFilter.step` (one code path with the library function). The rule's signal is the
 * standardised one-step forecast error z_t = e_t/√Q_t, which uses prices up to t only; the rule
 * must be a z-score rule without a window (its entry/exit/stop apply to z_t). As for every hedge, a
 * trade keeps the β of its fill (β of the decision bar for "nextClose").
 * The first forecasts come from θ₀ = 0 (e_0 = y_0, Q_0 = Ve), so z starts far from 0; entries need
 * a crossing of the entry level, so the rule waits for z to come back before it can trade.
 * With hedge.spread "residual" the spread written is the forecast error itself,
 * s_t = e_t = y_t − (β_{t−1}·x_t + α_{t−1}), and the rule may instead be a levels rule on it: the
 * estimator then brings no signal (`signal` null) and the engine's levels rule reads s_t.
 */
import type { HedgeEstimator } from "./hedgeEstimator.js";
import type { SignalEstimator } from "./signalEstimator.js";
import { KalmanHedgeFilter } from "../hedge/kalmanHedge.js";

/** The signal of the Kalman hedge: e_t/√Q_t of the filter's steps over the last block. */
export class KalmanInnovationZScore implements SignalEstimator {
  /** z of the last block, written by KalmanHedgeEstimator.update. */
  z = new Float64Array(0);

  update(_spread: Float64Array, count: number, signal: Float64Array): void {
    signal.set(this.z.subarray(0, count));
  }
}

export class KalmanHedgeEstimator implements HedgeEstimator {
  readonly signal: KalmanInnovationZScore | null;
  private readonly filter: KalmanHedgeFilter;
  private readonly residual: boolean;
  /** The z-score the signal reads (also allocated, unread, with a levels rule). */
  private readonly zScore = new KalmanInnovationZScore();

  /** `residual`: spread = e_t; `levelsRule`: no signal of its own (the rule reads the spread). */
  constructor(delta: number, ve: number, residual = false, levelsRule = false) {
    this.filter = new KalmanHedgeFilter(delta, ve);
    this.residual = residual;
    this.signal = levelsRule ? null : this.zScore;
  }

  update(ys: Float64Array, xs: Float64Array | null, from: number, to: number, beta: Float64Array, spread: Float64Array): void {
    if (xs === null) throw new TypeError("KalmanHedgeEstimator.update: internal: x prices required");
    const signal = this.zScore;
    const residual = this.residual;
    if (signal.z.length < to - from) signal.z = new Float64Array(to - from);
    const z = signal.z;
    const filter = this.filter;
    for (let i = from; i < to; i++) {
      filter.step(ys[i], xs[i]);
      beta[i - from] = filter.beta;
      spread[i - from] = residual ? filter.forecastError : ys[i] - filter.beta * xs[i];
      z[i - from] = filter.forecastError / Math.sqrt(filter.forecastVariance);
    }
  }

  /** α after the last bar. */
  get lastIntercept(): number {
    return this.filter.intercept;
  }

  finish(_warnings: string[]): void {}
}
