import { requireFinite, requireOptions, requirePositive, rangeError } from "../util/validate.js";

/**
 * Smallest ν = r/κ accepted. As ν → 0 (no discounting) the exit level b* grows like
 * θ + sd·√(2 ln(1/ν)) and F, G tend to the constant 1/ν: below ~1e-35 leungLi's integrals lose the
 * x-dependence entirely (b* saturates; at denormal r, ν underflows and the root search sees NaN), and
 * the finite-difference solveHjb already drifts from the closed form at ν ≈ 1e-12 (its grid cannot
 * reach b*). At ν = 2e-8 (κ = 0.5, θ = 0.1, σ = 0.3, r = 1e-8, c = 0.001) both give b* = 1.74754,
 * as does an mpmath quadrature of F′/F (checked when this floor was set); r/κ = 1e-8 is a discount
 * rate economically indistinguishable from zero.
 */
export const MIN_DISCOUNT_TO_SPEED_RATIO = 1e-8;
/**
 * Largest |θ|, c or |L| in stationary standard deviations σ/√(2κ). The levels are found by
 * stepping and bisecting in units of the sd around θ and c; beyond ~1e9 sd those steps vanish in
 * double precision (c + sd == c) and the root search saw NaN. 1e8 keeps ≥ 6 significant digits of
 * the sd in every level.
 */
export const MAX_LEVEL_IN_SD = 1e8;

/** OU spread dX = κ(θ − X)dt + σ dW with discount rate r and cost c per trade (spread units). */
export interface OuStoppingParameters {
  /** Mean-reversion speed κ > 0 (per unit of time). */
  kappa: number;
  /** Long-run mean θ (any finite value). */
  theta: number;
  /** Volatility σ > 0 (per √time). */
  sigma: number;
  /** Discount rate r > 0 (per unit of time, same clock as κ). */
  r: number;
  /** Transaction cost c ≥ 0 paid on entry and on exit, in spread units. */
  c: number;
  /** Optional stop-loss level L < θ: the long position is liquidated when X hits L. */
  stopLoss?: number | null;
}

/** Validated parameters plus derived scales. Internal. */
export interface CheckedOuStoppingParameters {
  readonly kappa: number;
  readonly theta: number;
  readonly sigma: number;
  readonly r: number;
  readonly c: number;
  readonly stopLoss: number | null;
  /** Stationary standard deviation σ/√(2κ). */
  readonly stationarySd: number;
  /** ν = r/κ. */
  readonly nu: number;
}

/**
 * Shared validation of the optimal-stopping parameters: κ, σ, r > 0, c ≥ 0, θ finite,
 * r/κ ≥ MIN_DISCOUNT_TO_SPEED_RATIO, stop-loss finite and below θ, |θ|, c, |L| ≤ MAX_LEVEL_IN_SD sds. Throws a RangeError/TypeError naming `fn` and the argument.
 */
export function checkOuStoppingParameters(fn: string, params: unknown): CheckedOuStoppingParameters {
  if (params === undefined || params === null) {
    rangeError(fn, "parameters { kappa, theta, sigma, r, c } are required");
  }
  const p = requireOptions<OuStoppingParameters>(fn, params);
  const kappa = requirePositive(fn, "kappa", p.kappa);
  const theta = requireFinite(fn, "theta", p.theta);
  const sigma = requirePositive(fn, "sigma", p.sigma);
  const r = requirePositive(fn, "r", p.r);
  const c = requireFinite(fn, "c", p.c, { min: 0 });
  const nu = r / kappa;
  if (!(nu >= MIN_DISCOUNT_TO_SPEED_RATIO)) {
    rangeError(
      fn,
      `r / kappa must be >= ${MIN_DISCOUNT_TO_SPEED_RATIO} (a discount rate indistinguishable from 0 has no finite optimal exit), got r = ${r}, kappa = ${kappa} (ratio ${nu})`,
    );
  }
  let stopLoss: number | null = null;
  if (p.stopLoss !== undefined && p.stopLoss !== null) {
    stopLoss = requireFinite(fn, "stopLoss", p.stopLoss);
    if (!(stopLoss < theta)) rangeError(fn, `stopLoss must be < theta (${theta}), got ${stopLoss}`);
  }
  const stationarySd = sigma / Math.sqrt(2 * kappa);
  const magnitude = Math.max(Math.abs(theta), c, stopLoss === null ? 0 : Math.abs(stopLoss));
  if (!(magnitude <= MAX_LEVEL_IN_SD * stationarySd)) {
    rangeError(
      fn,
      `theta, c and stopLoss must be within ${MAX_LEVEL_IN_SD} stationary sds sigma/sqrt(2 kappa) = ${stationarySd} of 0 (levels finer than the sd are not representable), got max(|theta|, c, |stopLoss|) = ${magnitude}`,
    );
  }
  return { kappa, theta, sigma, r, c, stopLoss, stationarySd, nu };
}
