/**
 * Bar-by-bar backtest engine: the one implementation behind `backtestPair`, `backtestSpread` and the
 * server's streaming `BacktestWithCosts`. `push(bar)` advances one bar and returns a snapshot; the
 * batch functions run the same bar loop (`runBars`) over the whole series (push runs it over a
 * one-bar series), so streaming and batch results are identical. The batch path builds no
 * per-bar snapshot; metrics are computed once at the end from running sums.
 *
 * Each bar t, in this order (no look-ahead: nothing at t reads a price after t):
 * 1. Mark to market the held legs: P&L_t = q_y·(y_t − y_{t−1}) + q_x·(x_t − x_{t−1}).
 * 2. On a new day (see `day` below) reset the day's reference equity to the previous close.
 * 3. Fill the order decided at t−1 when execution is "nextClose" (at close t).
 * 4. Update the hedge ratio β_t (static, or OLS of y on x with intercept over the trailing `window`
 *    bars ending at t), the spread s_t = y_t − β_t·x_t and the signal (z-score over the configured
 *    window, which includes s_t, sd with ddof = 1; or s_t itself for absolute levels).
 * 5. Risk: if equity ≤ 0, flatten and stop for good ("ruin"); if equity − day reference ≤
 *    −maxDailyLoss, flatten and stop trading until the day changes ("dailyLoss").
 * 6. Otherwise the rule decides (see tradingRule.ts) on the position the strategy will hold.
 * 7. "close" execution fills at close t; "nextClose" leaves the order for step 3 of bar t+1.
 *
 * Positions: long spread = +q units of y and −q·β units of x, with β locked at entry (the hedge is
 * not rebalanced while a trade is open). Sizing "capital" (default, pair mode): q = leverage ·
 * equity / (|y| + |β|·|x|) at the fill, so gross notional = leverage · equity; sizing "units": q fixed.
 * Fractional units are allowed. maxGrossExposure caps the gross notional at entry.
 * Costs per leg fill: |Δq|·|price|·(bps + slippageBps)/10⁴ + |Δq|·perUnit + fixedFee (fixedFee is
 * per order, i.e. per leg that trades). Slippage is charged as a cost at the close price, which
 * equals filling at price·(1 ± slippage) and marking at the close.
 * "day": an optional integer label per bar (e.g. a trading-day number); a change of label starts a
 * new day. Without labels every bar is its own day, so maxDailyLoss acts as a per-bar loss limit.
 * `finish()` closes an open position at the last close (exitReason "end") and drops an unfilled order.
 */
import {
  ACTION_BUY,
  ACTION_HOLD,
  ACTION_SELL,
  ACTION_STOP,
  decideAction,
  normalizeRule,
  type NormalizedRule,
  type RuleThresholds,
  type TradingRule,
} from "./tradingRule.js";
import { MetricsAccumulator, computeMetrics, type BacktestMetrics, type TradeTally } from "./backtestMetrics.js";
import {
  TradeLog,
  ROW_COSTS,
  ROW_ENTRY_X,
  ROW_ENTRY_Y,
  ROW_EXIT_X,
  ROW_EXIT_Y,
  ROW_HEDGE,
  ROW_PNL,
  ROW_RETURN_PCT,
  ROW_UNITS,
  type TradeTable,
} from "./TradeLog.js";
import { describe, rangeError, requireFinite, requireInteger, requireOneOf, requireOptions, typeError } from "../util/validate.js";

/** Transaction costs; all default to 0. */
export interface BacktestCosts {
  /** Proportional cost per leg, basis points of traded notional. */
  readonly bps?: number;
  /** Extra adverse fill, basis points of traded notional. */
  readonly slippageBps?: number;
  /** Fixed fee per order (per leg that trades), in currency. */
  readonly fixedFee?: number;
  /** Cost per unit (share) traded, in currency. */
  readonly perUnit?: number;
}

/** Risk limits; absent means no limit. */
export interface BacktestRisk {
  /** Cap on gross notional |q·y| + |q·β·x| at entry, in currency. */
  readonly maxGrossExposure?: number;
  /** Loss from the day's reference equity (previous day's close) that flattens and halts for the day. */
  readonly maxDailyLoss?: number;
}

export type HedgeSpec =
  | { readonly method: "static"; readonly beta?: number; readonly window?: number }
  | { readonly method: "rolling"; readonly window: number };

export type SizingSpec = { readonly method: "capital"; readonly leverage?: number } | { readonly method: "units"; readonly units: number };

/** Options shared by BacktestEngine, backtestPair and backtestSpread. */
export interface BacktestOptions {
  readonly rule: TradingRule;
  readonly costs?: BacktestCosts;
  /** Starting equity (default 100 000 for pairs, 1 for spreads — pass the spread's notional). */
  readonly capital?: number;
  readonly sizing?: SizingSpec;
  readonly risk?: BacktestRisk;
  readonly execution?: { readonly fill?: "close" | "nextClose" };
  /** Bars per year for annualisation (default 252). */
  readonly periodsPerYear?: number;
  /** Annual risk-free rate for Sharpe/Sortino (default 0). */
  readonly riskFree?: number;
  /**
   * Batch functions only: also return the per-bar hedge ratio, spread and rule signal
   * (`result.diagnostics`; default false, null then). Off by default because they are derived
   * series (the trades table has β and the spread at every fill) and, at 1M bars, three more
   * 8 MB arrays to write: a quarter of the benchmark's time. The engine's snapshots always carry them.
   */
  readonly diagnostics?: boolean;
}

