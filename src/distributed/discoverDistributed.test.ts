/**
 * Distributed DiscoverPairs against a real redis-server (started here on 127.0.0.1, free port,
 * temp dir, no persistence) and two real `arblab worker` processes (bin/arblab.js). The reference
 * is the in-process run (`discoverPanel`, the CLI's and the RPC's per-pair pipeline + BH).
 * The full 100-stock universe (4,950 pairs) runs once; the failure cases use the first 30
 * symbols (435 pairs), where the point is the mechanism.
 */
import type { ChildProcess } from "node:child_process";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryInput, type DiscoveryRow, discoverPanel, discoveryRows, failedPair } from "../cli/discoverPanel.js";
import { discoverPanelDistributed } from "../cli/discoverPanelDistributed.js";
import { resolvePairOptions } from "../server/compute/pairPipeline.js";
import { discoverPairsDistributed, MIN_SHARD_PAIRS } from "./discoverCoordinator.js";
import { pairAt, pairCount, type PairOutcome } from "./discoverShard.js";
import { shardBounds } from "./shardPlan.js";
import {
  drainedQueueCounts,
  queueCounts,
  runKeys,
  sp100Columns,
  START_TIMEOUT_MS,
  startRedis,
  startWorkerProcess,
  stopChild,
  TEST_LOCK_MS,
  type TestRedis,
} from "./testSupport.js";
import { decodeJson, DISCOVER_QUEUE, encodeJson, redisOptions } from "./wire.js";

const LOCK_MS = TEST_LOCK_MS;

function universe(count?: number): DiscoveryInput {
  return sp100Columns(count);
}

/** The RPC's defaults, as discoverPanel resolves them when no option is given. */
const pairOptions = resolvePairOptions("discover", {
  significance: 0,
  minHurst: 0,
  transactionCost: 0,
  dt: 0,
  rho: 0,
  maxLag: 0,
  hurstMethod: "",
});

/** Rows from the coordinator's outcomes, as discoverPanelDistributed builds them. */
function rowsOf(panel: DiscoveryInput, outcomes: readonly PairOutcome[]): DiscoveryRow[] {
  return discoveryRows(
    outcomes.map((o, k) => {
      if (o.result !== null) return o.result;
      const [i, j] = pairAt(panel.symbols.length, k);
      return failedPair(panel.symbols[i]!, panel.symbols[j]!, o.thrown);
    }),
  );
}

let redis: TestRedis;
let workers: ChildProcess[] = [];
const workerLog: string[] = [];

function expectNoJobsLeft(counts: Record<string, number>): void {
  for (const [state, count] of Object.entries(counts)) expect(count, `${state} jobs left: ${JSON.stringify(counts)}`).toBe(0);
}

async function expectQueueDrains(ms: number): Promise<void> {
  expectNoJobsLeft(await drainedQueueCounts(redis.url, ms));
}

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all([0, 1].map(() => startWorkerProcess(redis.url, LOCK_MS, (line) => workerLog.push(line))));
}, 3 * START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => stopChild(w)));
  await redis?.stop();
}, 30_000);

