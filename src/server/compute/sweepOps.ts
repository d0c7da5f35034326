/**
 * SweepBacktests (extension RPC) as pure functions: the request's validation into the library's
 * sweep space (main thread, cheap) and the two pool ops, one shard of combinations
 * (`sweepBacktests` over an index range) and the final summary (`sweepOverfitting`: best
 * combination, deflated Sharpe, PBO). The server adds no mathematics; see docs/compatibility.md.
 */
import {
  bestTrialIndex,
  MAX_SWEEP_COMBINATIONS,
  sweepBacktests,
  sweepOverfitting,
  sweepSize,
  type HedgeSpec,
  type SweepBacktestsResult,
  type SweepOverfittingResult,
  type SweepSampling,
  type SweepSpace,
} from "../../lib/index.js";
import type { SweepHedge, SweepRequest } from "../generated/pair_discovery.js";
import { invalidArgument, resourceExhausted } from "../errors.js";
import { withWireFields } from "../libraryErrors.js";
import { enumOrDefault, finiteValue, positiveIntOrDefault, positiveOrDefault } from "../wire.js";

export const SWEEP_RPC = "SweepBacktests";
/** Most combinations one call may run (grid size or random_count): RESOURCE_EXHAUSTED beyond. */
export const MAX_SWEEP_RPC_COMBINATIONS = 100_000;
/** Most values in one parameter list. */
export const MAX_SWEEP_LIST = 1_000;
/** Most bars of the pair. */
export const MAX_SWEEP_BARS = 1_000_000;
/** PBO needs every combination's returns in memory: combinations × bars at most this (doubles, 80 MB). */
export const MAX_PBO_VALUES = 10_000_000;

/** Library names in sweepBacktests' messages -> wire fields. */
export const SWEEP_FIELDS = {
  "space.hedge": "hedges",
  "space.zWindow": "z_windows",
  "space.entry": "entries",
  "space.exit": "exits",
  "space.stop": "stops",
  "sampling.count": "random_count",
  "sampling.seed": "seed",
  "costs.bps": "cost_bps",
  "costs.slippageBps": "slippage_bps",
  capital: "capital",
  periodsPerYear: "periods_per_year",
  y: "prices1",
  x: "prices2",
} as const;

/** Validated, defaulted request (everything but the prices). */
export interface SweepSetup {
  readonly space: SweepSpace;
  readonly sampling: SweepSampling;
  readonly size: number;
  readonly costs: { readonly bps: number; readonly slippageBps: number };
  readonly capital: number;
  readonly periodsPerYear: number;
  readonly includeReturns: boolean;
  readonly partitions: number;
  readonly fixedBatch: number;
  readonly parallelWorkers: number;
}

function wireHedge(h: SweepHedge, k: number): HedgeSpec {
  const field = `hedges[${k}]`;
  const method = enumOrDefault(SWEEP_RPC, `${field}.method`, h.method, ["static", "rolling"] as const, "static");
  const window = positiveIntOrDefault(SWEEP_RPC, `${field}.window`, h.window, 0, { min: 3, max: MAX_SWEEP_BARS });
  const beta = finiteValue(SWEEP_RPC, `${field}.beta`, h.beta);
  if (method === "rolling") {
    if (window === 0) invalidArgument(SWEEP_RPC, `${field}.window must be >= 3 for method "rolling", got ${h.window}`);
    if (beta !== 0) invalidArgument(SWEEP_RPC, `${field}.beta must be 0 for method "rolling" (the rolling OLS estimates it), got ${beta}`);
    return { method: "rolling", window };
  }
  if (window > 0) {
    if (beta !== 0) invalidArgument(SWEEP_RPC, `${field}: give beta (fixed) or window (OLS over the first window bars), not both`);
    return { method: "static", window };
  }
  if (beta === 0)
    invalidArgument(SWEEP_RPC, `${field}: method "static" needs beta != 0 (a fixed hedge) or window >= 3 (OLS over the first window bars)`);
  return { method: "static", beta };
}

