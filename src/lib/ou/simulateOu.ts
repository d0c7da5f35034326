import { normalSource } from "../util/random.js";
import { requireFinite, requireInteger, requireOptions, requirePositive, typeError, describe } from "../util/validate.js";

export interface OuParameters {
  /** Mean-reversion speed κ ≥ 0 per unit of time (0 gives Brownian motion). */
  kappa: number;
  /** Long-run mean θ. */
  theta: number;
  /** Diffusion σ ≥ 0 per √(unit of time). */
  sigma: number;
}

export interface SimulateOuOptions {
  /** Time step between samples (default 1). */
  dt?: number;
  /** Starting value x_0 (default θ). */
  x0?: number;
  /** Uniform [0, 1) source, e.g. `randomSource(seed)`; required so every simulation is reproducible. */
  rng: () => number;
}

/**
 * Simulate an Ornstein–Uhlenbeck path dx = κ(θ − x)dt + σ dW by its exact transition (no Euler
 * discretisation error at any dt):
 *   x_{t+1} = θ + (x_t − θ)·e^{−κ·dt} + σ·√((1 − e^{−2κ·dt}) / (2κ))·Z_t,  Z_t ~ N(0, 1)
 * with the variance factor computed as −expm1(−2κ·dt)/(2κ) (exact as κ·dt → 0; κ = 0 gives
 * Brownian motion with variance σ²·dt per step). Normals: Marsaglia polar method on `rng`.
 * Returns n samples x_0..x_{n−1}, x_0 = options.x0 (default θ).
 * @see [1] Gillespie, D.T. (1996) "Exact numerical simulation of the Ornstein–Uhlenbeck process
 *      and its integral", Phys. Rev. E 54, 2084.
 * @throws TypeError if rng is not a function or a parameter is not a number
 * @throws RangeError if n is not an integer ≥ 1, kappa or sigma is negative, or dt ≤ 0
 * @example simulateOu({ kappa: 5, theta: 0, sigma: 0.3 }, 3, { dt: 1 / 252, rng: randomSource(1) }) // Float64Array [0, 0.00041012267152558743, 0.007590086815761802] (this code, seed 1)
 */
export function simulateOu(params: OuParameters, n: number, options: SimulateOuOptions): Float64Array {
  const fn = "simulateOu";
  if (params === null || typeof params !== "object") {
    typeError(fn, `params must be an object { kappa, theta, sigma }, got ${describe(params)}`);
  }
  const kappa = requireFinite(fn, "params.kappa", params.kappa, { min: 0 });
  const theta = requireFinite(fn, "params.theta", params.theta);
  const sigma = requireFinite(fn, "params.sigma", params.sigma, { min: 0 });
  const length = requireInteger(fn, "n", n, { min: 1 });
  const opts = requireOptions<SimulateOuOptions>(fn, options);
  const dt = requirePositive(fn, "options.dt", opts.dt ?? 1);
  const x0 = requireFinite(fn, "options.x0", opts.x0 ?? theta);
  if (typeof opts.rng !== "function") {
    typeError(fn, `options.rng must be a function returning uniform numbers in [0, 1), got ${describe(opts.rng)}`);
  }
  const normal = normalSource(opts.rng);
  const decay = Math.exp(-kappa * dt);
  const varianceFactor = kappa > 0 ? -Math.expm1(-2 * kappa * dt) / (2 * kappa) : dt;
  const shockSd = sigma * Math.sqrt(varianceFactor);
  const out = new Float64Array(length);
  out[0] = x0;
  for (let t = 1; t < length; t++) {
    out[t] = theta + (out[t - 1] - theta) * decay + shockSd * normal();
  }
  return out;
}
