/**
 * Parameter sweep of a pairs backtest over hedge specifications, z-score windows and entry, exit
 * and stop levels (sweepSpace.ts), on a grid or a seeded random sample, evaluated for one shard of
 * combination indices [start, end) so a worker pool or distributed workers can split the work.
 *
 * Strategy per combination: backtestPair with { hedge, rule: { kind: "zscore", entry, exit, stop,
 * window: { type: "rolling", length: zWindow } }, costs: { bps, slippageBps }, capital, close fills }.
 * Sharing: the hedge ratios β_t and z-scores v_t depend only on (hedge, zWindow), so they are computed
 * once per group (by backtestPair itself, with diagnostics) and every (entry, exit, stop) of the group
 * replays only the trading step (simulatePairTrades.ts); the results equal separate backtestPair runs
 * (test: returns to 1e-12). Memory: two series per cached group (at most MAX_CACHED_GROUPS) plus, only
 * with `returns: true`, each result's per-bar returns; no per-bar output of the grid is kept otherwise.
 * Metrics: sharpe = mean(r)/sd(r, ddof 1) per bar (as deflatedSharpe and PBO expect; ±∞/0 for a
 * flat series as sharpeRatio), annualizedSharpe = sharpe·√periodsPerYear, totalReturn =
 * equity_end/capital − 1, maxDrawdown (positive fraction), trades (round trips).
 * Bounded: a shard has at most MAX_SHARD_COMBINATIONS combinations and, with returns, at most
 * MAX_RETURN_VALUES returned doubles; cancellable: `signal` is checked every ABORT_CHECK_EVERY
 * combinations and its reason thrown.
 * @throws RangeError/TypeError for bad prices (as backtestPair), a bad space (an invalid rule
 *   combination such as |exit| ≥ entry names its index), range or sampling; the signal's reason
 * @example sweepBacktests({ y, x, space, range: { start: 0, end: 100 } }).results[0].sharpe
 *   // the per-bar Sharpe of combination 0 (see bench/walkForwardBookSweep.bench.ts for a 1,000-combination run)
 */
import { backtestPair } from "../backtest/backtestPair.js";
import { normalizeRule, type TradingRule } from "../backtest/tradingRule.js";
import type { HedgeSpec } from "../backtest/types.js";
import { sharpeFromMoments } from "../evaluation/sharpeRatio.js";
import { describe, rangeError, requireFinite, requireInteger, requireOptions, toFloat64, typeError } from "../util/validate.js";
import { combinationKernel, samplingSize, spaceDimensions, type SweepSampling, type SweepSpace } from "./sweepSpace.js";
import { simulatePairTradesKernel } from "./simulatePairTrades.js";

export const MAX_SHARD_COMBINATIONS = 1_000_000;
export const MAX_RETURN_VALUES = 50_000_000;
const MAX_CACHED_GROUPS = 16;
const ABORT_CHECK_EVERY = 16;

export interface SweepBacktestsInput {
  readonly y: ArrayLike<number>;
  readonly x: ArrayLike<number>;
  readonly space: SweepSpace;
  /** Default { kind: "grid" }. */
  readonly sampling?: SweepSampling;
  /** Combination indices [start, end) of this shard (default: all). */
  readonly range?: { readonly start: number; readonly end: number };
  readonly costs?: { readonly bps?: number; readonly slippageBps?: number };
  /** Default 100 000. */
  readonly capital?: number;
  /** Default 252 (annualizedSharpe only). */
  readonly periodsPerYear?: number;
  /** Attach each combination's per-bar returns (default false: null). */
  readonly returns?: boolean;
  readonly signal?: AbortSignal;
}

export interface SweepResult {
  readonly index: number;
  readonly hedge: HedgeSpec;
  readonly zWindow: number;
  readonly entry: number;
  readonly exit: number;
  readonly stop: number | null;
  /** Per-bar Sharpe (not annualised). */
  readonly sharpe: number;
  readonly annualizedSharpe: number;
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  readonly trades: number;
  /** Per-bar returns with `returns: true`, else null. */
  readonly returns: Float64Array | null;
}

export interface SweepBacktestsResult {
  /** Combinations in the whole sweep (all shards). */
  readonly size: number;
  readonly start: number;
  readonly end: number;
  readonly results: readonly SweepResult[];
  /** (hedge, zWindow) groups precomputed by this shard. */
  readonly groupsComputed: number;
}

interface Group {
  beta: Float64Array;
  signal: Float64Array;
  /** First bar with a defined signal (the warm-up before it is flat for every rule). */
  first: number;
}

