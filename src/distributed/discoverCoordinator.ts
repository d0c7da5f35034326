/**
 * The coordinator of distributed DiscoverPairs: store the panel in Redis once for the run, enqueue
 * one BullMQ job per shard (a range of pair indices in the lexicographic i < j order), collect the
 * workers' reports from the run's results list, drop a shard's second copy (a shard retried after
 * its worker died may report twice), and hand outcomes to the caller strictly in pair-index order,
 * so the caller streams and finishes (Benjamini–Hochberg over all p-values) exactly as its
 * in-process path does. Library-free: the per-pair work is the workers' `runDiscoverShard`.
 *
 * Every wait is bounded: each pop waits at most POP_TIMEOUT_S, and a run that receives nothing for
 * `stallTimeoutMs` fails with the queue's counts in the message (no worker connected, Redis lost
 * the run). Redis restarted without persistence loses the run's panel key: the next check fails
 * the run with a message saying so. On abort, error or success the run's jobs and keys are removed.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { PairOptions } from "../server/compute/pairPipeline.js";
import { pairCount, type PairOutcome } from "./discoverShard.js";
import {
  CANCEL_CHANNEL,
  decodeJson,
  DISCOVER_QUEUE,
  encodeJson,
  jobId,
  panelKey,
  redisOptions,
  resultsKey,
  RUN_TTL_SECONDS,
  seriesToBuffer,
  type DiscoverShardJob,
  type RunMeta,
  type ShardReport,
} from "./wire.js";

/** Pairs per shard by default: ≈ 25–40 ms of warm work at ~1000 bars, 20× the ~1.1–1.6 ms per-shard overhead measured here (docs/scaling.md). */
export const DEFAULT_SHARD_PAIRS = 128;
/** Most shards one run may enqueue (bounds the job list and the coordinator's bookkeeping). */
export const MAX_SHARDS = 100_000;
/** Seconds one BLPOP waits before the coordinator checks cancellation and the run's health. */
export const POP_TIMEOUT_S = 1;
/** A run that receives no report for this long fails (ms). */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;
/** Jobs looked up at once while removing a run's jobs. */
export const CLEANUP_BATCH = 100;
/** After cancel or failure, how long removal of the run's jobs may wait for running shards to stop (ms). */
export const CLEANUP_TIMEOUT_MS = 15_000;

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
  /** Pairs per shard (default DEFAULT_SHARD_PAIRS). */
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
export interface DistributedDiscoverResult {
  readonly outcomes: readonly PairOutcome[];
  readonly shards: number;
  /** Reports that arrived for a shard already received (retried shards), dropped. */
  readonly duplicateReports: number;
  /** Σ of the workers' compute time over the shards kept (ms). */
  readonly computeMs: number;
  /** Wall time from start to the last outcome (ms). */
  readonly wallMs: number;
  /** Shards kept per worker ("hostname:pid"). */
  readonly shardsByWorker: Readonly<Record<string, number>>;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0))
    throw new RangeError(`discoverPairsDistributed: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** A clear message for a Redis failure (connection refused, closed, timed out). */
function redisFailure(url: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`distributed discovery: Redis at ${url} failed: ${message}`, { cause: err });
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
  const started = performance.now();
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
  const shardPairs = positiveInt("shardPairs", run.shardPairs, DEFAULT_SHARD_PAIRS);
  const total = Math.min(pairCount(n), positiveInt("maxPairs", run.maxPairs, pairCount(n)));
  const shards = Math.ceil(total / shardPairs);
  if (shards > MAX_SHARDS)
    throw new RangeError(
      `discoverPairsDistributed: ${total} pairs in shards of ${shardPairs} is ${shards} shards, more than ${MAX_SHARDS}: use a larger shardPairs`,
    );
  const stallTimeoutMs = positiveInt("stallTimeoutMs", run.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS);
  run.signal?.throwIfAborted();

  const url = run.redisUrl;
  const connection = redisOptions(url, {
    maxRetriesPerRequest: 2,
    commandTimeout: 10_000,
    retryStrategy: (times: number) => (times > 20 ? null : Math.min(1000, 100 * times)),
  });
  const commands = new Redis({ ...connection, lazyConnect: true } as never);
  const blocking = new Redis({ ...connection, commandTimeout: (POP_TIMEOUT_S + 5) * 1000, lazyConnect: true } as never);
  const queue = new Queue<DiscoverShardJob>(DISCOVER_QUEUE, { connection: { ...connection } as never });
  let connectionError: unknown = null;
  const noteError = (err: unknown): void => {
    connectionError ??= err;
  };
  commands.on("error", noteError);
  blocking.on("error", noteError);
  queue.on("error", noteError);

  const runId = randomUUID();
  const received = new Uint8Array(shards);
  const pending = new Map<number, ShardReport>();
  const outcomes: PairOutcome[] = [];
  let nextShard = 0;
  let duplicateReports = 0;
  let computeMs = 0;
  const shardsByWorker: Record<string, number> = {};
  let enqueued = false;

  const cleanup = async (): Promise<void> => {
    // Order: forget the run (workers stop pushing), tell running shards, then remove every job left.
    await commands.del(panelKey(runId), resultsKey(runId)).catch(() => 0);
    await commands.publish(CANCEL_CHANNEL, runId).catch(() => 0);
    if (!enqueued) return;
    // Every shard, received or not: a received shard's job may still be finishing (or held by a
    // worker that died after reporting). A job held by a live worker goes within one yield; one
    // held by a dead worker only once its lock expires: after CLEANUP_TIMEOUT_MS it is left to run
    // as "run gone" (no output) and be removed on completion.
    const deadline = performance.now() + CLEANUP_TIMEOUT_MS;
    let left = [...received.keys()];
    while (left.length > 0 && performance.now() < deadline) {
      const still: number[] = [];
      for (let b = 0; b < left.length; b += CLEANUP_BATCH) {
        const batch = left.slice(b, b + CLEANUP_BATCH);
        const kept = await Promise.all(
          batch.map(async (s) => {
            try {
              const job = await queue.getJob(jobId(runId, s));
              if (job === undefined) return false;
              await job.remove(); // throws while a worker holds the lock
              return (await queue.getJob(jobId(runId, s))) !== undefined;
            } catch {
              return true;
            }
          }),
        );
        batch.forEach((s, m) => {
          if (kept[m]) still.push(s);
        });
      }
      left = still;
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await commands.del(resultsKey(runId)).catch(() => 0);
  };

  try {
    try {
      await Promise.all([commands.connect(), blocking.connect()]);
      const meta: RunMeta = { symbols: panel.symbols, length, options: run.options };
      const series = new Float64Array(n * length);
      for (let k = 0; k < n; k++) series.set(panel.values[k]!, k * length);
      await commands
        .multi()
        .hset(panelKey(runId), "meta", encodeJson(meta), "series", seriesToBuffer(series))
        .expire(panelKey(runId), RUN_TTL_SECONDS)
        .exec();
      enqueued = true;
      const jobs = [];
      for (let s = 0; s < shards; s++) {
        const start = s * shardPairs;
        jobs.push({
          name: "shard",
          data: { runId, shard: s, start, end: Math.min(total, start + shardPairs) },
          opts: { jobId: jobId(runId, s), removeOnComplete: true, removeOnFail: { age: RUN_TTL_SECONDS } },
        });
      }
      for (let s = 0; s < jobs.length; s += 1000) await queue.addBulk(jobs.slice(s, s + 1000));
    } catch (err) {
      throw redisFailure(url, connectionError ?? err);
    }

    let lastArrival = performance.now();
    let lastRefresh = performance.now();
    while (nextShard < shards) {
      run.signal?.throwIfAborted();
      if (run.beforeNext) {
        const waitStarted = performance.now();
        await run.beforeNext();
        lastArrival += performance.now() - waitStarted;
        run.signal?.throwIfAborted();
      }
      let popped: [string, string] | null;
      try {
        popped = await blocking.blpop(resultsKey(runId), POP_TIMEOUT_S);
      } catch (err) {
        throw redisFailure(url, connectionError ?? err);
      }
      run.signal?.throwIfAborted();
      if (popped === null) {
        const idle = performance.now() - lastArrival;
        let exists: number;
        try {
          exists = await commands.exists(panelKey(runId));
          if (performance.now() - lastRefresh > 60_000) {
            await commands.expire(panelKey(runId), RUN_TTL_SECONDS);
            lastRefresh = performance.now();
          }
        } catch (err) {
          throw redisFailure(url, connectionError ?? err);
        }
        if (exists === 0)
          throw new Error(
            `distributed discovery: Redis at ${url} no longer holds run ${runId} (was it restarted without persistence, or the key evicted?); ${nextShard}/${shards} shards were done`,
          );
        if (idle > stallTimeoutMs) {
          const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed").catch(() => ({}));
          throw new Error(
            `distributed discovery: no shard finished for ${Math.round(idle / 1000)} s (${nextShard}/${shards} shards done; queue ${JSON.stringify(counts)}): is any \`arblab worker\` connected to ${url}?`,
          );
        }
        continue;
      }
      lastArrival = performance.now();
      const report = decodeJson<ShardReport>(popped[1]);
      if (!(Number.isInteger(report.shard) && report.shard >= 0 && report.shard < shards))
        throw new Error(`distributed discovery: a worker reported shard ${report.shard}, outside [0, ${shards})`);
      if (report.error !== null) throw new Error(`distributed discovery: a worker failed on ${report.error}`);
      if (received[report.shard]) {
        duplicateReports++;
        continue;
      }
      const expected = Math.min(total, (report.shard + 1) * shardPairs) - report.shard * shardPairs;
      if (report.outcomes === null || report.outcomes.length !== expected)
        throw new Error(
          `distributed discovery: shard ${report.shard} reported ${report.outcomes?.length ?? 0} pairs, expected ${expected}`,
        );
      received[report.shard] = 1;
      computeMs += report.computeMs;
      shardsByWorker[report.worker] = (shardsByWorker[report.worker] ?? 0) + 1;
      pending.set(report.shard, report);
      while (pending.has(nextShard) && !run.signal?.aborted) {
        const r = pending.get(nextShard)!;
        pending.delete(nextShard);
        for (const o of r.outcomes!) outcomes.push(o);
        run.onOutcomes?.(r.start, r.outcomes!);
        nextShard++;
      }
    }
    // An abort during the last delivery still cancels: the caller asked for it.
    run.signal?.throwIfAborted();
    const wallMs = performance.now() - started;
    await commands.del(panelKey(runId), resultsKey(runId)).catch(() => 0);
    return { outcomes, shards, duplicateReports, computeMs, wallMs, shardsByWorker };
  } catch (err) {
    await cleanup();
    throw err;
  } finally {
    await Promise.allSettled([queue.close(), commands.quit(), blocking.quit()]);
    commands.disconnect();
    blocking.disconnect();
  }
}
