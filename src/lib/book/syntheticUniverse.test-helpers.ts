// Test helper (not exported by the library): seeded synthetic universes of cointegrated prices.
import { normalSource, randomSource } from "../util/random.js";

/**
 * `groups` groups of `size` instruments; within a group every price is a_i + b_i·F_t + OU noise
 * around a shared random-walk factor F (so any two members are cointegrated), all prices > 0.
 */
export function syntheticUniverse(n: number, groups: number, size: number, seed: number): Float64Array[] {
  const normal = normalSource(randomSource(seed));
  const out: Float64Array[] = [];
  for (let g = 0; g < groups; g++) {
    const factor = new Float64Array(n);
    let f = 100;
    for (let t = 0; t < n; t++) {
      f = Math.max(20, f + 1.5 * normal());
      factor[t] = f;
    }
    for (let k = 0; k < size; k++) {
      const scale = 0.5 + k * 0.25;
      const p = new Float64Array(n);
      let u = 0;
      for (let t = 0; t < n; t++) {
        u = 0.7 * u + 0.6 * normal();
        p[t] = 10 + scale * factor[t] + u;
      }
      out.push(p);
    }
  }
  return out;
}