export interface BacktestEngineOptions extends BacktestOptions {
  /** "pair" trades y and x with a hedge; "spread" trades the spread (bar.y) as one instrument. */
  readonly mode?: "pair" | "spread";
  readonly hedge?: HedgeSpec;
}

export type ExitReason = "signal" | "stop" | "dailyLoss" | "ruin" | "end";

/** One round trip as a row object (`tradeRows(result.trades)`). Indices are the bars of the fills. */
export interface BacktestTrade {
  readonly entryIndex: number;
  readonly exitIndex: number;
  readonly side: "long" | "short";
  /** Spread units held (q > 0); leg quantities are ±q of y and ∓q·β of x. */
  readonly units: number;
  readonly hedgeRatio: number;
  /** Spread value y − β·x at the entry and exit fills (β = hedgeRatio). */
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly entryPrices: { readonly y: number; readonly x: number };
  readonly exitPrices: { readonly y: number; readonly x: number };
  /** Net P&L in currency, after costs. */
  readonly pnl: number;
  /** pnl / equity at entry (before entry costs) · 100. */
  readonly returnPct: number;
  readonly holdingBars: number;
  /** Entry plus exit costs, currency. */
  readonly costs: number;
  readonly exitReason: ExitReason;
}

/** What `push` returns after each bar. */
export interface BacktestSnapshot {
  readonly bar: number;
  readonly equity: number;
  readonly barReturn: number;
  /** Signed spread units held after this bar's fills. */
  readonly position: number;
  readonly hedgeRatio: number;
  readonly spread: number;
  /** z-score (zscore rule) or spread (levels rule) the rule saw at this bar; NaN in warm-up. */
  readonly signal: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly metrics: BacktestMetrics;
}

/** Input bar. In "spread" mode `y` is the spread value and `x` is ignored. */
export interface BacktestBar {
  readonly y: number;
  readonly x?: number;
  readonly day?: number;
}

/** Internal: recorded per-bar outputs for the batch functions. */
export interface BacktestRecord {
  equity: Float64Array;
  returns: Float64Array;
  positions: Float64Array;
  /** Whether the three diagnostic series below are written (zero-length when not). */
  diagnostics: boolean;
  hedgeRatios: Float64Array;
  spread: Float64Array;
  signal: Float64Array;
}

const NO_ORDER = 2;
const HEDGE_NONE = 0;
const HEDGE_STATIC = 1;
const HEDGE_ROLLING = 2;
const WINDOW_NONE = 0;
const WINDOW_FIXED = 1;
const WINDOW_EXPANDING = 2;
const WINDOW_ROLLING = 3;
// Module-local aliases of the rule's decision function and codes, bound once at load: a transpiler
// that turns imports into property getters (tsx/esbuild CommonJS output) would otherwise run a
// getter per bar in the hot loop.
const decide = decideAction;
const HOLD = ACTION_HOLD;
const BUY = ACTION_BUY;
const SELL = ACTION_SELL;
const STOP = ACTION_STOP;

/**
 * Stateful bar-by-bar backtest; see the module comment.
 * @example
 *   const engine = new BacktestEngine({ mode: "spread", capital: 10, costs: { bps: 10 },
 *     rule: { kind: "zscore", entry: 2, exit: 0, window: { type: "rolling", length: 20 } } });
 *   for (const price of stream) send(engine.push({ y: price }).metrics.sharpe);
 *   engine.finish(); // closes the open trade; engine.trades / engine.warnings are final
 * Every numeric field has a numeric initialiser (0.5 placeholders are overwritten in the
 * constructor): a field that starts `undefined` gets V8's tagged representation and every store
 * of a double into it allocates, which made the 1M-bar benchmark 5× slower.
 */
export class BacktestEngine {
  // configuration
  private readonly fn: string;
  private readonly pairMode: boolean = false;
  private readonly rule: NormalizedRule;
  private readonly th: RuleThresholds;
  private readonly costRate: number = 0.5;
  private readonly perUnit: number = 0.5;
  private readonly fixedFee: number = 0.5;
  private readonly capital: number = 0.5;
  private readonly sizeByCapital: boolean = false;
  private readonly leverage: number = 0.5;
  private readonly units: number = 0.5;
  private readonly maxGross: number = 0.5;
  private readonly maxDailyLoss: number = 0.5;
  private readonly nextClose: boolean = false;
  private readonly periodsPerYear: number = 0.5;
  private readonly hedgeMethod: "static" | "rolling" | "none";
  private readonly hedgeWindow: number = 0; // an integer: keep the field Smi so slot arithmetic stays integral
  private staticBeta: number = 0.5;

  // market state
  private t = 0;
  private prevY = NaN;
  private prevX = NaN;
  private prevDay = NaN;
  private lastY = NaN;
  private lastX = NaN;

  // hedge estimator (rolling OLS of y on x with intercept; or static formation sample)
  private hy: Float64Array;
  private hx: Float64Array;
  private hCount = 0;
  private hSlot = 0;
  private hInvWindow = 0.5;
  private hMeanX = 0;
  private hMeanY = 0;
  private hCxx = 0;
  private hCxy = 0;
  private beta = NaN;

