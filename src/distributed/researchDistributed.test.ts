/**
 * Distributed sweeps and walk-forward folds against a real redis-server (started here on
 * 127.0.0.1, free port, temp dir, no persistence) and two real `arblab worker` processes
 * (bin/arblab.js). The reference is the library's in-process call (`sweepBacktests`,
 * `walkForward`) on the same inputs: results must be equal (toEqual: same numbers bit for bit,
 * NaN kept), in the same order. Data: data/sp100_prices.csv (945 bars).
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepBacktests } from "../lib/research/sweepBacktests.js";
import type { SweepSpace } from "../lib/research/sweepSpace.js";
import { walkForward, type WalkForwardOptions, type WalkForwardPanel } from "../lib/research/walkForward.js";
import { shardBounds } from "./shardPlan.js";
import { MIN_SHARD_COMBINATIONS, sweepBacktestsDistributed } from "./sweepBacktestsDistributed.js";
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
import { walkForwardDistributed } from "./walkForwardDistributed.js";

const LOCK_MS = TEST_LOCK_MS;

const prices = sp100Columns();
function series(symbol: string): Float64Array {
  return prices.values[prices.symbols.indexOf(symbol)]!.slice();
}
function panelOf(count: number): WalkForwardPanel {
  const names = prices.symbols.slice(0, count);
  return { prices: names.map(series), names };
}

/** 4·4·4·3·3 = 576 combinations in 16 (hedge, zWindow) groups of 36. */
const SPACE: SweepSpace = {
  hedge: [
    { method: "rolling", window: 60 },
    { method: "rolling", window: 120 },
    { method: "static", window: 250 },
    { method: "static", beta: 1 },
  ],
  zWindow: [10, 20, 40, 60],
  entry: [1, 1.5, 2, 2.5],
  exit: [0, 0.25, 0.5],
  stop: [null, 3, 4],
};
const SWEEP_INPUT = { y: series(prices.symbols[0]!), x: series(prices.symbols[1]!), space: SPACE, costs: { bps: 2, slippageBps: 1 } };

/** 11 folds of 252 formation + 63 trading bars. */
const WF_OPTIONS: WalkForwardOptions = {
  formation: 252,
  trading: 63,
  topK: 5,
  fdr: 0.1,
  rule: { kind: "zscore", entry: 2, exit: 0.5, stop: 4 },
  costs: { bps: 2 },
  allocation: "inverseVolatility",
};

let redis: TestRedis;
const workers: ChildProcess[] = [];
const workerLog: string[] = [];

function expectNoJobsLeft(counts: Record<string, number>): void {
  for (const [state, count] of Object.entries(counts)) expect(count, `${state} jobs left: ${JSON.stringify(counts)}`).toBe(0);
}

beforeAll(async () => {
  redis = await startRedis();
  workers.push(...(await Promise.all([0, 1].map(() => startWorkerProcess(redis.url, LOCK_MS, (line) => workerLog.push(line))))));
}, 3 * START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => stopChild(w)));
  await redis?.stop();
}, 30_000);

