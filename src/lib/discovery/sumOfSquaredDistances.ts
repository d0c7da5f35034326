import { rangeError, requireSameLength, toFloat64 } from "../util/validate.js";

/**
 * Gatev–Goetzmann–Rouwenhorst distance of two price paths: each path is normalised to start at 1
 * (p̃_t = p_t / p_0, the cumulative total-return index of [1] when p holds total-return prices),
 * and the distance is the sum of squared differences SSD = Σ_t (ã_t − b̃_t)².
 * Pairs formation in [1] matches each stock with the partners of smallest SSD.
 * @see [1] Gatev, E., Goetzmann, W.N. & Rouwenhorst, K.G. (2006) "Pairs Trading: Performance of a
 *   Relative-Value Arbitrage Rule", Review of Financial Studies 19(3).
 * @throws RangeError if the lengths differ, either has fewer than 2 points, a non-finite value, or a
 *   first price of 0
 * @example sumOfSquaredDistances([10, 11, 12], [20, 21, 23]) // 0.005 = 0² + (1.1−1.05)² + (1.2−1.15)² (hand-worked; fixtures/sumOfSquaredDistances.json, pandas)
 */
export function sumOfSquaredDistances(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const fn = "sumOfSquaredDistances";
  requireSameLength(fn, "a", a, "b", b);
  const av = toFloat64(a, "a", fn, { minLength: 2 });
  const bv = toFloat64(b, "b", fn, { minLength: 2 });
  if (av[0] === 0) rangeError(fn, "a[0] must be non-zero to normalise the path, got 0");
  if (bv[0] === 0) rangeError(fn, "b[0] must be non-zero to normalise the path, got 0");
  return normalisedDistanceKernel(normalisePath(av), normalisePath(bv));
}

/** p / p_0 (p_0 ≠ 0), a fresh array. */
export function normalisePath(p: Float64Array): Float64Array {
  const out = new Float64Array(p.length);
  const first = p[0];
  for (let t = 0; t < p.length; t++) out[t] = p[t] / first;
  return out;
}

/** Σ (a_t − b_t)² of two already-normalised paths of equal length. */
export function normalisedDistanceKernel(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let t = 0; t < a.length; t++) {
    const d = a[t] - b[t];
    sum += d * d;
  }
  return sum;
}
