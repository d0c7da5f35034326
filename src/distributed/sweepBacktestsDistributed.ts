/**
 * A backtest sweep (library `sweepBacktests`, src/lib/research) over Redis + BullMQ: y and x go to
 * Redis once, one job per shard of combination indices (whole (hedge, zWindow) groups of a grid per
 * shard), `arblab worker` processes run them (sweepShard.ts), and the results come back in index
 * order, equal to one `sweepBacktests` call over the same range (test: toEqual). Per-bar returns
 * (`returns: true`) are not shipped: run those shards in process.
 */
import { sweepBacktests, type SweepBacktestsInput, type SweepBacktestsResult, type SweepResult } from "../lib/research/sweepBacktests.js";
import { DEFAULT_STALL_TIMEOUT_MS, positiveInt, runShards, shardCount, type ShardRunStats } from "./shardQueue.js";
import { sweepGroupSize, type SweepRunMeta } from "./sweepShard.js";

/**
 * Fewest combinations in a shard of the default schedule (factoring, shardPlan.ts; rounded up to
 * whole grid groups): ≈ 10–25 ms of work at ~1,000 bars, the size of the last few shards only.
 */
export const MIN_SHARD_COMBINATIONS = 256;

/** Options of {@link sweepBacktestsDistributed}. */
export interface DistributedSweepOptions {
  readonly redisUrl: string;
  /** Combinations per shard, all equal (rounded up to whole grid groups); default: factoring (large shards first, MIN_SHARD_COMBINATIONS last). */
  readonly shardCombinations?: number;
  /** Cancels the run: remaining jobs removed, running shards told to stop; rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Fail when nothing arrives for this long (ms). */
  readonly stallTimeoutMs?: number;
  /** Results of combinations [start, start + results.length) of the run, in increasing order. */
  readonly onResults?: (start: number, results: readonly SweepResult[]) => void;
}

/** The sweep (as sweepBacktests returns it, without its per-process `groupsComputed`) and the run's stats. */
export interface DistributedSweepResult {
  readonly result: Omit<SweepBacktestsResult, "groupsComputed">;
  readonly stats: ShardRunStats;
}

/**
 * Run `sweepBacktests(input)` on `arblab worker` processes. The input is validated here first
 * (same messages as in process); a combination that fails in a worker fails the run with its message.
 * @throws RangeError/TypeError as sweepBacktests, or for `returns: true`/`signal` in input; Error
 *   naming Redis for connection loss, lost run state or a stall; the signal's reason when aborted
 */
export async function sweepBacktestsDistributed(input: SweepBacktestsInput, run: DistributedSweepOptions): Promise<DistributedSweepResult> {
  const fn = "sweepBacktestsDistributed";
  if (input?.returns === true) throw new RangeError(`${fn}: returns: true is not supported (per-bar returns stay in process)`);
  if (input?.signal !== undefined) throw new TypeError(`${fn}: pass signal in the second argument, not in input`);
  // Prices, space, sampling, range.start, costs validated by the library itself (an empty range computes nothing).
  const first = input?.range?.start ?? 0;
  const check = sweepBacktests({ ...input, range: { start: first, end: first } });
  const start = check.start;
  const end = input.range?.end ?? check.size;
  if (!(Number.isInteger(end) && end >= start && end <= check.size))
    throw new RangeError(`${fn}: range.end must be an integer in [${start}, ${check.size}], got ${end}`);
  const sampling = input.sampling ?? { kind: "grid" };
  const group = sweepGroupSize(input.space, sampling);
  const asked = run.shardCombinations === undefined ? undefined : positiveInt(fn, "shardCombinations", run.shardCombinations, 1);
  const shardItems = Math.ceil((asked ?? MIN_SHARD_COMBINATIONS) / group) * group;
  const total = end - start;
  shardCount(fn, total, shardItems);
  const stallTimeoutMs = positiveInt(fn, "stallTimeoutMs", run.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
  const y = Float64Array.from(input.y);
  const series = new Float64Array(2 * y.length);
  series.set(y, 0);
  series.set(Float64Array.from(input.x), y.length);
  const meta: SweepRunMeta = {
    length: y.length,
    space: input.space,
    sampling,
    offset: start,
    ...(input.costs === undefined ? {} : { costs: input.costs }),
    ...(input.capital === undefined ? {} : { capital: input.capital }),
    ...(input.periodsPerYear === undefined ? {} : { periodsPerYear: input.periodsPerYear }),
  };
  if (total === 0) return { result: { size: check.size, start, end, results: [] }, stats: emptyStats() };
  const { items, stats } = await runShards<SweepResult>({
    label: "distributed sweep",
    kind: "sweep",
    redisUrl: run.redisUrl,
    meta,
    series,
    total,
    schedule: asked === undefined ? { kind: "factoring", minItems: shardItems, unit: group } : { kind: "fixed", items: shardItems },
    signal: run.signal,
    stallTimeoutMs,
    onItems: run.onResults === undefined ? undefined : (first, results) => run.onResults!(start + first, results),
  });
  return { result: { size: check.size, start, end, results: items }, stats };
}

function emptyStats(): ShardRunStats {
  return { shards: 0, bounds: [0], duplicateReports: 0, computeMs: 0, wallMs: 0, shardsByWorker: {} };
}
