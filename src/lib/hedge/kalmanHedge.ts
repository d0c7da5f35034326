/**
 * Dynamic hedge ratio by a Kalman filter (Chan 2013, example 3.3).
 *
 * State θ_t = (β_t, α_t), a random walk: θ_t = θ_{t−1} + w_t, w_t ~ N(0, Vw), Vw = δ/(1−δ)·I.
 * Observation y_t = β_t·x_t + α_t + ε_t, ε_t ~ N(0, Ve). With h_t = [x_t 1], at each bar t:
 *   predict   θ_{t|t−1} = θ_{t−1},  R_t = P_{t−1} + Vw  (at the first bar R_0 = P₀, no Vw)
 *   forecast  ŷ_t = h_t·θ_{t|t−1},  Q_t = h_t·R_t·h_tᵀ + Ve,  e_t = y_t − ŷ_t
 *   update    K_t = R_t·h_tᵀ / Q_t,  θ_t = θ_{t|t−1} + K_t·e_t,  P_t = R_t − K_t·h_t·R_t
 * Defaults as in [1]: δ = 1e-4, Ve = 1e-3, θ₀ = 0, P₀ = 0. β_t and α_t are the filtered values
 * after observing y_t (known at the close of t); e_t and Q_t are the one-step forecast error and
 * its variance from before it, so e_t/√Q_t is a standardised innovation that uses data up to t only.
 * The covariance update is the plain form of [1] (not Joseph's): P stays symmetric by construction
 * here because it is stored as its three distinct entries and updated as R − (R·hᵀ)(R·hᵀ)ᵀ/Q.
 *
 * Log-likelihood (prediction-error decomposition, [2] §13.4):
 *   ln L = Σ_{t ≥ burnIn} −½·(ln 2π + ln Q_t + e_t²/Q_t).
 * `burnIn` (default 0) drops the first forecasts: with θ₀ = 0 and P₀ = 0 the first errors are of
 * the size of y itself and dominate ln L (and a fit of Ve) unless dropped.
 *
 * `fitKalmanHedge` maximises ln L over (δ, Ve) by Nelder–Mead on (ln(δ/(1−δ)), ln Ve), at most
 * `maxIterations` (default 1000) simplex steps; see its comment.
 *
 * Degenerate but legal: x constant makes β and α unidentified separately (the filter still runs;
 * only β_t·x + α_t is determined). Numbers: the filter's arithmetic is one `KalmanHedgeFilter.step`
 * per bar, shared with the backtester's Kalman hedge (BacktestEngine, `hedge: { method: "kalman" }`).
 * @see [1] Chan, E. (2013) Algorithmic Trading: Winning Strategies and Their Rationale, Wiley, §3
 *   example 3.3 ("Kalman filter mean reversion strategy", EWA–EWC).
 * @see [2] Hamilton, J.D. (1994) Time Series Analysis, Princeton, ch. 13.
 * @throws TypeError if y or x is not an array of numbers
 * @throws RangeError if lengths differ, n < 2, a value is not finite, δ ∉ (0, 1), Ve ≤ 0, or burnIn ∉ [0, n)
 * @example kalmanHedge(ewg, ewq).beta[2140] // ≈ value in fixtures/kalmanHedge.json case "EWG_on_EWQ" (NumPy transcription of [1], gen_kalmanHedge.py)
 * @example kalmanHedge([1, 2], [1, 1]).forecastError[0] // = 1: θ₀ = 0, so ŷ_0 = 0 and e_0 = y_0 (by hand)
 */
import { rangeError, requireFinite, requireInteger, requireOptions, requireSameLength, toFloat64 } from "../util/validate.js";

/** Chan (2013) example 3.3 defaults. */
export const KALMAN_DEFAULT_DELTA = 1e-4;
export const KALMAN_DEFAULT_VE = 1e-3;
/** Simplex steps allowed to fitKalmanHedge by default, and the stopping rule on ln L across the simplex. */
const DEFAULT_MAX_FIT_ITERATIONS = 1000;
const FIT_TOLERANCE = 1e-12;
/** Simplex size (in ln(δ/(1−δ)) and ln Ve) below which the fit counts as settled. */
const FIT_SIMPLEX_TOLERANCE = 1e-8;
const LN_2PI = Math.log(2 * Math.PI);

