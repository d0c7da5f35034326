/**
 * A book of pairs on shared capital: every pair trades its own rule on its own spread
 * s_{p,t} = y_t − β_p·x_t (β_p fixed, e.g. fitted on a formation window), but all positions live in
 * one account, a stock held by several pairs is one net position, and trades are netted.
 *
 * Each bar t, in this order (nothing at t reads a price after t):
 * 1. Mark to market: P&L_t = Σ_s Q_s·(P_{s,t} − P_{s,t−1}) over instruments s with net quantity Q_s;
 *    short-borrow fee f_s = |Q_s|·P_{s,t−1}·borrowFee/periodsPerYear for every Q_s < 0.
 * 2. Decisions (t ≥ startBar): each pair's rule (tradingRule.ts, same crossing conventions as the
 *    backtester) on its signal v_{p,t} and v_{p,t−1} (pairSignal.ts). Exits first, then entries in
 *    pair order. An entry buys (long) or sells (short) q_p = leverage·w_p·equity_t/(P_y + |β_p|·P_x)
 *    spread units: +q_p of y and −q_p·β_p of x (the reverse when short), held unchanged until exit.
 *    At the last bar every open pair exits (reason "end").
 * 3. Caps (multiples of equity_t, checked for each entry on the holdings after this bar's earlier
 *    decisions): gross Σ|Q_s·P_s| ≤ maxGross, net |Σ Q_s·P_s| ≤ maxNet, per leg |Q_s·P_s| ≤ maxLeg,
 *    per sector Σ_{s∈sector}|Q_s·P_s| ≤ maxSector. An entry that would breach any cap is refused and
 *    recorded in `refusals` (the pair stays flat until its rule fires again); exits are never refused.
 * 4. Netting: the book trades ΔQ_s = Σ_p Δq_{p,s} once per instrument, at the close of t, and pays
 *    |ΔQ_s|·P_{s,t}·(bps + slippageBps)/10⁴ on that net trade only.
 * Attribution: a pair earns its own legs' mark-to-market Σ q_{p,s}·ΔP_s, minus a share of each
 * instrument's cost pro rata to its |Δq_{p,s}|, minus a share of each borrow fee pro rata to its own
 * short quantity in that instrument. Per instrument: Q_s·ΔP_s − cost_s − fee_s. Both sum to the
 * book's P&L (to rounding; the test checks 1e-9 of capital).
 * Allocation weights w_p (allocationWeights.ts) come from bars [0, allocation.window) only, and
 * startBar defaults to that window, so no weight uses a price of a bar it trades.
 * Speed: each pair's signal is computed and read ahead into its plan of events (pairPlans.ts; a
 * rolling z-score in one pass that forms z only near a threshold), so the bar loop visits a pair
 * only at its entries and exits and marks only the held pairs (a bitset, ascending); a held pair's
 * marks are computed 32 bars at a time along its own legs and summed bar by bar in pair order;
 * trades and fills are logged by column.
 * @throws RangeError/TypeError for prices that are not positive finite series of one length, a pair
 *   whose legs are not distinct instrument indices, a non-finite hedge ratio, a bad rule (expanding
 *   windows are not supported), a bad cap, cost, fee or allocation option. Price values are checked
 *   after the other arguments (pair by pair, as the signal pass reads them); the message names the
 *   first bad price in instrument order.
 * @example backtestBook({ prices: [y, x, z], pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule }, { y: 2, x: 1, hedgeRatio: 1, rule }] })
 *   // two pairs sharing x: the book holds one net x position (see backtestBook.test.ts for hand-worked values)
 */
import { normalizeRule, type NormalizedRule, type TradingRule } from "../backtest/tradingRule.js";
import { maxDrawdown } from "../backtest/maxDrawdown.js";
import {
  asFloat64ReadOnly,
  describe,
  rangeError,
  requireFinite,
  requireInteger,
  requireOneOf,
  requireOptions,
  typeError,
} from "../util/validate.js";
import { allocationWeightsKernel, type AllocationMethod } from "./allocationWeights.js";
import { EVENT_BUY, EVENT_EXIT, PairPlans } from "./pairPlans.js";

/** Default estimation window of the risk-based allocations, in bars. */
const DEFAULT_ALLOCATION_WINDOW = 60;
/** Bars of held pairs' marks computed ahead per pair (count × MARK_BLOCK doubles: 25 KB for 100 pairs). */
const MARK_BLOCK = 32;

export interface BookPair {
  /** Index into `prices` of the leg bought when long the spread. */
  readonly y: number;
  /** Index into `prices` of the hedge leg. */
  readonly x: number;
  /** β_p: the spread is y − β_p·x. */
  readonly hedgeRatio: number;
  /** Rule on the pair's signal (z-score with a rolling or fixed window, or absolute levels). */
  readonly rule: TradingRule;
}

/** Exposure caps as multiples of current equity; absent means no cap. */
export interface BookCaps {
  readonly maxGross?: number;
  readonly maxNet?: number;
  readonly maxLeg?: number;
  readonly maxSector?: number;
}

