/**
 * Golden-section search for the maximum of a unimodal f on [lo, hi]: keeps two interior probes at
 * the golden ratio φ⁻¹ = (√5 − 1)/2 of the bracket and discards the side of the lower one, shrinking
 * the bracket by φ⁻¹ per evaluation until it is at most `tolerance` + 4ε·max(|lo|, |hi|) wide (the
 * second term: a bracket cannot shrink below the spacing of doubles near it) or stops shrinking.
 * Bounded: at most MAX_GOLDEN_ITERATIONS evaluations (φ⁻¹^1500 ≈ 1e-313, so any finite bracket
 * reaches the resolution of doubles well before). Returns the final bracket;
 * callers take its midpoint. Internal: shared by bertramThresholds (Sharpe band) and ouHedgeRatio
 * (likelihood-maximising hedge ratio), which first locate the maximum on a coarse scan.
 * @see Kiefer, J. (1953) "Sequential minimax search for a maximum", Proc. AMS 4(3).
 */
/** Evaluation cap of maximizeGoldenSection. */
export const MAX_GOLDEN_ITERATIONS = 1500;

export function maximizeGoldenSection(f: (x: number) => number, lo: number, hi: number, tolerance: number): { lo: number; hi: number } {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
    throw new RangeError(`maximizeGoldenSection: the bracket [${lo}, ${hi}] must be finite with lo <= hi`);
  }
  const golden = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - golden * (hi - lo);
  let x2 = lo + golden * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let iteration = 0; iteration < MAX_GOLDEN_ITERATIONS; iteration++) {
    const width = hi - lo;
    if (width <= tolerance + 4 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi))) break;
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + golden * (hi - lo);
      f2 = f(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - golden * (hi - lo);
      f1 = f(x1);
    }
    if (!(hi - lo < width)) break; // no progress: the bracket is at the resolution of doubles
  }
  return { lo, hi };
}
