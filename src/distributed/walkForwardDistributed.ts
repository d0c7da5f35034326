/**
 * A walk-forward (library `walkForward`, src/lib/research) over Redis + BullMQ: the panel goes to
 * Redis once, one job per shard of folds (each fold's discovery, fits and book on a worker:
 * walkForwardShard.ts), and the folds come back in order; `stitchWalkForward` then builds the
 * out-of-sample series, pair P&L and warnings exactly as `walkForward` does in one process
 * (test: toEqual with the in-process result).
 */
import {
  stitchWalkForward,
  walkForward,
  type WalkForwardFold,
  type WalkForwardOptions,
  type WalkForwardPanel,
  type WalkForwardResult,
} from "../lib/research/walkForward.js";
import { DEFAULT_STALL_TIMEOUT_MS, positiveInt, runShards, shardCount, type ShardRunStats } from "./shardQueue.js";
import type { WalkForwardRunMeta } from "./walkForwardShard.js";

/** Folds per shard by default: one fold (a discovery scan of the universe) is already 0.1–1 s of work. */
export const DEFAULT_SHARD_FOLDS = 1;

/** Options of {@link walkForwardDistributed}. */
export interface DistributedWalkForwardOptions {
  readonly redisUrl: string;
  /** Folds per shard (default DEFAULT_SHARD_FOLDS). */
  readonly shardFolds?: number;
  /** Cancels the run: remaining jobs removed, running shards stop after their current fold; rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Fail when nothing arrives for this long (ms). */
  readonly stallTimeoutMs?: number;
  /** Folds as they arrive, in fold order. */
  readonly onFolds?: (folds: readonly WalkForwardFold[]) => void;
}

/** The walk-forward (as walkForward returns it) and the run's stats. */
export interface DistributedWalkForwardResult {
  readonly result: WalkForwardResult;
  readonly stats: ShardRunStats;
}

/**
 * Run `walkForward(panel, options)` on `arblab worker` processes (options.range selects folds as in
 * process). The panel and options are validated here first, with walkForward's messages.
 * @throws RangeError/TypeError as walkForward, or for `signal` in options; Error naming Redis for
 *   connection loss, lost run state or a stall; the signal's reason when aborted
 */
export async function walkForwardDistributed(
  panel: WalkForwardPanel,
  options: WalkForwardOptions,
  run: DistributedWalkForwardOptions,
): Promise<DistributedWalkForwardResult> {
  const fn = "walkForwardDistributed";
  if (options?.signal !== undefined) throw new TypeError(`${fn}: pass signal in the third argument, not in options`);
  // Everything validated by the library itself (an empty range computes no fold).
  const first = options?.range?.start ?? 0;
  const check = walkForward(panel, { ...options, range: { start: first, end: first } });
  const end = options.range?.end ?? check.foldCount;
  if (!(Number.isInteger(end) && end >= first && end <= check.foldCount))
    throw new RangeError(`${fn}: range.end must be an integer in [${first}, ${check.foldCount}], got ${end}`);
  const shardItems = positiveInt(fn, "shardFolds", run.shardFolds, DEFAULT_SHARD_FOLDS);
  const total = end - first;
  shardCount(fn, total, shardItems);
  const stallTimeoutMs = positiveInt(fn, "stallTimeoutMs", run.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
  const m = panel.prices.length;
  const length = panel.prices[0]!.length;
  const series = new Float64Array(m * length);
  panel.prices.forEach((p, s) => series.set(Float64Array.from(p), s * length));
  const { range: _range, ...rest } = options;
  const meta: WalkForwardRunMeta = {
    length,
    names: panel.names ?? panel.prices.map((_, s) => String(s)),
    sectors: panel.sectors ?? null,
    options: rest,
    offset: first,
  };
  let folds: WalkForwardFold[] = [];
  let stats: ShardRunStats = { shards: 0, bounds: [0], duplicateReports: 0, computeMs: 0, wallMs: 0, shardsByWorker: {} };
  if (total > 0) {
    ({ items: folds, stats } = await runShards<WalkForwardFold>({
      label: "distributed walk-forward",
      kind: "walkForward",
      redisUrl: run.redisUrl,
      meta,
      series,
      total,
      schedule: { kind: "fixed", items: shardItems },
      signal: run.signal,
      stallTimeoutMs,
      onItems: run.onFolds === undefined ? undefined : (_start, items) => run.onFolds!(items),
    }));
  }
  const stitched = stitchWalkForward(folds, { capital: options.capital, step: options.step, trading: options.trading });
  return { result: { foldCount: check.foldCount, folds, ...stitched }, stats };
}
