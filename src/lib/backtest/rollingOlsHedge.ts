/**
 * Rolling hedge ratio: β_t = Cxy/Cxx, the OLS slope of y on x with intercept over the `window` bars
 * ending at t (RollingComoments: Welford while the window fills, then an O(1) centred replace step,
 * with an exact recomputation once per turn of the ring). Undefined (NaN) during the warm-up
 * (t < window − 1) and where x is numerically constant over the window (Cxx ≤ 1e-14·w·x̄², a
 * relative threshold); those bars are counted and reported in one warning at the end.
 * With hedge.spread "residual" the estimator also keeps α_t = ȳ − β_t·x̄ over the same window and
 * writes the no-look-ahead residual s_t = y_t − β_{t−1}·x_t − α_{t−1} (the window ending at t−1:
 * bars t−w..t−1) as the spread; it is undefined (NaN) until bar w, one bar after β. β_t itself
 * (the ratio a fill at t locks) is the same in both modes.
 */
import type { HedgeEstimator } from "./hedgeEstimator.js";
import { RollingComoments } from "./rollingMoments.js";

/** Cxx at or below this multiple of w·x̄² counts as zero (x constant over the window). */
const ZERO_CXX = 1e-14;

export class RollingOlsHedge implements HedgeEstimator {
  readonly signal = null;
  private undefinedBars = 0;
  private beta = NaN;
  /** α of the last full window (residual mode only). */
  private intercept = NaN;
  private readonly moments: RollingComoments;
  private readonly residual: boolean;

  constructor(window: number, residual = false) {
    this.moments = new RollingComoments(window);
    this.residual = residual;
  }

  update(ys: Float64Array, xs: Float64Array | null, from: number, to: number, beta: Float64Array, spread: Float64Array): void {
    if (xs === null) throw new TypeError("RollingOlsHedge.update: internal: x prices required");
    if (this.residual) {
      this.updateResidual(ys, xs, from, to, beta, spread);
      return;
    }
    const m = this.moments;
    const w = m.window;
    const inv = m.invWindow;
    const bx = m.bufferX;
    const by = m.bufferY;
    const zeroScale = ZERO_CXX * w;
    // the window's running sums and ring slot in locals (written back around the rare paths)
    let mx = m.meanX;
    let my = m.meanY;
    let cxx = m.cxx;
    let cxy = m.cxy;
    let slot = m.slot;
    let current = this.beta;
    let undefinedBars = 0;
    for (let i = from; i < to; i++) {
      const x = xs[i];
      const y = ys[i];
      if (m.count === w) {
        // full window: replace the oldest pair in one centred step (rollingMoments.ts)
        const x0 = bx[slot];
        const y0 = by[slot];
        const dx = x - x0;
        const dy = y - y0;
        cxy += (x - mx) * (y - my) - (x0 - mx) * (y0 - my) - dx * dy * inv;
        cxx += (x - mx) * (x - mx) - (x0 - mx) * (x0 - mx) - dx * dx * inv;
        mx += dx * inv;
        my += dy * inv;
        bx[slot] = x;
        by[slot] = y;
        slot = slot + 1 === w ? 0 : slot + 1;
        if (slot === 0) {
          m.slot = 0;
          m.recompute();
          mx = m.meanX;
          my = m.meanY;
          cxx = m.cxx;
          cxy = m.cxy;
        }
      } else {
        m.meanX = mx;
        m.meanY = my;
        m.cxx = cxx;
        m.cxy = cxy;
        m.slot = slot;
        m.fill(x, y);
        mx = m.meanX;
        my = m.meanY;
        cxx = m.cxx;
        cxy = m.cxy;
        slot = m.slot;
        if (m.count !== w) {
          beta[i - from] = current; // NaN: warm-up
          spread[i - from] = y - current * x;
          continue;
        }
      }
      // relative threshold: var(x) numerically zero → undefined hedge
      if (cxx > zeroScale * mx * mx) current = cxy / cxx;
      else {
        current = NaN;
        undefinedBars++;
      }
      beta[i - from] = current;
      spread[i - from] = y - current * x;
    }
    m.meanX = mx;
    m.meanY = my;
    m.cxx = cxx;
    m.cxy = cxy;
    m.slot = slot;
    this.beta = current;
    this.undefinedBars += undefinedBars;
  }

  /**
   * Residual mode: s_i = y_i − β_{i−1}·x_i − α_{i−1} from the fit before bar i, then the window
   * takes bar i and gives β_i, α_i = ȳ − β_i·x̄. The same window arithmetic as `update` (a plain
   * loop over the fields: this mode is not on the benchmark's hot path).
   */
  private updateResidual(ys: Float64Array, xs: Float64Array, from: number, to: number, beta: Float64Array, spread: Float64Array): void {
    const m = this.moments;
    const w = m.window;
    const inv = m.invWindow;
    const zeroScale = ZERO_CXX * w;
    for (let i = from; i < to; i++) {
      const x = xs[i];
      const y = ys[i];
      spread[i - from] = y - this.beta * x - this.intercept;
      if (m.count === w) {
        const slot = m.slot;
        const x0 = m.bufferX[slot];
        const y0 = m.bufferY[slot];
        const dx = x - x0;
        const dy = y - y0;
        const mx = m.meanX;
        const my = m.meanY;
        m.cxy += (x - mx) * (y - my) - (x0 - mx) * (y0 - my) - dx * dy * inv;
        m.cxx += (x - mx) * (x - mx) - (x0 - mx) * (x0 - mx) - dx * dx * inv;
        m.meanX = mx + dx * inv;
        m.meanY = my + dy * inv;
        m.bufferX[slot] = x;
        m.bufferY[slot] = y;
        m.slot = slot + 1 === w ? 0 : slot + 1;
        if (m.slot === 0) m.recompute();
      } else {
        m.fill(x, y);
      }
      if (m.count === w) {
        if (m.cxx > zeroScale * m.meanX * m.meanX) {
          this.beta = m.cxy / m.cxx;
          this.intercept = m.meanY - this.beta * m.meanX;
        } else {
          this.beta = NaN;
          this.intercept = NaN;
          this.undefinedBars++;
        }
      }
      beta[i - from] = this.beta;
    }
  }

  /** α after the last bar (residual mode; NaN otherwise, in warm-up or with constant x). */
  get lastIntercept(): number {
    return this.intercept;
  }

  finish(warnings: string[]): void {
    if (this.undefinedBars > 0)
      warnings.push(`hedge ratio undefined (x constant over the window) at ${this.undefinedBars} bars: no decisions there`);
  }
}