export interface BacktestBookInput {
  /** One positive price series per instrument, all of one length. */
  readonly prices: readonly ArrayLike<number>[];
  /** Instrument names (default "0", "1", …), used in messages only. */
  readonly instruments?: readonly string[];
  /** Sector label per instrument; required for caps.maxSector. */
  readonly sectors?: readonly string[];
  readonly pairs: readonly BookPair[];
  /** Starting equity (default 1 000 000). */
  readonly capital?: number;
  /** Gross notional of all pairs at full allocation, as a multiple of equity (default 1). */
  readonly leverage?: number;
  /** Capital weights (default equal); window = estimation bars for the risk-based methods (default 60). */
  readonly allocation?: { readonly method: AllocationMethod; readonly window?: number };
  /** First bar at which entries may happen (default: the allocation window, 0 for equal weights). */
  readonly startBar?: number;
  /** Proportional costs on each instrument's net traded notional, basis points. */
  readonly costs?: { readonly bps?: number; readonly slippageBps?: number };
  /** Annual short-borrow fee as a fraction of short market value (default 0). */
  readonly borrowFee?: number;
  /** Bars per year (default 252), for the borrow fee and the Sharpe ratio. */
  readonly periodsPerYear?: number;
  readonly caps?: BookCaps;
  /** Also return each pair's P&L per bar (`pairPnlSeries`; default false, null then). */
  readonly pairSeries?: boolean;
}

export type BookCapName = "gross" | "net" | "leg" | "sector";

/** An entry refused by a cap. */
export interface BookRefusal {
  readonly bar: number;
  readonly pair: number;
  readonly cap: BookCapName;
  /** The exposure the entry would have produced, as a multiple of equity. */
  readonly value: number;
  readonly limit: number;
}

/** The book's net trades by column (row k = one instrument traded at one bar), like TradeLog's table. */
export interface BookFills {
  readonly bar: Int32Array;
  readonly instrument: Int32Array;
  /** Signed net quantity traded. */
  readonly quantity: Float64Array;
  readonly price: Float64Array;
  readonly cost: Float64Array;
}

/** One round trip of one pair; pnl is its attributed P&L (marks, cost and fee shares). */
export interface BookTrade {
  readonly pair: number;
  readonly side: "long" | "short";
  readonly entryBar: number;
  readonly exitBar: number;
  readonly units: number;
  readonly pnl: number;
  readonly exitReason: "signal" | "stop" | "end";
}

export interface BacktestBookResult {
  /** Equity at each bar's close, after fills, costs and fees. */
  readonly equity: Float64Array;
  /** r_t = equity_t/equity_{t−1} − 1 (equity_{−1} = capital). */
  readonly returns: Float64Array;
  /** The book's P&L per bar (equity_t − equity_{t−1}). */
  readonly pnl: Float64Array;
  /** Allocation weight per pair. */
  readonly weights: Float64Array;
  /** Per pair: total attributed P&L, its cost share and its borrow-fee share. */
  readonly pairPnl: Float64Array;
  readonly pairCosts: Float64Array;
  readonly pairBorrowFees: Float64Array;
  /** Per instrument: Q·ΔP − cost − fee summed over the run. */
  readonly instrumentPnl: Float64Array;
  readonly instrumentCosts: Float64Array;
  readonly instrumentBorrowFees: Float64Array;
  /** Per pair, P&L per bar (with `pairSeries: true`); null otherwise. */
  readonly pairPnlSeries: readonly Float64Array[] | null;
  readonly trades: readonly BookTrade[];
  /** Every net trade, by column (one object per fill would be ~10⁴ heap objects per book). */
  readonly fills: BookFills;
  readonly refusals: readonly BookRefusal[];
  /** Σ|ΔQ_s|·P_s actually traded, and Σ_p Σ_s |Δq_{p,s}|·P_s had each pair traded alone. */
  readonly netTradedNotional: number;
  readonly grossTradedNotional: number;
  readonly metrics: { readonly totalReturn: number; readonly sharpe: number; readonly maxDrawdown: number };
  readonly warnings: readonly string[];
}

interface CheckedCaps {
  gross: number;
  net: number;
  leg: number;
  sector: number;
}

