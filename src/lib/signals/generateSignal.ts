/**
 * Trading signal for a mean-reverting spread from a fitted Ornstein–Uhlenbeck model
 * dX = κ(θ − X)dt + σ dW and the backtester's rule (tradingRule.ts), so replaying generateSignal
 * bar by bar reproduces backtestSpread's positions (tested).
 *
 * Inputs: `prices` = the spread's history (last element = now, the value traded), `ou` = { kappa,
 * theta, sigma } in consistent time units, `levels` = the rule, `position` = what is held now.
 * - levels `{ kind: "zscore", entry, exit, stop? }`: z-scores against the OU stationary law,
 *   z = (X − θ)/σ_eq with σ_eq = σ/√(2κ) (the backtester's window `{ type: "fixed", mean: θ, sd: σ_eq }`);
 * - levels `{ kind: "levels", entry, exit, stop?, side?, center? }`: absolute spread levels
 *   (Leung–Li d*, b*, L), exactly as in backtestSpread.
 * The decision (entries need a crossing between the previous and the current value; stop before
 * take-profit; one action per bar) is tradingRule's `decideAction`. Signals: "buy" = enter long
 * spread, "sell" = enter short, "exit" = close (take-profit or stop-loss), "hold" = do nothing.
 *
 * confidence and expectedProfit come from the OU transition law over one half-life h = ln2/κ:
 *   X_{t+h} | X_t = x ~ N(θ + (x − θ)/2, (3/4)·σ_eq²)   (e^{−κh} = 1/2, 1 − e^{−2κh} = 3/4).
 * - p_up = P(X_{t+h} > x) = Φ((θ − x)/(2·σ_eq·√(3/4))) = Φ((θ − x)/(√3·σ_eq)).
 * - confidence = the model probability that the position held after the signal gains over the next
 *   half-life: p_up when long after it (buy, hold long), 1 − p_up when short (sell, hold short); for
 *   "exit" the probability that the closed position would have lost (1 − p_up after a long,
 *   p_up after a short); for "hold" while flat, min(p_up, 1 − p_up) (the chance that the better
 *   entry would lose). A stop-loss exit usually has low confidence: the stop overrides the model.
 * - expectedProfit = E[P&L over one half-life] per unit of spread, before costs, of the position
 *   held after the signal: (θ − x)/2 long, (x − θ)/2 short, 0 flat.
 * Degenerate: fewer than 2 prices gives "hold" unless in a position (no crossing can be seen).
 * @see [1] Leung, T. & Li, X. (2015) Optimal mean reversion trading with transaction costs and
 *   stop-loss exit. IJTAF 18(3). [2] Uhlenbeck & Ornstein (1930) (transition law).
 * @throws RangeError/TypeError for empty or non-finite prices, κ ≤ 0, σ ≤ 0, a bad rule, unknown position
 * @example generateSignal({ prices: [0, -2.5], ou: { kappa: 2, theta: 0, sigma: 2 },
 *   levels: { kind: "zscore", entry: 2, exit: 0 }, position: "flat" }).signal // "buy" (z = −2.5 crossed −2; hand-worked)
 */
import { ACTION_BUY, ACTION_EXIT, ACTION_SELL, ACTION_STOP, decideAction, normalizeRule } from "../backtest/tradingRule.js";
import type { LevelsRule, ZScoreRule } from "../backtest/tradingRule.js";
import { normalCdf } from "../stats/normal.js";
import { describe, requireFinite, requireOneOf, requireOptions, toFloat64, typeError } from "../util/validate.js";

export type SignalLevels = Omit<ZScoreRule, "window"> | LevelsRule;

export interface GenerateSignalInput {
  readonly prices: ArrayLike<number>;
  readonly ou: { readonly kappa: number; readonly theta: number; readonly sigma: number };
  readonly levels: SignalLevels;
  readonly position: "flat" | "long" | "short";
}

