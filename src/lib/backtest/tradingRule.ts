/**
 * Trading rules shared by the backtester (`backtestPair`, `backtestSpread`, `BacktestEngine`) and
 * `generateSignal`, so a replay of `generateSignal` bar by bar reproduces the backtester's positions.
 *
 * A rule turns a *signal value* v_t (a z-score, or the spread itself for absolute levels) and the
 * previous bar's value v_{t−1} into an action. Conventions (both rule kinds):
 * - Entry needs a crossing: enter long when v_t ≤ longEntry < v_{t−1} (and v_t > longStop), enter
 *   short when v_t ≥ shortEntry > v_{t−1} (and v_t < shortStop). A series that starts beyond an
 *   entry level, or stays beyond it after a stop-loss, must come back inside and cross again: this
 *   is what stops a stop-loss from being re-entered on the next bar.
 * - Exit a long when v_t ≥ longExit (take profit) or v_t ≤ longStop (stop-loss); exit a short when
 *   v_t ≤ shortExit or v_t ≥ shortStop. The stop is checked first.
 * - One action per bar: an exit never flips into the opposite position on the same bar.
 * - A NaN signal value (warm-up, zero window variance, undefined hedge ratio) means "hold".
 *
 * z-score rule `{ kind: "zscore", entry, exit, stop?, window }`: longEntry = −entry,
 * longExit = −exit, longStop = −stop; shortEntry = +entry, shortExit = +exit, shortStop = +stop.
 * exit = 0 exits at the window mean; requires entry > 0, |exit| < entry, stop > entry.
 *
 * Levels rule `{ kind: "levels", entry, exit, stop?, side, center? }` in absolute spread units, as
 * produced by leungLi / solveHjb (Leung & Li 2015: enter long at d*, exit at b* > d*, stop-loss L < d*):
 * - side "long" (default): longEntry = entry, longExit = exit, longStop = stop; needs stop < entry < exit.
 * - side "short": the numbers are short levels: shortEntry = entry, shortExit = exit,
 *   shortStop = stop; needs stop > entry > exit.
 * - side "both": long levels as given, short levels reflected about `center` (the OU mean θ):
 *   shortEntry = 2c − entry, shortExit = 2c − exit, shortStop = 2c − stop; needs entry < c.
 * @see [1] Leung, T. & Li, X. (2015) Optimal mean reversion trading with transaction costs and
 *   stop-loss exit. IJTAF 18(3).
 */
import { rangeError, requireFinite, requireInteger, requireOneOf, typeError, describe } from "../util/validate.js";

/** Window over which the spread's mean and standard deviation (ddof = 1) are estimated. */
export type ZScoreWindow =
  | { readonly type: "rolling"; readonly length: number }
  | { readonly type: "expanding"; readonly minPeriods?: number }
  | { readonly type: "fixed"; readonly mean: number; readonly sd: number };

/** Enter at |z| ≥ entry (after a crossing), exit at z back to ∓exit, optional stop at |z| ≥ stop. */
export interface ZScoreRule {
  readonly kind: "zscore";
  readonly entry: number;
  readonly exit: number;
  readonly stop?: number;
  /** Required, except with the Kalman hedge, whose z-score is e_t/√Q_t from the filter (a window is refused there). */
  readonly window?: ZScoreWindow;
}

/** Absolute spread levels (Leung–Li convention); see the module comment for each `side`. */
export interface LevelsRule {
  readonly kind: "levels";
  readonly entry: number;
  readonly exit: number;
  readonly stop?: number;
  readonly side?: "long" | "short" | "both";
  readonly center?: number;
}

export type TradingRule = ZScoreRule | LevelsRule;

/** Internal: the rule as six thresholds on the signal value. */
export interface RuleThresholds {
  readonly longEnabled: boolean;
  readonly shortEnabled: boolean;
  readonly longEntry: number;
  readonly longExit: number;
  /** −Infinity when there is no stop. */
  readonly longStop: number;
  readonly shortEntry: number;
  readonly shortExit: number;
  /** +Infinity when there is no stop. */
  readonly shortStop: number;
}

/** Internal: validated rule. windowType "none" means the signal is the spread itself. */
export interface NormalizedRule {
  readonly kind: "zscore" | "levels";
  readonly windowType: "rolling" | "expanding" | "fixed" | "none";
  /** Rolling length, or expanding minPeriods. */
  readonly windowLength: number;
  readonly fixedMean: number;
  readonly fixedSd: number;
  readonly thresholds: RuleThresholds;
}

export const ACTION_HOLD = 0;
export const ACTION_BUY = 1;
export const ACTION_SELL = 2;
export const ACTION_EXIT = 3;
export const ACTION_STOP = 4;