/** Backtest a book of pairs; see the module comment. */
export function backtestBook(input: BacktestBookInput): BacktestBookResult {
  const fn = "backtestBook";
  const o = requireOptions<BacktestBookInput>(fn, input);
  if (!Array.isArray(o.prices) || o.prices.length < 2)
    typeError(fn, `prices must be an array of at least 2 price series, got ${describe(o.prices)}`);
  // read in place when already Float64Array (asFloat64ReadOnly): the book never writes to or returns them
  const prices = o.prices.map((p, s) => asFloat64ReadOnly(p, `prices[${s}]`, fn, { minLength: 2, allowNonFinite: true }));
  const n = prices[0].length;
  const m = prices.length;
  for (let s = 0; s < m; s++) {
    const p = prices[s];
    if (p.length !== n) rangeError(fn, `prices must all have one length, got ${p.length} at prices[${s}] and ${n} at prices[0]`);
  }
  // the values (> 0, finite) are checked below, pair by pair just before each pair's signal pass
  // reads the same legs (one trip through memory for both), then the instruments no pair uses
  if (!Array.isArray(o.pairs) || o.pairs.length === 0) typeError(fn, `pairs must be a non-empty array, got ${describe(o.pairs)}`);
  const rules: NormalizedRule[] = [];
  const legY = new Int32Array(o.pairs.length);
  const legX = new Int32Array(o.pairs.length);
  const betas = new Float64Array(o.pairs.length);
  o.pairs.forEach((pair, p) => {
    if (pair === null || typeof pair !== "object")
      typeError(fn, `pairs[${p}] must be an object { y, x, hedgeRatio, rule }, got ${describe(pair)}`);
    legY[p] = requireInteger(fn, `pairs[${p}].y`, pair.y, { min: 0, max: m - 1 });
    legX[p] = requireInteger(fn, `pairs[${p}].x`, pair.x, { min: 0, max: m - 1 });
    if (legY[p] === legX[p]) rangeError(fn, `pairs[${p}] must have two distinct legs, got y = x = ${legY[p]}`);
    betas[p] = requireFinite(fn, `pairs[${p}].hedgeRatio`, pair.hedgeRatio);
    const rule = normalizeRule(fn, pair.rule, `pairs[${p}].rule`);
    if (rule.windowType === "expanding")
      rangeError(fn, `pairs[${p}].rule.window.type "expanding" is not supported by a book (use "rolling" or "fixed")`);
    rules.push(rule);
  });
  const capital = o.capital === undefined ? 1_000_000 : requireFinite(fn, "capital", o.capital, { minExclusive: 0 });
  const leverage = o.leverage === undefined ? 1 : requireFinite(fn, "leverage", o.leverage, { minExclusive: 0 });
  const periodsPerYear = o.periodsPerYear === undefined ? 252 : requireFinite(fn, "periodsPerYear", o.periodsPerYear, { minExclusive: 0 });
  const borrowFee = o.borrowFee === undefined ? 0 : requireFinite(fn, "borrowFee", o.borrowFee, { min: 0 });
  const costs = requireOptions<{ bps: number; slippageBps: number }>(fn, o.costs);
  const costRate =
    ((costs.bps === undefined ? 0 : requireFinite(fn, "costs.bps", costs.bps, { min: 0 })) +
      (costs.slippageBps === undefined ? 0 : requireFinite(fn, "costs.slippageBps", costs.slippageBps, { min: 0 }))) /
    1e4;
  const allocation = requireOptions<{ method: AllocationMethod; window: number }>(fn, o.allocation);
  const method =
    allocation.method === undefined
      ? "equal"
      : requireOneOf(fn, "allocation.method", allocation.method, ["equal", "inverseVolatility", "riskParity"] as const);
  const window =
    method === "equal"
      ? 0
      : allocation.window === undefined
        ? DEFAULT_ALLOCATION_WINDOW
        : requireInteger(fn, "allocation.window", allocation.window, { min: 4, max: n - 1 });
  const startBar = o.startBar === undefined ? window : requireInteger(fn, "startBar", o.startBar, { min: window, max: n - 1 });
  const capsIn = requireOptions<BookCaps>(fn, o.caps);
  const cap = (name: keyof BookCaps): number =>
    capsIn[name] === undefined ? Infinity : requireFinite(fn, `caps.${name}`, capsIn[name], { minExclusive: 0 });
  const caps: CheckedCaps = { gross: cap("maxGross"), net: cap("maxNet"), leg: cap("maxLeg"), sector: cap("maxSector") };
  let sectorOf: Int32Array | null = null;
  if (o.sectors !== undefined) {
    if (!Array.isArray(o.sectors) || o.sectors.length !== m)
      rangeError(fn, `sectors must have one label per instrument (${m}), got ${describe(o.sectors)}`);
    const ids = new Map<string, number>();
    sectorOf = new Int32Array(m);
    o.sectors.forEach((label, s) => {
      if (typeof label !== "string") typeError(fn, `sectors[${s}] must be a string, got ${describe(label)}`);
      if (!ids.has(label)) ids.set(label, ids.size);
      sectorOf![s] = ids.get(label)!;
    });
  }
  if (caps.sector < Infinity && sectorOf === null) rangeError(fn, "caps.maxSector needs sectors (one label per instrument)");
  if (o.pairSeries !== undefined && typeof o.pairSeries !== "boolean")
    typeError(fn, `pairSeries must be true or false, got ${describe(o.pairSeries)}`);

  const pricesY = Array.from(legY, (s) => prices[s]);
  const pricesX = Array.from(legX, (s) => prices[s]);
  const plans = new PairPlans(pricesY, pricesX, betas, rules, n, startBar);
  const checked = new Uint8Array(m);
  for (let p = 0; p < legY.length; p++) {
    // the signal pass checks its legs' prices as it reads them
    if (!plans.plan(p)) throwFirstBadPrice(fn, prices);
    checked[legY[p]] = 1;
    checked[legX[p]] = 1;
  }
  for (let s = 0; s < m; s++) if (checked[s] === 0 && firstNotPositiveFinite(prices[s]) >= 0) throwFirstBadPrice(fn, prices);

  let weights: Float64Array;
  if (method === "equal") weights = new Float64Array(legY.length).fill(1 / legY.length);
  else {
    const rows = Array.from(legY, (_, p) => spreadReturns(prices[legY[p]], prices[legX[p]], betas[p], window));
    weights = allocationWeightsKernel(rows, method, fn).weights;
  }
  return runBook({
    prices,
    pricesY,
    pricesX,
    plans,
    legY,
    legX,
    betas,
    weights,
    capital,
    leverage,
    periodsPerYear,
    borrowFee,
    costRate,
    caps,
    sectorOf,
    pairSeries: o.pairSeries === true,
  });
}