  // z-score window
  private zBuf: Float64Array;
  private zCount = 0;
  private zSlot = 0;
  private zInvWindow = 0.5;
  private zMean = 0;
  private zM2 = 0;
  private prevSignal = NaN;

  // portfolio state
  private equity: number = 0.5;
  private dayStartEquity: number = 0.5;
  private qy = 0;
  private qx = 0;
  private side = 0;
  private targetSide = 0;
  private pending = NO_ORDER;
  private pendingReason: ExitReason = "signal";
  private halted = false;
  private ruined = false;
  private realized = 0;

  // open trade
  private tEntryIndex = -1;
  private tUnits = 0;
  private tBeta = 0;
  private tEntryY = 0;
  private tEntryX = 0;
  private tEntryEquity = 0;
  private tPnl = 0;
  private tCosts = 0;

  // results
  private readonly log = new TradeLog();
  readonly warnings: string[] = [];
  private readonly acc: MetricsAccumulator;
  private readonly accBeforeLast: MetricsAccumulator;
  private readonly tally: TradeTally = { count: 0, wins: 0, holdingBars: 0, grossProfit: 0, grossLoss: 0, tradedNotional: 0 };
  /** Where `runBars` writes each bar's outputs: the batch record (index = bar) or a 1-bar scratch record. */
  private out: BacktestRecord;
  private record: BacktestRecord | null = null;
  private readonly scratch: BacktestRecord;
  private readonly barY = new Float64Array(1);
  private readonly barX = new Float64Array(1);
  private readonly barDay = new Float64Array(1);
  /** Prices of the fill in progress (see `order`). */
  private fillY = 0.5;
  private fillX = 0.5;
  /** Index in `out` of the last bar processed (for the end-of-data amendment). */
  private lastOutIndex = -1;
  private finished = false;
  private lastReturn = 0;
  private equityPrevClose = 0;
  private undefinedHedgeBars = 0;
  private definedSignalBars = 0;

  constructor(options: BacktestEngineOptions, fn = "BacktestEngine") {
    this.fn = fn;
    const o = requireOptions<BacktestEngineOptions>(fn, options);
    const mode = o.mode === undefined ? "pair" : requireOneOf(fn, "mode", o.mode, ["pair", "spread"] as const);
    this.pairMode = mode === "pair";
    this.rule = normalizeRule(fn, o.rule, "rule");
    this.th = this.rule.thresholds;

    const costs = requireOptions<BacktestCosts>(fn, o.costs);
    const bps = costs.bps === undefined ? 0 : requireFinite(fn, "costs.bps", costs.bps, { min: 0 });
    const slip = costs.slippageBps === undefined ? 0 : requireFinite(fn, "costs.slippageBps", costs.slippageBps, { min: 0 });
    this.costRate = (bps + slip) / 1e4;
    this.perUnit = costs.perUnit === undefined ? 0 : requireFinite(fn, "costs.perUnit", costs.perUnit, { min: 0 });
    this.fixedFee = costs.fixedFee === undefined ? 0 : requireFinite(fn, "costs.fixedFee", costs.fixedFee, { min: 0 });

    this.capital = o.capital === undefined ? (this.pairMode ? 100_000 : 1) : requireFinite(fn, "capital", o.capital, { minExclusive: 0 });
    const sizing = o.sizing ?? (this.pairMode ? { method: "capital" as const } : { method: "units" as const, units: 1 });
    if (sizing === null || typeof sizing !== "object") typeError(fn, `sizing must be an object, got ${describe(sizing)}`);
    const sizingMethod = requireOneOf(fn, "sizing.method", sizing.method, ["capital", "units"] as const);
    this.sizeByCapital = sizingMethod === "capital";
    this.leverage = sizing.method === "capital" && sizing.leverage !== undefined ? requireFinite(fn, "sizing.leverage", sizing.leverage, { minExclusive: 0 }) : 1;
    this.units = sizing.method === "units" ? requireFinite(fn, "sizing.units", sizing.units, { minExclusive: 0 }) : 0;

    const risk = requireOptions<BacktestRisk>(fn, o.risk);
    this.maxGross = risk.maxGrossExposure === undefined ? Infinity : requireFinite(fn, "risk.maxGrossExposure", risk.maxGrossExposure, { minExclusive: 0 });
    this.maxDailyLoss = risk.maxDailyLoss === undefined ? Infinity : requireFinite(fn, "risk.maxDailyLoss", risk.maxDailyLoss, { minExclusive: 0 });
    const execution = requireOptions<{ fill: "close" | "nextClose" }>(fn, o.execution);
    this.nextClose = (execution.fill === undefined ? "close" : requireOneOf(fn, "execution.fill", execution.fill, ["close", "nextClose"] as const)) === "nextClose";
    this.periodsPerYear = o.periodsPerYear === undefined ? 252 : requireFinite(fn, "periodsPerYear", o.periodsPerYear, { minExclusive: 0 });
    const riskFree = o.riskFree === undefined ? 0 : requireFinite(fn, "riskFree", o.riskFree, { minExclusive: -1 });

    this.staticBeta = NaN;
    this.hedgeWindow = 0;
    if (!this.pairMode) {
      this.hedgeMethod = "none";
      this.staticBeta = 0;
      this.beta = 0;
    } else {
      const hedge = o.hedge;
      if (hedge === null || typeof hedge !== "object") typeError(fn, `hedge must be an object like { method: "static", beta } or { method: "rolling", window }, got ${describe(hedge)}`);
      this.hedgeMethod = requireOneOf(fn, "hedge.method", hedge.method, ["static", "rolling"] as const);
      if (hedge.method === "static" && hedge.beta !== undefined) {
        this.staticBeta = requireFinite(fn, "hedge.beta", hedge.beta);
        this.beta = this.staticBeta;
      } else {
        const w = (hedge as { window?: unknown }).window;
        if (w === undefined) rangeError(fn, `hedge.window is required for method "${hedge.method}"${hedge.method === "static" ? " without beta (the formation sample)" : ""}`);
        this.hedgeWindow = requireInteger(fn, "hedge.window", w, { min: 3 });
      }
    }
    this.hy = new Float64Array(this.hedgeWindow);
    this.hx = new Float64Array(this.hedgeWindow);
    this.zBuf = new Float64Array(this.rule.windowType === "rolling" ? this.rule.windowLength : 0);
    this.zInvWindow = this.rule.windowType === "rolling" ? 1 / this.rule.windowLength : 0;
    this.hInvWindow = this.hedgeWindow > 0 ? 1 / this.hedgeWindow : 0;

    this.equity = this.capital;
    this.dayStartEquity = this.capital;
    this.acc = new MetricsAccumulator(this.capital, riskFree / this.periodsPerYear);
    this.accBeforeLast = new MetricsAccumulator(this.capital, riskFree / this.periodsPerYear);
    const one = (): Float64Array => new Float64Array(1);
    this.scratch = { equity: one(), returns: one(), positions: one(), diagnostics: true, hedgeRatios: one(), spread: one(), signal: one() };
    this.out = this.scratch;
  }