export interface KalmanHedgeOptions {
  /** State noise: Vw = δ/(1−δ)·I (default 1e-4). */
  readonly delta?: number;
  /** Observation noise variance Ve (default 1e-3). */
  readonly ve?: number;
  /** Forecasts left out of the log-likelihood, from the start (default 0). */
  readonly burnIn?: number;
}

export interface KalmanHedgeResult {
  /** β_t after observing y_t. */
  readonly beta: Float64Array;
  /** α_t after observing y_t. */
  readonly intercept: Float64Array;
  /** e_t = y_t − (β_{t−1}·x_t + α_{t−1}), before observing y_t. */
  readonly forecastError: Float64Array;
  /** Q_t = [x_t 1]·R_t·[x_t 1]ᵀ + Ve. */
  readonly forecastVariance: Float64Array;
  /** Σ_{t ≥ burnIn} −½(ln 2π + ln Q_t + e_t²/Q_t). */
  readonly logLikelihood: number;
  /** The δ and Ve used. */
  readonly delta: number;
  readonly ve: number;
}

/**
 * The filter's state and its one-bar step: the single implementation of the recursion above,
 * used by kalmanHedge, fitKalmanHedge and the backtester. A class because it is a streaming
 * accumulator (state carried from bar to bar); every field is a number with a numeric initialiser.
 */
export class KalmanHedgeFilter {
  /** β and α after the last step (θ₀ = 0 before the first). */
  beta = 0;
  intercept = 0;
  /** e_t and Q_t of the last step. */
  forecastError = 0;
  forecastVariance = 0;
  /** P_t, symmetric 2×2: [[p00, p01], [p01, p11]] (P₀ = 0). */
  private p00 = 0;
  private p01 = 0;
  private p11 = 0;
  private started = false;
  private readonly vw: number;
  private readonly ve: number;

  constructor(delta: number, ve: number) {
    this.vw = delta / (1 - delta);
    this.ve = ve;
  }

  /** Observe (y_t, x_t): predict, forecast, update. Results in the fields. */
  step(y: number, x: number): void {
    // predict: θ unchanged; R = P + Vw except at the first bar (R = P₀)
    let r00 = this.p00;
    const r01 = this.p01;
    let r11 = this.p11;
    if (this.started) {
      r00 += this.vw;
      r11 += this.vw;
    }
    this.started = true;
    // forecast with h = [x 1]: R·hᵀ, Q = h·R·hᵀ + Ve, e = y − h·θ
    const rh0 = r00 * x + r01;
    const rh1 = r01 * x + r11;
    const q = x * rh0 + rh1 + this.ve;
    const e = y - (x * this.beta + this.intercept);
    // update: K = R·hᵀ/Q, θ += K·e, P = R − K·h·R = R − (R·hᵀ)(R·hᵀ)ᵀ/Q
    const k0 = rh0 / q;
    const k1 = rh1 / q;
    this.beta += k0 * e;
    this.intercept += k1 * e;
    this.p00 = r00 - k0 * rh0;
    this.p01 = r01 - k0 * rh1;
    this.p11 = r11 - k1 * rh1;
    this.forecastError = e;
    this.forecastVariance = q;
  }
}

/** Validate δ and Ve (shared with the backtester's hedge option). */
export function validateKalmanNoise(fn: string, prefix: string, delta: unknown, ve: unknown): { delta: number; ve: number } {
  const d = delta === undefined ? KALMAN_DEFAULT_DELTA : requireFinite(fn, `${prefix}delta`, delta, { minExclusive: 0 });
  if (!(d < 1)) rangeError(fn, `${prefix}delta must be < 1 (Vw = δ/(1−δ)·I), got ${d}`);
  const v = ve === undefined ? KALMAN_DEFAULT_VE : requireFinite(fn, `${prefix}ve`, ve, { minExclusive: 0 });
  return { delta: d, ve: v };
}

