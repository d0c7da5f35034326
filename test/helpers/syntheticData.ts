/**
 * Seeded synthetic series for the server tests, built from the library's `randomSource` /
 * `normalSource` so every run sends the same numbers.
 * - `cointegratedPair`: x a Gaussian random walk from 100; y = 10 + 1.5 x + s with s an AR(1)
 *   spread, s_t = 0.5 s_{t-1} + e_t (half-life ln 2 / ln 2 = 1 bar), so y and x are cointegrated
 *   with beta 1.5 by construction.
 * - `randomWalk`: a Gaussian random walk (no partner is cointegrated with it).
 * - `ouPath`: exact AR(1) discretisation of an OU process, x_t = mean + phi (x_{t-1} - mean) + sd e_t.
 */
import { normalSource, randomSource } from "../../src/lib/util/random.js";

// One seeded random walk for server-side and client-side tests alike.
import { randomWalk } from "../../src/server/testSupport.js";

export { randomWalk };

export function ouPath(n: number, seed: number, mean: number, phi: number, sd: number): number[] {
  const normal = normalSource(randomSource(seed));
  const out = new Array<number>(n);
  let level = mean;
  for (let i = 0; i < n; i++) {
    level = mean + phi * (level - mean) + sd * normal();
    out[i] = level;
  }
  return out;
}

export function cointegratedPair(n: number, seed: number): { x: number[]; y: number[]; spread: number[] } {
  const x = randomWalk(n, seed);
  const spread = ouPath(n, seed + 1, 0, 0.5, 1);
  const y = x.map((v, i) => 10 + 1.5 * v + spread[i]);
  return { x, y, spread };
}

/** A T × N matrix of iid N(mean_j, sd) returns with column means 0.001·(j+1), row-major. */
export function returnsMatrix(rows: number, cols: number, seed: number, sd = 0.01): { rows: number; cols: number; values: number[] } {
  const normal = normalSource(randomSource(seed));
  const values = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) values[i * cols + j] = 0.001 * (j + 1) + sd * normal();
  return { rows, cols, values };
}
