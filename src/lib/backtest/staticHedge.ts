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

  update(y: number, x: number): number {
    if (this.formationLeft > 0) {
      const m = this.moments;
      m.add(x, y);
      if (--this.formationLeft === 0) {
        this.beta = m.cxx > 0 ? m.cxy / m.cxx : NaN;
        if (this.beta !== this.beta) this.warnings.push("static hedge: x is constant over the formation window; hedge ratio undefined, no trades");
      }
    }
    return this.beta;
  }

  finish(_warnings: string[]): void {}
}