/** Run one shard of a sweep; see the module comment. */
export function sweepBacktests(input: SweepBacktestsInput): SweepBacktestsResult {
  const fn = "sweepBacktests";
  const o = requireOptions<SweepBacktestsInput>(fn, input);
  const y = toFloat64(o.y, "y", fn, { minLength: 3 });
  const x = toFloat64(o.x, "x", fn, { minLength: 3 });
  if (y.length !== x.length) rangeError(fn, `y and x must have the same length, got ${y.length} and ${x.length}`);
  for (let t = 0; t < y.length; t++)
    if (!(y[t] > 0 && x[t] > 0)) rangeError(fn, `prices must be > 0, got y ${y[t]}, x ${x[t]} at index ${t}`);
  const space = o.space as SweepSpace;
  const dims = spaceDimensions(fn, space);
  space.hedge.forEach((h, k) => checkHedge(fn, h, k));
  space.zWindow.forEach((w, k) => requireInteger(fn, `space.zWindow[${k}]`, w, { min: 2, max: y.length }));
  const sampling: SweepSampling = o.sampling ?? { kind: "grid" };
  const size = samplingSize(fn, dims, sampling);
  const range = requireOptions<{ start: number; end: number }>(fn, o.range);
  const start = range.start === undefined ? 0 : requireInteger(fn, "range.start", range.start, { min: 0, max: size });
  const end = range.end === undefined ? size : requireInteger(fn, "range.end", range.end, { min: start, max: size });
  if (end - start > MAX_SHARD_COMBINATIONS)
    rangeError(fn, `a shard may hold at most ${MAX_SHARD_COMBINATIONS} combinations, got range [${start}, ${end})`);
  if (o.returns !== undefined && typeof o.returns !== "boolean") typeError(fn, `returns must be true or false, got ${describe(o.returns)}`);
  const withReturns = o.returns === true;
  if (withReturns && (end - start) * y.length > MAX_RETURN_VALUES) {
    rangeError(
      fn,
      `returns: true would hold ${(end - start) * y.length} doubles, more than MAX_RETURN_VALUES (${MAX_RETURN_VALUES}); use smaller shards`,
    );
  }
  const costs = requireOptions<{ bps: number; slippageBps: number }>(fn, o.costs);
  const costRate =
    ((costs.bps === undefined ? 0 : requireFinite(fn, "costs.bps", costs.bps, { min: 0 })) +
      (costs.slippageBps === undefined ? 0 : requireFinite(fn, "costs.slippageBps", costs.slippageBps, { min: 0 }))) /
    1e4;
  const capital = o.capital === undefined ? 100_000 : requireFinite(fn, "capital", o.capital, { minExclusive: 0 });
  const periodsPerYear = o.periodsPerYear === undefined ? 252 : requireFinite(fn, "periodsPerYear", o.periodsPerYear, { minExclusive: 0 });
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal))
    typeError(fn, `signal must be an AbortSignal, got ${describe(o.signal)}`);

  const cache = new Map<number, Group>();
  let groupsComputed = 0;
  const results: SweepResult[] = [];
  const sqrtP = Math.sqrt(periodsPerYear);
  for (let index = start; index < end; index++) {
    if ((index - start) % ABORT_CHECK_EVERY === 0) o.signal?.throwIfAborted();
    const c = combinationKernel(space, dims, sampling, index);
    const rule: TradingRule = {
      kind: "zscore",
      entry: c.entry,
      exit: c.exit,
      ...(c.stop === null ? {} : { stop: c.stop }),
      window: { type: "rolling", length: c.zWindow },
    };
    const th = normalizeRule(fn, rule, `combination ${index}'s rule`).thresholds;
    const key = c.hedgeIndex * dims[1] + c.zWindowIndex;
    let group = cache.get(key);
    if (group === undefined) {
      // the data half, by the engine itself: β_t and the z-score for this (hedge, window); the rule
      // never enters (entry at Number.MAX_VALUE), so the engine spends nothing on trades
      const run = backtestPair({
        y,
        x,
        hedge: c.hedge,
        rule: { kind: "zscore", entry: Number.MAX_VALUE, exit: 0, window: { type: "rolling", length: c.zWindow } },
        diagnostics: true,
      });
      const signal = run.diagnostics!.signal;
      let first = 0;
      while (first < signal.length && signal[first] !== signal[first]) first++;
      group = { beta: run.diagnostics!.hedgeRatios, signal, first };
      if (cache.size >= MAX_CACHED_GROUPS) cache.delete(cache.keys().next().value as number);
      cache.set(key, group);
      groupsComputed++;
    }
    const returns = withReturns ? new Float64Array(y.length) : null;
    const s = simulatePairTradesKernel(y, x, group.beta, group.signal, th, costRate, capital, returns, group.first);
    const sharpe = sharpeFromMoments(s.meanReturn, s.sumSquares / (y.length - 1));
    results.push({
      index,
      hedge: c.hedge,
      zWindow: c.zWindow,
      entry: c.entry,
      exit: c.exit,
      stop: c.stop,
      sharpe,
      annualizedSharpe: sharpe * sqrtP,
      totalReturn: s.finalEquity / capital - 1,
      maxDrawdown: s.maxDrawdown,
      trades: s.trades,
      returns,
    });
  }
  return { size, start, end, results, groupsComputed };
}

/** A hedge spec as backtestPair accepts it, with this function's name in the message. */
function checkHedge(fn: string, hedge: unknown, k: number): void {
  if (hedge === null || typeof hedge !== "object")
    typeError(fn, `space.hedge[${k}] must be { method: "static", beta | window } or { method: "rolling", window }, got ${describe(hedge)}`);
  const h = hedge as Record<string, unknown>;
  if (h.method !== "static" && h.method !== "rolling")
    rangeError(fn, `space.hedge[${k}].method must be "static" or "rolling", got ${describe(h.method)}`);
  if (h.method === "static" && h.beta !== undefined) requireFinite(fn, `space.hedge[${k}].beta`, h.beta);
  else requireInteger(fn, `space.hedge[${k}].window`, h.window, { min: 3 });
}
