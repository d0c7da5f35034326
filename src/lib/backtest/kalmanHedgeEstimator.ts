/**
 * Kalman hedge in the backtester (`hedge: { method: "kalman", delta?, ve? }`): β_t is the filtered
 * slope of kalmanHedge (Chan 2013 ex. 3.3) after observing bar t, from the same
 * `KalmanHedgeFilter.step` (one code path with the library function). The rule's signal is the
 * standardised one-step forecast error z_t = e_t/√Q_t, which uses prices up to t only; the rule
 * must be a z-score rule without a window (its entry/exit/stop apply to z_t). As for every hedge, a
 * trade keeps the β of its fill (β of the decision bar for "nextClose").
 * The first forecasts come from θ₀ = 0 (e_0 = y_0, Q_0 = Ve), so z starts far from 0; entries need
 * a crossing of the entry level, so the rule waits for z to come back before it can trade.
 */
import type { HedgeEstimator } from "./hedgeEstimator.js";
import type { SignalEstimator } from "./signalEstimator.js";
import { KalmanHedgeFilter } from "../hedge/kalmanHedge.js";

/** The signal of the Kalman hedge: e_t/√Q_t of the filter's last step. */
export class KalmanInnovationZScore implements SignalEstimator {
  constructor(private readonly filter: KalmanHedgeFilter) {}

  update(_spread: number): number {
    return this.filter.forecastError / Math.sqrt(this.filter.forecastVariance);
  }
}

export class KalmanHedgeEstimator implements HedgeEstimator {
  readonly signal: KalmanInnovationZScore;
  private readonly filter: KalmanHedgeFilter;

  constructor(delta: number, ve: number) {
    this.filter = new KalmanHedgeFilter(delta, ve);
    this.signal = new KalmanInnovationZScore(this.filter);
  }

  update(y: number, x: number): number {
    this.filter.step(y, x);
    return this.filter.beta;
  }

  finish(_warnings: string[]): void {}
}
