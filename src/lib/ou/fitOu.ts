import { ar1Regression } from "./ar1Regression.js";
import { requireOptions, requirePositive, toFloat64 } from "../util/validate.js";
import { divideByScale, powerOfTwoScale } from "../util/powerOfTwoScale.js";

/** Minimum path length: three points give two transitions for the two AR(1) coefficients. */
const MIN_LENGTH = 3;

export interface FitOuOptions {
  /** Time between observations, in the units you want κ and the half-life in (default 1 = per step; 1/252 = years of trading days). */
  dt?: number;
}

export interface FitOuResult {
  /** Mean-reversion speed κ, per unit of time (dt units). */
  readonly kappa: number;
  /** Long-run mean θ. */
  readonly theta: number;
  /** Diffusion σ, per √(unit of time). */
  readonly sigma: number;
  /** ln 2 / κ, in units of time (the units of dt). */
  readonly halfLife: number;
  /** ln 2 / κ / dt = ln 2 / (−ln b), in observation steps. */
  readonly halfLifeSteps: number;
  /** Maximised exact log-likelihood of x_1..x_n given x_0: −(n/2)(ln(2π·SSR/n) + 1). */
  readonly logLikelihood: number;
  /** Stationary standard deviation σ/√(2κ) = s/√(1 − b²). */
  readonly stationarySd: number;
  /** Number of transitions used (path length − 1). */
  readonly nobs: number;
  /** The dt used. */
  readonly dt: number;
  /** AR(1) intercept a of x_{t+1} = a + b·x_t + ε. */
  readonly arIntercept: number;
  /** AR(1) coefficient b = e^{−κ·dt}. */
  readonly arCoefficient: number;
  /** MLE of the transition variance s² = SSR/n. */
  readonly residualVariance: number;
  /** Degenerate fits (b ≥ 1, b ≤ 0, zero residual variance) explained; empty when the fit is regular. */
  readonly warnings: string[];
}

/**
 * Exact maximum-likelihood fit of an Ornstein–Uhlenbeck process dx = κ(θ − x)dt + σ dW to a path
 * observed every dt.
 *
 * The exact transition is x_{t+1} | x_t ~ N(θ + (x_t − θ)e^{−κ·dt}, σ²(1 − e^{−2κ·dt})/(2κ)), i.e. the
 * AR(1) x_{t+1} = a + b·x_t + ε with b = e^{−κ·dt}, a = θ(1 − b), Var ε = s² = σ²(1 − b²)/(2κ).
 * (a, b, s²) ↦ (θ, κ, σ) is one-to-one for 0 < b < 1, so the conditional MLE (given x_0) is the OLS
 * fit of the AR(1) with s² = SSR/n (n transitions), mapped back:
 *   κ = −ln b / dt (computed as −log1p(b − 1) from the regression of Δx, exact near b = 1),
 *   θ = a / (1 − b),  σ = s·√(2κ / (1 − b²)),  logL = −(n/2)(ln(2π s²) + 1).
 * Closed form, no optimiser: agrees with a numerical maximisation of the exact transition
 * likelihood (scipy, fixtures/gen_fitOu.py) to ≤ 4e-7 relative (the optimiser's own precision).
 *
 * Degenerate but legal (each adds a `warnings` entry; never a silent number):
 * - b ≥ 1 (no mean reversion: random walk or explosive): kappa 0, theta NaN, sigma = s/√dt (the
 *   Brownian limit κ → 0), halfLife/halfLifeSteps/stationarySd Infinity; logLikelihood is the
 *   unrestricted AR(1) value.
 * - b ≤ 0 (the path flips sign step to step, impossible for a sampled OU): kappa Infinity, halfLife 0,
 *   sigma Infinity, theta = a/(1 − b) (the AR(1) mean), stationarySd = s/√(1 − b²) (Infinity if b ≤ −1).
 * - SSR = 0 (the path is an exact AR(1) recursion): sigma 0 and logLikelihood +Infinity.
 * @see [1] Uhlenbeck, G.E. & Ornstein, L.S. (1930) Phys. Rev. 36, 823.
 * @see [2] Tang, C.Y. & Chen, S.X. (2009) "Parameter estimation and bias correction for diffusion
 *      processes", J. Econometrics 149, 65–81 (exact-discretisation MLE of the OU process).
 * @throws TypeError if x is not an array of numbers or options is not an object
 * @throws RangeError if x has fewer than 3 points or non-finite values, x_0..x_{n−2} are constant,
 *         or dt is not a positive finite number
 * @example fitOu(path, { dt: 1 / 252 }).kappa // ≈ 2.2104487 for fixtures/fitOu.json "ou_daily_fast" (scipy 1.10.1 optimize.minimize on the exact OU likelihood: 2.21044868)
 */