  /** The closed trades so far, by column (see TradeLog.ts; `tradeRows` for row objects). */
  get trades(): TradeTable {
    return this.log.table();
  }

  /**
   * @internal Preallocate per-bar output arrays of length n (used by the batch functions); the
   * diagnostic series only when `diagnostics` (zero-length otherwise). In spread mode
   * `spreadSeries` (the validated copy of the input) is returned as the spread output instead of
   * writing a duplicate, and the all-zero hedge ratios are never written.
   */
  recordInto(n: number, spreadSeries: Float64Array | null = null, diagnostics = true): BacktestRecord {
    const m = diagnostics ? n : 0;
    this.record = {
      equity: new Float64Array(n),
      returns: new Float64Array(n),
      positions: new Float64Array(n),
      diagnostics,
      hedgeRatios: new Float64Array(m),
      spread: diagnostics && !this.pairMode && spreadSeries !== null ? spreadSeries : new Float64Array(m),
      signal: new Float64Array(m),
    };
    return this.record;
  }

  /** Advance one bar (validated) and return the snapshot after it. */
  push(bar: BacktestBar): BacktestSnapshot {
    const fn = `${this.fn}.push`;
    if (this.finished) rangeError(fn, "the backtest is finished; create a new engine");
    if (this.record !== null) rangeError(fn, "this engine runs a batch backtest; create a new engine to stream");
    if (bar === null || typeof bar !== "object") typeError(fn, `bar must be an object { y, x?, day? }, got ${describe(bar)}`);
    const y = requireFinite(fn, "bar.y", bar.y);
    let x = 0;
    if (this.pairMode) {
      x = requireFinite(fn, "bar.x", bar.x);
      if (!(y > 0) || !(x > 0)) rangeError(fn, `pair prices must be > 0, got y ${y}, x ${x}`);
    }
    const day = bar.day === undefined ? this.t : requireFinite(fn, "bar.day", bar.day);
    if (day < this.prevDay) rangeError(fn, `bar.day must be non-decreasing, got ${day} after ${this.prevDay}`);
    // the same kernel as the batch path, over a one-bar series
    this.barY[0] = y;
    this.barX[0] = x;
    this.barDay[0] = day;
    this.runBars(this.barY, this.pairMode ? this.barX : null, this.barDay, 1, this.scratch);
    return this.snapshot();
  }

  /**
   * Close any open position at the last close, drop an unfilled order; returns the final snapshot.
   * Afterwards `trades` is complete and `warnings` includes the degenerate-metric notes, exactly as
   * in the batch result. Idempotent.
   */
  finish(): BacktestSnapshot {
    if (!this.finished) {
      this.finishInternal();
      this.finalMetrics();
    }
    return this.snapshot();
  }

  /** The current metrics (warnings about degenerate values are appended to `warnings` only by `finish`). */
  metrics(): BacktestMetrics {
    return computeMetrics(this.acc, this.tally, this.equity, this.periodsPerYear, null);
  }

  /** @internal Final metrics with the degenerate-value warnings. */
  finalMetrics(): BacktestMetrics {
    return computeMetrics(this.acc, this.tally, this.equity, this.periodsPerYear, this.warnings);
  }

  private snapshot(): BacktestSnapshot {
    const t = this.t - 1;
    return {
      bar: t,
      equity: this.equity,
      barReturn: this.lastReturn,
      position: this.qy,
      hedgeRatio: this.beta,
      spread: this.lastY - this.beta * this.lastX,
      signal: this.prevSignal,
      realizedPnl: this.realized,
      unrealizedPnl: this.side !== 0 ? this.tPnl : 0,
      metrics: this.metrics(),
    };
  }