function checkInputs(fn: string, y: ArrayLike<number>, x: ArrayLike<number>, options: unknown) {
  const o = requireOptions<KalmanHedgeOptions & FitKalmanHedgeOptions>(fn, options);
  const ys = toFloat64(y, "y", fn, { minLength: 2 });
  const xs = toFloat64(x, "x", fn, { minLength: 2 });
  requireSameLength(fn, "y", ys, "x", xs);
  const burnIn = o.burnIn === undefined ? 0 : requireInteger(fn, "options.burnIn", o.burnIn, { min: 0 });
  if (burnIn >= ys.length) rangeError(fn, `options.burnIn must be < n (${ys.length}), got ${burnIn}`);
  const noise = validateKalmanNoise(fn, "options.", o.delta, o.ve);
  return { o, ys, xs, burnIn, ...noise };
}

/** ln L of the filter with (δ, Ve) over the series (no per-bar outputs). */
function logLikelihoodOf(ys: Float64Array, xs: Float64Array, delta: number, ve: number, burnIn: number): number {
  const filter = new KalmanHedgeFilter(delta, ve);
  let sum = 0;
  for (let t = 0; t < ys.length; t++) {
    filter.step(ys[t], xs[t]);
    if (t >= burnIn) {
      const q = filter.forecastVariance;
      const e = filter.forecastError;
      sum += LN_2PI + Math.log(q) + (e * e) / q;
    }
  }
  return -0.5 * sum;
}

/** Run the Kalman hedge filter over (y, x); see the module comment. */
export function kalmanHedge(y: ArrayLike<number>, x: ArrayLike<number>, options?: KalmanHedgeOptions): KalmanHedgeResult {
  const { ys, xs, burnIn, delta, ve } = checkInputs("kalmanHedge", y, x, options);
  const n = ys.length;
  const beta = new Float64Array(n);
  const intercept = new Float64Array(n);
  const forecastError = new Float64Array(n);
  const forecastVariance = new Float64Array(n);
  const filter = new KalmanHedgeFilter(delta, ve);
  let sum = 0;
  for (let t = 0; t < n; t++) {
    filter.step(ys[t], xs[t]);
    beta[t] = filter.beta;
    intercept[t] = filter.intercept;
    const e = filter.forecastError;
    const q = filter.forecastVariance;
    forecastError[t] = e;
    forecastVariance[t] = q;
    if (t >= burnIn) sum += LN_2PI + Math.log(q) + (e * e) / q;
  }
  return { beta, intercept, forecastError, forecastVariance, logLikelihood: -0.5 * sum, delta, ve };
}

export interface FitKalmanHedgeOptions extends KalmanHedgeOptions {
  /** Simplex steps allowed (default 1000); the fit stops earlier when converged. */
  readonly maxIterations?: number;
}

export interface FitKalmanHedgeResult {
  /** Maximum-likelihood δ and Ve (the best simplex vertex when not converged). */
  readonly delta: number;
  readonly ve: number;
  /** ln L at (δ, Ve), with the same burnIn. */
  readonly logLikelihood: number;
  readonly iterations: number;
  /** Whether, before maxIterations, ln L varied by ≤ 1e-12·(1 + |ln L|) across the simplex and its vertices came within 1e-8 (in ln(δ/(1−δ)), ln Ve). */
  readonly converged: boolean;
  readonly warnings: string[];
}

/**
 * Maximum-likelihood δ and Ve of the Kalman hedge filter: maximises the prediction-error
 * log-likelihood (module comment, with `burnIn`) by Nelder–Mead (reflection 1, expansion 2,
 * contraction ½, shrink ½; [3]) on u = ln(δ/(1−δ)), v = ln Ve, which keeps δ ∈ (0, 1) and Ve > 0.
 * Starts at the given δ and Ve (defaults 1e-4, 1e-3) with steps of 1 in u and v. At most
 * `maxIterations` steps (each 1–4 filter passes over the series): the loop is bounded; not
 * converging gives the best vertex found and a warning. A local optimiser: ln L can be flat in δ
 * on short series (the warning then says so only if the simplex did not settle).
 * @see [3] Nelder, J.A. & Mead, R. (1965) A simplex method for function minimization. Comput. J. 7(4).
 * @example fitKalmanHedge(y, x, { burnIn: 10 }).delta // ≈ scipy Nelder–Mead optimum in fixtures/kalmanHedge.json ("fit")
 * @throws RangeError as kalmanHedge, or maxIterations not an integer ≥ 1
 */