describe("distributed sweepBacktests on redis-server with two arblab worker processes", () => {
  it("a grid sweep equals the in-process sweepBacktests, shard boundaries on whole (hedge, zWindow) groups", async () => {
    const local = sweepBacktests(SWEEP_INPUT);
    let delivered = 0;
    const run = await sweepBacktestsDistributed(SWEEP_INPUT, {
      redisUrl: redis.url,
      shardCombinations: 50, // rounded up to 72 = two groups of 36: 8 shards
      onResults: (start, results) => {
        expect(start).toBe(delivered);
        delivered += results.length;
      },
    });
    expect(run.stats.shards).toBe(8);
    expect(delivered).toBe(576);
    expect(run.result.results).toEqual(local.results);
    expect(run.result).toMatchObject({ size: 576, start: 0, end: 576 });
    expect(run.result.results.some((r) => r.trades > 0)).toBe(true);
    expect(Object.keys(run.stats.shardsByWorker).length).toBeGreaterThanOrEqual(1);
    expectNoJobsLeft(await drainedQueueCounts(redis.url, 5_000));
    expect(await runKeys(redis.url)).toEqual([]);
  }, 60_000);

  it("the default schedule (factoring) cuts the grid on whole groups and equals the in-process sweep", async () => {
    const run = await sweepBacktestsDistributed(SWEEP_INPUT, { redisUrl: redis.url });
    const group = 36;
    expect(run.stats.bounds).toEqual(
      shardBounds(576, { kind: "factoring", minItems: Math.ceil(MIN_SHARD_COMBINATIONS / group) * group, unit: group }, 2),
    );
    for (const b of run.stats.bounds) expect(b % group, `bounds ${run.stats.bounds}`).toBe(0);
    expect(run.result.results).toEqual(sweepBacktests(SWEEP_INPUT).results);
  }, 60_000);

  it("a seeded random sample over a range equals the in-process call over that range", async () => {
    const input = { ...SWEEP_INPUT, sampling: { kind: "random" as const, count: 400, seed: 7 }, range: { start: 33, end: 377 } };
    const run = await sweepBacktestsDistributed(input, { redisUrl: redis.url, shardCombinations: 40 });
    expect(run.stats.shards).toBe(Math.ceil(344 / 40));
    expect(run.result.results.map((r) => r.index)).toEqual(Array.from({ length: 344 }, (_, k) => 33 + k));
    expect(run.result.results).toEqual(sweepBacktests(input).results);
  }, 60_000);

  it("bad input is refused in the coordinator with the library's message, before anything is enqueued", async () => {
    await expect(sweepBacktestsDistributed({ ...SWEEP_INPUT, space: { ...SPACE, zWindow: [] } }, { redisUrl: redis.url })).rejects.toThrow(
      /sweepBacktests: space.zWindow must be a non-empty array/,
    );
    await expect(sweepBacktestsDistributed({ ...SWEEP_INPUT, range: { start: 0, end: 577 } }, { redisUrl: redis.url })).rejects.toThrow(
      "sweepBacktestsDistributed: range.end must be an integer in [0, 576], got 577",
    );
    await expect(sweepBacktestsDistributed({ ...SWEEP_INPUT, returns: true }, { redisUrl: redis.url })).rejects.toThrow(
      /returns: true is not supported/,
    );
    // A combination that is invalid only when evaluated (|exit| ≥ entry) fails the run with the worker's message.
    await expect(
      sweepBacktestsDistributed({ ...SWEEP_INPUT, space: { ...SPACE, exit: [0, 1.2] } }, { redisUrl: redis.url, shardCombinations: 64 }),
    ).rejects.toThrow(/^distributed sweep: a worker failed on shard \d+ \[\d+, \d+\): sweepBacktests: .*exit/);
    expectNoJobsLeft(await drainedQueueCounts(redis.url, 5_000));
    expect(await runKeys(redis.url)).toEqual([]);
  }, 60_000);

  it("cancellation rejects with the signal's reason and leaves no job and no run key behind", async () => {
    const controller = new AbortController();
    let delivered = 0;
    const run = sweepBacktestsDistributed(
      { ...SWEEP_INPUT, sampling: { kind: "random", count: 20_000, seed: 3 } },
      {
        redisUrl: redis.url,
        shardCombinations: 100,
        signal: controller.signal,
        onResults: (_start, results) => {
          delivered += results.length;
          if (!controller.signal.aborted) controller.abort(new Error("test cancelled the sweep"));
        },
      },
    );
    await expect(run).rejects.toThrow("test cancelled the sweep");
    expect(delivered).toBeLessThan(20_000);
    expectNoJobsLeft(await queueCounts(redis.url));
    expect(await runKeys(redis.url)).toEqual([]);
  }, 60_000);
});