  /** @internal Run whole validated series (the batch path) into the record from `recordInto`. */
  runSeries(ys: Float64Array, xs: Float64Array | null, days: Float64Array | null): void {
    const record = this.record;
    if (record === null || record.equity.length !== ys.length || this.t !== 0) {
      rangeError(this.fn, "internal: runSeries needs a fresh engine and recordInto(n) with n = the series length");
    }
    this.runBars(ys, xs, days, ys.length, record);
  }

  /**
   * The one implementation of the bar-by-bar logic (steps 1–7 of the module comment), shared by
   * `push` (a one-bar series) and the batch path. Bar i of the input is global bar this.t + i and
   * its outputs go to index i of `out` (hedgeRatios and spread only in pair mode, and the three
   * diagnostic series only when `out.diagnostics`).
   *
   * Hot-path design (measured on the 1M-bar benchmark): every per-bar quantity lives in a local
   * variable for the whole loop (loaded from the fields before, stored back after), because a
   * double field is a boxed heap number in V8 (each store is a pointer chase) and a call that
   * passes or returns a double boxes it (one allocation per bar). The only calls on the per-bar
   * path are `decide` (the rule) and `MetricsAccumulator.add`, both small enough for TurboFan to
   * inline. The rare events (fills, orders, warnings) go through methods that work on the fields,
   * so the locals they touch (equity, tPnl, beta; then qy, qx) are spilled to the fields before
   * and reloaded after. The rolling sums are O(1) per bar: Welford updates while a window fills,
   * then one centred replace step per bar, with an exact two-pass recomputation once per turn of
   * each ring buffer to bound the drift of the up/downdates (see the comments below).
   * The order state read every bar (pending order, target side, ruin) is in locals too, reloaded
   * after each order/fill call. Measured on the 1M-bar, 21k-trade benchmark (2.5 GHz EPYC VM): the
   * divider is the scarcest unit (the z-score's square root and division alone take ~18 % of the
   * loop), so the full rolling window multiplies by 1/(w − 1), a flat bar's return needs no
   * division, and the metrics accumulator sums in blocks instead of Welford's division per bar
   * (backtestMetrics.ts); the loop is software-pipelined (see below: ~10 % faster). A branch whose
   * condition is a coin flip mispredicts every other bar (the sign of a return: 7 ms), so the
   * downside sum is branchless. Trades go to a column log (TradeLog.ts): an object per trade (14
   * heap objects with its boxed doubles) and their GC cost 15–25 ms. The diagnostic series are
   * written only when asked for. Tried and slower: separate signal / trading / metrics passes over
   * chunks of bars.
   */
  private runBars(ys: Float64Array, xs: Float64Array | null, days: Float64Array | null, n: number, out: BacktestRecord): void {
    if (n === 0) return;
    this.out = out;
    const pairMode = this.pairMode;
    const th = this.th;
    const maxDailyLoss = this.maxDailyLoss;
    const hedgeKind = this.hedgeMethod === "rolling" ? HEDGE_ROLLING : this.hedgeMethod === "static" ? HEDGE_STATIC : HEDGE_NONE;
    const hedgeWindow = this.hedgeWindow;
    const hInv = this.hInvWindow;
    const hxBuf = this.hx;
    const hyBuf = this.hy;
    const rule = this.rule;
    const windowKind =
      rule.windowType === "rolling" ? WINDOW_ROLLING : rule.windowType === "expanding" ? WINDOW_EXPANDING : rule.windowType === "fixed" ? WINDOW_FIXED : WINDOW_NONE;
    const windowLength = rule.windowLength;
    const fixedMean = rule.fixedMean;
    const fixedSd = rule.fixedSd;
    const zBuf = this.zBuf;
    const zInv = this.zInvWindow;
    const zInvDdof = windowLength > 1 ? 1 / (windowLength - 1) : 0;
    // spread mode: hedge ratios stay 0 and the spread is the input series itself (see runBacktest)
    const writeHedgeSpread = out.diagnostics && pairMode;
    const writeSignal = out.diagnostics;
    const outEquity = out.equity;
    const outReturns = out.returns;
    const outPositions = out.positions;
    const outHedge = out.hedgeRatios;
    const outSpread = out.spread;
    const outSignal = out.signal;
    const acc = this.acc;
    const last = n - 1;

    // state loaded into locals (stored back after the loop)
    let t = this.t;
    let prevY = this.prevY;
    let prevX = this.prevX;
    let prevDay = this.prevDay;
    let equity = this.equity;
    let tPnl = this.tPnl;
    let qy = this.qy;
    let qx = this.qx;
    let dayStartEquity = this.dayStartEquity;
    let halted = this.halted;
    let prevSignal = this.prevSignal;
    let beta = this.beta; // β of the bar being traded (β_{i−1} until its step 4)
    let hBeta = this.beta; // the hedge estimator's current β (runs one bar ahead)
    let staticBeta = this.staticBeta;
    let hCount = this.hCount;
    let hSlot = this.hSlot;
    let hMeanX = this.hMeanX;
    let hMeanY = this.hMeanY;
    let hCxx = this.hCxx;
    let hCxy = this.hCxy;
    let zCount = this.zCount;
    let zSlot = this.zSlot;
    let zMean = this.zMean;
    let zM2 = this.zM2;
    let definedSignalBars = this.definedSignalBars;
    let pending = this.pending;
    let targetSide = this.targetSide;
    let ruined = this.ruined;
    let undefinedHedgeBars = this.undefinedHedgeBars;
    let equityBefore = equity;
    let ret = 0;
    let y = 0;
    let x = 0;

    // Software-pipelined: iteration j computes step 4 (hedge ratio, spread, signal: data only, no
    // trading state) for bar j, then trades bar i = j − 1 with the signal computed one iteration
    // earlier, so the z-score's square root and division (a ~35-cycle chain) have a whole
    // iteration to finish before the rule reads them (~10 % faster than the plain loop, measured
    // side by side in one process). Nothing at bar i reads data after i: bar j's step 4 only runs
    // early, and the decision at i sees bar i's values. A one-bar call (push) computes bar 0 at
    // j = 0 and trades it at j = 1.
    let nextBeta = NaN;
    let nextSignal = NaN;
    for (let j = 0; j <= n; j++) {
      // bar j − 1's step 4 results, computed at the previous iteration
      const barBeta = nextBeta;
      const barSignal = nextSignal;
      if (j < n) {
        const yj = ys[j];
        const xj = xs === null ? 0 : xs[j];
        if (hedgeKind === HEDGE_ROLLING) {
          const w = hedgeWindow;
          // ring-buffer slot by a wrapping counter (no % in the hot path)
          const slot = hSlot;
          hSlot = slot + 1 === w ? 0 : slot + 1;
          if (hCount === w) {
            // full window: replace the value at `slot` by (x, y) in one step, in centred form
            // C' = C + (x − x̄)(y − ȳ) − (x₀ − x̄)(y₀ − ȳ) − Δx·Δy/n,  x̄' = x̄ + Δx/n  (Δx = x − x₀),
            // multiplications only (1/n precomputed)
            const x0 = hxBuf[slot];
            const y0 = hyBuf[slot];
            const mx = hMeanX;
            const my = hMeanY;
            const dx = xj - x0;
            const dy = yj - y0;
            hCxy += (xj - mx) * (yj - my) - (x0 - mx) * (y0 - my) - dx * dy * hInv;
            hCxx += (xj - mx) * (xj - mx) - (x0 - mx) * (x0 - mx) - dx * dx * hInv;
            hMeanX = mx + dx * hInv;
            hMeanY = my + dy * hInv;
          } else {
            // Welford update of the running means and co-moments
            const k = ++hCount;
            const dx = xj - hMeanX;
            hMeanX += dx / k;
            hMeanY += (yj - hMeanY) / k;
            hCxy += dx * (yj - hMeanY);
            hCxx += dx * (xj - hMeanX);
          }
          hxBuf[slot] = xj;
          hyBuf[slot] = yj;
          if (hCount === w) {
            if (hSlot === 0) {
              // exact two-pass recomputation once per full turn of the ring bounds the drift of the up/downdates
              let sx = 0;
              let sy = 0;
              for (let k = 0; k < w; k++) {
                sx += hxBuf[k];
                sy += hyBuf[k];
              }
              const mx = sx / w;
              const my = sy / w;
              let cxx = 0;
              let cxy = 0;
              for (let k = 0; k < w; k++) {
                const dx = hxBuf[k] - mx;
                cxx += dx * dx;
                cxy += dx * (hyBuf[k] - my);
              }
              hMeanX = mx;
              hMeanY = my;
              hCxx = cxx;
              hCxy = cxy;
            }
            // relative threshold: var(x) numerically zero → undefined hedge
            if (hCxx > 1e-14 * w * hMeanX * hMeanX) hBeta = hCxy / hCxx;
            else {
              hBeta = NaN;
              undefinedHedgeBars++;
            }
          }
        } else if (hedgeKind === HEDGE_STATIC && staticBeta !== staticBeta) {
          // formation sample: OLS over the first `window` bars (Welford), then fixed
          const k = ++hCount;
          const dx = xj - hMeanX;
          hMeanX += dx / k;
          hMeanY += (yj - hMeanY) / k;
          hCxy += dx * (yj - hMeanY);
          hCxx += dx * (xj - hMeanX);
          if (k === hedgeWindow) {
            staticBeta = hCxx > 0 ? hCxy / hCxx : NaN;
            if (staticBeta !== staticBeta) {
              this.warnings.push("static hedge: x is constant over the formation window; hedge ratio undefined, no trades");
            }
            hBeta = staticBeta;
          }
        }
        const spread = yj - hBeta * xj;

        // signal: z-score of the spread over the window (ddof = 1), or the spread itself
        let signal = NaN;
        if (windowKind === WINDOW_NONE) signal = spread;
        else if (spread === spread) {
          if (windowKind === WINDOW_FIXED) signal = (spread - fixedMean) / fixedSd;
          else {
            let count = 0;
            let ready = true;
            if (windowKind === WINDOW_EXPANDING) {
              count = ++zCount;
              const d = spread - zMean;
              zMean += d / count;
              zM2 += d * (spread - zMean);
              ready = count >= windowLength;
            } else {
              const w = windowLength;
              const slot = zSlot;
              zSlot = slot + 1 === w ? 0 : slot + 1;
              if (zCount === w) {
                // full window: replace the oldest value in one centred step (as the hedge above)
                const old = zBuf[slot];
                const m = zMean;
                const ds = spread - old;
                zM2 += (spread - m) * (spread - m) - (old - m) * (old - m) - ds * ds * zInv;
                zMean = m + ds * zInv;
                zBuf[slot] = spread;
                count = w;
              } else {
                zBuf[slot] = spread;
                count = ++zCount;
                const d = spread - zMean;
                zMean += d / count;
                zM2 += d * (spread - zMean);
                ready = count >= w;
              }
              if (ready && zSlot === 0) {
                // exact two-pass recomputation once per full turn of the ring bounds the drift of the up/downdates
                let sum = 0;
                for (let k = 0; k < w; k++) sum += zBuf[k];
                const m = sum / w;
                let m2 = 0;
                for (let k = 0; k < w; k++) m2 += (zBuf[k] - m) * (zBuf[k] - m);
                zMean = m;
                zM2 = m2;
              }
            }
            if (ready) {
              // z = (s − mean)/sd (ddof = 1); undefined (NaN) when the variance is numerically zero.
              // A full rolling window multiplies by the precomputed 1/(w − 1): one division fewer per bar
              const variance = count === windowLength && windowKind === WINDOW_ROLLING ? zM2 * zInvDdof : zM2 / (count - 1);
              if (variance > 0 && variance > 1e-24 * zMean * zMean) signal = (spread - zMean) / Math.sqrt(variance);
            }
          }
        }

        if (signal === signal) definedSignalBars++;
        if (writeHedgeSpread) {
          outHedge[j] = hBeta;
          outSpread[j] = spread;
        }
        if (writeSignal) outSignal[j] = signal;
        nextBeta = hBeta;
        nextSignal = signal;
      }
      if (j === 0) continue;
      const i = j - 1;
      y = ys[i];
      x = xs === null ? 0 : xs[i];
      const day = days === null ? t : days[i];
      // 1–2. mark to market; new day
      equityBefore = equity;
      if (t > 0) {
        const pnl = qy * (y - prevY) + qx * (x - prevX);
        if (pnl !== 0) {
          equity += pnl;
          tPnl += pnl;
        }
        if (day !== prevDay) {
          dayStartEquity = equityBefore;
          halted = false;
        }
      }
      // 3. fill the order decided at t − 1 (nextClose), with the hedge ratio of t − 1
      if (pending !== NO_ORDER) {
        const target = pending;
        pending = NO_ORDER;
        this.pending = NO_ORDER;
        this.equity = equity;
        this.tPnl = tPnl;
        this.beta = beta;
        this.fillY = y;
        this.fillX = x;
        this.fillTo(target, this.pendingReason, t);
        equity = this.equity;
        tPnl = this.tPnl;
        qy = this.qy;
        qx = this.qx;
        targetSide = this.targetSide;
      }

      beta = barBeta;
      // 5–7. risk, then the rule (orders spill equity/tPnl/beta to the fields and reload them)
      if (!ruined) {
        let target = NO_ORDER;
        let reason: ExitReason = "signal";
        if (equity <= 0) {
          ruined = true;
          this.ruined = true;
          this.warnings.push(`equity fell to ${equity} at bar ${t}: position flattened and trading stopped (ruin)`);
          target = 0;
          reason = "ruin";
        } else if (!halted && equity - dayStartEquity <= -maxDailyLoss) {
          halted = true;
          target = 0;
          reason = "dailyLoss";
        } else if (!halted) {
          const action = decide(th, targetSide, barSignal, prevSignal);
          if (action !== HOLD) {
            target = action === BUY ? 1 : action === SELL ? -1 : 0;
            if (action === STOP) reason = "stop";
          }
        }
        if (target !== NO_ORDER) {
          this.equity = equity;
          this.tPnl = tPnl;
          this.beta = beta;
          this.fillY = y;
          this.fillX = x;
          this.order(target, reason, t);
          equity = this.equity;
          tPnl = this.tPnl;
          qy = this.qy;
          qx = this.qx;
          targetSide = this.targetSide;
          pending = this.pending;
        }
      }
      prevSignal = barSignal;

      // no division on a bar without P&L or costs (a flat bar): the divider is the loop's scarcest unit
      ret = equity === equityBefore ? 0 : equityBefore > 0 ? equity / equityBefore - 1 : 0;
      outEquity[i] = equity;
      outReturns[i] = ret;
      outPositions[i] = qy;
      // finish() may amend the last bar (closing costs): keep the accumulator as it was before it
      if (i === last) this.accBeforeLast.copyFrom(acc);
      acc.add(ret, equity, qy !== 0);
      prevY = y;
      prevX = x;
      prevDay = day;
      t++;
    }

    this.t = t;
    this.prevY = prevY;
    this.prevX = prevX;
    this.prevDay = prevDay;
    this.lastY = y;
    this.lastX = x;
    this.equity = equity;
    this.tPnl = tPnl;
    this.dayStartEquity = dayStartEquity;
    this.halted = halted;
    this.prevSignal = prevSignal;
    this.beta = beta;
    this.staticBeta = staticBeta;
    this.hCount = hCount;
    this.hSlot = hSlot;
    this.hMeanX = hMeanX;
    this.hMeanY = hMeanY;
    this.hCxx = hCxx;
    this.hCxy = hCxy;
    this.zCount = zCount;
    this.zSlot = zSlot;
    this.zMean = zMean;
    this.zM2 = zM2;
    this.definedSignalBars = definedSignalBars;
    this.undefinedHedgeBars = undefinedHedgeBars;
    this.equityPrevClose = equityBefore;
    this.lastReturn = ret;
    this.lastOutIndex = n - 1;
  }

