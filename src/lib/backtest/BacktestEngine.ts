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
 * 3. Fill the order decided at t−1 when execution is "nextClose" (at close t, with β_{t−1}).
 * 4. The hedge estimator gives β_t (hedgeEstimator.ts: static, rolling OLS or Kalman), the spread is
 *    s_t = y_t − β_t·x_t (with hedge.spread "residual": the residual of the fit up to t−1, see
 *    HedgeSpec; a fill still locks β_t) and the signal estimator gives the rule's value (signalEstimator.ts: a
 *    z-score over the rule's window, which includes s_t, sd with ddof = 1; s_t itself for absolute
 *    levels; e_t/√Q_t with the Kalman hedge).
 * 5. Risk: if equity ≤ 0, flatten and stop for good ("ruin"); if equity − day reference ≤
 *    −maxDailyLoss, flatten and stop trading until the day changes ("dailyLoss").
 * 6. Otherwise the rule decides (see tradingRule.ts) on the position the strategy will hold.
 * 7. "close" execution fills at close t; "nextClose" leaves the order for step 3 of bar t+1.
 * Positions, sizing and costs: fillBook.ts. Metrics: backtestMetrics.ts. Types: types.ts.
 * "day": an optional integer label per bar (e.g. a trading-day number); a change of label starts a
 * new day. Without labels every bar is its own day, so maxDailyLoss acts as a per-bar loss limit.
 * `finish()` closes an open position at the last close (exitReason "end") and drops an unfilled order.
 */
import { ACTION_BUY, ACTION_HOLD, ACTION_SELL, ACTION_STOP, decideAction, normalizeRule, type RuleThresholds } from "./tradingRule.js";
import { MetricsAccumulator, computeMetrics, type BacktestMetrics } from "./backtestMetrics.js";
import { BOOK_EQUITY, BOOK_FILL_BETA, BOOK_FILL_X, BOOK_FILL_Y, BOOK_QX, BOOK_QY, BOOK_TRADE_PNL, FillBook, NO_ORDER } from "./fillBook.js";
import { createHedgeEstimator, hedgeSpreadIsResidual, type HedgeEstimator } from "./hedgeEstimator.js";
import { StaticHedge } from "./staticHedge.js";
import { createSignalEstimator, hasUpdateFromLegs, type SignalEstimator } from "./signalEstimator.js";
import type {
  BacktestBar,
  BacktestCosts,
  BacktestEngineOptions,
  BacktestRecord,
  BacktestRisk,
  BacktestSnapshot,
  ExitReason,
  TradeTable,
} from "./types.js";
import { describe, rangeError, requireFinite, requireOneOf, requireOptions, typeError } from "../util/validate.js";

// Module-local aliases of the rule's decision function and codes, bound once at load: a transpiler
// that turns imports into property getters (tsx/esbuild CommonJS output) would otherwise run a
// getter per bar in the hot loop.
const decide = decideAction;
const HOLD = ACTION_HOLD;
const BUY = ACTION_BUY;
const SELL = ACTION_SELL;
const STOP = ACTION_STOP;
const NONE = NO_ORDER;
/** Bars per block of step 4 (β, spread, signal), computed ahead of the trading loop: 2 KB per series, in L1. */
const BLOCK = 256;

/**
 * Pre-trade check of live trading: the side wanted (+1, −1, 0), why, and the bar; false refuses.
 */
