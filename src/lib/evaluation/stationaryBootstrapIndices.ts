import { requireFinite, requireInteger, requireOptions, typeError } from "../util/validate.js";

/** Options of {@link stationaryBootstrapIndices}. */
export interface StationaryBootstrapOptions {
  /** Mean block length 1/p (≥ 1). 1 gives the i.i.d. bootstrap. */
  meanBlockLength: number;
  /** Uniform [0, 1) source, e.g. `randomSource(seed)`. */
  rng: () => number;
}

/**
 * One resample of the stationary bootstrap (Politis & Romano 1994): indices into a series of
 * length n. i₀ ~ U{0..n−1}; then with probability p = 1/meanBlockLength a new block starts at a
 * fresh uniform index, otherwise i_k = (i_{k−1} + 1) mod n (the series wraps, as in [1]). Block
 * lengths are geometric with mean 1/p, which keeps the resampled series stationary.
 * Draws per index: one uniform for the continue/restart decision (none for i₀), one more at a restart.
 * @see [1] Politis, D.N. & Romano, J.P. (1994) "The Stationary Bootstrap", JASA 89(428).
 * @throws RangeError if n < 1 or meanBlockLength < 1; TypeError if rng is not a function
 * @example stationaryBootstrapIndices(5, { meanBlockLength: 1e9, rng: randomSource(1) }) // Int32Array [3, 4, 0, 1, 2] (one block: a rotation; restarts are all but impossible)
 */
export function stationaryBootstrapIndices(n: number, options: StationaryBootstrapOptions): Int32Array {
  const fn = "stationaryBootstrapIndices";
  const o = requireOptions<StationaryBootstrapOptions>(fn, options);
  requireInteger(fn, "n", n, { min: 1 });
  const meanBlockLength = requireFinite(fn, "meanBlockLength", o.meanBlockLength, { min: 1 });
  if (typeof o.rng !== "function") typeError(fn, "rng must be a function returning uniforms on [0, 1)");
  const out = new Int32Array(n);
  stationaryBootstrapKernel(n, 1 / meanBlockLength, o.rng, out);
  return out;
}

/** Fill `out` with one stationary-bootstrap resample of 0..n−1 (restart probability p). */
export function stationaryBootstrapKernel(n: number, restartProbability: number, rng: () => number, out: Int32Array): void {
  let index = Math.floor(rng() * n);
  out[0] = index;
  for (let k = 1; k < n; k++) {
    if (rng() < restartProbability) index = Math.floor(rng() * n);
    else index = index + 1 === n ? 0 : index + 1;
    out[k] = index;
  }
}