export function fitKalmanHedge(y: ArrayLike<number>, x: ArrayLike<number>, options?: FitKalmanHedgeOptions): FitKalmanHedgeResult {
  const fn = "fitKalmanHedge";
  const { o, ys, xs, burnIn, delta, ve } = checkInputs(fn, y, x, options);
  const maxIterations =
    o.maxIterations === undefined ? DEFAULT_MAX_FIT_ITERATIONS : requireInteger(fn, "options.maxIterations", o.maxIterations, { min: 1 });
  // minimise f = −ln L over p = (u, v)
  const f = (u: number, v: number): number => {
    const d = 1 / (1 + Math.exp(-u));
    const e = Math.exp(v);
    if (!(d > 0 && d < 1 && e > 0 && Number.isFinite(e))) return Infinity;
    const value = -logLikelihoodOf(ys, xs, d, e, burnIn);
    return value === value ? value : Infinity;
  };
  const u0 = Math.log(delta / (1 - delta));
  const v0 = Math.log(ve);
  const pu = [u0, u0 + 1, u0];
  const pv = [v0, v0, v0 + 1];
  const pf = [f(pu[0], pv[0]), f(pu[1], pv[1]), f(pu[2], pv[2])];
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    // order vertices: best (0) … worst (2)
    for (let a = 0; a < 2; a++) {
      for (let b = a + 1; b < 3; b++) {
        if (pf[b] < pf[a]) {
          [pf[a], pf[b]] = [pf[b], pf[a]];
          [pu[a], pu[b]] = [pu[b], pu[a]];
          [pv[a], pv[b]] = [pv[b], pv[a]];
        }
      }
    }
    const size = Math.max(Math.abs(pu[1] - pu[0]), Math.abs(pu[2] - pu[0]), Math.abs(pv[1] - pv[0]), Math.abs(pv[2] - pv[0]));
    if (Math.abs(pf[2] - pf[0]) <= FIT_TOLERANCE * (1 + Math.abs(pf[0])) && size <= FIT_SIMPLEX_TOLERANCE) {
      converged = true;
      break;
    }
    iterations++;
    const cu = (pu[0] + pu[1]) / 2;
    const cv = (pv[0] + pv[1]) / 2;
    const ru = cu + (cu - pu[2]);
    const rv = cv + (cv - pv[2]);
    const fr = f(ru, rv);
    if (fr < pf[0]) {
      const eu = cu + 2 * (cu - pu[2]);
      const ev = cv + 2 * (cv - pv[2]);
      const fe = f(eu, ev);
      if (fe < fr) [pu[2], pv[2], pf[2]] = [eu, ev, fe];
      else [pu[2], pv[2], pf[2]] = [ru, rv, fr];
    } else if (fr < pf[1]) {
      [pu[2], pv[2], pf[2]] = [ru, rv, fr];
    } else {
      // contraction: outside when the reflection beats the worst vertex, else inside
      const outside = fr < pf[2];
      const ku = outside ? cu + 0.5 * (ru - cu) : cu + 0.5 * (pu[2] - cu);
      const kv = outside ? cv + 0.5 * (rv - cv) : cv + 0.5 * (pv[2] - cv);
      const fk = f(ku, kv);
      if (fk < (outside ? fr : pf[2])) [pu[2], pv[2], pf[2]] = [ku, kv, fk];
      else {
        for (let k = 1; k < 3; k++) {
          pu[k] = pu[0] + 0.5 * (pu[k] - pu[0]);
          pv[k] = pv[0] + 0.5 * (pv[k] - pv[0]);
          pf[k] = f(pu[k], pv[k]);
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k < 3; k++) if (pf[k] < pf[best]) best = k;
  const warnings: string[] = [];
  if (!converged) warnings.push(`fitKalmanHedge: not converged after ${maxIterations} iterations; returning the best vertex found`);
  if (!(pf[best] < Infinity)) rangeError(fn, "the log-likelihood is not finite anywhere on the simplex (check the inputs' scale)");
  return {
    delta: 1 / (1 + Math.exp(-pu[best])),
    ve: Math.exp(pv[best]),
    logLikelihood: -pf[best],
    iterations,
    converged,
    warnings,
  };
}