function list<T>(field: string, values: readonly T[] | undefined, required: boolean): readonly T[] {
  const v = values ?? [];
  if (required && v.length === 0) invalidArgument(SWEEP_RPC, `${field} must have at least one value`);
  if (v.length > MAX_SWEEP_LIST) resourceExhausted(SWEEP_RPC, `${field} must have at most ${MAX_SWEEP_LIST} values, got ${v.length}`);
  return v;
}

/** Validate a SweepRequest's parameters (the prices are checked by the caller and the library). */
export function resolveSweep(req: SweepRequest, poolSize: number): SweepSetup {
  const hedge = list("hedges", req.hedges, true).map(wireHedge);
  const zWindow = list("z_windows", req.zWindows, true).map((w, k) => {
    if (!Number.isInteger(w) || w < 2) invalidArgument(SWEEP_RPC, `z_windows[${k}] must be an integer >= 2, got ${w}`);
    return w;
  });
  const finiteList = (field: string, values: readonly number[], min: number, minRule: string): number[] =>
    values.map((v, k) => {
      if (!Number.isFinite(v)) invalidArgument(SWEEP_RPC, `${field}[${k}] must be a finite number, got ${v}`);
      if (!(v >= min)) invalidArgument(SWEEP_RPC, `${field}[${k}] must be ${minRule}, got ${v}`);
      return v;
    });
  const entry = finiteList("entries", list("entries", req.entries, true), Number.MIN_VALUE, "> 0");
  const exit = finiteList("exits", list("exits", req.exits, true), -Infinity, "finite");
  const stopValues = finiteList("stops", list("stops", req.stops, false), Number.MIN_VALUE, "> 0");
  if (req.includeNoStop && stopValues.length === 0)
    invalidArgument(SWEEP_RPC, "include_no_stop needs stops (without stops every combination has no stop)");
  const stop: (number | null)[] = stopValues.length === 0 ? [null] : req.includeNoStop ? [null, ...stopValues] : stopValues;
  const space: SweepSpace = { hedge, zWindow, entry, exit, stop };
  const kind = enumOrDefault(SWEEP_RPC, "sampling", req.sampling, ["grid", "random"] as const, "grid");
  let sampling: SweepSampling = { kind: "grid" };
  if (kind === "random") {
    const count = positiveIntOrDefault(SWEEP_RPC, "random_count", req.randomCount, 0);
    if (count === 0) invalidArgument(SWEEP_RPC, `random_count must be >= 1 with sampling "random", got ${req.randomCount}`);
    if (count > MAX_SWEEP_RPC_COMBINATIONS)
      resourceExhausted(SWEEP_RPC, `random_count must be <= MAX_SWEEP_RPC_COMBINATIONS (${MAX_SWEEP_RPC_COMBINATIONS}), got ${count}`);
    sampling = { kind: "random", count, seed: req.seed >>> 0 };
  } else {
    if (req.randomCount !== 0) invalidArgument(SWEEP_RPC, `random_count is set but sampling is "grid" (set sampling "random" to use it)`);
    let grid = 1;
    for (const n of [hedge.length, zWindow.length, entry.length, exit.length, stop.length]) grid *= n;
    if (grid > MAX_SWEEP_RPC_COMBINATIONS)
      resourceExhausted(
        SWEEP_RPC,
        `the grid has ${grid} combinations, more than MAX_SWEEP_RPC_COMBINATIONS (${MAX_SWEEP_RPC_COMBINATIONS}); shrink a list or use sampling "random"`,
      );
  }
  const size = withWireFields(SWEEP_RPC, SWEEP_FIELDS, () => sweepSize(space, sampling));
  void MAX_SWEEP_COMBINATIONS;
  const partitions = positiveIntOrDefault(SWEEP_RPC, "pbo_partitions", req.pboPartitions, 16, { min: 2, max: 20 });
  if (partitions % 2 !== 0) invalidArgument(SWEEP_RPC, `pbo_partitions must be even, got ${partitions}`);
  return {
    space,
    sampling,
    size,
    costs: {
      bps: positiveOrDefault(SWEEP_RPC, "cost_bps", req.costBps, 0, { max: 10_000 }),
      slippageBps: positiveOrDefault(SWEEP_RPC, "slippage_bps", req.slippageBps, 0, { max: 10_000 }),
    },
    capital: positiveOrDefault(SWEEP_RPC, "capital", req.capital, 100_000, { max: 1e15 }),
    periodsPerYear: positiveOrDefault(SWEEP_RPC, "periods_per_year", req.periodsPerYear, 252, { max: 1e8 }),
    includeReturns: req.includeReturns,
    partitions,
    fixedBatch: positiveIntOrDefault(SWEEP_RPC, "batch_size", req.batchSize, 0, { max: 100_000 }),
    parallelWorkers: Math.min(poolSize, positiveIntOrDefault(SWEEP_RPC, "parallel_workers", req.parallelWorkers, poolSize)),
  };
}

