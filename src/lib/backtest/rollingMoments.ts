/**
 * Running moments over a trailing window of fixed length w (a ring buffer), or over all values
 * (expanding, `add` only): the state of the backtester's z-score windows and OLS hedges. O(1) per
 * value:
 * - while the window fills, Welford's update [1]: with k values, d = v − m̄,
 *   m̄' = m̄ + d/k, M2' = M2 + d·(v − m̄');
 * - once full, the new value replaces the oldest v₀ in one centred step (Δ = v − v₀):
 *   M2' = M2 + (v − m̄)² − (v₀ − m̄)² − Δ²/w,  m̄' = m̄ + Δ/w  (multiplications only: 1/w precomputed).
 *   This step runs inside the estimators' own loops (signalEstimator.ts RollingZScore,
 *   rollingOlsHedge.ts) on local copies of the fields, next to the z-score or slope it feeds, so
 *   the division and square root overlap the running sums; `fill` and `recompute` are the rare
 *   paths, called with the fields written back;
 * - once per full turn of the ring, an exact two-pass recomputation bounds the drift of the
 *   up/downdates (relative error stays ~1e-12 over 30,000 bars of prices near 1000, see
 *   backtest.test.ts "rolling sums stay exact over long series"). Its first pass, the sum of the
 *   window, is kept as the values arrive (`turnSum`: the ring is written in slot order, so adding
 *   each value as it is stored is the same sum in the same order, bit for bit); only the pass over
 *   the squared deviations, which needs the new mean, runs at the end of the turn.
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
  /** 0 + buffer[0] + … + buffer[slot − 1]: the values stored since the ring was last at slot 0, summed in slot order. */
  turnSum = 0;
  readonly window: number;
  readonly invWindow: number;
  /** The window's values, oldest at `slot` once full. */
  readonly buffer: Float64Array;

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

  /** The filling phase of a rolling window: store the value, Welford; recompute once full. */
  fill(value: number): void {
    const slot = this.slot;
    this.slot = slot + 1 === this.window ? 0 : slot + 1;
    this.buffer[slot] = value;
    this.turnSum += value;
    this.add(value);
    if (this.count === this.window && this.slot === 0) this.recompute();
  }

  /**
   * Exact two-pass mean and M2 of the full window, at the end of a turn of the ring (slot back at
   * 0): the first pass is `turnSum`, the second runs here; starts the next turn's sum at 0.
   */
  recompute(): void {
    const w = this.window;
    const buffer = this.buffer;
    const m = this.turnSum / w;
    let m2 = 0;
    for (let k = 0; k < w; k++) m2 += (buffer[k] - m) * (buffer[k] - m);
    this.mean = m;
    this.m2 = m2;
    this.turnSum = 0;
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
  readonly window: number;
  readonly invWindow: number;
  /** The window's pairs, oldest at `slot` once full. */
  readonly bufferX: Float64Array;
  readonly bufferY: Float64Array;

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

  /** The filling phase of a rolling window: Welford, then store the pair; recompute once full. */
  fill(x: number, y: number): void {
    const slot = this.slot;
    this.slot = slot + 1 === this.window ? 0 : slot + 1;
    this.add(x, y);
    this.bufferX[slot] = x;
    this.bufferY[slot] = y;
    if (this.count === this.window && this.slot === 0) this.recompute();
  }

  /** Exact two-pass means and co-moments of the full window. */
  recompute(): void {
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
