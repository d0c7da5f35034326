import { requireFinite, requireOptions, requirePositive, rangeError } from "../util/validate.js";

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
 * stop-loss finite and below θ. Throws a RangeError/TypeError naming `fn` and the argument.
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
  let stopLoss: number | null = null;
  if (p.stopLoss !== undefined && p.stopLoss !== null) {
    stopLoss = requireFinite(fn, "stopLoss", p.stopLoss);
    if (!(stopLoss < theta)) rangeError(fn, `stopLoss must be < theta (${theta}), got ${stopLoss}`);
  }
  const stationarySd = sigma / Math.sqrt(2 * kappa);
  return { kappa, theta, sigma, r, c, stopLoss, stationarySd, nu: r / kappa };
}