export type OrderGate = (target: number, reason: ExitReason, t: number) => boolean;

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
  readonly warnings: string[] = [];
  private readonly fn: string;
  private readonly pairMode: boolean = false;
  private readonly thresholds: RuleThresholds;
  private readonly maxDailyLoss: number = 0.5;
  private readonly periodsPerYear: number = 0.5;
  /** One estimator instance of each kind per engine, chosen here, before any bar. */
  private readonly hedge: HedgeEstimator;
  private readonly signal: SignalEstimator;
  private readonly book: FillBook;

  // market and risk state carried from bar to bar
  private t = 0;
  private prevY = NaN;
  private prevX = NaN;
  private prevDay = NaN;
  private lastY = NaN;
  private lastX = NaN;
  /** The spread of the last bar (y − β·x, or the residual with hedge.spread "residual"). */
  private lastSpread = NaN;
  private dayStartEquity: number = 0.5;
  private halted = false;
  private ruined = false;
  /** β of the last bar traded, and the rule's value at it. */
  private beta = NaN;
  private prevSignal = NaN;
  /** Whether the rule's signal has been defined (not NaN) at any bar so far. */
  private signalDefined = false;

  // results
  private readonly acc: MetricsAccumulator;
  private readonly accBeforeLast: MetricsAccumulator;
  /** Where `runBars` writes each bar's outputs: the batch record (index = bar) or a 1-bar scratch record. */
  private out: BacktestRecord;
  private record: BacktestRecord | null = null;
  private readonly scratch: BacktestRecord;
  private readonly barY = new Float64Array(1);
  private readonly barX = new Float64Array(1);
  private readonly barDay = new Float64Array(1);
  /** Step 4's outputs for the current block of bars: β, spread, signal. */
  private readonly blockBeta = new Float64Array(BLOCK);
  private readonly blockSpread = new Float64Array(BLOCK);
  private readonly blockSignal = new Float64Array(BLOCK);
  /** Index in `out` of the last bar processed (for the end-of-data amendment). */
  private lastOutIndex = -1;
  private finished = false;
  private lastReturn = 0;
  private equityPrevClose = 0;
  /** Optional pre-trade check (setOrderGate); null in every batch backtest. */
  private gate: OrderGate | null = null;

  constructor(options: BacktestEngineOptions, fn = "BacktestEngine") {
    this.fn = fn;
    const o = requireOptions<BacktestEngineOptions>(fn, options);
    const mode = o.mode === undefined ? "pair" : requireOneOf(fn, "mode", o.mode, ["pair", "spread"] as const);
    this.pairMode = mode === "pair";
    const kalman =
      this.pairMode && o.hedge !== null && typeof o.hedge === "object" && (o.hedge as { method?: unknown }).method === "kalman";
    let kalmanLevels = false;
    if (kalman) {
      // the Kalman hedge brings its own z-score (e_t/√Q_t): a z-score rule without a window of its
      // own; with spread "residual" also a levels rule on e_t itself
      const residual = hedgeSpreadIsResidual(fn, o.hedge as unknown as Record<string, unknown>);
      const r = o.rule as { kind?: unknown; window?: unknown } | null;
      kalmanLevels = residual && r !== null && typeof r === "object" && r.kind === "levels";
      if (r !== null && typeof r === "object" && r.kind !== "zscore" && !kalmanLevels)
        rangeError(
          fn,
          `rule.kind must be "zscore" with hedge "kalman" (its signal is the forecast error over its sd, e_t/√Q_t), or "levels" with hedge.spread "residual" (levels on e_t), got ${describe(r.kind)}`,
        );
      if (r !== null && typeof r === "object" && r.window !== undefined && !kalmanLevels)
        rangeError(fn, `rule.window must be omitted with hedge "kalman": the z-score is e_t/√Q_t from the filter, not a window's`);
    }
    const rule = normalizeRule(fn, o.rule, "rule", !kalman);
    this.thresholds = rule.thresholds;

    const costs = requireOptions<BacktestCosts>(fn, o.costs);
    const bps = costs.bps === undefined ? 0 : requireFinite(fn, "costs.bps", costs.bps, { min: 0 });
    const slip = costs.slippageBps === undefined ? 0 : requireFinite(fn, "costs.slippageBps", costs.slippageBps, { min: 0 });
    const perUnit = costs.perUnit === undefined ? 0 : requireFinite(fn, "costs.perUnit", costs.perUnit, { min: 0 });
    const fixedFee = costs.fixedFee === undefined ? 0 : requireFinite(fn, "costs.fixedFee", costs.fixedFee, { min: 0 });

    const capital = o.capital === undefined ? (this.pairMode ? 100_000 : 1) : requireFinite(fn, "capital", o.capital, { minExclusive: 0 });
    const sizing = o.sizing ?? (this.pairMode ? { method: "capital" as const } : { method: "units" as const, units: 1 });
    if (sizing === null || typeof sizing !== "object") typeError(fn, `sizing must be an object, got ${describe(sizing)}`);
    const sizingMethod = requireOneOf(fn, "sizing.method", sizing.method, ["capital", "units"] as const);
    const leverage =
      sizing.method === "capital" && sizing.leverage !== undefined
        ? requireFinite(fn, "sizing.leverage", sizing.leverage, { minExclusive: 0 })
        : 1;
    const units = sizing.method === "units" ? requireFinite(fn, "sizing.units", sizing.units, { minExclusive: 0 }) : 0;

    const risk = requireOptions<BacktestRisk>(fn, o.risk);
    const maxGross =
      risk.maxGrossExposure === undefined
        ? Infinity
        : requireFinite(fn, "risk.maxGrossExposure", risk.maxGrossExposure, { minExclusive: 0 });
    this.maxDailyLoss =
      risk.maxDailyLoss === undefined ? Infinity : requireFinite(fn, "risk.maxDailyLoss", risk.maxDailyLoss, { minExclusive: 0 });
    const execution = requireOptions<{ fill: "close" | "nextClose" }>(fn, o.execution);
    const nextClose =
      (execution.fill === undefined ? "close" : requireOneOf(fn, "execution.fill", execution.fill, ["close", "nextClose"] as const)) ===
      "nextClose";
    this.periodsPerYear = o.periodsPerYear === undefined ? 252 : requireFinite(fn, "periodsPerYear", o.periodsPerYear, { minExclusive: 0 });
    const riskFree = o.riskFree === undefined ? 0 : requireFinite(fn, "riskFree", o.riskFree, { minExclusive: -1 });

    // spread mode: β = 0, so the spread is bar.y itself
    this.hedge = this.pairMode ? createHedgeEstimator(fn, o.hedge, this.warnings, kalmanLevels) : new StaticHedge(0);
    this.signal = this.hedge.signal ?? createSignalEstimator(rule);
    this.book = new FillBook({
      capital,
      costRate: (bps + slip) / 1e4,
      perUnit,
      fixedFee,
      sizeByCapital: sizingMethod === "capital",
      leverage,
      units,
      maxGross,
      nextClose,
    });
    this.beta = this.pairMode ? NaN : 0;
    this.dayStartEquity = capital;
    this.acc = new MetricsAccumulator(capital, riskFree / this.periodsPerYear);
    this.accBeforeLast = new MetricsAccumulator(capital, riskFree / this.periodsPerYear);
    const one = (): Float64Array => new Float64Array(1);
    this.scratch = { equity: one(), returns: one(), positions: one(), diagnostics: true, hedgeRatios: one(), spread: one(), signal: one() };
    this.out = this.scratch;
  }

  /**
   * Install a pre-trade check for live trading (src/trading): called with each order the rule or a
   * risk limit decides, after the fill fields hold the bar's prices and β (so `previewLegs` is the
   * position it would take); returning false refuses the order (the book keeps its side, so the rule
   * decides again at the next bar). null removes it. Batch backtests never set one, so their
   * outputs are unchanged (backtestGolden.test.ts).
   */
  setOrderGate(gate: OrderGate | null): void {
    this.gate = gate;
  }

  /**
   * Inside an order gate: the leg quantities an entry to `target` (±1) would hold, at this bar's
   * prices and β (fillBook sizing after maxGrossExposure): y = target·q, x = −target·q·β.
   */
  previewLegs(target: number): { readonly y: number; readonly x: number } {
    const q = this.book.entrySize();
    return { y: target * q, x: -target * q * this.book.fillBeta };
  }

  /** Signed leg quantities held now: y units and x units (x = −side·q·β at entry). */
  get legs(): { readonly y: number; readonly x: number } {
    return { y: this.book.qy, x: this.book.qx };
  }

  /** The closed trades so far, by column (see TradeLog.ts; `tradeRows` for row objects). */
  get trades(): TradeTable {
    return this.book.log.table();
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
    return computeMetrics(this.acc, this.book.tally, this.book.equity, this.periodsPerYear, null);
  }

  /** @internal Final metrics with the degenerate-value warnings. */
  finalMetrics(): BacktestMetrics {
    return computeMetrics(this.acc, this.book.tally, this.book.equity, this.periodsPerYear, this.warnings);
  }

  private snapshot(): BacktestSnapshot {
    const book = this.book;
    return {
      bar: this.t - 1,
      equity: book.equity,
      barReturn: this.lastReturn,
      position: book.qy,
      hedgeRatio: this.beta,
      spread: this.lastSpread,
      signal: this.prevSignal,
      realizedPnl: book.realized,
      unrealizedPnl: book.side !== 0 ? book.tradePnl : 0,
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
   * Hot-path design (measured on the 1M-bar benchmark, 2.5 GHz EPYC VM): the hedge and signal
   * estimators are chosen once per engine, before any bar, and each runs its own loop over a block
   * of bars (β and spread, then the signal, for 256 bars at a time, in L1) with its running sums in
   * locals and the window update fused with the division and square root it feeds, so those
   * overlap; the trading loop then reads the block arrays. The fill book's per-bar state (equity,
   * the open trade's P&L, the leg quantities, the order state) is held in locals in the loop and
   * written back / reloaded around the rare calls into the book (orders and fills): a
   * loop-carried double in a field is a store-to-load round trip per bar (~10 % of the loop).
   * The divider is the scarcest unit, so the full rolling window multiplies by 1/(w − 1), a flat
   * bar's return needs no division, and the metrics accumulator sums in blocks instead of
   * Welford's division per bar (backtestMetrics.ts). A branch whose condition is a coin flip
   * mispredicts every other bar (the sign of a return: 7 ms), so the downside sum is branchless.
   * Trades go to a column log (TradeLog.ts): an object per trade and their GC cost 15–25 ms. The
   * diagnostic series are written only when asked for. The doubles handed to and from the fill
   * book travel in its `state` Float64Array (fillBook.ts): read through object fields, V8 kept the
   * loop's equity tagged and allocated a heap number per bar with a position held, which (with the
   * GC it caused) was most of the gap of this split to the single hand-scheduled loop it replaced
   * (d78fa25); an instruction count (+0.9 %) could not show it, the heap profiler with collected
   * objects and --trace-gc did. With a constant β (static hedge) one pass forms the spread and its
   * rolling z-score (SignalEstimator.updateFromLegs), so the price loads overlap the square root
   * and division. Measured against d78fa25 (issue #16, in alternation, CPU medians of 15 runs):
   * static β 0.94–1.01 × (with the metrics' block merge also boxing nothing, backtestMetrics.ts);
   * before the state array 1.07–1.11 ×. Tried and not kept: the rolling
   * z-score back inside the trading loop (+0 to +5 ms), the diagnostic copies out of the loop (±0),
   * block sizes 16–4096, a branch-free drawdown peak in the metrics, estimators that return a
   * value per bar from fields (+30–45 %).
   */
  private runBars(ys: Float64Array, xs: Float64Array | null, days: Float64Array | null, n: number, out: BacktestRecord): void {
    if (n === 0) return;
    this.out = out;
    const th = this.thresholds;
    const maxDailyLoss = this.maxDailyLoss;
    const hedge = this.hedge;
    const signalEstimator = this.signal;
    const book = this.book;
    const gate = this.gate;
    // spread mode: hedge ratios stay 0 and the spread is the input series itself (see runBacktest)
    const writeHedgeSpread = out.diagnostics && this.pairMode;
    const writeSignal = out.diagnostics;
    const outEquity = out.equity;
    const outReturns = out.returns;
    const outPositions = out.positions;
    const outHedge = out.hedgeRatios;
    const outSpread = out.spread;
    const outSignal = out.signal;
    const acc = this.acc;
    const last = n - 1;
    const blockBeta = this.blockBeta;
    const blockSpread = this.blockSpread;
    const blockSignal = this.blockSignal;
    // the signal estimator that can form a constant-β spread itself (one pass instead of two), or null
    const legsSignal = xs !== null && hasUpdateFromLegs(signalEstimator) ? signalEstimator : null;

    // state carried from bar to bar, in locals for the loop (stored back after it)
    let t = this.t;
    let prevY = this.prevY;
    let prevX = this.prevX;
    let prevDay = this.prevDay;
    let dayStartEquity = this.dayStartEquity;
    let halted = this.halted;
    let ruined = this.ruined;
    let prevSignal = this.prevSignal;
    // β of the bar before the block (bar from − 1); inside the block β_i is blockBeta[i − from],
    // read only by the rare orders and fills (not a per-bar copy)
    let beta = this.beta;
    let signalDefined = this.signalDefined;
    // the fill book's per-bar state, in locals for the loop: written back before each call into
    // the book (orders and fills, a few per hundred bars) and reloaded after it (the order state,
    // pending and targetSide, is only read here: the book is its owner)
    const bookState = book.state;
    let equity = bookState[BOOK_EQUITY];
    let tradePnl = bookState[BOOK_TRADE_PNL];
    let qy = bookState[BOOK_QY];
    let qx = bookState[BOOK_QX];
    let pending = book.pending;
    let targetSide = book.targetSide;
    let equityBefore = equity;
    let ret = 0;
    let y = 0;
    let x = 0;

    // Step 4 runs a block of bars ahead of the trading loop: the estimators fill β, the spread and
    // the signal for bars [from, to) (data only, no trading state), then steps 1–3 and 5–7 trade
    // those bars in order. Nothing at bar i reads data after i: β_i and the signal at i come from
    // bars ≤ i; blocks only let each estimator run its own tight loop with its sums in registers
    // (and put the z-score's square root and division off the trading loop's critical path).
    for (let from = 0; from < n; from += BLOCK) {
      const to = Math.min(from + BLOCK, n);
      const count = to - from;
      const constantBeta = legsSignal === null ? NaN : (hedge.constantBeta?.() ?? NaN);
      if (legsSignal !== null && xs !== null && constantBeta === constantBeta) {
        // a known constant β (static hedge): the hedge has no state to advance, and one pass forms
        // the spread y − β·x and the signal (the same values as update + update)
        blockBeta.fill(constantBeta, 0, count);
        legsSignal.updateFromLegs(ys, xs, from, constantBeta, count, blockSpread, blockSignal);
      } else {
        hedge.update(ys, xs, from, to, blockBeta, blockSpread);
        signalEstimator.update(blockSpread, count, blockSignal);
      }
      // for the end-of-run warning: looks only until the first defined signal (the warm-up)
      if (!signalDefined)
        for (let k = 0; k < count; k++)
          if (blockSignal[k] === blockSignal[k]) {
            signalDefined = true;
            break;
          }

      for (let k = 0; k < count; k++) {
        const i = from + k;
        const barSignal = blockSignal[k];
        if (writeHedgeSpread) {
          outHedge[i] = blockBeta[k];
          outSpread[i] = blockSpread[k];
        }
        if (writeSignal) outSignal[i] = barSignal;
        y = ys[i];
        x = xs === null ? 0 : xs[i];
        const day = days === null ? t : days[i];
        // 1–2. mark to market; new day
        equityBefore = equity;
        if (t > 0) {
          const pnl = qy * (y - prevY) + qx * (x - prevX);
          if (pnl !== 0) {
            equity += pnl;
            tradePnl += pnl;
          }
          if (day !== prevDay) {
            dayStartEquity = equityBefore;
            halted = false;
          }
        }
        // 3. fill the order decided at t − 1 (nextClose), with the hedge ratio of t − 1
        if (pending !== NONE) {
          bookState[BOOK_FILL_Y] = y;
          bookState[BOOK_FILL_X] = x;
          bookState[BOOK_FILL_BETA] = k === 0 ? beta : blockBeta[k - 1];
          bookState[BOOK_EQUITY] = equity;
          bookState[BOOK_TRADE_PNL] = tradePnl;
          book.fillPending(t);
          equity = bookState[BOOK_EQUITY];
          tradePnl = bookState[BOOK_TRADE_PNL];
          qy = bookState[BOOK_QY];
          qx = bookState[BOOK_QX];
          pending = NONE;
          targetSide = book.targetSide;
        }

        // 5–7. risk, then the rule
        if (!ruined) {
          let target = NONE;
          let reason: ExitReason = "signal";
          if (equity <= 0) {
            ruined = true;
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
          if (target !== NONE) {
            bookState[BOOK_FILL_Y] = y;
            bookState[BOOK_FILL_X] = x;
            bookState[BOOK_FILL_BETA] = blockBeta[k];
            bookState[BOOK_EQUITY] = equity;
            bookState[BOOK_TRADE_PNL] = tradePnl;
            if (gate === null || gate(target, reason, t)) book.order(target, reason, t);
            equity = bookState[BOOK_EQUITY];
            tradePnl = bookState[BOOK_TRADE_PNL];
            qy = bookState[BOOK_QY];
            qx = bookState[BOOK_QX];
            pending = book.pending;
            targetSide = book.targetSide;
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
      beta = blockBeta[count - 1];
    }

    bookState[BOOK_EQUITY] = equity;
    bookState[BOOK_TRADE_PNL] = tradePnl;
    this.t = t;
    this.prevY = prevY;
    this.prevX = prevX;
    this.prevDay = prevDay;
    this.lastY = y;
    this.lastX = x;
    this.lastSpread = blockSpread[(n - 1) % BLOCK];
    this.dayStartEquity = dayStartEquity;
    this.halted = halted;
    this.ruined = ruined;
    this.prevSignal = prevSignal;
    this.beta = beta;
    this.signalDefined = signalDefined;
    this.equityPrevClose = equityBefore;
    this.lastReturn = ret;
    this.lastOutIndex = n - 1;
  }

  /** @internal Close the open trade at the last close (amending the last bar); final warnings. */
  finishInternal(): void {
    this.finished = true;
    const book = this.book;
    if (book.dropPending()) {
      this.warnings.push(`an order decided at the last bar (${this.t - 1}) had no next close to fill at and was dropped`);
    }
    if (!this.signalDefined && this.t > 0) {
      this.warnings.push(
        `the rule's signal was never defined in ${this.t} bars (hedge or z-score warm-up longer than the data, or zero variance): no trades possible`,
      );
    }
    this.hedge.finish(this.warnings);
    const out = this.out;
    if (book.side !== 0 && this.t > 0) {
      book.fillY = this.lastY;
      book.fillX = this.lastX;
      book.fillBeta = this.beta;
      book.fillTo(0, "end", this.t - 1);
      // amend the last bar: same market move, plus the closing costs
      const barStart = this.equityPrevClose;
      const ret = barStart > 0 ? book.equity / barStart - 1 : 0;
      this.lastReturn = ret;
      const i = this.lastOutIndex;
      out.equity[i] = book.equity;
      out.returns[i] = ret;
      out.positions[i] = 0;
      this.acc.copyFrom(this.accBeforeLast);
      this.acc.add(ret, book.equity, false);
    }
  }
}
