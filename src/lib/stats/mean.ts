import { toFloat64 } from "../util/validate.js";

/**
 * Arithmetic mean with Neumaier's compensated summation, so long series of similar values keep
 * full precision (the naive running sum loses digits once the sum dwarfs each term).
 * @see Neumaier, A. (1974) "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen", ZAMM 54.
 * @throws RangeError if x is empty or has a non-finite value
 * @example mean([1, 2, 3, 4]) // 2.5 (hand-worked)
 */
export function mean(x: ArrayLike<number>): number {
  const v = toFloat64(x, "x", "mean", { minLength: 1 });
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < v.length; i++) {
    const t = sum + v[i];
    compensation += Math.abs(sum) >= Math.abs(v[i]) ? sum - t + v[i] : v[i] - t + sum;
    sum = t;
  }
  return (sum + compensation) / v.length;
}
