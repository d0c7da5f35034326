/**
 * Running moments over a trailing window of fixed length w (a ring buffer), or over all values
 * (expanding, `add` only): the rolling estimators behind the backtester's z-score windows and OLS
 * hedges. O(1) per value:
 * - while the window fills, Welford's update [1]: with k values, d = v − m̄,
 *   m̄' = m̄ + d/k, M2' = M2 + d·(v − m̄');
 * - once full, the new value replaces the oldest v₀ in one centred step (Δ = v − v₀):
 *   M2' = M2 + (v − m̄)² − (v₀ − m̄)² − Δ²/w,  m̄' = m̄ + Δ/w  (multiplications only: 1/w precomputed);
 * - once per full turn of the ring, an exact two-pass recomputation bounds the drift of the
 *   up/downdates (relative error stays ~1e-12 over 30,000 bars of prices near 1000, see
 *   backtest.test.ts "rolling sums stay exact over long series").
 * The bivariate form (`RollingComoments`: means of x and y, Cxx = Σ(x − x̄)², Cxy = Σ(x − x̄)(y − ȳ))
 * is the same three steps with co-moments; the OLS slope of y on x with intercept is Cxy/Cxx.
 * Classes because they are streaming accumulators (state carried from bar to bar); every field has
 * a numeric initialiser so V8 keeps it a double (see BacktestEngine.ts).
 * @see [1] Welford, B.P. (1962) Note on a method for calculating corrected sums of squares and
 *   products. Technometrics 4(3), 419–420.
 */

/** Mean and M2 = Σ(v − m̄)² of the last `window` values (window 0: expanding, use `add` only). */
export class RollingMoments {
  count = 0;
  mean = 0;
  m2 = 0;
  /** Ring position of the next value (wraps to 0 after window − 1). */
  slot = 0;
  private readonly window: number;
  private readonly invWindow: number;
  private readonly buffer: Float64Array;

  constructor(window: number) {
    this.window = window;
    this.invWindow = window > 0 ? 1 / window : 0;
    this.buffer = new Float64Array(window);
  }

  /** Welford's update with one more value (the expanding window; the filling phase of a rolling one). */
  add(value: number): void {
    const count = ++this.count;
    const d = value - this.mean;
    this.mean += d / count;
    this.m2 += d * (value - this.mean);
  }

  /**
   * Rolling window: push `count` values (dropping the oldest once full); after each, write the
   * window's mean and M2 to meanOut[k], m2Out[k] (NaN while the window is not yet full). A NaN
   * value is skipped (NaN outputs, window unchanged). The per-value path of a full window runs on
   * locals (a loop-carried mean kept in a field would add a store-to-load round trip per bar);
   * the filling phase and the recomputation are out of line and work on the fields.
   */
  pushBlock(values: Float64Array, count: number, meanOut: Float64Array, m2Out: Float64Array): void {
    const w = this.window;
    const inv = this.invWindow;
    const buffer = this.buffer;
    let mean = this.mean;
    let m2 = this.m2;
    let slot = this.slot;
    for (let k = 0; k < count; k++) {
      const value = values[k];
      if (value !== value) {
        meanOut[k] = NaN;
        m2Out[k] = NaN;
        continue;
      }
      if (this.count === w) {
        const old = buffer[slot];
        const delta = value - old;
        m2 += (value - mean) * (value - mean) - (old - mean) * (old - mean) - delta * delta * inv;
        mean += delta * inv;
        buffer[slot] = value;
        slot = slot + 1 === w ? 0 : slot + 1;
        if (slot === 0) {
          this.slot = slot;
          this.recompute();
          mean = this.mean;
          m2 = this.m2;
        }
      } else {
        this.mean = mean;
        this.m2 = m2;
        this.slot = slot;
        this.fill(value);
        mean = this.mean;
        m2 = this.m2;
        slot = this.slot;
        if (this.count !== w) {
          meanOut[k] = NaN;
          m2Out[k] = NaN;
          continue;
        }
      }
      meanOut[k] = mean;
      m2Out[k] = m2;
    }
    this.mean = mean;
    this.m2 = m2;
    this.slot = slot;
  }

  /** The filling phase of a rolling window: store the value, Welford; recompute once full. */
  private fill(value: number): void {
    const slot = this.slot;
    this.slot = slot + 1 === this.window ? 0 : slot + 1;
    this.buffer[slot] = value;
    this.add(value);
    if (this.count === this.window && this.slot === 0) this.recompute();
  }

