/**
 * Pairs-trading backtest on the two legs: holds q units of y and −q·β units of x (long spread) or
 * the opposite (short spread), with costs, capital-based sizing and risk limits. The decision at bar
 * t uses prices up to t only; fills at the close of t or of t+1 (`execution.fill`). The bar-by-bar
 * mechanics and risk rules are documented in BacktestEngine.ts, positions, sizing and costs in
 * fillBook.ts; metric conventions in backtestMetrics.ts; rule conventions in tradingRule.ts.
 *
 * Hedge: `{ method: "static", beta }` uses a given β; `{ method: "static", window }` estimates β by
 * OLS of y on x (with intercept) over the first `window` bars (the formation sample) and trades
 * after it; `{ method: "rolling", window }` re-estimates β each bar over the trailing window ending
 * at t; `{ method: "kalman", delta?, ve? }` filters β_t (and α_t) as kalmanHedge does (Chan 2013
 * ex. 3.3; δ = 1e-4, Ve = 1e-3 by default) and the rule, a z-score rule without a window, trades
 * z_t = e_t/√Q_t, the forecast error over its sd. β is locked into a trade at its fill. Spread
 * s_t = y_t − β_t·x_t (no intercept), which is what absolute levels (rule kind "levels") are
 * compared with.
 *
 * Outputs: equity, returns and positions per bar, the trades table by column, the metrics; the
 * per-bar hedge ratio, spread and signal with `diagnostics: true`.
 *
 * Degenerate cases: a rule that never fires gives no trades, a flat equity curve and metrics set
 * to 0 by the documented policy, each named in `warnings`.
 * @throws RangeError/TypeError for bad prices (non-finite, ≤ 0, different lengths, < 2 bars),
 *   a bad rule, cost, risk or hedge option, or a dayIndex that decreases
 * @example backtestPair({ y: [10, 9, 10.5], x: [5, 5, 5], hedge: { method: "static", beta: 1 },
 *   rule: { kind: "levels", entry: 4.5, exit: 5.5 }, capital: 1000 }).trades.pnl[0]
 *   // ≈ 107.142857: q = 1000/(9 + 5) = 71.43 spread units bought at 4, sold at 5.5 (hand-worked)
 */
import { BacktestEngine } from "./BacktestEngine.js";
import type { BacktestOptions, HedgeSpec, TradeTable } from "./types.js";
import type { BacktestMetrics } from "./backtestMetrics.js";
import { asFloat64ReadOnly, describe, rangeError, requireOptions, requireSameLength, typeError } from "../util/validate.js";

export interface BacktestPairInput extends BacktestOptions {
  readonly y: ArrayLike<number>;
  readonly x: ArrayLike<number>;
  readonly hedge: HedgeSpec;
  /** Optional day label per bar (non-decreasing); a change starts a new day for maxDailyLoss. */
  readonly dayIndex?: ArrayLike<number>;
}

/** Per-bar diagnostic series of a batch backtest (with `diagnostics: true`). */
export interface BacktestDiagnostics {
  /** β_t used for the spread at each bar (NaN in hedge warm-up; 0 for backtestSpread). */
  readonly hedgeRatios: Float64Array;
  /** s_t = y_t − β_t·x_t (the spread itself for backtestSpread). */
  readonly spread: Float64Array;
  /** Value the rule compared with its thresholds: z-score or spread; NaN in warm-up. */
  readonly signal: Float64Array;
}

/** Result of backtestPair / backtestSpread (same shape). */
export interface BacktestResult {
  /** Equity at each bar's close, after that bar's fills and costs. */
  readonly equity: Float64Array;
  /** r_t = equity_t / equity_{t−1} − 1 (equity_{−1} = capital). */
  readonly returns: Float64Array;
  /** Signed spread units held after each bar's fills (y-leg quantity). */
  readonly positions: Float64Array;
  /** Closed round trips by column (TradeLog.ts); `tradeRows(result.trades)` for row objects. */
  readonly trades: TradeTable;
  readonly metrics: BacktestMetrics;
  readonly warnings: readonly string[];
  /** Per-bar hedge ratio, spread and signal when the options set `diagnostics: true`; else null. */
  readonly diagnostics: BacktestDiagnostics | null;
}

/** Run an engine over whole series (shared by backtestPair and backtestSpread). */
export function runBacktest(
  engine: BacktestEngine,
  y: Float64Array,
  x: Float64Array | null,
  day: Float64Array | null,
  diagnostics: boolean,
): BacktestResult {
  const n = y.length;
  const record = engine.recordInto(n, x === null ? y : null, diagnostics);
  engine.runSeries(y, x, day);
  engine.finishInternal();
  const metrics = engine.finalMetrics();
  return {
    equity: record.equity,
    returns: record.returns,
    positions: record.positions,
    trades: engine.trades,
    metrics,
    warnings: engine.warnings,
    diagnostics: diagnostics ? { hedgeRatios: record.hedgeRatios, spread: record.spread, signal: record.signal } : null,
  };
}

/** Validate the `diagnostics` flag of the batch functions. */
export function toDiagnosticsFlag(fn: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") typeError(fn, `diagnostics must be true or false, got ${describe(value)}`);
  return value;
}

/**
 * Validate an optional day-label series. Read-only (asFloat64ReadOnly): a Float64Array is used in
 * place, since the engine only reads the labels during the run and keeps no reference to them.
 */
export function toDayIndex(fn: string, dayIndex: unknown, n: number): Float64Array | null {
  if (dayIndex === undefined) return null;
  const day = asFloat64ReadOnly(dayIndex, "dayIndex", fn);
  if (day.length !== n) rangeError(fn, `dayIndex must have one label per bar (${n}), got ${day.length}`);
  for (let i = 1; i < n; i++)
    if (day[i] < day[i - 1]) rangeError(fn, `dayIndex must be non-decreasing, got ${day[i]} after ${day[i - 1]} at index ${i}`);
  return day;
}

/** Backtest a pair on its two legs; see the module comment. */
export function backtestPair(input: BacktestPairInput): BacktestResult {
  const fn = "backtestPair";
  const o = requireOptions<BacktestPairInput>(fn, input);
  // read-only: the engine reads the prices during the run and keeps no reference to them, and no
  // output is a price series (hedgeRatios, spread, ... are fresh arrays), so a Float64Array is not copied
  // finiteness is checked with positivity in one scan below (allowNonFinite here)
  const y = asFloat64ReadOnly(o.y, "y", fn, { minLength: 2, allowNonFinite: true });
  const x = asFloat64ReadOnly(o.x, "x", fn, { minLength: 2, allowNonFinite: true });
  requireSameLength(fn, "y", y, "x", x);
  for (let i = 0; i < y.length; i++) {
    const yi = y[i];
    const xi = x[i];
    if (!(yi > 0 && yi < Infinity && xi > 0 && xi < Infinity)) {
      if (yi - yi !== 0) rangeError(fn, `y must contain only finite numbers, got ${describe(yi)} at index ${i}`);
      if (xi - xi !== 0) rangeError(fn, `x must contain only finite numbers, got ${describe(xi)} at index ${i}`);
      rangeError(fn, `prices must be > 0, got y ${yi}, x ${xi} at index ${i}`);
    }
  }
  const day = toDayIndex(fn, o.dayIndex, y.length);
  const engine = new BacktestEngine({ ...o, mode: "pair" } as never, fn);
  return runBacktest(engine, y, x, day, toDiagnosticsFlag(fn, o.diagnostics));
}