/** Throw the error of the first price (instrument by instrument, then bar by bar) that is not in (0, ∞). */
function throwFirstBadPrice(fn: string, prices: readonly Float64Array[]): never {
  for (let s = 0; s < prices.length; s++) {
    const bad = firstNotPositiveFinite(prices[s]);
    if (bad < 0) continue;
    const v = prices[s][bad];
    rangeError(
      fn,
      v - v !== 0
        ? `prices[${s}] must contain only finite numbers, got ${describe(v)} at index ${bad}`
        : `prices must be > 0, got ${v} at prices[${s}][${bad}]`,
    );
  }
  throw new Error(`${fn}: internal error, no bad price found`);
}

/**
 * The first index t with p[t] not in (0, ∞) (NaN included), or −1. Four values per step in one
 * condition: the check runs over every price of every book, once per call.
 */
function firstNotPositiveFinite(p: Float64Array): number {
  const n = p.length;
  let t = 0;
  for (; t + 3 < n; t += 4) {
    const a = p[t];
    const b = p[t + 1];
    const c = p[t + 2];
    const d = p[t + 3];
    if (!(a > 0 && a < Infinity && b > 0 && b < Infinity && c > 0 && c < Infinity && d > 0 && d < Infinity)) break;
  }
  for (; t < n; t++) {
    const v = p[t];
    if (!(v > 0 && v < Infinity)) return t;
  }
  return -1;
}

/** r_t = Δs_t / (|y_{t−1}| + |β|·|x_{t−1}|) for t = 1..window−1. */
function spreadReturns(y: Float64Array, x: Float64Array, beta: number, window: number): Float64Array {
  const out = new Float64Array(window - 1);
  for (let t = 1; t < window; t++)
    out[t - 1] = (y[t] - beta * x[t] - (y[t - 1] - beta * x[t - 1])) / (y[t - 1] + Math.abs(beta) * x[t - 1]);
  return out;
}

interface BookState {
  readonly prices: readonly Float64Array[];
  /** Per pair, its y and x price series. */
  readonly pricesY: readonly Float64Array[];
  readonly pricesX: readonly Float64Array[];
  /** Every pair planned (PairPlans.plan called for each). */
  readonly plans: PairPlans;
  readonly legY: Int32Array;
  readonly legX: Int32Array;
  readonly betas: Float64Array;
  readonly weights: Float64Array;
  readonly capital: number;
  readonly leverage: number;
  readonly periodsPerYear: number;
  readonly borrowFee: number;
  readonly costRate: number;
  readonly caps: CheckedCaps;
  readonly sectorOf: Int32Array | null;
  readonly pairSeries: boolean;
}

const REASONS = ["signal", "stop", "end"] as const;

/** The book's outputs by column and its net positions, filled by runBars, read by bookResult. */
interface BookAccounts {
  readonly equity: Float64Array;
  readonly returns: Float64Array;
  readonly pnl: Float64Array;
  readonly pairPnl: Float64Array;
  readonly pairCosts: Float64Array;
  readonly pairFees: Float64Array;
  readonly instrumentPnl: Float64Array;
  readonly instrumentCosts: Float64Array;
  readonly instrumentFees: Float64Array;
  readonly series: Float64Array[] | null;
  readonly tradeLog: TradeLog;
  readonly fillLog: FillLog;
  readonly refusals: BookRefusal[];
  /** Q_s, and the price at which Q_s was last settled into instrumentPnl. */
  readonly holdings: Float64Array;
  readonly refPrice: Float64Array;
  /** Σ|ΔQ_s|·P_s and Σ_p Σ_s |Δq_{p,s}|·P_s traded so far. */
  readonly traded: Float64Array;
}

/**
 * The book on validated inputs (see the module comment), in three functions: the bar loop runs in
 * one of its own that ends with the loop, so the optimised code V8 compiles on entering the loop
 * (on-stack replacement, in the first call) never reaches code that had not run by then; a first
 * version ending in the result building deoptimised there on every later call until a full
 * recompilation (45–50 bailouts and several 100–300 ms background compilations over the first ~60
 * books of a process, node --trace-deopt).
 */
function runBook(b: BookState): BacktestBookResult {
  const n = b.prices[0].length;
  const m = b.prices.length;
  const count = b.legY.length;
  const accounts: BookAccounts = {
    equity: new Float64Array(n),
    returns: new Float64Array(n),
    pnl: new Float64Array(n),
    pairPnl: new Float64Array(count),
    pairCosts: new Float64Array(count),
    pairFees: new Float64Array(count),
    instrumentPnl: new Float64Array(m),
    instrumentCosts: new Float64Array(m),
    instrumentFees: new Float64Array(m),
    series: b.pairSeries ? Array.from({ length: count }, () => new Float64Array(n)) : null,
    // with every entry taken and no shared legs the logs fill exactly (a round trip is 4 fills)
    tradeLog: new TradeLog(Math.max(16, b.plans.plannedEntries)),
    fillLog: new FillLog(Math.max(64, 4 * b.plans.plannedEntries)),
    refusals: [],
    holdings: new Float64Array(m),
    refPrice: new Float64Array(m),
    traded: new Float64Array(2),
  };
  runBars(b, accounts);
  return bookResult(b, accounts);
}

