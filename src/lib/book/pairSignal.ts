/**
 * The signal a trading rule compares with its thresholds, for a pair traded with a fixed hedge
 * ratio β: the spread s_t = y_t − β·x_t, then
 * - rule kind "levels": v_t = s_t;
 * - z-score, fixed window { mean m, sd σ }: v_t = (s_t − m)/σ;
 * - z-score, rolling window of w bars: v_t = (s_t − mean(s_{t−w+1..t}))/sd(s_{t−w+1..t}) (ddof = 1,
 *   the window includes s_t; NaN for t < w − 1 and when the window's variance is numerically 0).
 * These are the conventions of the backtester's step 4 (src/lib/backtest/BacktestEngine.ts) with a
 * static hedge, so a book pair and `backtestPair` with `{ method: "static", beta }` see the same
 * signal. The rolling sums are kept as deviations from the window's first value (shifted data,
 * which keeps Σs² − (Σs)²/w well conditioned) and recomputed exactly once per w bars.
 * Expanding windows are not offered here (a book's allocation window replaces their warm-up).
 * A book plans rolling-window pairs in one pass that repeats this window arithmetic step for step
 * and forms v_t only near the rule's thresholds (pairPlans.ts `drawRolling`); this kernel stays the
 * definition (pairPlans.test.ts checks the two plans agree) and serves the other windows.
 * Internal kernel: inputs validated by the caller.
 */
import type { NormalizedRule } from "../backtest/tradingRule.js";

/**
 * Write v_t for t = 0..n−1 into `out` (length ≥ n); see the module comment. Returns the number of
 * undefined (NaN) v_t at t ≥ countFrom, or −1 as soon as a price of either leg is not positive
 * finite (checked on the pass that reads it). `spread` (length ≥ n) is scratch for s_t: a caller
 * running many pairs passes one buffer for all.
 */
export function pairSignalKernel(
  y: Float64Array,
  x: Float64Array,
  beta: number,
  rule: NormalizedRule,
  out: Float64Array,
  countFrom = 0,
  spread: Float64Array = new Float64Array(y.length),
): number {
  const n = y.length;
  let undefinedCount = 0;
  // s_t once, each price checked as it is read (the window's update reads s_{t−w} again: from
  // here, not from two more price loads)
  for (let t = 0; t < n; t++) {
    const priceY = y[t];
    const priceX = x[t];
    if (!(priceY > 0 && priceY < Infinity && priceX > 0 && priceX < Infinity)) return -1;
    spread[t] = priceY - beta * priceX;
  }
  if (rule.windowType === "none") {
    for (let t = 0; t < n; t++) {
      const v = spread[t];
      out[t] = v;
      if (v !== v && t >= countFrom) undefinedCount++;
    }
    return undefinedCount;
  }
  if (rule.windowType === "fixed") {
    const m = rule.fixedMean;
    const inv = 1 / rule.fixedSd;
    for (let t = 0; t < n; t++) {
      const v = (spread[t] - m) * inv; // (y_t − β·x_t − m)/σ, evaluated left to right as before
      out[t] = v;
      if (v !== v && t >= countFrom) undefinedCount++;
    }
    return undefinedCount;
  }
  const w = rule.windowLength;
  const invW = 1 / w;
  const invDdof = 1 / (w - 1);
  const warmUp = Math.min(w - 1, n);
  out.fill(NaN, 0, warmUp);
  undefinedCount += Math.max(0, warmUp - countFrom);
  // blocks of w bars starting at the bars t ≡ w − 1 (mod w), each opened by an exact recomputation
  for (let start = w - 1; start < n; start += w) {
    // exact recomputation over the window ending at `start`, shifted by its first value
    const shift = spread[start - w + 1];
    let sum = 0;
    let sumSq = 0;
    for (let k = start - w + 1; k <= start; k++) {
      const d = spread[k] - shift;
      sum += d;
      sumSq += d * d;
    }
    const end = Math.min(start + w, n);
    for (let t = start; ; ) {
      const mean = sum * invW;
      const variance = (sumSq - sum * mean) * invDdof;
      const centre = mean + shift;
      if (variance > 0 && variance > 1e-24 * centre * centre) {
        const v = (spread[t] - centre) / Math.sqrt(variance);
        out[t] = v;
        // here the prices are finite (checked above), so s_t is finite or ±∞ and the centre finite:
        // v is NaN only for s_t − centre = ±∞ over an infinite variance
        if (variance === Infinity && v !== v && t >= countFrom) undefinedCount++;
      } else {
        out[t] = NaN;
        if (t >= countFrom) undefinedCount++;
      }
      if (++t >= end) break;
      const old = spread[t - w] - shift;
      const d = spread[t] - shift;
      sum += d - old;
      sumSq += d * d - old * old;
    }
  }
  return undefinedCount;
}
