/**
 * The worker side of every distributed run: a BullMQ Worker on DISCOVER_QUEUE that loads a run's
 * description and numbers from Redis once (decoded by its kind's kernel and cached per run), runs
 * the shard with that kernel (SHARD_KERNELS: DiscoverPairs pairs, sweep combinations, walk-forward
 * folds), and pushes the items to the run's results list, but only while the run still exists (one Lua
 * call: a cancelled or finished run gets nothing written). Cancellation arrives on CANCEL_CHANNEL
 * and stops a running shard at its next yield. A worker killed mid-shard stops renewing its lock;
 * another worker's stalled-job check puts the shard back in the queue (BullMQ), and the
 * coordinator drops whichever copy of a shard arrives second.
 */
import { hostname } from "node:os";
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import {
  bufferToSeries,
  CANCEL_CHANNEL,
  decodeJson,
  DISCOVER_QUEUE,
  encodeJson,
  panelKey,
  redisOptions,
  resultsKey,
  RUN_TTL_SECONDS,
  type ShardJob,
  type ShardKind,
  type ShardReport,
} from "./wire.js";
import { discoverKernel } from "./discoverShard.js";
import type { ShardKernel } from "./shardKernel.js";
import { sweepKernel } from "./sweepShard.js";
import { walkForwardKernel } from "./walkForwardShard.js";

/** The kernel of each kind of shard job. */
const SHARD_KERNELS: Readonly<Record<ShardKind, ShardKernel<unknown>>> = {
  discover: discoverKernel as ShardKernel<unknown>,
  sweep: sweepKernel as ShardKernel<unknown>,
  walkForward: walkForwardKernel as ShardKernel<unknown>,
};

/** Runs whose panel a worker keeps in memory (a new run evicts the oldest). */
export const PANEL_CACHE_RUNS = 4;
/** Cancelled run ids remembered (oldest forgotten first). */
export const CANCELLED_MEMORY = 1000;
/** BullMQ lock duration by default (ms): a killed worker's shard is retried after about this long. */
export const DEFAULT_LOCK_MS = 30_000;
/** How many times a shard may stall (its worker died) before BullMQ fails it. */
export const MAX_STALLED = 3;

/** RPUSH the report and refresh the TTL only while the run's panel key exists; returns 1 if pushed. */
const PUSH_IF_RUN_EXISTS = `if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]); redis.call('EXPIRE', KEYS[2], ARGV[2]); return 1 end return 0`;

/** Options of {@link startShardWorker}. */
export interface ShardWorkerOptions {
  readonly redisUrl: string;
  /** Shards processed at once by this process (CPU-bound: 1 per process, run more processes for more cores). */
  readonly concurrency?: number;
  /** BullMQ lock duration, ms (stalled shards are detected after about this long). */
  readonly lockMs?: number;
  /** Called when a shard starts (for logs). */
  readonly onShardStart?: (info: { runId: string; kind: ShardKind; shard: number; items: number }) => void;
  /** Called after each shard (for logs). */
  readonly onShard?: (info: {
    runId: string;
    kind: ShardKind;
    shard: number;
    items: number;
    computeMs: number;
    outcome: "done" | "cancelled" | "run gone";
  }) => void;
  /** Called on connection and job errors (the worker keeps running; BullMQ reconnects). */
  readonly onError?: (err: Error) => void;
}

/** A running worker. */
export interface ShardWorkerHandle {
  /** Stop taking shards, wait for the current one, close the connections. */
  close(): Promise<void>;
}

interface CachedRun {
  readonly kind: ShardKind;
  readonly prepared: unknown;
}

