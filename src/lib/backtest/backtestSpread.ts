/**
 * Backtest of a spread traded as one instrument (the `BacktestStrategy` / `BacktestWithCosts`
 * interface): holds ±units of the spread, P&L_t = q·(s_t − s_{t−1}) in spread (currency) units.
 *
 * Rules: any TradingRule, or the bands rule of the Rust meanrev server, `{ kind: "bands", lower, upper, exit? }`: enter long
 * when the spread crosses down to ≤ lower, enter short when it crosses up to ≥ upper, and exit both
 * at `exit` (default the midpoint (lower + upper)/2, known in advance: the Rust server exited at the
 * full-sample mean, which is look-ahead). Bands are the levels rule { entry: lower, exit, side:
 * "both", center: (lower + upper)/2 }.
 * Costs: as in BacktestEngine with the spread as the traded price; the Rust server's
 * `transaction_cost` 0.001 (a fraction of |s| traded) is `{ bps: 10 }`.
 * Capital: default 1 so equity = 1 + cumulative spread P&L; pass the money behind one spread unit
 * (e.g. |y| + |β|·|x|) for percentage metrics (totalReturn, drawdown, CAGR) to mean anything.
 * `result.equity − capital` is the cumulative P&L curve (the contract's `pnl`).
 * @throws RangeError/TypeError for a non-finite spread, fewer than 2 bars, or a bad rule/option
 * @example backtestSpread([0, -2, -1, 0.5], { kind: "bands", lower: -1.5, upper: 1.5 }, {}).trades.pnl[0]
 *   // = 2.5: bought at −2 (crossed below −1.5), sold at 0.5 ≥ midpoint 0 (hand-worked)
 */
import { BacktestEngine } from "./BacktestEngine.js";
import type { BacktestCosts, BacktestOptions } from "./types.js";
import { runBacktest, toDayIndex, toDiagnosticsFlag, type BacktestResult } from "./backtestPair.js";
import type { TradingRule } from "./tradingRule.js";
import { describe, rangeError, requireFinite, requireOptions, toFloat64, typeError } from "../util/validate.js";

/** The Rust meanrev server's band rule: long below `lower`, short above `upper`, exit at `exit` (default midpoint). */
export interface BandsRule {
  readonly kind: "bands";
  readonly lower: number;
  readonly upper: number;
  readonly exit?: number;
}

export interface BacktestSpreadOptions extends Omit<BacktestOptions, "rule" | "costs"> {
  readonly dayIndex?: ArrayLike<number>;
}

/** Backtest a spread as one instrument; see the module comment. */
export function backtestSpread(
  spread: ArrayLike<number>,
  rule: TradingRule | BandsRule,
  costs: BacktestCosts = {},
  options: BacktestSpreadOptions = {},
): BacktestResult {
  const fn = "backtestSpread";
  const s = toFloat64(spread, "spread", fn, { minLength: 2 });
  const o = requireOptions<BacktestSpreadOptions>(fn, options);
  if (rule === null || typeof rule !== "object") typeError(fn, `rule must be an object, got ${describe(rule)}`);
  let tradingRule: TradingRule;
  if ((rule as { kind?: unknown }).kind === "bands") {
    const b = rule as BandsRule;
    const lower = requireFinite(fn, "rule.lower", b.lower);
    const upper = requireFinite(fn, "rule.upper", b.upper);
    if (!(lower < upper)) rangeError(fn, `rule.lower must be < rule.upper, got ${lower} and ${upper}`);
    const mid = (lower + upper) / 2;
    const exit = b.exit === undefined ? mid : requireFinite(fn, "rule.exit", b.exit);
    if (!(exit > lower && exit < upper)) rangeError(fn, `rule.exit must lie strictly between lower and upper, got ${exit}`);
    tradingRule = { kind: "levels", entry: lower, exit, side: "both", center: mid };
  } else tradingRule = rule as TradingRule;
  const day = toDayIndex(fn, o.dayIndex, s.length);
  const engine = new BacktestEngine({ ...o, rule: tradingRule, costs, mode: "spread" }, fn);
  return runBacktest(engine, s, null, day, toDiagnosticsFlag(fn, o.diagnostics));
}
