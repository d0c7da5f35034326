/**
 * Walk-forward evaluation of a pairs book with rolling formation and trading windows.
 * Fold k (k = 0, 1, …): formation bars [a_k, a_k + F), trading bars [a_k + F, a_k + F + T),
 * a_k = k·step (default step = T, so trading windows tile the sample without overlap). Per fold, on
 * formation data only:
 * 1. screen and discover: the optional screens (correlation floor, nearest partners by SSD, same
 *    sector, half-life band, mean crossings), then Engle–Granger on the survivors, BH FDR over them,
 *    the best topK by p-value kept (selectPairs.ts, on discoverPairs);
 * 2. fit: hedge β and intercept from the cointegrating regression; spread s = y − β·x; OU exact MLE
 *    on the formation spread (fitOu, dt = 1 bar); a pair whose fit is not mean-reverting (κ ≤ 0) or
 *    whose half-life (bars) lies outside `halfLifeBand` is dropped with its reason;
 * 3. levels: rule "zscore": z = (s − θ)/(σ/√(2κ)) (a fixed window at the OU mean and stationary sd),
 *    entry/exit/stop as given; rule "leungLi": Leung–Li optimal levels (leungLi, per-bar κ and σ,
 *    discount `discountRate` per bar, cost c = costBps/10⁴·(P_y + |β|·P_x) at the formation's last
 *    bar), long at d*, exit at b*, shorts reflected about θ;
 * 4. allocation weights (equal, inverse volatility or risk parity) from formation spread returns;
 * then the book (backtestBook) trades the selected pairs over the trading window, with entries only
 * from its first bar and every position closed at its last bar. The out-of-sample returns of the
 * folds are stitched in time order (equity compounds across folds from `capital`); a fold with no
 * pair holds cash (returns 0). Every fold records what it selected and every fitted parameter.
 * No look-ahead: steps 1–4 read bars < a_k + F only (the invariant test perturbs every price after a
 * fold's formation end and checks that the fold's selections and parameters do not change).
 * @throws RangeError/TypeError for non-positive or non-finite prices, series of different lengths,
 *   windows that do not fit the data, bad rule/book options; the signal's reason when aborted
 * @example walkForward({ prices }, { formation: 252, trading: 63, folds: 8, topK: 10, rule: { kind: "zscore", entry: 2, exit: 0.5 } })
 *   // 8 folds; oos.returns has 8·63 bars (see notebooks/07-walk-forward-book.ipynb on data/sp100_prices.csv)
 */
import { backtestBook, type BacktestBookResult, type BookCaps, type BookPair } from "../book/backtestBook.js";
import type { AllocationMethod } from "../book/allocationWeights.js";
import type { TradingRule } from "../backtest/tradingRule.js";
import { fitOu } from "../ou/fitOu.js";
import { leungLi } from "../optimal/leungLi.js";
import {
  describe,
  rangeError,
  requireFinite,
  requireInteger,
  requireOneOf,
  requireOptions,
  toFloat64,
  typeError,
} from "../util/validate.js";
import { selectPairs, type PairScreens, type SelectPairsResult } from "./selectPairs.js";
import type { ScreenCounts } from "../discovery/discoverPairs.js";

/** Starting capital of the book and the stitched equity by default. */
const DEFAULT_CAPITAL = 1_000_000;

export type WalkForwardRule =
  | { readonly kind: "zscore"; readonly entry: number; readonly exit: number; readonly stop?: number }
  | { readonly kind: "leungLi"; readonly discountRate: number; readonly costBps: number };

export interface WalkForwardPanel {
  /** One positive price series per instrument, all of one length. */
  readonly prices: readonly ArrayLike<number>[];
  /** Instrument names (default "0", "1", …). */
  readonly names?: readonly string[];
  /** Sector label per instrument (for caps.maxSector). */
  readonly sectors?: readonly string[];
}