export interface SignalResult {
  readonly signal: "buy" | "sell" | "exit" | "hold";
  /** (X − θ)/σ_eq of the last price. */
  readonly zscore: number;
  /** Model probability in [0, 1]; see the module comment. */
  readonly confidence: number;
  /** Expected P&L per spread unit over one half-life, before costs. */
  readonly expectedProfit: number;
  /** Position after following the signal. */
  readonly positionAfter: "flat" | "long" | "short";
  /** Half-life ln2/κ (time units of κ). */
  readonly halfLife: number;
  /** Exit reason when signal is "exit": "takeProfit" or "stopLoss"; otherwise "none". */
  readonly exitKind: "takeProfit" | "stopLoss" | "none";
  readonly reasoning: string;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

/** OU-based trading signal consistent with the backtester; see the module comment. */
export function generateSignal(input: GenerateSignalInput): SignalResult {
  const fn = "generateSignal";
  const o = requireOptions<GenerateSignalInput>(fn, input);
  const prices = toFloat64(o.prices, "prices", fn, { minLength: 1 });
  if (o.ou === null || typeof o.ou !== "object") typeError(fn, `ou must be an object { kappa, theta, sigma }, got ${describe(o.ou)}`);
  const kappa = requireFinite(fn, "ou.kappa", o.ou.kappa, { minExclusive: 0 });
  const theta = requireFinite(fn, "ou.theta", o.ou.theta);
  const sigma = requireFinite(fn, "ou.sigma", o.ou.sigma, { minExclusive: 0 });
  const position = requireOneOf(fn, "position", o.position, ["flat", "long", "short"] as const);
  const rule = normalizeRule(fn, o.levels, "levels", false);
  const sdEq = sigma / Math.sqrt(2 * kappa);
  const n = prices.length;
  const x = prices[n - 1];
  const zscore = (x - theta) / sdEq;
  const toValue = (v: number) => (rule.kind === "zscore" ? (v - theta) / sdEq : v);
  const value = toValue(x);
  const previous = n >= 2 ? toValue(prices[n - 2]) : NaN;
  const side = position === "long" ? 1 : position === "short" ? -1 : 0;
  const action = decideAction(rule.thresholds, side, value, previous);

  const pUp = normalCdf((theta - x) / (Math.sqrt(3) * sdEq));
  const halfLife = Math.LN2 / kappa;
  const unit = rule.kind === "zscore" ? "z" : "spread";
  const th = rule.thresholds;
  let signal: SignalResult["signal"] = "hold";
  let positionAfter = position;
  let confidence: number;
  let exitKind: SignalResult["exitKind"] = "none";
  let reasoning: string;
  if (action === ACTION_BUY) {
    signal = "buy";
    positionAfter = "long";
    confidence = pUp;
    reasoning = `${unit} ${fmt(value)} crossed the long entry ${fmt(th.longEntry)} from ${fmt(previous)}: buy the spread`;
  } else if (action === ACTION_SELL) {
    signal = "sell";
    positionAfter = "short";
    confidence = 1 - pUp;
    reasoning = `${unit} ${fmt(value)} crossed the short entry ${fmt(th.shortEntry)} from ${fmt(previous)}: sell the spread`;
  } else if (action === ACTION_EXIT || action === ACTION_STOP) {
    signal = "exit";
    positionAfter = "flat";
    exitKind = action === ACTION_STOP ? "stopLoss" : "takeProfit";
    confidence = side > 0 ? 1 - pUp : pUp;
    const level = side > 0 ? (action === ACTION_STOP ? th.longStop : th.longExit) : action === ACTION_STOP ? th.shortStop : th.shortExit;
    reasoning =
      action === ACTION_STOP
        ? `${unit} ${fmt(value)} reached the ${position} stop-loss ${fmt(level)}: exit (the stop overrides the model)`
        : `${unit} ${fmt(value)} reached the ${position} take-profit ${fmt(level)}: exit`;
  } else {
    confidence = side > 0 ? pUp : side < 0 ? 1 - pUp : Math.min(pUp, 1 - pUp);
    if (Number.isNaN(value)) reasoning = "signal value undefined: hold";
    else if (side === 0 && n < 2) reasoning = "only one price: an entry needs a crossing between two bars; hold";
    else if (side === 0)
      reasoning = `${unit} ${fmt(value)} has not crossed an entry level (long ≤ ${fmt(th.longEntry)}, short ≥ ${fmt(th.shortEntry)}): stay flat`;
    else reasoning = `${unit} ${fmt(value)} is between the ${position} stop and take-profit levels: hold`;
  }
  const after = positionAfter === "long" ? 1 : positionAfter === "short" ? -1 : 0;
  const expectedProfit = after === 0 ? 0 : (after * (theta - x)) / 2;
  reasoning += `; OU: θ = ${fmt(theta)}, σ_eq = ${fmt(sdEq)}, half-life ${fmt(halfLife)}, P(up over a half-life) = ${fmt(pUp)}`;
  return { signal, zscore, confidence, expectedProfit, positionAfter, halfLife, exitKind, reasoning };
}
