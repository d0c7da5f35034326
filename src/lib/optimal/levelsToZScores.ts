import { rangeError, requireFinite, requireOptions, requirePositive, toFloat64 } from "../util/validate.js";

/** The OU parameters that define the z-score scale. */
export interface OuScale {
  /** Mean-reversion speed κ > 0. */
  kappa: number;
  /** Long-run mean θ. */
  theta: number;
  /** Volatility σ > 0. */
  sigma: number;
}

function checkScale(fn: string, params: unknown): { theta: number; sd: number } {
  if (params === undefined || params === null) rangeError(fn, "parameters { kappa, theta, sigma } are required");
  const p = requireOptions<OuScale>(fn, params);
  const kappa = requirePositive(fn, "kappa", p.kappa);
  const theta = requireFinite(fn, "theta", p.theta);
  const sigma = requirePositive(fn, "sigma", p.sigma);
  return { theta, sd: sigma / Math.sqrt(2 * kappa) };
}

/**
 * Express spread levels as z-scores in stationary standard deviations of the OU process:
 * z = (level − θ)/s, s = σ/√(2κ) (the standard deviation of the stationary law N(θ, σ²/(2κ))).
 * Use it to show any rule (leungLi, solveHjb, bertramThresholds) on the scale of a z-score signal.
 * @throws RangeError if kappa or sigma ≤ 0, theta or a level non-finite
 * @example levelsToZScores({ kappa: 8, theta: 0.5, sigma: 0.3 }, [0.65]) // Float64Array [2] (s = 0.3/√16 = 0.075; exact)
 */
export function levelsToZScores(params: OuScale, levels: ArrayLike<number>): Float64Array {
  const fn = "levelsToZScores";
  const { theta, sd } = checkScale(fn, params);
  const x = toFloat64(levels, "levels", fn);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - theta) / sd;
  return out;
}

/**
 * Inverse of levelsToZScores: level = θ + z·σ/√(2κ).
 * @throws RangeError if kappa or sigma ≤ 0, theta or a z-score non-finite
 * @example zScoresToLevels({ kappa: 8, theta: 0.5, sigma: 0.3 }, [2]) // Float64Array [0.65] (exact)
 */
export function zScoresToLevels(params: OuScale, zScores: ArrayLike<number>): Float64Array {
  const fn = "zScoresToLevels";
  const { theta, sd } = checkScale(fn, params);
  const z = toFloat64(zScores, "zScores", fn);
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = theta + z[i] * sd;
  return out;
}