export interface WalkForwardOptions {
  /** Formation window F in bars. */
  readonly formation: number;
  /** Trading window T in bars. */
  readonly trading: number;
  /** Bars between fold starts (default T). */
  readonly step?: number;
  /** At most this many folds (default: as many as fit). */
  readonly folds?: number;
  /** Pairs kept per fold (default 10). */
  readonly topK?: number;
  /** Benjamini–Hochberg level (default 0.05). */
  readonly fdr?: number;
  /** Screens before the cointegration scan (default none); sameSector uses panel.sectors. */
  readonly screens?: PairScreens;
  /** Half-life band in bars, inclusive (default [1, F/2]). */
  readonly halfLifeBand?: readonly [number, number];
  readonly rule: WalkForwardRule;
  /** Book settings for the trading windows (see backtestBook). */
  readonly capital?: number;
  readonly leverage?: number;
  readonly allocation?: AllocationMethod;
  readonly costs?: { readonly bps?: number; readonly slippageBps?: number };
  readonly borrowFee?: number;
  readonly caps?: BookCaps;
  readonly periodsPerYear?: number;
  /** Checked between folds and between pair tests; aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Fold indices [start, end) to compute (default: every fold), so workers can split the folds;
   * `oos`, `pairPnl` and `warnings` then cover these folds alone, and {@link stitchWalkForward}
   * over the folds of all ranges, in order, gives the whole run's result exactly.
   */
  readonly range?: { readonly start: number; readonly end: number };
}

/** One selected pair with everything fitted on the formation window. */
export interface WalkForwardSelection {
  readonly y: number;
  readonly x: number;
  readonly label: string;
  readonly pValue: number;
  readonly qValue: number;
  readonly hedgeRatio: number;
  readonly intercept: number;
  readonly kappa: number;
  readonly theta: number;
  readonly sigma: number;
  readonly halfLife: number;
  readonly stationarySd: number;
  readonly rule: TradingRule;
  readonly weight: number;
}

export interface WalkForwardFold {
  readonly fold: number;
  readonly formationStart: number;
  /** Exclusive: the first trading bar. */
  readonly formationEnd: number;
  readonly tradingEnd: number;
  /** Candidate pairs among the fold's eligible instruments, pairs each screen removed, pairs tested. */
  readonly candidates: number;
  readonly removed: ScreenCounts;
  readonly tested: number;
  readonly discovered: number;
  readonly selections: readonly WalkForwardSelection[];
  /** Discovered pairs dropped at the fit step, with the reason. */
  readonly dropped: readonly { readonly y: number; readonly x: number; readonly reason: string }[];
  /** The fold's book over its trading window (null when nothing was selected). */
  readonly book: BacktestBookResult | null;
  readonly totalReturn: number;
}