/** A pair's running totals that its marks join as they are computed (marks ahead, no borrow fee). */
interface MarkTotals {
  readonly pairPnl: Float64Array;
  readonly tradePnl: Float64Array;
  readonly series: Float64Array[] | null;
}

/**
 * Write pair p's marks d_u = y·(P_{y,u} − P_{y,u−1}) + x·(P_{x,u} − P_{x,u−1}), u in [from, to), at
 * marks[offset + u]; with `totals`, also add them to its totals in bar order, and to its row of the
 * P&L series (still 0 there: the bar loop has not reached those bars).
 */
function fillMarks(
  marks: Float64Array,
  offset: number,
  py: Float64Array,
  px: Float64Array,
  y: number,
  x: number,
  from: number,
  to: number,
  totals: MarkTotals | null,
  p: number,
): void {
  if (from >= to) return;
  // each price read once: the previous bar's in a local
  let lastY = py[from - 1];
  let lastX = px[from - 1];
  if (totals === null) {
    for (let u = from; u < to; u++) {
      const priceY = py[u];
      const priceX = px[u];
      marks[offset + u] = y * (priceY - lastY) + x * (priceX - lastX);
      lastY = priceY;
      lastX = priceX;
    }
    return;
  }
  const seriesRow = totals.series === null ? null : totals.series[p];
  let pairTotal = totals.pairPnl[p];
  let tradeTotal = totals.tradePnl[p];
  for (let u = from; u < to; u++) {
    const priceY = py[u];
    const priceX = px[u];
    const d = y * (priceY - lastY) + x * (priceX - lastX);
    marks[offset + u] = d;
    pairTotal += d;
    tradeTotal += d;
    if (seriesRow !== null) seriesRow[u] += d;
    lastY = priceY;
    lastX = priceX;
  }
  totals.pairPnl[p] = pairTotal;
  totals.tradePnl[p] = tradeTotal;
}