/** Validate a rule (or a `generateSignal` levels object, which has no window) into thresholds. */
export function normalizeRule(fn: string, rule: unknown, name = "rule", requireWindow = true): NormalizedRule {
  if (rule === null || typeof rule !== "object") typeError(fn, `${name} must be an object, got ${describe(rule)}`);
  const r = rule as Record<string, unknown>;
  const kind = requireOneOf(fn, `${name}.kind`, r.kind, ["zscore", "levels"] as const);
  const entry = requireFinite(fn, `${name}.entry`, r.entry);
  const exit = requireFinite(fn, `${name}.exit`, r.exit);
  const stop = r.stop === undefined ? undefined : requireFinite(fn, `${name}.stop`, r.stop);
  if (kind === "zscore") {
    if (!(entry > 0)) rangeError(fn, `${name}.entry must be > 0 (a z-score distance), got ${entry}`);
    if (!(Math.abs(exit) < entry)) rangeError(fn, `${name}.exit must satisfy |exit| < entry (${entry}), got ${exit}`);
    if (stop !== undefined && !(stop > entry)) rangeError(fn, `${name}.stop must be > entry (${entry}), got ${stop}`);
    let windowType: NormalizedRule["windowType"] = "none";
    let windowLength = 0;
    let fixedMean = 0;
    let fixedSd = 1;
    if (requireWindow || r.window !== undefined) {
      const w = r.window as Record<string, unknown> | undefined;
      if (w === null || typeof w !== "object") typeError(fn, `${name}.window must be an object, got ${describe(w)}`);
      windowType = requireOneOf(fn, `${name}.window.type`, w.type, ["rolling", "expanding", "fixed"] as const);
      if (windowType === "rolling") windowLength = requireInteger(fn, `${name}.window.length`, w.length, { min: 2 });
      else if (windowType === "expanding") {
        windowLength = w.minPeriods === undefined ? 2 : requireInteger(fn, `${name}.window.minPeriods`, w.minPeriods, { min: 2 });
      } else {
        fixedMean = requireFinite(fn, `${name}.window.mean`, w.mean);
        fixedSd = requireFinite(fn, `${name}.window.sd`, w.sd, { minExclusive: 0 });
      }
    }
    return {
      kind,
      windowType,
      windowLength,
      fixedMean,
      fixedSd,
      thresholds: {
        longEnabled: true,
        shortEnabled: true,
        longEntry: -entry,
        longExit: -exit,
        longStop: stop === undefined ? -Infinity : -stop,
        shortEntry: entry,
        shortExit: exit,
        shortStop: stop === undefined ? Infinity : stop,
      },
    };
  }
  const side = r.side === undefined ? "long" : requireOneOf(fn, `${name}.side`, r.side, ["long", "short", "both"] as const);
  const base = { kind, windowType: "none" as const, windowLength: 0, fixedMean: 0, fixedSd: 1 };
  if (side === "short") {
    if (!(entry > exit)) rangeError(fn, `${name}: short levels need entry > exit, got entry ${entry}, exit ${exit}`);
    if (stop !== undefined && !(stop > entry)) rangeError(fn, `${name}: short levels need stop > entry, got stop ${stop}, entry ${entry}`);
    return {
      ...base,
      thresholds: {
        longEnabled: false,
        shortEnabled: true,
        longEntry: -Infinity,
        longExit: Infinity,
        longStop: -Infinity,
        shortEntry: entry,
        shortExit: exit,
        shortStop: stop ?? Infinity,
      },
    };
  }
  if (!(entry < exit)) rangeError(fn, `${name}: long levels need entry < exit, got entry ${entry}, exit ${exit}`);
  if (stop !== undefined && !(stop < entry)) rangeError(fn, `${name}: long levels need stop < entry, got stop ${stop}, entry ${entry}`);
  if (side === "long") {
    return {
      ...base,
      thresholds: {
        longEnabled: true,
        shortEnabled: false,
        longEntry: entry,
        longExit: exit,
        longStop: stop ?? -Infinity,
        shortEntry: Infinity,
        shortExit: -Infinity,
        shortStop: Infinity,
      },
    };
  }
  if (r.center === undefined) rangeError(fn, `${name}.center is required when side is "both" (short levels are reflected about it)`);
  const center = requireFinite(fn, `${name}.center`, r.center);
  if (!(entry < center)) rangeError(fn, `${name}: side "both" needs entry < center, got entry ${entry}, center ${center}`);
  return {
    ...base,
    thresholds: {
      longEnabled: true,
      shortEnabled: true,
      longEntry: entry,
      longExit: exit,
      longStop: stop ?? -Infinity,
      shortEntry: 2 * center - entry,
      shortExit: 2 * center - exit,
      shortStop: stop === undefined ? Infinity : 2 * center - stop,
    },
  };
}

/**
 * The rule's decision for one bar. `side` is the position the decision acts on (−1, 0, +1).
 * Returns one of ACTION_HOLD, ACTION_BUY, ACTION_SELL, ACTION_EXIT, ACTION_STOP.
 */
export function decideAction(th: RuleThresholds, side: number, value: number, previous: number): number {
  if (value !== value) return ACTION_HOLD;
  if (side > 0) {
    if (value <= th.longStop) return ACTION_STOP;
    if (value >= th.longExit) return ACTION_EXIT;
    return ACTION_HOLD;
  }
  if (side < 0) {
    if (value >= th.shortStop) return ACTION_STOP;
    if (value <= th.shortExit) return ACTION_EXIT;
    return ACTION_HOLD;
  }
  if (previous !== previous) return ACTION_HOLD;
  if (th.longEnabled && value <= th.longEntry && previous > th.longEntry && value > th.longStop) return ACTION_BUY;
  if (th.shortEnabled && value >= th.shortEntry && previous < th.shortEntry && value < th.shortStop) return ACTION_SELL;
  return ACTION_HOLD;
}