export interface WalkForwardResult {
  /** Folds of the whole walk-forward (also when `range` selects some of them). */
  readonly foldCount: number;
  readonly folds: readonly WalkForwardFold[];
  /** Stitched out-of-sample series: bar index into the panel, return, equity. */
  readonly oos: { readonly index: Int32Array; readonly returns: Float64Array; readonly equity: Float64Array };
  /** Attributed P&L per pair label summed over folds (currency of each fold's book). */
  readonly pairPnl: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

/** Run the walk-forward; see the module comment. */
export function walkForward(panel: WalkForwardPanel, options: WalkForwardOptions): WalkForwardResult {
  const fn = "walkForward";
  if (panel === null || typeof panel !== "object")
    typeError(fn, `panel must be an object { prices, names?, sectors? }, got ${describe(panel)}`);
  if (!Array.isArray(panel.prices) || panel.prices.length < 2)
    typeError(fn, `panel.prices must be an array of at least 2 series, got ${describe(panel.prices)}`);
  const prices = panel.prices.map((p, s) => toFloat64(p, `panel.prices[${s}]`, fn, { minLength: 2 }));
  const n = prices[0].length;
  const m = prices.length;
  prices.forEach((p, s) => {
    if (p.length !== n) rangeError(fn, `panel.prices must all have one length, got ${p.length} at [${s}] and ${n} at [0]`);
    for (let t = 0; t < n; t++)
      if (!(p[t] > 0)) rangeError(fn, `panel.prices must be > 0, got ${p[t]} at [${s}][${t}] (drop or fill missing prices first)`);
  });
  const names = panel.names === undefined ? prices.map((_, s) => String(s)) : panel.names;
  if (!Array.isArray(names) || names.length !== m)
    rangeError(fn, `panel.names must have one name per series (${m}), got ${describe(names)}`);
  const o = requireOptions<WalkForwardOptions>(fn, options);
  const formation = requireInteger(fn, "formation", o.formation, { min: 30 });
  const trading = requireInteger(fn, "trading", o.trading, { min: 2 });
  const step = o.step === undefined ? trading : requireInteger(fn, "step", o.step, { min: 1 });
  if (formation + trading > n) rangeError(fn, `formation + trading (${formation + trading}) must be <= the number of bars (${n})`);
  const fitting = Math.floor((n - formation - trading) / step) + 1;
  const foldCount = o.folds === undefined ? fitting : Math.min(fitting, requireInteger(fn, "folds", o.folds, { min: 1 }));
  const topK = o.topK === undefined ? 10 : requireInteger(fn, "topK", o.topK, { min: 1 });
  const fdr = o.fdr === undefined ? 0.05 : requireFinite(fn, "fdr", o.fdr, { minExclusive: 0, max: 1 });
  const band = o.halfLifeBand ?? [1, formation / 2];
  if (!Array.isArray(band) || band.length !== 2) typeError(fn, `halfLifeBand must be [min, max], got ${describe(band)}`);
  const bandLow = requireFinite(fn, "halfLifeBand[0]", band[0], { min: 0 });
  const bandHigh = requireFinite(fn, "halfLifeBand[1]", band[1], { minExclusive: bandLow });
  const rule = checkRule(fn, o.rule);
  const allocation =
    o.allocation === undefined
      ? "equal"
      : requireOneOf(fn, "allocation", o.allocation, ["equal", "inverseVolatility", "riskParity"] as const);
  const capital = o.capital === undefined ? DEFAULT_CAPITAL : requireFinite(fn, "capital", o.capital, { minExclusive: 0 });
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    typeError(fn, `signal must be an AbortSignal, got ${describe(o.signal)}`);
  const range = requireOptions<{ start: number; end: number }>(fn, o.range);
  const first = range.start === undefined ? 0 : requireInteger(fn, "range.start", range.start, { min: 0, max: foldCount });
  const last = range.end === undefined ? foldCount : requireInteger(fn, "range.end", range.end, { min: first, max: foldCount });

  const folds: WalkForwardFold[] = [];
  for (let k = first; k < last; k++) {
    o.signal?.throwIfAborted();
    const start = k * step;
    const formationEnd = start + formation;
    const tradingEnd = formationEnd + trading;
    // formation slices: everything fitted below reads these and nothing else
    const formationData = prices.map((p) => p.subarray(start, formationEnd));
    const eligible: number[] = [];
    for (let s = 0; s < m; s++) {
      const d = formationData[s];
      if (d.some((v) => v !== d[0])) eligible.push(s);
    }
    const discovery: SelectPairsResult =
      eligible.length < 2
        ? {
            candidates: 0,
            removed: { sector: 0, correlation: 0, distance: 0, halfLife: 0, crossings: 0 },
            tested: 0,
            discovered: 0,
            selected: [],
          }
        : selectPairs(
            eligible.map((s) => formationData[s]),
            {
              fdr,
              topK,
              ...(o.screens === undefined ? {} : { screens: o.screens }),
              ...(panel.sectors === undefined ? {} : { sectors: eligible.map((s) => panel.sectors![s]) }),
              ...(o.signal === undefined ? {} : { signal: o.signal }),
            },
          );
    const selections: WalkForwardSelection[] = [];
    const dropped: { y: number; x: number; reason: string }[] = [];
    for (const c of discovery.selected) {
      const y = eligible[c.y];
      const x = eligible[c.x];
      const beta = c.hedgeRatio;
      const spread = formationData[y].map((v, t) => v - beta * formationData[x][t]);
      const ou = fitOu(spread, { dt: 1 });
      if (!(ou.kappa > 0) || !Number.isFinite(ou.kappa) || !(ou.sigma > 0)) {
        dropped.push({ y, x, reason: `OU fit not mean-reverting (${ou.warnings.join("; ") || `κ = ${ou.kappa}`})` });
        continue;
      }
      if (ou.halfLifeSteps < bandLow || ou.halfLifeSteps > bandHigh) {
        dropped.push({ y, x, reason: `half-life ${ou.halfLifeSteps.toFixed(2)} bars outside [${bandLow}, ${bandHigh}]` });
        continue;
      }
      let pairRule: TradingRule;
      if (rule.kind === "zscore") {
        pairRule = {
          kind: "zscore",
          entry: rule.entry,
          exit: rule.exit,
          ...(rule.stop === undefined ? {} : { stop: rule.stop }),
          window: { type: "fixed", mean: ou.theta, sd: ou.stationarySd },
        };
      } else {
        const last = formation - 1;
        const c0 = (rule.costBps / 1e4) * (formationData[y][last] + Math.abs(beta) * formationData[x][last]);
        const levels = leungLi({ kappa: ou.kappa, theta: ou.theta, sigma: ou.sigma, r: rule.discountRate, c: c0 });
        if (levels.entryLevel === null || !(levels.entryLevel < ou.theta) || !(levels.exitLevel > levels.entryLevel)) {
          dropped.push({ y, x, reason: `Leung–Li gives no entry region below θ (${levels.warnings.join("; ")})` });
          continue;
        }
        pairRule = { kind: "levels", entry: levels.entryLevel, exit: levels.exitLevel, side: "both", center: ou.theta };
      }
      selections.push({
        y,
        x,
        label: `${names[y]}/${names[x]}`,
        pValue: c.pValue,
        qValue: c.qValue,
        hedgeRatio: beta,
        intercept: c.intercept,
        kappa: ou.kappa,
        theta: ou.theta,
        sigma: ou.sigma,
        halfLife: ou.halfLifeSteps,
        stationarySd: ou.stationarySd,
        rule: pairRule,
        weight: 0,
      });
    }
    let book: BacktestBookResult | null = null;
    if (selections.length > 0) {
      // the book sees formation + trading bars of the selected legs; weights come from the formation
      // bars (allocation window = F) and entries start at the first trading bar (startBar = F)
      const legs = [...new Set(selections.flatMap((s) => [s.y, s.x]))];
      const local = new Map(legs.map((s, i) => [s, i]));
      const pairs: BookPair[] = selections.map((s) => ({ y: local.get(s.y)!, x: local.get(s.x)!, hedgeRatio: s.hedgeRatio, rule: s.rule }));
      book = backtestBook({
        prices: legs.map((s) => prices[s].subarray(start, tradingEnd)),
        ...(panel.sectors === undefined ? {} : { sectors: legs.map((s) => panel.sectors![s]) }),
        pairs,
        capital,
        ...(o.leverage === undefined ? {} : { leverage: o.leverage }),
        allocation: { method: allocation, window: formation },
        startBar: formation,
        ...(o.costs === undefined ? {} : { costs: o.costs }),
        ...(o.borrowFee === undefined ? {} : { borrowFee: o.borrowFee }),
        ...(o.caps === undefined ? {} : { caps: o.caps }),
        ...(o.periodsPerYear === undefined ? {} : { periodsPerYear: o.periodsPerYear }),
      });
      selections.forEach((s, p) => {
        (s as { weight: number }).weight = book!.weights[p];
      });
    }
    const totalReturn = book === null ? 0 : book.equity[book.equity.length - 1] / capital - 1;
    folds.push({
      fold: k,
      formationStart: start,
      formationEnd,
      tradingEnd,
      candidates: discovery.candidates,
      removed: discovery.removed,
      tested: discovery.tested,
      discovered: discovery.discovered,
      selections,
      dropped,
      book,
      totalReturn,
    });
  }
  return { foldCount, folds, ...stitchWalkForward(folds, { capital, step, trading }) };
}

/**
 * The out-of-sample part of a walk-forward from its folds, in fold order: each fold's trading bars
 * not already covered by an earlier fold (step < T overlaps are skipped), returns compounded into
 * equity from `capital` (default as walkForward), pair P&L summed per label in fold order, a warning per fold without pairs.
 * walkForward calls it; a distributed run calls it on the folds of all its shards, so the result is
 * bit-identical to one process.
 */
export function stitchWalkForward(
  folds: readonly WalkForwardFold[],
  options: { readonly capital?: number; readonly step?: number; readonly trading: number },
): Pick<WalkForwardResult, "oos" | "pairPnl" | "warnings"> {
  const trading = options.trading;
  const capital = options.capital ?? DEFAULT_CAPITAL;
  const step = options.step ?? trading;
  const oosIndex = new Int32Array(folds.length * trading);
  const oosReturns = new Float64Array(folds.length * trading);
  const pairPnl: Record<string, number> = {};
  const warnings: string[] = [];
  let filled = 0;
  let lastEnd = 0;
  for (const fold of folds) {
    const book = fold.book;
    if (book === null)
      warnings.push(`fold ${fold.fold}: no pair selected (${fold.discovered} discovered of ${fold.tested}); the fold holds cash`);
    else
      fold.selections.forEach((s, p) => {
        pairPnl[s.label] = (pairPnl[s.label] ?? 0) + book.pairPnl[p];
      });
    const from = Math.max(fold.formationEnd, lastEnd);
    for (let t = from; t < fold.tradingEnd; t++) {
      oosIndex[filled] = t;
      oosReturns[filled] = book === null ? 0 : book.returns[t - fold.formationStart];
      filled++;
    }
    lastEnd = fold.tradingEnd;
  }
  const index = oosIndex.slice(0, filled);
  const returns = oosReturns.slice(0, filled);
  const equity = new Float64Array(filled);
  let e = capital;
  for (let i = 0; i < filled; i++) equity[i] = e *= 1 + returns[i];
  if (step > trading) warnings.push(`step (${step}) > trading (${trading}): bars between trading windows are not in the stitched series`);
  return { oos: { index, returns, equity }, pairPnl, warnings };
}

function checkRule(fn: string, rule: unknown): WalkForwardRule {
  if (rule === null || typeof rule !== "object")
    typeError(
      fn,
      `rule must be an object { kind: "zscore", entry, exit, stop? } or { kind: "leungLi", discountRate, costBps }, got ${describe(rule)}`,
    );
  const r = rule as Record<string, unknown>;
  const kind = requireOneOf(fn, "rule.kind", r.kind, ["zscore", "leungLi"] as const);
  if (kind === "zscore") {
    const entry = requireFinite(fn, "rule.entry", r.entry, { minExclusive: 0 });
    const exit = requireFinite(fn, "rule.exit", r.exit);
    if (!(Math.abs(exit) < entry)) rangeError(fn, `rule.exit must satisfy |exit| < entry (${entry}), got ${exit}`);
    if (r.stop === undefined) return { kind, entry, exit };
    const stop = requireFinite(fn, "rule.stop", r.stop, { minExclusive: entry });
    return { kind, entry, exit, stop };
  }
  return {
    kind,
    discountRate: requireFinite(fn, "rule.discountRate", r.discountRate, { minExclusive: 0 }),
    costBps: requireFinite(fn, "rule.costBps", r.costBps, { min: 0 }),
  };
}
