/**
 * The coordinator side of every distributed run (DiscoverPairs, sweeps, walk-forward folds): store
 * the run's description and numbers in Redis once, enqueue one BullMQ job per shard (a range of item
 * indices), collect the workers' reports from the run's results list, drop a shard's second copy (a
 * shard retried after its worker died may report twice), and hand items to the caller strictly in
 * index order, so the caller finishes exactly as its in-process path does. No mathematics here: the
 * per-item work is the workers' kernels (shardKernels.ts).
 *
 * Every wait is bounded: each pop waits at most POP_TIMEOUT_S, and a run that receives nothing for
 * `stallTimeoutMs` fails with the queue's counts in the message (no worker connected, Redis lost
 * the run). Redis restarted without persistence loses the run's panel key: the next check fails
 * the run with a message saying so. On abort, error or success the run's jobs and keys are removed.
 */
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { shardBounds, type ShardSchedule } from "./shardPlan.js";
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
  type ShardJob,
  type ShardKind,
  type ShardReport,
} from "./wire.js";

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
/** Factoring sizes shards for at least this many workers (docs/scaling.md). */
export const FACTORING_MIN_WORKERS = 2;
/** Jobs per addBulk call. */
const ADD_BATCH = 1000;

/** One distributed run as the coordinator sees it. */
export interface ShardRunSpec<T> {
  /** Start of every runtime error message, e.g. "distributed discovery". */
  readonly label: string;
  readonly kind: ShardKind;
  readonly redisUrl: string;
  /** The run's description for the workers' kernel (encodeJson). */
  readonly meta: unknown;
  /** The run's numbers, stored once as Float64 bytes and fetched once per worker. */
  readonly series: Float64Array;
  /** Items [0, total) split into shards by `schedule` (validated by the caller; factoring is sized for the workers connected at the start). */
  readonly total: number;
  readonly schedule: ShardSchedule;
  readonly signal?: AbortSignal;
  readonly stallTimeoutMs: number;
  /** Items [start, start + items.length), called in increasing index order. */
  readonly onItems?: (start: number, items: readonly T[]) => void;
  /** Backpressure: awaited before each pop; time spent here does not count towards the stall timeout. */
  readonly beforeNext?: () => Promise<void>;
}

/** Where a run's time went. */
export interface ShardRunStats {
  readonly shards: number;
  /** Shard s held items [bounds[s], bounds[s + 1]) (shards + 1 entries). */
  readonly bounds: readonly number[];
  /** Reports that arrived for a shard already received (retried shards), dropped. */
  readonly duplicateReports: number;
  /** Σ of the workers' compute time over the shards kept (ms). */
  readonly computeMs: number;
  /** Wall time from start to the last item (ms). */
  readonly wallMs: number;
  /** Shards kept per worker ("hostname:pid"). */
  readonly shardsByWorker: Readonly<Record<string, number>>;
}

/** Shards a run of `total` items in shards of `shardItems` needs. @throws RangeError beyond MAX_SHARDS */
export function shardCount(fn: string, total: number, shardItems: number): number {
  const shards = Math.ceil(total / shardItems);
  if (shards > MAX_SHARDS)
    throw new RangeError(
      `${fn}: ${total} items in shards of ${shardItems} is ${shards} shards, more than ${MAX_SHARDS}: use larger shards`,
    );
  return shards;
}

