// Test helper (not exported by the library): the seeded cointegrated pair of the backtest tests,
// golden hashes and benches. The draws are part of recorded hashes: change nothing here.
import { normalSource, randomSource } from "../util/random.js";

/**
 * x a random walk from 50 with N(0, 0.5²) steps, floored at 5; y = 1.5·x + 10 + u with AR(1) noise
 * u_t = 0.9·u_{t−1} + noiseSd·ε_t. One normal draw for x, then one for u, per bar.
 */
export function cointegratedPair(n: number, seed: number, noiseSd: number): { y: Float64Array; x: Float64Array } {
  const normal = normalSource(randomSource(seed));
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let xv = 50;
  let u = 0;
  for (let t = 0; t < n; t++) {
    xv = Math.max(5, xv + 0.5 * normal());
    u = 0.9 * u + noiseSd * normal();
    x[t] = xv;
    y[t] = 1.5 * xv + 10 + u;
  }
  return { y, x };
}