  /** @internal Close the open trade at the last close (amending the last bar); final warnings. */
  finishInternal(): void {
    this.finished = true;
    if (this.pending !== NO_ORDER) {
      this.warnings.push(`an order decided at the last bar (${this.t - 1}) had no next close to fill at and was dropped`);
      this.pending = NO_ORDER;
    }
    if (this.definedSignalBars === 0 && this.t > 0) {
      this.warnings.push(`the rule's signal was never defined in ${this.t} bars (hedge or z-score warm-up longer than the data, or zero variance): no trades possible`);
    }
    if (this.undefinedHedgeBars > 0) {
      this.warnings.push(`hedge ratio undefined (x constant over the window) at ${this.undefinedHedgeBars} bars: no decisions there`);
    }
    const out = this.out;
    if (this.side !== 0 && this.t > 0) {
      const t = this.t - 1;
      this.fillY = this.lastY;
      this.fillX = this.lastX;
      this.fillTo(0, "end", t);
      // amend the last bar: same market move, plus the closing costs
      const barStart = this.equityPrevClose;
      const ret = barStart > 0 ? this.equity / barStart - 1 : 0;
      this.lastReturn = ret;
      const i = this.lastOutIndex;
      out.equity[i] = this.equity;
      out.returns[i] = ret;
      out.positions[i] = 0;
      this.acc.copyFrom(this.accBeforeLast);
      this.acc.add(ret, this.equity, false);
    }
  }