describe("pair index order is the in-process (i < j) lexicographic order", () => {
  it("pairAt walks (0,1), (0,2), …, (n−2, n−1)", () => {
    for (const n of [2, 3, 7]) {
      let k = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(pairAt(n, k++), `n ${n} k ${k - 1}`).toEqual([i, j]);
      expect(k).toBe(pairCount(n));
      expect(() => pairAt(n, k)).toThrow(/pairAt: k must be an integer in \[0, /);
    }
  });

  it("the wire codec keeps NaN, ±Infinity and −0", () => {
    const back = decodeJson<{ a: number[]; s: string }>(encodeJson({ a: [Number.NaN, Infinity, -Infinity, -0, 1.5], s: "NaN" }));
    expect(back.a).toEqual([Number.NaN, Infinity, -Infinity, -0, 1.5]);
    expect(Object.is(back.a[3], -0)).toBe(true);
    expect(back.s).toBe("NaN");
  });

  it("the wire codec round-trips Float64Array and Int32Array bit-exactly and leaves its input untouched", () => {
    const input = { fold: { book: new Float64Array([1.5, Number.NaN, -0]), index: new Int32Array([3, -4]) }, plain: [1, 2], x: -Infinity };
    const back = decodeJson<typeof input>(encodeJson(input));
    expect(back.fold.book).toBeInstanceOf(Float64Array);
    expect(back.fold.index).toBeInstanceOf(Int32Array);
    expect([...back.fold.book]).toEqual([1.5, Number.NaN, -0]);
    expect(Object.is(back.fold.book[2], -0)).toBe(true);
    expect([...back.fold.index]).toEqual([3, -4]);
    expect(back.x).toBe(-Infinity);
    expect(input.fold.book).toBeInstanceOf(Float64Array);
    expect(input.x).toBe(-Infinity);
    expect(encodeJson({ plain: [1, 2], s: "a" })).toBe(JSON.stringify({ plain: [1, 2], s: "a" }));
  });
});

describe("distributed discovery fails clearly instead of waiting forever", () => {
  it("no worker connected: fails after stallTimeoutMs naming the queue state, and removes its jobs", async () => {
    const lonely = await startRedis();
    try {
      const started = performance.now();
      await expect(discoverPanelDistributed(universe(6), { redisUrl: lonely.url, shardPairs: 5, stallTimeoutMs: 1500 })).rejects.toThrow(
        /^distributed discovery: no shard finished for \d+ s \(0\/3 shards done; queue .*"waiting":3.*is any `arblab worker` connected/,
      );
      expect(performance.now() - started).toBeLessThan(10_000);
      const queue = new Queue(DISCOVER_QUEUE, { connection: redisOptions(lonely.url) as never });
      try {
        expect(await queue.getJobCounts("waiting", "active", "delayed", "failed")).toEqual({
          waiting: 0,
          active: 0,
          delayed: 0,
          failed: 0,
        });
      } finally {
        await queue.close();
      }
    } finally {
      await lonely.stop();
    }
  }, 30_000);

  it("no Redis at the URL: a clear error naming it, quickly", async () => {
    const nobody = await startRedis();
    const url = nobody.url;
    await nobody.stop();
    const started = performance.now();
    await expect(discoverPanelDistributed(universe(4), { redisUrl: url })).rejects.toThrow(
      new RegExp(`^distributed discovery: Redis at ${url} failed: .*ECONNREFUSED`),
    );
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it("a malformed REDIS_URL is refused by name", async () => {
    await expect(discoverPanelDistributed(universe(3), { redisUrl: "http://x" })).rejects.toThrow(
      "REDIS_URL must start with redis:// or rediss://",
    );
  });
});

describe("distributed discovery on redis-server with two arblab worker processes", () => {
  it("gives the in-process rows on the 100-stock universe (4,950 pairs), in the same order", async () => {
    const panel = universe();
    expect(panel.symbols.length).toBe(100);
    const local = discoverPanel(panel);
    let progressCalls = 0;
    let lastDone = 0;
    const distributed = await discoverPanelDistributed(panel, {
      redisUrl: redis.url,
      shardPairs: 64,
      onProgress: (done) => {
        expect(done).toBeGreaterThan(lastDone);
        lastDone = done;
        progressCalls++;
      },
    });
    expect(distributed.length).toBe(4950);
    expect(distributed).toEqual(local);
    expect(distributed.filter((r) => r.success).length).toBeGreaterThan(0);
    expect(progressCalls).toBe(Math.ceil(4950 / 64));
    await expectQueueDrains(5_000);
    expect(await runKeys(redis.url)).toEqual([]);
  }, 180_000);

  it("the default schedule (factoring for the 2 connected workers) gives the in-process rows, both workers served", async () => {
    const panel = universe();
    const run = await discoverPairsDistributed(panel, { redisUrl: redis.url, options: pairOptions });
    // Two arblab worker processes are connected to this Redis: shards sized for W = 2.
    expect(run.shards).toBe(shardBounds(4950, { kind: "factoring", minItems: MIN_SHARD_PAIRS, unit: 1 }, 2).length - 1);
    expect(Object.keys(run.shardsByWorker).length).toBe(2);
    expect(run.duplicateReports).toBe(0);
    expect(rowsOf(panel, run.outcomes)).toEqual(discoverPanel(panel));
    await expectQueueDrains(5_000);
  }, 180_000);

  it("beforeNext (backpressure) is awaited before each pop and the run still completes identically", async () => {
    const panel = universe(12); // 66 pairs, 6 shards of 11
    let waits = 0;
    const run = await discoverPairsDistributed(panel, {
      redisUrl: redis.url,
      options: pairOptions,
      shardPairs: 11,
      stallTimeoutMs: 1000,
      beforeNext: async () => {
        // The first wait outlasts the stall timeout (a slow gRPC client): the run still completes.
        if (waits++ === 0) await new Promise((r) => setTimeout(r, 1500));
      },
    });
    expect(run.shards).toBe(6);
    expect(waits).toBeGreaterThanOrEqual(6);
    expect(rowsOf(panel, run.outcomes)).toEqual(discoverPanel(panel));
    await expectQueueDrains(5_000);
  }, 30_000);

  it("kill -9 of one worker mid-shard: the run completes with identical rows (its shard retried elsewhere)", async () => {
    // All 100 stocks in shards of 600 pairs (~0.1 s of compute each): a shard must outlast the
    // round trip from the victim's "started" line to its SIGKILL (40-pair shards of 30 symbols
    // finished in 8 ms, before the kill landed).
    const panel = universe();
    const local = discoverPanel(panel);
    const victim = workers[0]!;
    // Kill the victim as soon as it says it started a shard of this run, so it dies mid-shard.
    let victimLog = "";
    let killed: Promise<void> | null = null;
    const onLog = (chunk: Buffer): void => {
      victimLog += chunk.toString();
      if (/shard \d+ \(\d+ pairs\) started/.test(victimLog)) killed ??= stopChild(victim, "SIGKILL");
    };
    victim.stderr!.on("data", onLog);
    const result = await discoverPairsDistributed(panel, { redisUrl: redis.url, options: pairOptions, shardPairs: 600 });
    await killed;
    victim.stderr!.off("data", onLog);
    expect(victim.signalCode).toBe("SIGKILL");
    const started = [...victimLog.matchAll(/shard (\d+) \(\d+ pairs\) started/g)].map((m) => m[1]);
    const finished = new Set([...victimLog.matchAll(/shard (\d+) \(\d+ pairs\) done/g)].map((m) => m[1]));
    expect(
      started.some((s) => !finished.has(s)),
      `victim log:\n${victimLog}`,
    ).toBe(true);
    expect(Object.values(result.shardsByWorker).reduce((a, b) => a + b, 0)).toBe(result.shards);
    expect(rowsOf(panel, result.outcomes)).toEqual(local);
    await expectQueueDrains(4 * LOCK_MS + 2_000);
    workers[0] = await startWorkerProcess(redis.url, LOCK_MS, (line) => workerLog.push(line));
  }, 120_000);

  it("cancellation rejects with the signal's reason and leaves no job and no run key behind", async () => {
    const panel = universe(30);
    const controller = new AbortController();
    let outcomes = 0;
    const run = discoverPanelDistributed(panel, {
      redisUrl: redis.url,
      shardPairs: 8,
      signal: controller.signal,
      onProgress: (done) => {
        outcomes = done;
        if (!controller.signal.aborted) controller.abort(new Error("test cancelled the run"));
      },
    });
    await expect(run).rejects.toThrow("test cancelled the run");
    expect(outcomes).toBeLessThan(pairCount(30));
    expectNoJobsLeft(await queueCounts(redis.url));
    expect(await runKeys(redis.url)).toEqual([]);
  }, 60_000);

  it("Redis restarted mid-run: the run completes identically or fails with a clear error, within bounded time", async () => {
    const panel = universe(30);
    const local = discoverPanel(panel);
    let restarted: Promise<void> | null = null;
    const started = performance.now();
    const outcome = await discoverPanelDistributed(panel, {
      redisUrl: redis.url,
      shardPairs: 8,
      stallTimeoutMs: 10_000,
      onProgress: () => {
        restarted ??= redis
          .kill()
          .then(() => new Promise((r) => setTimeout(r, 300)))
          .then(() => redis.start());
      },
    }).then(
      (rows) => ({ rows, error: null }),
      (error: Error) => ({ rows: null, error }),
    );
    await restarted;
    expect(performance.now() - started).toBeLessThan(60_000);
    if (outcome.error)
      expect(outcome.error.message).toMatch(/^distributed discovery: Redis at redis:\/\/127\.0\.0\.1:\d+ (failed|no longer holds run)/);
    else expect(outcome.rows).toEqual(local);
    // The workers survive the restart: a fresh run afterwards completes.
    const again = await discoverPanelDistributed(universe(8), { redisUrl: redis.url, shardPairs: 4, stallTimeoutMs: 20_000 });
    expect(again).toEqual(discoverPanel(universe(8)));
  }, 120_000);
});
