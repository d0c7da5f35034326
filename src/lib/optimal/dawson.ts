/** Terms of the Maclaurin series used below SERIES_LIMIT; above it the asymptotic series. */
const SERIES_LIMIT = 6;

/**
 * Dawson's integral D(x) = e^{−x²}∫₀ˣ e^{t²}dt = (√π/2)·e^{−x²}·erfi(x). Internal.
 * |x| ≤ 6: D(x) = e^{−x²}·Σ x^{2n+1}/(n!(2n+1)) (all terms positive, no cancellation);
 * |x| > 6: asymptotic D(x) ~ (1/2x)·Σ (2n−1)!!/(2x²)ⁿ, truncated at its smallest term (< e^{−36}).
 * Relative error ~1e-15. NaN for NaN. @see [1] NIST DLMF 7.5.1, 7.6.2, 7.12.
 */
export function dawson(x: number): number {
  const ax = Math.abs(x);
  if (ax <= SERIES_LIMIT) {
    const x2 = x * x;
    let term = x; // x^{2n+1}/n!
    let sum = x;
    for (let n = 1; n < 500; n++) {
      term *= x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.exp(-x2) * sum;
  }
  const inv = 1 / (2 * x * x);
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 200; n++) {
    const next = term * (2 * n - 1) * inv;
    if (Math.abs(next) >= Math.abs(term)) break;
    term = next;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum / (2 * x);
}
