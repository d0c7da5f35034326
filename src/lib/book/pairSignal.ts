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
 * Internal kernel: inputs validated by the caller.
 */
import type { NormalizedRule } from "../backtest/tradingRule.js";

/** Write v_t for t = 0..n−1 into `out` (length ≥ n); see the module comment. */
export function pairSignalKernel(y: Float64Array, x: Float64Array, beta: number, rule: NormalizedRule, out: Float64Array): void {
  const n = y.length;
  if (rule.windowType === "none") {
    for (let t = 0; t < n; t++) out[t] = y[t] - beta * x[t];
    return;
  }
  if (rule.windowType === "fixed") {
    const m = rule.fixedMean;
    const inv = 1 / rule.fixedSd;
    for (let t = 0; t < n; t++) out[t] = (y[t] - beta * x[t] - m) * inv;
    return;
  }
  const w = rule.windowLength;
  const invW = 1 / w;
  const invDdof = 1 / (w - 1);
  let shift = 0;
  let sum = 0;
  let sumSq = 0;
  let sinceRecompute = w - 1; // (t − (w − 1)) mod w, counted rather than divided (an integer division per bar)
  for (let t = 0; t < n; t++) {
    const s = y[t] - beta * x[t];
    if (t < w - 1) {
      out[t] = NaN;
      continue;
    }
    if (++sinceRecompute === w) {
      sinceRecompute = 0;
      // exact recomputation over the window ending at t, shifted by its first value
      shift = y[t - w + 1] - beta * x[t - w + 1];
      sum = 0;
      sumSq = 0;
      for (let k = t - w + 1; k <= t; k++) {
        const d = y[k] - beta * x[k] - shift;
        sum += d;
        sumSq += d * d;
      }
    } else {
      const old = y[t - w] - beta * x[t - w] - shift;
      const d = s - shift;
      sum += d - old;
      sumSq += d * d - old * old;
    }
    const mean = sum * invW;
    const variance = (sumSq - sum * mean) * invDdof;
    const centre = mean + shift;
    out[t] = variance > 0 && variance > 1e-24 * centre * centre ? (s - centre) / Math.sqrt(variance) : NaN;
  }
}
