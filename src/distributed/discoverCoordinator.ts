/**
 * The coordinator of distributed DiscoverPairs: the panel (n symbols × T bars) goes to Redis once,
 * one job per shard of pair indices in the lexicographic i < j order, and outcomes come back
 * strictly in pair-index order (the queue machinery: shardQueue.ts), so the caller streams and
 * finishes (Benjamini–Hochberg over all p-values) exactly as its in-process path does.
 * Library-free: the per-pair work is the workers' `runDiscoverShard`.
 */
import type { PairOptions } from "../server/compute/pairPipeline.js";
import { type DiscoverRunMeta, pairCount, type PairOutcome } from "./discoverShard.js";
import { DEFAULT_STALL_TIMEOUT_MS, positiveInt, runShards, shardCount, type ShardRunStats } from "./shardQueue.js";

/**
 * Fewest pairs in a shard of the default schedule (factoring, shardPlan.ts: batches of W shards of
 * ⌈remaining / 2W⌉ pairs, 15 shards for 4,950 pairs on 2 workers): ≈ 5 ms of warm work at ~1,000
 * bars, the size of the last few shards only (docs/scaling.md).
 */
export const MIN_SHARD_PAIRS = 32;

/** The panel of a distributed run: prices of symbol k in values[k], all of one length. */
export interface DistributedPanel {
  readonly symbols: readonly string[];
  readonly values: readonly Float64Array[];
}

/** Options of {@link discoverPairsDistributed}. */
export interface DistributedDiscoverOptions {
  readonly redisUrl: string;
  /** Resolved per-pair options (resolvePairOptions). */
  readonly options: PairOptions;
  /** Pairs per shard, all equal; default: factoring (large shards first, MIN_SHARD_PAIRS last). */
  readonly shardPairs?: number;
  /** Test only the first maxPairs pairs in order (DiscoverPairs' max_pairs); default all. */
  readonly maxPairs?: number;
  /** Cancels the run: remaining jobs removed, running shards told to stop; rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Fail when nothing arrives for this long (ms). */
  readonly stallTimeoutMs?: number;
  /** Outcomes of pairs [start, start + outcomes.length), called in increasing pair order. */
  readonly onOutcomes?: (start: number, outcomes: readonly PairOutcome[]) => void;
  /**
   * Backpressure: awaited before each pop of the results list (e.g. a gRPC stream's 'drain' while
   * its client reads slowly). Workers keep filling the run's list in Redis meanwhile; time spent
   * here does not count towards the stall timeout.
   */
  readonly beforeNext?: () => Promise<void>;
}

/** Result: every pair's outcome in pair order, and where the time went. */
export interface DistributedDiscoverResult extends ShardRunStats {
  readonly outcomes: readonly PairOutcome[];
}

/**
 * Run DiscoverPairs over a Redis/BullMQ queue served by `arblab worker` processes.
 * @throws RangeError for a malformed panel or options; Error naming Redis for connection loss,
 *   lost run state or a stall; the signal's reason when aborted
 */
export async function discoverPairsDistributed(
  panel: DistributedPanel,
  run: DistributedDiscoverOptions,
): Promise<DistributedDiscoverResult> {
  const n = panel.symbols.length;
  if (n < 2) throw new RangeError(`discoverPairsDistributed: need at least 2 symbols, got ${n}`);
  if (panel.values.length !== n)
    throw new RangeError(
      `discoverPairsDistributed: panel.values must have one series per symbol: ${n} symbols, ${panel.values.length} series`,
    );
  const length = panel.values[0]!.length;
  for (let k = 0; k < n; k++) {
    if (panel.values[k]!.length !== length)
      throw new RangeError(
        `discoverPairsDistributed: every series must have the same length: values[0] has ${length}, values[${k}] has ${panel.values[k]!.length}`,
      );
  }
  const fn = "discoverPairsDistributed";
  const shardPairs = run.shardPairs === undefined ? undefined : positiveInt(fn, "shardPairs", run.shardPairs, 1);
  const total = Math.min(pairCount(n), positiveInt(fn, "maxPairs", run.maxPairs, pairCount(n)));
  shardCount(fn, total, shardPairs ?? MIN_SHARD_PAIRS);
  const stallTimeoutMs = positiveInt(fn, "stallTimeoutMs", run.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
  const series = new Float64Array(n * length);
  for (let k = 0; k < n; k++) series.set(panel.values[k]!, k * length);
  const { items, stats } = await runShards<PairOutcome>({
    label: "distributed discovery",
    kind: "discover",
    redisUrl: run.redisUrl,
    meta: { symbols: panel.symbols, length, options: run.options } satisfies DiscoverRunMeta,
    series,
    total,
    schedule: shardPairs === undefined ? { kind: "factoring", minItems: MIN_SHARD_PAIRS, unit: 1 } : { kind: "fixed", items: shardPairs },
    signal: run.signal,
    stallTimeoutMs,
    onItems: run.onOutcomes,
    beforeNext: run.beforeNext,
  });
  return { outcomes: items, ...stats };
}