/** Steps 1–4 of the module comment for every bar, into the accounts. */
function runBars(b: BookState, a: BookAccounts): void {
  const { prices, pricesY, pricesX, plans, legY, legX, betas, weights, capital, leverage, caps, sectorOf, costRate } = b;
  const { pairPnl, pairCosts, pairFees, instrumentPnl, instrumentCosts, instrumentFees, series, tradeLog, fillLog, refusals } = a;
  const { holdings, refPrice, traded } = a;
  const equityOut = a.equity;
  const returnsOut = a.returns;
  const pnlOut = a.pnl;
  const n = prices[0].length;
  const m = prices.length;
  const count = legY.length;
  const feePerBar = b.borrowFee / b.periodsPerYear;
  // constants and the plan's columns in locals: V8 re-reads a module or imported constant, and an
  // object's field, at every use in the loop
  const markBlock = MARK_BLOCK | 0;
  const eventBuy = EVENT_BUY | 0;
  const eventExit = EVENT_EXIT | 0;
  const planKind = plans.kind; // next event of each pair (kind, bar, its legs' prices there)
  const planBar = plans.bar;
  const planPriceY = plans.priceY;
  const planPriceX = plans.priceX;
  const hasCaps = caps.gross < Infinity || caps.net < Infinity || caps.leg < Infinity || caps.sector < Infinity;
  const held = new Int32Array((count + 31) >>> 5); // bit p: pair p holds a position (iterated in ascending p)
  const barEvents = new Int32Array(count);
  const entryCandidates = new Int32Array(count);
  const touchedPairs = new Int32Array(count); // pairs trading this bar: exits (ascending), then entries (ascending)

  const qy = new Float64Array(count); // pair holdings of its y and x legs
  const qx = new Float64Array(count);
  const side = new Int8Array(count);
  const units = new Float64Array(count);
  const entryBar = new Int32Array(count);
  const tradePnl = new Float64Array(count);
  const deltaY = new Float64Array(count); // this bar's pair trades
  const deltaX = new Float64Array(count);
  const closing = new Int8Array(count); // exit reason + 1 of a pair closing this bar, 0 otherwise
  const delta = new Float64Array(m); // this bar's net trade per instrument
  const grossDelta = new Float64Array(m); // Σ_p |Δq_{p,s}| this bar
  const shortSum = new Float64Array(m); // Σ_p of short pair quantities per instrument (fee allocation)
  let touched = 0;
  let equity = capital;

  // a held pair's marks d_{p,t} = q_y·ΔP_y + q_x·ΔP_x, computed pair by pair for a block of bars
  // (one run along its legs' prices) into marks[p·MARK_BLOCK + t − blockStart], then summed bar by
  // bar in ascending pair order as before: the same numbers added in the same order. Without borrow
  // fees nothing else touches a held pair's P&L between its entry and exit bars (costs come at those
  // bars, after the marks), so its own totals take the block's marks at once, in bar order
  // (`marksAhead`: fillMarks adds them), and the bar loop adds only the book's sum
  const marksAhead = !(feePerBar > 0);
  const totals: MarkTotals | null = marksAhead ? { pairPnl, tradePnl, series } : null;
  const marks = new Float64Array(count * MARK_BLOCK);
  const holdUntil = new Int32Array(count); // exit bar of a held pair's position (its last marked bar)
  let blockStart = 0;
  let blockEnd = 0;

  for (let t = 0; t < n; t++) {
    const equityBefore = equity;
    let barPnl = 0;
    if (t === blockEnd) {
      blockStart = t;
      blockEnd = Math.min(t + markBlock, n);
      for (let word = 0; word < held.length; word++) {
        for (let bits = held[word]; bits !== 0; bits &= bits - 1) {
          const p = (word << 5) | (31 - Math.clz32(bits & -bits));
          const to = Math.min(blockEnd, holdUntil[p] + 1);
          fillMarks(marks, p * markBlock - blockStart, pricesY[p], pricesX[p], qy[p], qx[p], t, to, totals, p);
        }
      }
    }
    // 1. mark the held pairs' legs in ascending pair order (their attribution; the sum is the book's
    // mark-to-market). A held pair entered at an earlier bar, so t ≥ 1 whenever it is marked.
    const markOffset = t - blockStart;
    for (let word = 0; word < held.length; word++) {
      for (let bits = held[word]; bits !== 0; bits &= bits - 1) {
        const p = (word << 5) | (31 - Math.clz32(bits & -bits));
        const d = marks[p * markBlock + markOffset];
        if (!marksAhead) {
          pairPnl[p] += d;
          tradePnl[p] += d;
          if (series !== null) series[p][t] += d;
        }
        barPnl += d;
      }
    }
    // 2. this bar's events in pair order: exits are applied at once, entries are collected and
    // applied after the borrow fees (caps see the holdings after all exits and after earlier
    // entries; sizing sees the equity after this bar's marks and fees)
    const events = plans.take(t, barEvents);
    let candidates = 0;
    for (let e = 0; e < events; e++) {
      const p = barEvents[e];
      if (side[p] === 0) {
        entryCandidates[candidates++] = p;
        continue;
      }
      deltaY[p] = -qy[p];
      deltaX[p] = -qx[p];
      delta[legY[p]] -= qy[p];
      delta[legX[p]] -= qx[p];
      grossDelta[legY[p]] += Math.abs(qy[p]);
      grossDelta[legX[p]] += Math.abs(qx[p]);
      closing[p] = planKind[p] - eventExit + 1; // REASONS index + 1
      touchedPairs[touched++] = p;
    }
    // borrow fees on the net short instruments (holdings before this bar's trades), shared by the
    // held pairs short in them pro rata to their own short quantity
    if (feePerBar > 0 && t > 0) {
      shortSum.fill(0);
      for (let word = 0; word < held.length; word++) {
        for (let bits = held[word]; bits !== 0; bits &= bits - 1) {
          const p = (word << 5) | (31 - Math.clz32(bits & -bits));
          if (qy[p] < 0) shortSum[legY[p]] -= qy[p];
          if (qx[p] < 0) shortSum[legX[p]] -= qx[p];
        }
      }
      for (let s = 0; s < m; s++) {
        const q = holdings[s];
        if (!(q < 0)) continue;
        const fee = -q * prices[s][t - 1] * feePerBar;
        instrumentFees[s] += fee;
        instrumentPnl[s] -= fee;
        barPnl -= fee;
      }
      for (let word = 0; word < held.length; word++) {
        for (let bits = held[word]; bits !== 0; bits &= bits - 1) {
          const p = (word << 5) | (31 - Math.clz32(bits & -bits));
          const iy = legY[p];
          const ix = legX[p];
          let fee = 0;
          if (qy[p] < 0 && holdings[iy] < 0) fee += (-qy[p] / shortSum[iy]) * -holdings[iy] * prices[iy][t - 1] * feePerBar;
          if (qx[p] < 0 && holdings[ix] < 0) fee += (-qx[p] / shortSum[ix]) * -holdings[ix] * prices[ix][t - 1] * feePerBar;
          pairFees[p] += fee;
          pairPnl[p] -= fee;
          tradePnl[p] -= fee;
          if (series !== null) series[p][t] -= fee;
        }
      }
    }
    equity += barPnl;

    for (let c = 0; c < candidates; c++) {
      const p = entryCandidates[c];
      const direction = planKind[p] === eventBuy ? 1 : -1;
      const iy = legY[p];
      const ix = legX[p];
      const priceY = planPriceY[p];
      const priceX = planPriceX[p];
      const q = (leverage * weights[p] * equity) / (priceY + Math.abs(betas[p]) * priceX);
      if (!(q > 0) || !Number.isFinite(q)) {
        plans.replan(p, t);
        continue;
      }
      const addY = direction * q;
      const addX = -direction * q * betas[p];
      if (hasCaps) {
        const refusal = checkCaps(caps, sectorOf, holdings, delta, prices, t, iy, ix, addY, addX, equity);
        if (refusal !== null) {
          refusals.push({ bar: t, pair: p, cap: refusal.cap, value: refusal.value, limit: refusal.limit });
          plans.replan(p, t);
          continue;
        }
      }
      side[p] = direction;
      units[p] = q;
      qy[p] = addY;
      qx[p] = addX;
      entryBar[p] = t;
      tradePnl[p] = 0;
      deltaY[p] = addY;
      deltaX[p] = addX;
      delta[iy] += addY;
      delta[ix] += addX;
      grossDelta[iy] += Math.abs(addY);
      grossDelta[ix] += Math.abs(addX);
      touchedPairs[touched++] = p;
      held[p >>> 5] |= 1 << (p & 31);
    }

    // 4. net trades, costs on the net, allocated to the pairs by |Δq|
    if (touched > 0) {
      let barCost = 0;
      for (let k = 0; k < touched; k++) {
        const p = touchedPairs[k];
        let cost = 0;
        for (let leg = 0; leg < 2; leg++) {
          const s = leg === 0 ? legY[p] : legX[p];
          const d = leg === 0 ? deltaY[p] : deltaX[p];
          if (grossDelta[s] === 0) continue;
          const price = leg === 0 ? planPriceY[p] : planPriceX[p]; // P_{s,t}
          // this pair's share of the instrument's net cost: |Δq_{p,s}| / Σ_p |Δq_{p,s}|
          cost += Math.abs(delta[s]) * price * costRate * (Math.abs(d) / grossDelta[s]);
        }
        pairCosts[p] += cost;
        pairPnl[p] -= cost;
        tradePnl[p] -= cost;
        if (series !== null) series[p][t] -= cost;
      }
      for (let k = 0; k < touched; k++) {
        const p = touchedPairs[k];
        for (let leg = 0; leg < 2; leg++) {
          const s = leg === 0 ? legY[p] : legX[p];
          if (grossDelta[s] === 0) continue;
          const price = leg === 0 ? planPriceY[p] : planPriceX[p]; // P_{s,t}
          const cost = Math.abs(delta[s]) * price * costRate;
          if (delta[s] !== 0) fillLog.add(t, s, delta[s], price, cost);
          // instrument mark-to-market settled at each change of its net quantity (Q·(P − P_ref))
          instrumentPnl[s] += holdings[s] * (price - refPrice[s]);
          refPrice[s] = price;
          traded[0] += Math.abs(delta[s]) * price;
          traded[1] += grossDelta[s] * price;
          instrumentCosts[s] += cost;
          instrumentPnl[s] -= cost;
          barCost += cost;
          holdings[s] += delta[s];
          delta[s] = 0;
          grossDelta[s] = 0;
        }
      }
      equity -= barCost;
      barPnl -= barCost;
      for (let k = 0; k < touched; k++) {
        const p = touchedPairs[k];
        deltaY[p] = 0;
        deltaX[p] = 0;
        if (closing[p] !== 0) {
          tradeLog.add(p, side[p], entryBar[p], t, units[p], tradePnl[p], closing[p] - 1);
          closing[p] = 0;
          side[p] = 0;
          qy[p] = 0;
          qx[p] = 0;
          units[p] = 0;
          held[p >>> 5] &= ~(1 << (p & 31));
        }
        // file the pair's next event (an entry after an exit, the exit after an entry) only now:
        // plans.priceY/priceX held this bar's prices of its legs until here
        plans.fileNext(p);
        if (side[p] !== 0) {
          // entered at t: held through its planned exit (exits are never refused)
          holdUntil[p] = planBar[p];
          const to = Math.min(blockEnd, holdUntil[p] + 1);
          fillMarks(marks, p * markBlock - blockStart, pricesY[p], pricesX[p], qy[p], qx[p], t + 1, to, totals, p);
        }
      }
      touched = 0;
    }
    equityOut[t] = equity;
    pnlOut[t] = barPnl;
    returnsOut[t] = equityBefore > 0 ? equity / equityBefore - 1 : 0;
  }
}