export function fitOu(x: ArrayLike<number>, options?: FitOuOptions): FitOuResult {
  const fn = "fitOu";
  const opts = requireOptions<FitOuOptions>(fn, options);
  const dt = requirePositive(fn, "options.dt", opts.dt ?? 1);
  const raw = toFloat64(x, "x", fn, { minLength: MIN_LENGTH });
  // κ is scale invariant and θ, σ, s scale with x: a path whose squares would overflow or
  // underflow (×1e298 gave kappa NaN) is fitted divided by a power of two (exact) and scaled back.
  const scale = powerOfTwoScale(raw);
  const path = divideByScale(raw, scale);
  const fit = ar1Regression(path, fn);
  const { slope, nobs } = fit;
  const intercept = fit.intercept * scale;
  const b = 1 + slope;
  const scaledVariance = fit.ssr / nobs;
  const residualVariance = scaledVariance * scale * scale;
  const s = Math.sqrt(scaledVariance) * scale;
  const warnings: string[] = [];
  // logL = −(n/2)(ln(2π s²) + 1) with ln s² = ln s_scaled² + 2 ln scale (s² itself may overflow).
  const logLikelihood = scaledVariance > 0 ? -0.5 * nobs * (Math.log(2 * Math.PI * scaledVariance) + 2 * Math.log(scale) + 1) : Infinity;
  if (!(scaledVariance > 0)) {
    warnings.push("fitOu: residual variance is zero (the path is an exact AR(1) recursion); sigma is 0 and logLikelihood +Infinity");
  }

  let kappa: number;
  let theta: number;
  let sigma: number;
  let stationarySd: number;
  let halfLifeSteps: number;
  if (slope >= 0) {
    warnings.push(
      `fitOu: AR(1) coefficient b = ${b} >= 1, no mean reversion; kappa = 0, theta = NaN, half-life and stationarySd = Infinity, sigma = s/sqrt(dt) (random-walk limit)`,
    );
    kappa = 0;
    theta = NaN;
    sigma = s / Math.sqrt(dt);
    stationarySd = Infinity;
    halfLifeSteps = Infinity;
  } else if (b <= 0) {
    warnings.push(
      `fitOu: AR(1) coefficient b = ${b} <= 0 cannot come from a sampled OU process (b = exp(-kappa*dt) > 0); kappa = Infinity, half-life 0, sigma = Infinity`,
    );
    kappa = Infinity;
    theta = intercept / (1 - b);
    sigma = Infinity;
    stationarySd = b > -1 ? s / Math.sqrt(1 - b * b) : Infinity;
    halfLifeSteps = 0;
  } else {
    const kappaSteps = -Math.log1p(slope); // κ·dt = −ln b
    kappa = kappaSteps / dt;
    theta = intercept / -slope; // a / (1 − b)
    const oneMinusB2 = -slope * (1 + b); // 1 − b² = (1 − b)(1 + b), without cancellation
    sigma = s * Math.sqrt((2 * kappa) / oneMinusB2);
    stationarySd = s / Math.sqrt(oneMinusB2);
    halfLifeSteps = Math.LN2 / kappaSteps;
  }
  return {
    kappa,
    theta,
    sigma,
    halfLife: halfLifeSteps * dt,
    halfLifeSteps,
    logLikelihood,
    stationarySd,
    nobs,
    dt,
    arIntercept: intercept,
    arCoefficient: b,
    residualVariance,
    warnings,
  };
}