/** What a pool task needs to run sweep combinations (prices in SharedArrayBuffers). */
export interface SweepTaskBase {
  readonly y: Float64Array;
  readonly x: Float64Array;
  readonly space: SweepSpace;
  readonly sampling: SweepSampling;
  readonly costs: { readonly bps: number; readonly slippageBps: number };
  readonly capital: number;
  readonly periodsPerYear: number;
  /** cancel[0] !== 0 means stop (SharedArrayBuffer). */
  readonly cancel: Int32Array;
}

export interface SweepBatchPayload extends SweepTaskBase {
  readonly start: number;
  readonly end: number;
  readonly returns: boolean;
}

/**
 * A real AbortSignal whose `aborted`, `reason` and `throwIfAborted` read the call's shared cancel
 * flag (a worker runs synchronously, so it cannot receive an abort event; sweepBacktests and PBO
 * poll their signal every few combinations / splits).
 */
function flagSignal(cancel: Int32Array): AbortSignal {
  const signal = new AbortController().signal;
  const reason = new DOMException(`${SWEEP_RPC}: cancelled`, "AbortError");
  const aborted = (): boolean => Atomics.load(cancel, 0) !== 0;
  Object.defineProperty(signal, "aborted", { get: aborted });
  Object.defineProperty(signal, "reason", { get: () => (aborted() ? reason : undefined) });
  signal.throwIfAborted = () => {
    if (aborted()) throw reason;
  };
  return signal;
}

function sweepInput(p: SweepTaskBase) {
  return { y: p.y, x: p.x, space: p.space, sampling: p.sampling, costs: p.costs, capital: p.capital, periodsPerYear: p.periodsPerYear };
}

/** Pool op: combinations [start, end) by the library's sweepBacktests, plus the shard's wall time. */
export function sweepBatch(p: SweepBatchPayload): SweepBacktestsResult & { readonly elapsedMs: number } {
  const started = performance.now();
  const result = sweepBacktests({
    ...sweepInput(p),
    range: { start: p.start, end: p.end },
    returns: p.returns,
    signal: flagSignal(p.cancel),
  });
  return { ...result, elapsedMs: performance.now() - started };
}

export interface SweepSummaryPayload extends SweepTaskBase {
  /** Per-bar Sharpe of every combination, by index. */
  readonly sharpes: Float64Array;
  /** Every combination's per-bar returns, row-major (index × bars), or null when PBO is off. */
  readonly trialReturns: Float64Array | null;
  readonly partitions: number;
}

/** Pool op: the best combination's returns (recomputed by sweepBacktests) and sweepOverfitting. */
export function sweepSummary(p: SweepSummaryPayload): SweepOverfittingResult & { readonly bestReturns: Float64Array | null } {
  const bars = p.y.length;
  const best = bestTrialIndex(p.sharpes);
  const bestReturns =
    best < 0
      ? null
      : p.trialReturns !== null
        ? p.trialReturns.slice(best * bars, (best + 1) * bars)
        : sweepBacktests({ ...sweepInput(p), range: { start: best, end: best + 1 }, returns: true }).results[0].returns!;
  const trialReturns =
    p.trialReturns === null
      ? undefined
      : Array.from({ length: p.sharpes.length }, (_, k) => p.trialReturns!.subarray(k * bars, (k + 1) * bars));
  const summary = sweepOverfitting({
    sharpes: p.sharpes,
    bestReturns: bestReturns ?? new Float64Array(bars),
    ...(trialReturns === undefined ? {} : { trialReturns }),
    partitions: p.partitions,
    signal: flagSignal(p.cancel),
  });
  return { ...summary, bestReturns };
}
