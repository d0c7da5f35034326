/**
 * The hedge-estimator interface of the backtester and the choice of estimator from the `hedge`
 * option. An estimator sees each bar's prices once, in order, a block of bars at a time, and
 * writes β_t, the hedge ratio known at the close of t (NaN while undefined: warm-up, constant x);
 * the engine forms the spread s_t = y_t − β_t·x_t from it and locks the β of the fill into each
 * trade. Blocks (≤ 256 bars in the batch path, 1 bar per `push`) let each estimator run its own
 * tight loop with its running sums in registers. A new hedge method is one file implementing
 * `HedgeEstimator` plus one case below (and one member of `HedgeSpec` in types.ts).
 * Implementations: staticHedge.ts (given β, or OLS over a formation window), rollingOlsHedge.ts
 * (OLS over a trailing window), kalmanHedgeEstimator.ts (Kalman filter; brings its own signal).
 */
import type { SignalEstimator } from "./signalEstimator.js";
import { StaticHedge } from "./staticHedge.js";
import { RollingOlsHedge } from "./rollingOlsHedge.js";
import { KalmanHedgeEstimator } from "./kalmanHedgeEstimator.js";
import { describe, rangeError, requireFinite, requireInteger, requireOneOf, typeError } from "../util/validate.js";
import { validateKalmanNoise } from "../hedge/kalmanHedge.js";

export interface HedgeEstimator {
  /**
   * Observe bars i ∈ [from, to) of (ys, xs) in order and write β_i to beta[i − from] (NaN while
   * undefined) and the spread y_i − β_i·x_i (or, with hedge.spread "residual", the residual of the
   * model fitted up to i − 1) to spread[i − from] (computed in the same pass). Uses no data after i. `xs` is null in spread mode (β = 0, the spread is y itself).
   */
  update(ys: Float64Array, xs: Float64Array | null, from: number, to: number, beta: Float64Array, spread: Float64Array): void;
  /**
   * A signal that replaces the rule's window z-score (called after `update` for the same block),
   * or null to use the rule's own window on the spread.
   */
  readonly signal: SignalEstimator | null;
  /** Append the estimator's end-of-run warnings (e.g. bars with an undefined β). */
  finish(warnings: string[]): void;
  /**
   * Optional: β when it is a known constant for every bar from now on and the spread is y − β·x
   * (a static hedge with a given β, or past its formation window), else NaN; absent means NaN.
   * With such a β the engine may skip `update` and let the signal estimator form the spread in its
   * own pass (SignalEstimator.updateFromLegs): one pass over the block instead of two.
   */
  constantBeta?(): number;
}

/**
 * Validate the `hedge` option and build its estimator. `warnings` is the engine's list (an
 * estimator may report there as it runs). Spread mode uses `new StaticHedge(0)`. `levelsRule`: the
 * rule is a levels rule (the Kalman hedge then brings no signal of its own: the rule reads its
 * residual e_t directly; the engine allows this only with spread "residual").
 */
export function createHedgeEstimator(fn: string, hedge: unknown, warnings: string[], levelsRule = false): HedgeEstimator {
  if (hedge === null || typeof hedge !== "object") {
    typeError(
      fn,
      `hedge must be an object like { method: "static", beta }, { method: "rolling", window } or { method: "kalman" }, got ${describe(hedge)}`,
    );
  }
  const h = hedge as Record<string, unknown>;
  const method = requireOneOf(fn, "hedge.method", h.method, ["static", "rolling", "kalman"] as const);
  const residual = hedgeSpreadIsResidual(fn, h);
  if (method === "kalman") {
    const { delta, ve } = validateKalmanNoise(fn, "hedge.", h.delta, h.ve);
    return new KalmanHedgeEstimator(delta, ve, residual, levelsRule);
  }
  if (method === "static" && h.beta !== undefined) return new StaticHedge(requireFinite(fn, "hedge.beta", h.beta));
  if (h.window === undefined)
    rangeError(fn, `hedge.window is required for method "${method}"${method === "static" ? " without beta (the formation sample)" : ""}`);
  const window = requireInteger(fn, "hedge.window", h.window, { min: 3 });
  return method === "static" ? StaticHedge.formation(window, warnings) : new RollingOlsHedge(window, residual);
}

/**
 * Validate `hedge.spread` ("hedgeRatio" default, or "residual" for the rolling and Kalman hedges;
 * see HedgeSpec in types.ts) and say whether it is "residual". Also used by the engine, which
 * must know it before it validates the rule (Kalman accepts a levels rule only on its residual).
 */
export function hedgeSpreadIsResidual(fn: string, hedge: Record<string, unknown>): boolean {
  if (hedge.spread === undefined) return false;
  const spread = requireOneOf(fn, "hedge.spread", hedge.spread, ["hedgeRatio", "residual"] as const);
  if (spread === "residual" && hedge.method !== "rolling" && hedge.method !== "kalman")
    rangeError(fn, `hedge.spread "residual" needs method "rolling" or "kalman" (a dynamic hedge), got method ${describe(hedge.method)}`);
  return spread === "residual";
}
