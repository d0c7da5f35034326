import { ar1Regression } from "./ar1Regression.js";
import { requireOneOf, requireOptions, toFloat64 } from "../util/validate.js";

/** Minimum path length: three points give two transitions for the two regression coefficients. */
const MIN_LENGTH = 3;

export interface HalfLifeOptions {
  /**
   * Which half-life formula to apply to the OLS slope β (default "linear", the definition of Chan (2013) the project uses).
   * - "linear": −ln 2 / β, the continuous-time reading of Δx_t = a + β·x_{t−1} (dx = β·x dt);
   *   accurate when |β| ≪ 1, longer than the exact AR(1) value by ≈ |β|/2 relative otherwise.
   * - "ar1": −ln 2 / ln|1 + β|, the exact number of steps for the AR(1) expectation
   *   E[x_{t+h} − μ] = φ^h (x_t − μ), φ = 1 + β, to halve in magnitude.
   */
  form?: "linear" | "ar1";
}

/**
 * Mean-reversion half-life, in steps, of a path x (a spread, a log-price ratio).
 *
 * OLS of Δx_t = a + β·x_{t−1} + ε_t over t = 1..n−1 (closed form, centred two-pass sums), then
 *   form "linear" (default):  half-life = −ln 2 / β
 *   form "ar1":               half-life = −ln 2 / ln|1 + β|
 * Degenerate but legal: β ≥ 0 (no mean reversion) returns Infinity for both forms; with form
 * "ar1", |1 + β| ≥ 1 (explosive oscillation) returns Infinity and 1 + β = 0 returns 0.
 * The linear form is the one used by Chan (2013) and the pair-trading literature; the ar1 form
 * is the exact discrete-time value (and equals `fitOu(x).halfLifeSteps` when 0 < 1 + β < 1).
 * @see [1] Chan, E. (2013) Algorithmic Trading, Wiley, ch. 2 ("half-life of mean reversion").
 * @see [2] Hamilton, J.D. (1994) Time Series Analysis, §3.4 (AR(1) impulse response φ^h).
 * @throws TypeError if x is not an array of numbers
 * @throws RangeError if x has fewer than 3 points, holds NaN/±Infinity, or x_0..x_{n−2} are constant
 * @example halfLife(logEWG.map((v, i) => v - logEWQ[i])) // ≈ 279.642118618 steps (fixtures/halfLife.json "log_EWG_minus_log_EWQ", statsmodels 0.13.5 OLS)
 * @example halfLife([1, 0.5, 0.25, 0.125]) // ≈ 1.3862943611198906 = ln 2 / 0.5 (β = −0.5 exactly, by hand)
 */
export function halfLife(x: ArrayLike<number>, options?: HalfLifeOptions): number {
  const fn = "halfLife";
  const opts = requireOptions<HalfLifeOptions>(fn, options);
  const form = requireOneOf(fn, "options.form", opts.form ?? "linear", ["linear", "ar1"] as const);
  const path = toFloat64(x, "x", fn, { minLength: MIN_LENGTH });
  const { slope } = ar1Regression(path, fn);
  if (slope >= 0) return Infinity;
  if (form === "linear") return -Math.LN2 / slope;
  // ln|φ| with φ = 1 + β: log1p keeps full precision when β is small (φ near 1).
  const logAbsPhi = slope > -1 ? Math.log1p(slope) : Math.log(-1 - slope);
  if (logAbsPhi >= 0) return Infinity;
  return -Math.LN2 / logAbsPhi;
}
