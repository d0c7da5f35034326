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
  private undefinedBars = 0;
  private readonly moments: RollingComoments;
  private readonly window: number;
  /** Per-block scratch: Cxx, Cxy and x̄ after each bar. */
  private cxx = new Float64Array(0);
  private cxy = new Float64Array(0);
  private meanX = new Float64Array(0);

  constructor(window: number) {
    this.window = window;
    this.moments = new RollingComoments(window);
  }

  update(ys: Float64Array, xs: Float64Array | null, from: number, to: number, beta: Float64Array): void {
    if (xs === null) throw new TypeError("RollingOlsHedge.update: internal: x prices required");
    const count = to - from;
    if (this.cxx.length < count) {
      this.cxx = new Float64Array(count);
      this.cxy = new Float64Array(count);
      this.meanX = new Float64Array(count);
    }
    const cxx = this.cxx;
    const cxy = this.cxy;
    const meanX = this.meanX;
    this.moments.pushBlock(xs, ys, from, to, cxx, cxy, meanX);
    const zeroScale = ZERO_CXX * this.window;
    let undefinedBars = 0;
    for (let k = 0; k < count; k++) {
      const c = cxx[k];
      // NaN (window not yet full) fails the test and stays NaN without being counted
      if (c > zeroScale * meanX[k] * meanX[k]) beta[k] = cxy[k] / c;
      else {
        beta[k] = NaN;
        if (c === c) undefinedBars++;
      }
    }
    this.undefinedBars += undefinedBars;
  }

  finish(warnings: string[]): void {
    if (this.undefinedBars > 0) warnings.push(`hedge ratio undefined (x constant over the window) at ${this.undefinedBars} bars: no decisions there`);
  }
}
