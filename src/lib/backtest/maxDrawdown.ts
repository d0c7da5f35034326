import { toFloat64 } from "../util/validate.js";

/** Result of {@link maxDrawdown}. */
export interface MaxDrawdownResult {
  /** Largest peak-to-trough fall (peak − V)/peak, a positive fraction (0.25 = 25 %); 0 without a fall. */
  readonly maxDrawdown: number;
  /** Index of the running peak before the deepest trough (−1 for an empty path). */
  readonly peakIndex: number;
  /** Index of the deepest trough (−1 for an empty path). */
  readonly troughIndex: number;
  /** Longest run of consecutive points strictly below their running peak. */
  readonly duration: number;
}

/**
 * Maximum drawdown of a value path V_0..V_{n−1} (portfolio value, equity):
 *   MDD = max_t (P_t − V_t) / P_t,  P_t = max_{s ≤ t} V_s,
 * the same convention as the backtester's `maxDrawdown` metric (a positive fraction).
 * Points whose running peak is ≤ 0 contribute no drawdown (the ratio is undefined there).
 * @see Magdon-Ismail, M. & Atiya, A. (2004) "Maximum drawdown", Risk 17(10).
 * @throws RangeError if values contain NaN or ±Infinity
 * @example maxDrawdown([100, 120, 90, 130, 117]).maxDrawdown // 0.25 (hand-worked: (120 − 90)/120)
 */
export function maxDrawdown(values: ArrayLike<number>): MaxDrawdownResult {
  const v = toFloat64(values, "values", "maxDrawdown");
  let peak = Number.NEGATIVE_INFINITY;
  let peakAt = -1;
  let worst = 0;
  let worstPeak = v.length > 0 ? 0 : -1;
  let worstTrough = v.length > 0 ? 0 : -1;
  let run = 0;
  let longest = 0;
  for (let t = 0; t < v.length; t++) {
    if (v[t] >= peak) {
      peak = v[t];
      peakAt = t;
      run = 0;
      continue;
    }
    if (++run > longest) longest = run;
    if (peak > 0) {
      const drawdown = (peak - v[t]) / peak;
      if (drawdown > worst) {
        worst = drawdown;
        worstPeak = peakAt;
        worstTrough = t;
      }
    }
  }
  return { maxDrawdown: worst, peakIndex: worstPeak, troughIndex: worstTrough, duration: longest };
}
