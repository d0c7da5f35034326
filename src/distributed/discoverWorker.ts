/**
 * The worker side of distributed DiscoverPairs: a BullMQ Worker on DISCOVER_QUEUE that loads a
 * run's panel from Redis once (cached per run), runs its shard with `runDiscoverShard`, and
 * pushes the outcomes to the run's results list, but only while the run still exists (one Lua
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
  type DiscoverShardJob,
  type RunMeta,
  type ShardReport,
} from "./wire.js";
import { type PairOutcome, runDiscoverShard, type ShardPanel } from "./discoverShard.js";
import type { PairOptions } from "../server/compute/pairPipeline.js";

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

/** Options of {@link startDiscoverWorker}. */
export interface DiscoverWorkerOptions {
  readonly redisUrl: string;
  /** Shards processed at once by this process (CPU-bound: 1 per process, run more processes for more cores). */
  readonly concurrency?: number;
  /** BullMQ lock duration, ms (stalled shards are detected after about this long). */
  readonly lockMs?: number;
  /** Called when a shard starts (for logs). */
  readonly onShardStart?: (info: { runId: string; shard: number; pairs: number }) => void;
  /** Called after each shard (for logs). */
  readonly onShard?: (info: {
    runId: string;
    shard: number;
    pairs: number;
    computeMs: number;
    outcome: "done" | "cancelled" | "run gone";
  }) => void;
  /** Called on connection and job errors (the worker keeps running; BullMQ reconnects). */
  readonly onError?: (err: Error) => void;
}

/** A running worker. */
export interface DiscoverWorkerHandle {
  /** Stop taking shards, wait for the current one, close the connections. */
  close(): Promise<void>;
}

interface CachedRun {
  readonly panel: ShardPanel;
  readonly options: PairOptions;
}

/** Start a shard worker. Resolves once it is connected and waiting for shards. */
export async function startDiscoverWorker(options: DiscoverWorkerOptions): Promise<DiscoverWorkerHandle> {
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

  const loadRun = async (runId: string): Promise<CachedRun | null> => {
    const hit = cache.get(runId);
    if (hit) return hit;
    const [meta, series] = await Promise.all([commands.hget(panelKey(runId), "meta"), commands.hgetBuffer(panelKey(runId), "series")]);
    if (meta === null || series === null) return null;
    const m = decodeJson<RunMeta>(meta);
    const run: CachedRun = { panel: { symbols: m.symbols, length: m.length, series: bufferToSeries(series) }, options: m.options };
    cache.set(runId, run);
    if (cache.size > PANEL_CACHE_RUNS) cache.delete(cache.keys().next().value!);
    return run;
  };

  const processShard = async (job: Job<DiscoverShardJob>): Promise<string> => {
    const { runId, shard, start, end } = job.data;
    const report = (outcome: "done" | "cancelled" | "run gone", computeMs: number): string => {
      options.onShard?.({ runId, shard, pairs: end - start, computeMs, outcome });
      return outcome;
    };
    if (cancelled.has(runId)) return report("cancelled", 0);
    const run = await loadRun(runId);
    if (run === null) return report("run gone", 0);
    options.onShardStart?.({ runId, shard, pairs: end - start });
    const t0 = performance.now();
    let outcomes: PairOutcome[] | null;
    let error: string | null = null;
    try {
      outcomes = await runDiscoverShard(run.panel, run.options, start, end, () => cancelled.has(runId));
    } catch (err) {
      outcomes = null;
      error = `shard ${shard} [${start}, ${end}): ${err instanceof Error ? err.message : String(err)}`;
    }
    const computeMs = performance.now() - t0;
    if (outcomes === null && error === null) return report("cancelled", computeMs);
    const body: ShardReport = { shard, start, outcomes, error, computeMs, worker: `${hostname()}:${process.pid}` };
    const pushed = await commands.eval(PUSH_IF_RUN_EXISTS, 2, panelKey(runId), resultsKey(runId), encodeJson(body), RUN_TTL_SECONDS);
    return report(pushed === 1 ? "done" : "run gone", computeMs);
  };

  const lockDuration = options.lockMs ?? DEFAULT_LOCK_MS;
  const worker = new Worker<DiscoverShardJob, string>(DISCOVER_QUEUE, processShard, {
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
