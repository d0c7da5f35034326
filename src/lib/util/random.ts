/**
 * Seeded pseudo-random sources for stochastic code (simulateOu, bootstrap, Monte Carlo).
 * Every stochastic function in src/lib takes `rng: () => number` (uniform on [0, 1)); tests pass
 * `randomSource(seed)` so results are reproducible, as simple-statistics does.
 */

/**
 * Mulberry32: a small, fast 32-bit generator (Tommy Ettinger, public domain). Period 2^32;
 * good enough for simulations and tests, not for cryptography.
 * @example randomSource(42)() // ≈ 0.6011037519201636 (first draw for seed 42)
 */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal draws from a uniform source by the Marsaglia polar method (exact, no tables).
 * Returns a generator function; each call gives one N(0, 1) variate.
 * Bounded: a draw that finds no point inside the unit disc in MAX_POLAR_TRIES tries (probability
 * (1 − π/4)^100 ≈ 1e−67 for a uniform rng) throws a RangeError: the rng is not uniform on [0, 1).
 */
/** Tries of the polar method per pair of variates before the rng is declared broken. */
export const MAX_POLAR_TRIES = 100;

export function normalSource(rng: () => number): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    for (let tries = 0; ; tries++) {
      if (tries >= MAX_POLAR_TRIES) {
        throw new RangeError(
          `normalSource: rng gave no point inside the unit disc in ${MAX_POLAR_TRIES} tries (last u = ${u}, v = ${v}); rng must return uniform values in [0, 1)`,
        );
      }
      u = 2 * rng() - 1;
      v = 2 * rng() - 1;
      s = u * u + v * v;
      if (s < 1 && s !== 0) break;
    }
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * m;
    hasSpare = true;
    return u * m;
  };
}
