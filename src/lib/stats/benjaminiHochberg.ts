import { toFloat64, rangeError } from "../util/validate.js";

/**
 * Benjamini–Hochberg adjusted p-values (q-values) for m independent (or positively dependent)
 * tests: with p-values sorted ascending p_(1) ≤ … ≤ p_(m),
 *   q_(i) = min_{j ≥ i} min(1, m · p_(j) / j),
 * returned in the input order. Rejecting every hypothesis with q ≤ α controls the false discovery
 * rate at α (step-up procedure). Ties: every tied p-value gets the same q.
 * @see [1] Benjamini, Y. & Hochberg, Y. (1995) Controlling the false discovery rate. JRSS B 57(1).
 * @throws RangeError if a p-value is outside [0, 1] or not finite
 * @example benjaminiHochberg([0.01, 0.04, 0.03]) // [0.03, 0.04, 0.04] (hand-worked; statsmodels fdrcorrection agrees, see fixtures/benjaminiHochberg.json for more)
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): Float64Array {
  const p = toFloat64(pValues, "pValues", "benjaminiHochberg");
  const m = p.length;
  for (let i = 0; i < m; i++) {
    if (p[i] < 0 || p[i] > 1) rangeError("benjaminiHochberg", `pValues must lie in [0, 1], got ${p[i]} at index ${i}`);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const q = new Float64Array(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1];
    running = Math.min(running, (m * p[index]) / rank);
    q[index] = running;
  }
  return q;
}

/**
 * Streaming upper bound on a BH q-value before all p-values are known: if m_total bounds the
 * final number of tests and k p-values seen so far are ≤ p (this one included), then
 * q ≤ min(1, p · m_total / k), because the final rank of p is at least k and m ≤ m_total.
 * A pair whose bound is already ≤ α is certain to be selected at level α.
 */
export function qValueUpperBound(p: number, seenAtOrBelow: number, totalTests: number): number {
  if (seenAtOrBelow <= 0) return 1;
  return Math.min(1, (p * totalTests) / seenAtOrBelow);
}

/** Sorted multiset of p-values with O(log n) rank queries (insertion is O(n) memmove, fine for ≤ 10^6). */
export class SortedPValues {
  private values = new Float64Array(64);
  private count = 0;

  add(p: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    const at = this.upperBound(p);
    this.values.copyWithin(at + 1, at, this.count);
    this.values[at] = p;
    this.count++;
  }

  /** Number of stored values ≤ p. */
  countAtOrBelow(p: number): number {
    return this.upperBound(p);
  }

  get size(): number {
    return this.count;
  }

  private upperBound(p: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid] <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