describe("distributed walkForward on redis-server with two arblab worker processes", () => {
  it("equals the in-process walkForward on 20 symbols (11 folds): folds, stitched returns, pair P&L, warnings", async () => {
    const panel = panelOf(20);
    const local = walkForward(panel, WF_OPTIONS);
    expect(local.foldCount).toBe(11);
    const arrived: number[] = [];
    const run = await walkForwardDistributed(panel, WF_OPTIONS, {
      redisUrl: redis.url,
      onFolds: (folds) => arrived.push(...folds.map((f) => f.fold)),
    });
    expect(arrived).toEqual(Array.from({ length: 11 }, (_, k) => k));
    expect(run.stats.shards).toBe(11);
    expect(run.result).toEqual(local);
    expect(run.result.folds.some((f) => f.book !== null)).toBe(true);
    // With overlapping trading windows (step < trading) and a fold range, still the in-process result.
    const overlapping = { ...WF_OPTIONS, step: 40, range: { start: 2, end: 9 } };
    const partial = await walkForwardDistributed(panel, overlapping, { redisUrl: redis.url, shardFolds: 3 });
    expect(partial.stats.shards).toBe(3);
    expect(partial.result).toEqual(walkForward(panel, overlapping));
    expectNoJobsLeft(await drainedQueueCounts(redis.url, 5_000));
    expect(await runKeys(redis.url)).toEqual([]);
  }, 120_000);

  it("bad options are refused in the coordinator with walkForward's message", async () => {
    await expect(walkForwardDistributed(panelOf(5), { ...WF_OPTIONS, formation: 10 }, { redisUrl: redis.url })).rejects.toThrow(
      /walkForward: formation must be >= 30/,
    );
    await expect(walkForwardDistributed(panelOf(5), WF_OPTIONS, { redisUrl: redis.url, shardFolds: 0 })).rejects.toThrow(
      "walkForwardDistributed: shardFolds must be a positive integer, got 0",
    );
  });

  it("kill -9 of one worker mid-shard: the run completes with the in-process result (its shard retried elsewhere)", async () => {
    const panel = panelOf(45); // 990 pairs per fold: a shard of 2 folds is well over 100 ms of work
    const local = walkForward(panel, WF_OPTIONS);
    const victim = workers[0]!;
    let victimLog = "";
    let killed: Promise<void> | null = null;
    const onLog = (chunk: Buffer): void => {
      victimLog += chunk.toString();
      if (/shard \d+ \(\d+ folds\) started/.test(victimLog)) killed ??= stopChild(victim, "SIGKILL");
    };
    victim.stderr!.on("data", onLog);
    const run = await walkForwardDistributed(panel, WF_OPTIONS, { redisUrl: redis.url, shardFolds: 2 });
    await killed;
    victim.stderr!.off("data", onLog);
    expect(victim.signalCode).toBe("SIGKILL");
    const started = [...victimLog.matchAll(/shard (\d+) \(\d+ folds\) started/g)].map((m) => m[1]);
    const finished = new Set([...victimLog.matchAll(/shard (\d+) \(\d+ folds\) done/g)].map((m) => m[1]));
    expect(
      started.some((s) => !finished.has(s)),
      `victim log:\n${victimLog}`,
    ).toBe(true);
    expect(Object.values(run.stats.shardsByWorker).reduce((a, b) => a + b, 0)).toBe(run.stats.shards);
    expect(run.result).toEqual(local);
    expectNoJobsLeft(await drainedQueueCounts(redis.url, 4 * LOCK_MS + 2_000));
    workers[0] = await startWorkerProcess(redis.url, LOCK_MS, (line) => workerLog.push(line));
  }, 180_000);

  it("Redis restarted mid-run: completes with the in-process result or fails with a clear error, within bounded time", async () => {
    const panel = panelOf(20);
    const local = walkForward(panel, WF_OPTIONS);
    let restarted: Promise<void> | null = null;
    const started = performance.now();
    const outcome = await walkForwardDistributed(panel, WF_OPTIONS, {
      redisUrl: redis.url,
      stallTimeoutMs: 10_000,
      onFolds: () => {
        restarted ??= redis
          .kill()
          .then(() => new Promise((r) => setTimeout(r, 300)))
          .then(() => redis.start());
      },
    }).then(
      (r) => ({ result: r.result, error: null }),
      (error: Error) => ({ result: null, error }),
    );
    await restarted;
    expect(performance.now() - started).toBeLessThan(60_000);
    if (outcome.error)
      expect(outcome.error.message).toMatch(/^distributed walk-forward: Redis at redis:\/\/127\.0\.0\.1:\d+ (failed|no longer holds run)/);
    else expect(outcome.result).toEqual(local);
    // The workers survive the restart: a fresh run afterwards completes.
    const again = await walkForwardDistributed(panelOf(8), WF_OPTIONS, { redisUrl: redis.url, stallTimeoutMs: 20_000 });
    expect(again.result).toEqual(walkForward(panelOf(8), WF_OPTIONS));
  }, 120_000);
});