  /** Exact two-pass mean and M2 of the full window. */
  private recompute(): void {
    const w = this.window;
    const buffer = this.buffer;
    let sum = 0;
    for (let k = 0; k < w; k++) sum += buffer[k];
    const m = sum / w;
    let m2 = 0;
    for (let k = 0; k < w; k++) m2 += (buffer[k] - m) * (buffer[k] - m);
    this.mean = m;
    this.m2 = m2;
  }
}

/** Means of x and y and the co-moments Cxx, Cxy of the last `window` pairs (window 0: `add` only). */
export class RollingComoments {
  count = 0;
  meanX = 0;
  meanY = 0;
  cxx = 0;
  cxy = 0;
  slot = 0;
  private readonly window: number;
  private readonly invWindow: number;
  private readonly bufferX: Float64Array;
  private readonly bufferY: Float64Array;

  constructor(window: number) {
    this.window = window;
    this.invWindow = window > 0 ? 1 / window : 0;
    this.bufferX = new Float64Array(window);
    this.bufferY = new Float64Array(window);
  }

  /** Welford's update of the means and co-moments with one more pair. */
  add(x: number, y: number): void {
    const k = ++this.count;
    const dx = x - this.meanX;
    this.meanX += dx / k;
    this.meanY += (y - this.meanY) / k;
    this.cxy += dx * (y - this.meanY);
    this.cxx += dx * (x - this.meanX);
  }

  /**
   * Rolling window: push the pairs (xs[i], ys[i]) for i in [from, to) (dropping the oldest once
   * full); after each, write Cxx, Cxy and x̄ to the outputs at i − from (NaN while the window is
   * not yet full). Locals for the full-window path, fields for the rare paths (as RollingMoments).
   */
  pushBlock(xs: Float64Array, ys: Float64Array, from: number, to: number, cxxOut: Float64Array, cxyOut: Float64Array, meanXOut: Float64Array): void {
    const w = this.window;
    const inv = this.invWindow;
    const bx = this.bufferX;
    const by = this.bufferY;
    let mx = this.meanX;
    let my = this.meanY;
    let cxx = this.cxx;
    let cxy = this.cxy;
    let slot = this.slot;
    for (let i = from; i < to; i++) {
      const x = xs[i];
      const y = ys[i];
      const k = i - from;
      if (this.count === w) {
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
          this.slot = slot;
          this.recompute();
          mx = this.meanX;
          my = this.meanY;
          cxx = this.cxx;
          cxy = this.cxy;
        }
      } else {
        this.meanX = mx;
        this.meanY = my;
        this.cxx = cxx;
        this.cxy = cxy;
        this.slot = slot;
        this.fill(x, y);
        mx = this.meanX;
        my = this.meanY;
        cxx = this.cxx;
        cxy = this.cxy;
        slot = this.slot;
        if (this.count !== w) {
          cxxOut[k] = NaN;
          cxyOut[k] = NaN;
          meanXOut[k] = NaN;
          continue;
        }
      }
      cxxOut[k] = cxx;
      cxyOut[k] = cxy;
      meanXOut[k] = mx;
    }
    this.meanX = mx;
    this.meanY = my;
    this.cxx = cxx;
    this.cxy = cxy;
    this.slot = slot;
  }

  /** The filling phase of a rolling window: Welford, then store the pair; recompute once full. */
  private fill(x: number, y: number): void {
    const slot = this.slot;
    this.slot = slot + 1 === this.window ? 0 : slot + 1;
    this.add(x, y);
    this.bufferX[slot] = x;
    this.bufferY[slot] = y;
    if (this.count === this.window && this.slot === 0) this.recompute();
  }

  /** Exact two-pass means and co-moments of the full window. */
  private recompute(): void {
    const w = this.window;
    const bx = this.bufferX;
    const by = this.bufferY;
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < w; k++) {
      sx += bx[k];
      sy += by[k];
    }
    const mx = sx / w;
    const my = sy / w;
    let cxx = 0;
    let cxy = 0;
    for (let k = 0; k < w; k++) {
      const dx = bx[k] - mx;
      cxx += dx * dx;
      cxy += dx * (by[k] - my);
    }
    this.meanX = mx;
    this.meanY = my;
    this.cxx = cxx;
    this.cxy = cxy;
  }
}
