/**
 * The spread a dynamic hedge trades with `hedge.spread: "residual"`, as a series: the backtester's
 * own estimator (rollingOlsHedge.ts, kalmanHedgeEstimator.ts) run over the whole sample, so a
 * caller that fits a model to this series (analysePair: Hurst, OU, Leung–Li) sees exactly the
 * values the engine's rule will compare with its levels.
 * - rolling (window w): s_t = y_t − β_{t−1}·x_t − α_{t−1}, (β, α) the OLS fit with intercept over
 *   bars t−w..t−1; NaN for t < w and after a window with numerically constant x.
 * - kalman (δ, Ve): s_t = e_t = y_t − (β_{t−1}·x_t + α_{t−1}), kalmanHedge's forecast error
 *   (Chan 2013 ex. 3.3); written from bar 0, but its warm-up is 2 bars: e_0 = y_0 is a forecast
 *   from θ₀ = 0 (no data) and e_1 one from a state fitted to a single bar, which cannot identify
 *   the two states (β, α) — on the test pair e_0, e_1 ≈ 86 against |e_t| ≲ 2 afterwards.
 * `beta` is β_t after bar t (the ratio a fill at t locks); `lastBeta`/`lastIntercept` are β and α
 * after the last bar (the hedge a trader would hold now).
 * @see docs/dynamic-hedge-pipeline.md
 * @throws RangeError/TypeError for unequal lengths, non-finite prices or a bad hedge option
 * @example dynamicHedgeResidual(y, x, { method: "kalman" }).residual // = kalmanHedge(y, x).forecastError (test)
 */
import { RollingOlsHedge } from "./rollingOlsHedge.js";
import { KalmanHedgeEstimator } from "./kalmanHedgeEstimator.js";
import { validateKalmanNoise } from "../hedge/kalmanHedge.js";
import { describe, requireInteger, requireOneOf, requireSameLength, toFloat64, typeError } from "../util/validate.js";

/** A dynamic hedge: the rolling OLS or Kalman member of HedgeSpec (its `spread` is implied "residual"). */
/** Bars before the Kalman forecast error comes from a state fitted to ≥ 2 bars (two states: β, α). */
export const KALMAN_WARM_UP = 2;

export type DynamicHedgeSpec =
  | { readonly method: "rolling"; readonly window: number }
  | { readonly method: "kalman"; readonly delta?: number; readonly ve?: number };

export interface DynamicHedgeResidual {
  /** s_t, NaN where undefined (rolling warm-up t < window, constant x). */
  readonly residual: Float64Array;
  /** β_t after observing bar t (NaN where undefined). */
  readonly beta: Float64Array;
  readonly lastBeta: number;
  readonly lastIntercept: number;
  /**
   * Bars of warm-up: the residual before it is NaN (rolling, t < window) or a forecast from a fit
   * that cannot identify (β, α) yet (kalman, 2 bars); a model of the residual starts here (≤ n).
   */
  readonly warmUp: number;
  /** Bars after `warmUp` whose residual is undefined (rolling: x constant over the window). */
  readonly undefinedAfterWarmUp: number;
  readonly warnings: readonly string[];
}

export function dynamicHedgeResidual(y: ArrayLike<number>, x: ArrayLike<number>, hedge: DynamicHedgeSpec): DynamicHedgeResidual {
  const fn = "dynamicHedgeResidual";
  requireSameLength(fn, "y", y, "x", x);
  const ys = toFloat64(y, "y", fn);
  const xs = toFloat64(x, "x", fn);
  return dynamicHedgeResidualKernel(fn, ys, xs, hedge);
}

/** {@link dynamicHedgeResidual} on validated equal-length series; `fn` names the public caller. */
export function dynamicHedgeResidualKernel(fn: string, ys: Float64Array, xs: Float64Array, hedge: unknown): DynamicHedgeResidual {
  if (hedge === null || typeof hedge !== "object")
    typeError(
      fn,
      `hedge must be an object like { method: "rolling", window } or { method: "kalman", delta?, ve? }, got ${describe(hedge)}`,
    );
  const h = hedge as Record<string, unknown>;
  const method = requireOneOf(fn, "hedge.method", h.method, ["rolling", "kalman"] as const);
  const n = ys.length;
  const residual = new Float64Array(n);
  const beta = new Float64Array(n);
  const warnings: string[] = [];
  let lastIntercept: number;
  if (method === "rolling") {
    const window = requireInteger(fn, "hedge.window", h.window, { min: 3 });
    const estimator = new RollingOlsHedge(window, true);
    estimator.update(ys, xs, 0, n, beta, residual);
    estimator.finish(warnings);
    lastIntercept = estimator.lastIntercept;
  } else {
    const { delta, ve } = validateKalmanNoise(fn, "hedge.", h.delta, h.ve);
    const estimator = new KalmanHedgeEstimator(delta, ve, true, true);
    estimator.update(ys, xs, 0, n, beta, residual);
    lastIntercept = estimator.lastIntercept;
  }
  const warmUp = Math.min(n, method === "rolling" ? (h.window as number) : KALMAN_WARM_UP);
  let undefinedAfterWarmUp = 0;
  for (let t = warmUp; t < n; t++) if (Number.isNaN(residual[t])) undefinedAfterWarmUp++;
  return { residual, beta, lastBeta: n > 0 ? beta[n - 1] : Number.NaN, lastIntercept, warmUp, undefinedAfterWarmUp, warnings };
}
