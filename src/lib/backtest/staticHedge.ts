/**
 * Static hedge ratio: a given β for every bar, or β = Cxy/Cxx, the OLS slope of y on x with
 * intercept over the first `window` bars (the formation sample, Welford co-moments), undefined
 * (NaN) before the window is complete and then fixed. With x constant over the formation window
 * (Cxx = 0) β stays undefined for good, with a warning: no trades.
 */
import type { HedgeEstimator } from "./hedgeEstimator.js";
import { RollingComoments } from "./rollingMoments.js";

export class StaticHedge implements HedgeEstimator {
  readonly signal = null;
  private beta: number = 0.5;
  /** Bars of the formation sample still to come (0 once β is known or when it was given). */
  private formationLeft = 0;
  private readonly moments: RollingComoments;
  private readonly warnings: string[];

  /** A given β (spread mode: β = 0, so the spread is y itself). */
  constructor(beta: number, formationWindow = 0, warnings: string[] = []) {
    this.beta = beta;
    this.formationLeft = formationWindow;
    this.moments = new RollingComoments(0);
    this.warnings = warnings;
  }

  /** β by OLS over the first `window` bars. */
  static formation(window: number, warnings: string[]): StaticHedge {
    return new StaticHedge(NaN, window, warnings);
  }

  update(ys: Float64Array, xs: Float64Array | null, from: number, to: number, beta: Float64Array, spread: Float64Array): void {
    let i = from;
    if (this.formationLeft > 0 && xs !== null) {
      const m = this.moments;
      for (; i < to && this.formationLeft > 0; i++) {
        m.add(xs[i], ys[i]);
        if (--this.formationLeft === 0) {
          this.beta = m.cxx > 0 ? m.cxy / m.cxx : NaN;
          if (this.beta !== this.beta)
            this.warnings.push("static hedge: x is constant over the formation window; hedge ratio undefined, no trades");
        }
        beta[i - from] = this.beta;
        spread[i - from] = ys[i] - this.beta * xs[i];
      }
    }
    const b = this.beta;
    if (xs === null) {
      // spread mode (β = 0): the spread is y itself (y − 0·0 = y exactly)
      beta.fill(b, i - from, to - from);
      for (; i < to; i++) spread[i - from] = ys[i];
    } else {
      // β by the native fill (a memset-like builtin), then a one-store loop for the spread
      beta.fill(b, i - from, to - from);
      for (; i < to; i++) spread[i - from] = ys[i] - b * xs[i];
    }
  }

  /** β once it is known (given, or after the formation window); NaN before, or if x was constant over it. */
  constantBeta(): number {
    return this.formationLeft > 0 ? NaN : this.beta;
  }

  finish(_warnings: string[]): void {}
}
