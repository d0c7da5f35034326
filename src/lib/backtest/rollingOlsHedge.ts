/**
 * Rolling hedge ratio: β_t = Cxy/Cxx, the OLS slope of y on x with intercept over the `window` bars
 * ending at t (RollingComoments: Welford while the window fills, then an O(1) centred replace step,
 * with an exact recomputation once per turn of the ring). Undefined (NaN) during the warm-up
 * (t < window − 1) and where x is numerically constant over the window (Cxx ≤ 1e-14·w·x̄², a
 * relative threshold); those bars are counted and reported in one warning at the end.
 */
import type { HedgeEstimator } from "./hedgeEstimator.js";
import { RollingComoments } from "./rollingMoments.js";

/** Cxx at or below this multiple of w·x̄² counts as zero (x constant over the window). */
const ZERO_CXX = 1e-14;

export class RollingOlsHedge implements HedgeEstimator {
  readonly signal = null;
  private beta = NaN;
  private undefinedBars = 0;
  private readonly moments: RollingComoments;
  private readonly window: number;

  constructor(window: number) {
    this.window = window;
    this.moments = new RollingComoments(window);
  }

  update(y: number, x: number): number {
    const m = this.moments;
    if (m.push(x, y)) {
      if (m.cxx > ZERO_CXX * this.window * m.meanX * m.meanX) this.beta = m.cxy / m.cxx;
      else {
        this.beta = NaN;
        this.undefinedBars++;
      }
    }
    return this.beta;
  }

  finish(warnings: string[]): void {
    if (this.undefinedBars > 0) warnings.push(`hedge ratio undefined (x constant over the window) at ${this.undefinedBars} bars: no decisions there`);
  }
}