/** Start a shard worker. Resolves once it is connected and waiting for shards. */
export async function startShardWorker(options: ShardWorkerOptions): Promise<ShardWorkerHandle> {
  const connection = redisOptions(options.redisUrl);
  const commands = new Redis({ ...connection, maxRetriesPerRequest: 3, commandTimeout: 10_000 } as never);
  const subscriber = new Redis({ ...connection, maxRetriesPerRequest: null } as never);
  const onError = options.onError ?? (() => {});
  commands.on("error", onError);
  subscriber.on("error", onError);
  const cancelled = new Set<string>();
  subscriber.on("message", (_channel: string, runId: string) => {
    cancelled.add(runId);
    if (cancelled.size > CANCELLED_MEMORY) cancelled.delete(cancelled.values().next().value!);
    cache.delete(runId);
  });
  await subscriber.subscribe(CANCEL_CHANNEL);
  const cache = new Map<string, CachedRun>();

  /** The run from the cache or Redis (null: the run is gone); a Redis error rejects (BullMQ fails the job). */
  const loadRun = async (runId: string, kind: ShardKind): Promise<CachedRun | { readonly error: string } | null> => {
    const hit = cache.get(runId);
    if (hit && hit.kind === kind) return hit;
    const [meta, series] = await Promise.all([commands.hget(panelKey(runId), "meta"), commands.hgetBuffer(panelKey(runId), "series")]);
    if (meta === null || series === null) return null;
    let run: CachedRun;
    try {
      run = { kind, prepared: SHARD_KERNELS[kind].prepare(decodeJson<unknown>(meta), bufferToSeries(series)) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
    cache.set(runId, run);
    if (cache.size > PANEL_CACHE_RUNS) cache.delete(cache.keys().next().value!);
    return run;
  };

  const processShard = async (job: Job<ShardJob>): Promise<string> => {
    const { runId, shard, start, end } = job.data;
    const kind = job.data.kind ?? "discover";
    const report = (outcome: "done" | "cancelled" | "run gone", computeMs: number): string => {
      options.onShard?.({ runId, kind, shard, items: end - start, computeMs, outcome });
      return outcome;
    };
    if (cancelled.has(runId)) return report("cancelled", 0);
    const worker = `${hostname()}:${process.pid}`;
    const push = async (body: ShardReport): Promise<boolean> =>
      (await commands.eval(PUSH_IF_RUN_EXISTS, 2, panelKey(runId), resultsKey(runId), encodeJson(body), RUN_TTL_SECONDS)) === 1;
    if (!Object.hasOwn(SHARD_KERNELS, kind)) {
      const error = `shard ${shard}: this worker has no kernel for jobs of kind ${JSON.stringify(kind)} (an older arblab worker?)`;
      return report((await push({ shard, start, items: null, error, computeMs: 0, worker })) ? "done" : "run gone", 0);
    }
    const run = await loadRun(runId, kind);
    if (run === null) return report("run gone", 0);
    if ("error" in run) {
      // A run description the kernel cannot read fails the run (the coordinator quotes the message).
      const error = `shard ${shard}: reading the run: ${run.error}`;
      return report((await push({ shard, start, items: null, error, computeMs: 0, worker })) ? "done" : "run gone", 0);
    }
    options.onShardStart?.({ runId, kind, shard, items: end - start });
    const t0 = performance.now();
    let items: unknown[] | null;
    let error: string | null = null;
    try {
      items = await SHARD_KERNELS[kind].run(run.prepared, start, end, () => cancelled.has(runId));
    } catch (err) {
      items = null;
      error = `shard ${shard} [${start}, ${end}): ${err instanceof Error ? err.message : String(err)}`;
    }
    const computeMs = performance.now() - t0;
    if (items === null && error === null) return report("cancelled", computeMs);
    const pushed = await push({ shard, start, items, error, computeMs, worker });
    return report(pushed ? "done" : "run gone", computeMs);
  };

  const lockDuration = options.lockMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker<ShardJob, string>(DISCOVER_QUEUE, processShard, {
    connection: { ...connection, maxRetriesPerRequest: null } as never,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
    maxStalledCount: MAX_STALLED,
    drainDelay: 1,
  });
  worker.on("error", onError);
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
  };
}
