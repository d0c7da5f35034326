import { toFloat64 } from "../util/validate.js";

/**
 * Number of times a spread crosses its own sample mean m = mean(s): the count of t ≥ 1 with
 * (s_{t−1} − m)·(s_t − m) < 0. A bar exactly at the mean is neither side, so a path that touches
 * m and turns back counts no crossing, and one that passes through a bar at m (…, −, 0, +, …)
 * also counts none. Sarmento & Horta [1] require at least 12 crossings a year of a candidate
 * spread, so that its mean reversion is seen often enough to trade.
 * @see [1] Sarmento, S.M. & Horta, N. (2020) "Enhancing a Pairs Trading strategy with the
 *   application of Machine Learning", Expert Systems with Applications 158, §4.2.
 * @throws RangeError if spread has fewer than 2 points or a non-finite value
 * @example meanCrossings([1, -1, 1, -1]) // 3 (mean 0; hand-worked; fixtures/meanCrossings.json, numpy)
 */
export function meanCrossings(spread: ArrayLike<number>): number {
  const s = toFloat64(spread, "spread", "meanCrossings", { minLength: 2 });
  return meanCrossingsKernel(s);
}

/** {@link meanCrossings} on a validated series. */
export function meanCrossingsKernel(s: Float64Array): number {
  let sum = 0;
  let compensation = 0;
  for (let t = 0; t < s.length; t++) {
    const next = sum + s[t];
    compensation += Math.abs(sum) >= Math.abs(s[t]) ? sum - next + s[t] : s[t] - next + sum;
    sum = next;
  }
  const m = (sum + compensation) / s.length;
  let crossings = 0;
  for (let t = 1; t < s.length; t++) if ((s[t - 1] - m) * (s[t] - m) < 0) crossings++;
  return crossings;
}