  /**
   * The rule or a risk limit wants `target` (+1, −1, 0) at bar t (prices in fillY/fillX): fill now
   * or leave the order for the next close. The fill path takes no double arguments: a call V8 does
   * not inline boxes each double argument in a fresh heap number, and the 1M-bar benchmark's 42k
   * fills did that ~20 times each; the prices travel in the fillY/fillX fields instead.
   */
  private order(target: number, reason: ExitReason, t: number): void {
    if (target === this.targetSide) return;
    this.targetSide = target;
    if (this.nextClose) {
      this.pending = target;
      this.pendingReason = reason;
    } else {
      this.fillTo(target, reason, t);
    }
  }

  private legCost(quantity: number, price: number): number {
    if (quantity === 0) return 0;
    const q = Math.abs(quantity);
    this.tally.tradedNotional += q * Math.abs(price);
    return q * Math.abs(price) * this.costRate + q * this.perUnit + this.fixedFee;
  }

  /** Trade to `target` at bar t at the prices in fillY/fillX: close the open trade (logging it), then open the new one. */
  private fillTo(target: number, reason: ExitReason, t: number): void {
    if (target === this.side) return;
    const y = this.fillY;
    const x = this.fillX;
    if (this.side !== 0) {
      const cost = this.legCost(this.qy, y) + this.legCost(this.qx, x);
      this.equity -= cost;
      this.tPnl -= cost;
      this.tCosts += cost;
      const pnl = this.tPnl;
      const beta = this.tBeta;
      const holding = t - this.tEntryIndex;
      const log = this.log;
      const row = log.row;
      row[ROW_UNITS] = this.tUnits;
      row[ROW_HEDGE] = beta;
      row[ROW_ENTRY_Y] = this.tEntryY;
      row[ROW_ENTRY_X] = this.tEntryX;
      row[ROW_EXIT_Y] = y;
      row[ROW_EXIT_X] = x;
      row[ROW_PNL] = pnl;
      row[ROW_RETURN_PCT] = (pnl / this.tEntryEquity) * 100;
      row[ROW_COSTS] = this.tCosts;
      log.commit(this.tEntryIndex, t, this.side, reason);
      const tally = this.tally;
      tally.count++;
      tally.holdingBars += holding;
      if (pnl > 0) {
        tally.wins++;
        tally.grossProfit += pnl;
      } else tally.grossLoss -= pnl;
      this.realized += pnl;
      this.qy = 0;
      this.qx = 0;
      this.side = 0;
    }
    if (target !== 0) {
      const beta = this.beta;
      if (beta !== beta) {
        this.targetSide = 0;
        return;
      }
      const unitNotional = Math.abs(y) + Math.abs(beta) * Math.abs(x);
      let q = this.sizeByCapital ? (this.leverage * this.equity) / unitNotional : this.units;
      if (q * unitNotional > this.maxGross) q = this.maxGross / unitNotional;
      if (!(q > 0) || !Number.isFinite(q)) {
        this.targetSide = 0;
        return;
      }
      this.tEntryEquity = this.equity;
      this.qy = target * q;
      this.qx = -target * q * beta;
      const cost = this.legCost(this.qy, y) + this.legCost(this.qx, x);
      this.equity -= cost;
      this.side = target;
      this.tEntryIndex = t;
      this.tUnits = q;
      this.tBeta = beta;
      this.tEntryY = y;
      this.tEntryX = x;
      this.tPnl = 0 - cost; // +0, not −0, for a free entry
      this.tCosts = cost;
    }
  }

}
