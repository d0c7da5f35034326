/**
 * Golden-section search for the maximum of a unimodal f on [lo, hi]: keeps two interior probes at
 * the golden ratio φ⁻¹ = (√5 − 1)/2 of the bracket and discards the side of the lower one, shrinking
 * the bracket by φ⁻¹ per evaluation until it is at most `tolerance` wide. Returns the final bracket;
 * callers take its midpoint. Internal: shared by bertramThresholds (Sharpe band) and ouHedgeRatio
 * (likelihood-maximising hedge ratio), which first locate the maximum on a coarse scan.
 * @see Kiefer, J. (1953) "Sequential minimax search for a maximum", Proc. AMS 4(3).
 */
export function maximizeGoldenSection(
  f: (x: number) => number,
  lo: number,
  hi: number,
  tolerance: number,
): { lo: number; hi: number } {
  const golden = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - golden * (hi - lo);
  let x2 = lo + golden * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  while (hi - lo > tolerance) {
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
  }
  return { lo, hi };
}