/** A positive integer option or its default. @throws RangeError naming the option */
export function positiveInt(fn: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Workers serving the queue in database `db` now (BullMQ names its workers' connections; CLIENT
 * LIST is server-wide, hence the db filter), at least FACTORING_MIN_WORKERS: a run that starts
 * before its workers, or with one, still gets shards small enough for workers that join later. A
 * Redis that refuses CLIENT LIST (ACLs, managed services) gives FACTORING_MIN_WORKERS too; a lost
 * connection shows up in the run's next command.
 */
async function connectedWorkers(queue: Queue<ShardJob>, db: number): Promise<number> {
  const clients = await queue.getWorkers().catch(() => []);
  return Math.max(FACTORING_MIN_WORKERS, clients.filter((c) => Number(c.db) === db).length);
}

/**
 * Run one distributed job over the queue: every item's value in index order, and the run's stats.
 * @throws Error starting with `spec.label` naming Redis for connection loss, lost run state or a
 *   stall, or quoting a worker's error; the signal's reason when aborted
 */
export async function runShards<T>(spec: ShardRunSpec<T>): Promise<{ readonly items: T[]; readonly stats: ShardRunStats }> {
  const started = performance.now();
  const { label, total, schedule } = spec;
  spec.signal?.throwIfAborted();
  const url = spec.redisUrl;
  const failure = (err: unknown): Error => {
    const message = err instanceof Error ? err.message : String(err);
    return new Error(`${label}: Redis at ${url} failed: ${message}`, { cause: err });
  };
  const connection = redisOptions(url, {
    maxRetriesPerRequest: 2,
    commandTimeout: 10_000,
    retryStrategy: (times: number) => (times > 20 ? null : Math.min(1000, 100 * times)),
  });
  const commands = new Redis({ ...connection, lazyConnect: true } as never);
  const blocking = new Redis({ ...connection, commandTimeout: (POP_TIMEOUT_S + 5) * 1000, lazyConnect: true } as never);
  const queue = new Queue<ShardJob>(DISCOVER_QUEUE, { connection: { ...connection } as never });
  let connectionError: unknown = null;
  const noteError = (err: unknown): void => {
    connectionError ??= err;
  };
  commands.on("error", noteError);
  blocking.on("error", noteError);
  queue.on("error", noteError);

  const runId = randomUUID();
  // Fixed shards are known now; factoring's bounds wait for the worker count (set before anything is enqueued).
  let bounds = schedule.kind === "fixed" ? shardBounds(total, schedule, 1) : [0];
  let shards = bounds.length - 1;
  let received = new Uint8Array(shards);
  const pending = new Map<number, ShardReport>();
  const items: T[] = [];
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
      if (schedule.kind === "factoring") {
        bounds = shardBounds(total, schedule, await connectedWorkers(queue, Number(connection.db ?? 0)));
        shards = bounds.length - 1;
        received = new Uint8Array(shards);
      }
      await commands
        .multi()
        .hset(panelKey(runId), "meta", encodeJson(spec.meta), "series", seriesToBuffer(spec.series))
        .expire(panelKey(runId), RUN_TTL_SECONDS)
        .exec();
      enqueued = true;
      const jobs = [];
      for (let s = 0; s < shards; s++) {
        jobs.push({
          name: "shard",
          data: { runId, kind: spec.kind, shard: s, start: bounds[s]!, end: bounds[s + 1]! },
          opts: { jobId: jobId(runId, s), removeOnComplete: true, removeOnFail: { age: RUN_TTL_SECONDS } },
        });
      }
      for (let s = 0; s < jobs.length; s += ADD_BATCH) await queue.addBulk(jobs.slice(s, s + ADD_BATCH));
    } catch (err) {
      throw failure(connectionError ?? err);
    }

    let lastArrival = performance.now();
    let lastRefresh = performance.now();
    while (nextShard < shards) {
      spec.signal?.throwIfAborted();
      if (spec.beforeNext) {
        const waitStarted = performance.now();
        await spec.beforeNext();
        lastArrival += performance.now() - waitStarted;
        spec.signal?.throwIfAborted();
      }
      let popped: [string, string] | null;
      try {
        popped = await blocking.blpop(resultsKey(runId), POP_TIMEOUT_S);
      } catch (err) {
        throw failure(connectionError ?? err);
      }
      spec.signal?.throwIfAborted();
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
          throw failure(connectionError ?? err);
        }
        if (exists === 0)
          throw new Error(
            `${label}: Redis at ${url} no longer holds run ${runId} (was it restarted without persistence, or the key evicted?); ${nextShard}/${shards} shards were done`,
          );
        if (idle > spec.stallTimeoutMs) {
          const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed").catch(() => ({}));
          throw new Error(
            `${label}: no shard finished for ${Math.round(idle / 1000)} s (${nextShard}/${shards} shards done; queue ${JSON.stringify(counts)}): is any \`arblab worker\` connected to ${url}?`,
          );
        }
        continue;
      }
      lastArrival = performance.now();
      const report = decodeJson<ShardReport>(popped[1]);
      if (!(Number.isInteger(report.shard) && report.shard >= 0 && report.shard < shards))
        throw new Error(`${label}: a worker reported shard ${report.shard}, outside [0, ${shards})`);
      if (report.error !== null) throw new Error(`${label}: a worker failed on ${report.error}`);
      if (received[report.shard]) {
        duplicateReports++;
        continue;
      }
      const expected = bounds[report.shard + 1]! - bounds[report.shard]!;
      if (report.items === null || report.items.length !== expected || report.start !== bounds[report.shard])
        throw new Error(
          `${label}: shard ${report.shard} reported ${report.items?.length ?? 0} items from ${report.start}, expected ${expected} from ${bounds[report.shard]}`,
        );
      received[report.shard] = 1;
      computeMs += report.computeMs;
      shardsByWorker[report.worker] = (shardsByWorker[report.worker] ?? 0) + 1;
      pending.set(report.shard, report);
      while (pending.has(nextShard) && !spec.signal?.aborted) {
        const r = pending.get(nextShard)!;
        pending.delete(nextShard);
        const shardItemsOut = r.items as readonly T[];
        for (const item of shardItemsOut) items.push(item);
        spec.onItems?.(r.start, shardItemsOut);
        nextShard++;
      }
    }
    // An abort during the last delivery still cancels: the caller asked for it.
    spec.signal?.throwIfAborted();
    const wallMs = performance.now() - started;
    await commands.del(panelKey(runId), resultsKey(runId)).catch(() => 0);
    return { items, stats: { shards, bounds, duplicateReports, computeMs, wallMs, shardsByWorker } };
  } catch (err) {
    await cleanup();
    throw err;
  } finally {
    await Promise.allSettled([queue.close(), commands.quit(), blocking.quit()]);
    commands.disconnect();
    blocking.disconnect();
  }
}