/** The result object from the filled accounts. */
function bookResult(b: BookState, a: BookAccounts): BacktestBookResult {
  const { prices, plans, capital } = b;
  const { instrumentPnl, holdings, refPrice, tradeLog } = a;
  const returnsOut = a.returns;
  const equityOut = a.equity;
  const n = prices[0].length;
  const m = prices.length;
  const equity = equityOut[n - 1];
  const warnings: string[] = [];
  for (let s = 0; s < m; s++) instrumentPnl[s] += holdings[s] * (prices[s][n - 1] - refPrice[s]); // rounding residue only: every pair closes at the last bar
  if (plans.undefinedSignals > 0)
    warnings.push(
      `undefined pair signals (rolling-window warm-up or zero variance) at ${plans.undefinedSignals} pair-bars: no decisions there`,
    );
  if (tradeLog.length === 0) warnings.push("no pair traded: flat equity, Sharpe 0");
  let mean = 0;
  for (let t = 0; t < n; t++) mean += returnsOut[t];
  mean /= n;
  let ss = 0;
  for (let t = 0; t < n; t++) ss += (returnsOut[t] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return {
    equity: equityOut,
    returns: returnsOut,
    pnl: a.pnl,
    weights: b.weights,
    pairPnl: a.pairPnl,
    pairCosts: a.pairCosts,
    pairBorrowFees: a.pairFees,
    instrumentPnl,
    instrumentCosts: a.instrumentCosts,
    instrumentBorrowFees: a.instrumentFees,
    pairPnlSeries: a.series,
    trades: tradeLog.rows(),
    fills: a.fillLog.table(),
    refusals: a.refusals,
    netTradedNotional: a.traded[0],
    grossTradedNotional: a.traded[1],
    metrics: {
      totalReturn: equity / capital - 1,
      sharpe: sd > 0 ? (mean / sd) * Math.sqrt(b.periodsPerYear) : 0,
      maxDrawdown: maxDrawdown(equityOut).maxDrawdown,
    },
    warnings,
  };
}

/** The first cap an entry adding (addY of iy, addX of ix) would breach, or null. */
function checkCaps(
  caps: CheckedCaps,
  sectorOf: Int32Array | null,
  holdings: Float64Array,
  delta: Float64Array,
  prices: readonly Float64Array[],
  t: number,
  iy: number,
  ix: number,
  addY: number,
  addX: number,
  equity: number,
): { cap: BookCapName; value: number; limit: number } | null {
  const m = prices.length;
  const exposure = (s: number): number => (holdings[s] + delta[s] + (s === iy ? addY : 0) + (s === ix ? addX : 0)) * prices[s][t];
  const legY = Math.abs(exposure(iy)) / equity;
  const legX = Math.abs(exposure(ix)) / equity;
  if (Math.max(legY, legX) > caps.leg) return { cap: "leg", value: Math.max(legY, legX), limit: caps.leg };
  let gross = 0;
  let net = 0;
  for (let s = 0; s < m; s++) {
    const e = exposure(s);
    gross += Math.abs(e);
    net += e;
  }
  if (gross / equity > caps.gross) return { cap: "gross", value: gross / equity, limit: caps.gross };
  if (Math.abs(net) / equity > caps.net) return { cap: "net", value: Math.abs(net) / equity, limit: caps.net };
  if (sectorOf !== null && caps.sector < Infinity) {
    for (const sector of [sectorOf[iy], sectorOf[ix]]) {
      let total = 0;
      for (let s = 0; s < m; s++) if (sectorOf[s] === sector) total += Math.abs(exposure(s));
      if (total / equity > caps.sector) return { cap: "sector", value: total / equity, limit: caps.sector };
    }
  }
  return null;
}

/** Growable column store of fills (doubling typed arrays). */
class FillLog {
  length = 0;
  private bar: Int32Array;
  private instrument: Int32Array;
  private quantity: Float64Array;
  private price: Float64Array;
  private cost: Float64Array;

  constructor(capacity: number) {
    this.bar = new Int32Array(capacity);
    this.instrument = new Int32Array(capacity);
    this.quantity = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.cost = new Float64Array(capacity);
  }

  add(bar: number, instrument: number, quantity: number, price: number, cost: number): void {
    if (this.length === this.bar.length) this.grow();
    const k = this.length++;
    this.bar[k] = bar;
    this.instrument[k] = instrument;
    this.quantity[k] = quantity;
    this.price[k] = price;
    this.cost[k] = cost;
  }

  /** The columns, trimmed to the rows written (the log's own arrays when it is exactly full). */
  table(): BookFills {
    const n = this.length;
    if (n === this.bar.length)
      return { bar: this.bar, instrument: this.instrument, quantity: this.quantity, price: this.price, cost: this.cost };
    return {
      bar: this.bar.slice(0, n),
      instrument: this.instrument.slice(0, n),
      quantity: this.quantity.slice(0, n),
      price: this.price.slice(0, n),
      cost: this.cost.slice(0, n),
    };
  }

  private grow(): void {
    const size = this.bar.length * 2;
    this.bar = grown(this.bar, new Int32Array(size));
    this.instrument = grown(this.instrument, new Int32Array(size));
    this.quantity = grown(this.quantity, new Float64Array(size));
    this.price = grown(this.price, new Float64Array(size));
    this.cost = grown(this.cost, new Float64Array(size));
  }
}

/** Growable column store of round trips (doubling typed arrays); rows() builds the BookTrade list once. */
class TradeLog {
  length = 0;
  private pair: Int32Array;
  private side: Int8Array;
  private entryBar: Int32Array;
  private exitBar: Int32Array;
  private units: Float64Array;
  private pnl: Float64Array;
  private reason: Int8Array;

  constructor(capacity: number) {
    this.pair = new Int32Array(capacity);
    this.side = new Int8Array(capacity);
    this.entryBar = new Int32Array(capacity);
    this.exitBar = new Int32Array(capacity);
    this.units = new Float64Array(capacity);
    this.pnl = new Float64Array(capacity);
    this.reason = new Int8Array(capacity);
  }

  add(pair: number, side: number, entryBar: number, exitBar: number, units: number, pnl: number, reason: number): void {
    if (this.length === this.pair.length) this.grow();
    const k = this.length++;
    this.pair[k] = pair;
    this.side[k] = side;
    this.entryBar[k] = entryBar;
    this.exitBar[k] = exitBar;
    this.units[k] = units;
    this.pnl[k] = pnl;
    this.reason[k] = reason;
  }

  rows(): BookTrade[] {
    const out: BookTrade[] = new Array(this.length);
    for (let k = 0; k < this.length; k++)
      out[k] = {
        pair: this.pair[k],
        side: this.side[k] > 0 ? "long" : "short",
        entryBar: this.entryBar[k],
        exitBar: this.exitBar[k],
        units: this.units[k],
        pnl: this.pnl[k],
        exitReason: REASONS[this.reason[k]],
      };
    return out;
  }

  private grow(): void {
    const size = this.pair.length * 2;
    this.pair = grown(this.pair, new Int32Array(size));
    this.side = grown(this.side, new Int8Array(size));
    this.entryBar = grown(this.entryBar, new Int32Array(size));
    this.exitBar = grown(this.exitBar, new Int32Array(size));
    this.units = grown(this.units, new Float64Array(size));
    this.pnl = grown(this.pnl, new Float64Array(size));
    this.reason = grown(this.reason, new Int8Array(size));
  }
}

/** `to` with `from` copied into its start. */
function grown<T extends Int8Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
