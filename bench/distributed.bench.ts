/**
 * Distributed compute on Redis + BullMQ (issue 15): 1 vs 2 `arblab worker` processes with the
 * coordinator in this process on the same 2-core machine (goal: 2 workers ≥ 1.8× one), through a
 * real redis-server (started here, 127.0.0.1, free port, temp dir).
 * - Alternation: database 0 is served by one worker, database 1 by two (all three started and warmed
 *   up first, idle ones block in Redis without CPU), and the runs alternate 1, 2, 1, 2, … so both
 *   configurations see the same machine load.
 * - Sessions: the workers run in the bench's session (as `arblab worker &` from one terminal);
 *   BENCH_OWN_SESSION=1 starts each in a session of its own (setsid), as systemd or Docker do. This
 *   VM schedules with autogroups (kernel.sched_autogroup_enabled = 1): on a busy machine CPU is
 *   shared fairly between sessions, so workers in one session split one share (own sessions are
 *   then fairer); on a quiet machine own sessions measured slower (docs/scaling.md), so the
 *   default is the shared session and the bench is meant for a quiet machine.
 * - CPU accounting per run: each worker process (/proc/<pid>/stat utime+stime; its threads other
 *   than the main one from /proc/<pid>/task/<tid>/stat), redis-server (INFO cpu) and the
 *   coordinator (process.cpuUsage). From them an idle-machine estimate of a
 *   run on W workers: its critical path T ≈ max(tail · ΣW, (ΣW + coordinator + redis) / 2 cores)
 *   (tail: the busiest worker's share of the items when W equal-speed workers take the shards in
 *   queue order; the two cores shared by all processes), against the same run's worker CPU done by one worker (ΣW, the coordinator
 *   and redis then have the second core): speed-up ≈ ΣW / T (≤ 2; it counts the shard tail,
 *   coordinator and redis CPU, not round-trip latency). The observed split of CPU between the two
 *   workers is not used: on a loaded machine it follows the scheduler, not the design. CPU of the same work differs by 10–20 % between runs here (contention),
 *   so comparing two runs' CPU would not be a speed-up; on this shared VM the wall times mostly
 *   measure the other sessions' load.
 * - Workloads: (a) the headline, sized for distribution: a walk-forward over all 100 stocks of
 *   data/sp100_prices.csv (formation 252, trading 63, step 42: 16 folds of 4,950 Engle–Granger
 *   scans each, ≈ 0.4 s of work per fold, one fold per shard); (b) DiscoverPairs over the same 100
 *   stocks (4,950 pairs of 945 bars) with the default schedule (factoring: 15 shards from 1,238
 *   down to 32 pairs for 2 workers); the old workloads (c) the same discovery in fixed 128-pair
 *   shards (39 jobs) and (d) the walk-forward over 50 stocks (16 folds of 1,225 scans). Beside
 *   them the in-process single-thread runs.
 * - Wall speed-ups three ways: median 1-worker wall ÷ median 2-worker wall (the verdict), the
 *   median of each round's ratio (the two runs of a round are seconds apart, so they see the same
 *   load) and best ÷ best (the runs least disturbed by other processes).
 * - Per-shard overhead: 435 pairs (30 symbols) in one-pair shards on one worker.
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { discoverPanel, type DiscoveryInput } from "../src/cli/discoverPanel.js";
import { discoverPairsDistributed, walkForwardDistributed, type ShardRunStats } from "../src/distributed/index.js";
import { startRedis, startWorkerProcess, stopChild } from "../src/distributed/testSupport.js";
import { redisOptions } from "../src/distributed/wire.js";
import { loadPricePanel } from "../src/kernel-helpers/loadPricePanel.js";
import { walkForward, type WalkForwardOptions } from "../src/lib/research/index.js";
import { resolvePairOptions } from "../src/server/compute/pairPipeline.js";
import type { BenchSection } from "./run.js";
import { median } from "./stats.js";

const RUNS = 5;
const OLD_RUNS = 3;
const WF_RUNS = 3;
const OLD_WF_RUNS = 2;
/** The old fixed shard size of DiscoverPairs (before the factoring default). */
const SHARD_PAIRS = 128;
const OVERHEAD_SYMBOLS = 30;
const LOCK_MS = 30_000;
const WF_SYMBOLS = 100;
const OLD_WF_SYMBOLS = 50;
const WF_OPTIONS: WalkForwardOptions = {
  formation: 252,
  trading: 63,
  step: 42,
  topK: 10,
  fdr: 0.1,
  rule: { kind: "zscore", entry: 2, exit: 0.5, stop: 4 },
  costs: { bps: 2 },
};
/** Clock ticks per second of /proc/<pid>/stat (Linux USER_HZ). */
const USER_HZ = 100;

const prices = loadPricePanel(join(fileURLToPath(new URL(".", import.meta.url)), "../data/sp100_prices.csv"));
function universe(count?: number): DiscoveryInput {
  const symbols = prices.symbols.slice(0, count ?? prices.symbols.length);
  return { symbols, values: symbols.map((s) => Float64Array.from(prices.table.array(s) as ArrayLike<number>)) };
}

/** CPU seconds used so far by a process (utime + stime). */
function processCpuS(pid: number): number {
  return statCpuS(`/proc/${pid}/stat`);
}

/** utime + stime of a /proc stat file, in seconds. */
function statCpuS(path: string): number {
  const fields = readFileSync(path, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/**
 * CPU seconds used so far by a process's threads other than its main thread: V8's platform
 * threads (parallel scavenge, concurrent marking and sweeping, TurboFan) and libuv's pool. CPU a
 * lone worker takes from the idle second core, and two workers fight for (docs/scaling.md).
 */
function backgroundThreadsCpuS(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (Number(tid) === pid) continue;
    try {
      total += statCpuS(`/proc/${pid}/task/${tid}/stat`);
    } catch {
      // the thread exited between the listing and the read: its CPU is no longer counted anywhere
    }
  }
  return total;
}

interface RunCost {
  readonly wallMs: number;
  readonly stats: ShardRunStats;
  /** CPU ms of each worker of the configuration, of redis-server, of the coordinator. */
  readonly workerCpuMs: readonly number[];
  /** CPU ms of the workers' threads other than their main threads (summed over the workers). */
  readonly workerBackgroundCpuMs: number;
  readonly redisCpuMs: number;
  readonly coordinatorCpuMs: number;
}

/**
 * Items on the busiest of W equal-speed workers when each takes the next shard in queue order as it
 * becomes free (what BullMQ does): the shard tail of a run, in items.
 */
function listScheduleMakespan(bounds: readonly number[], workers: number): number {
  const busyUntil = new Array<number>(workers).fill(0);
  for (let s = 0; s + 1 < bounds.length; s++) {
    const next = busyUntil.indexOf(Math.min(...busyUntil));
    busyUntil[next]! += bounds[s + 1]! - bounds[s]!;
  }
  return Math.max(...busyUntil);
}

/** Idle 2-core estimate of a run's wall time: equal-speed workers' shard tail, or all CPU shared over 2 cores. */
function idleWallMs(c: RunCost): number {
  const workers = c.workerCpuMs.reduce((a, b) => a + b, 0);
  const tail = (listScheduleMakespan(c.stats.bounds, c.workerCpuMs.length) / c.stats.bounds.at(-1)!) * workers;
  return Math.max(tail, (workers + c.redisCpuMs + c.coordinatorCpuMs) / 2);
}

/** Median share of the workers' CPU spent off their main threads, as "x.x %". */
function backgroundShare(runs: readonly RunCost[]): string {
  const share = median(runs.map((c) => c.workerBackgroundCpuMs / c.workerCpuMs.reduce((a, b) => a + b, 0)));
  return `${(100 * share).toFixed(1)} %`;
}

function verdict(speedup: number): string {
  return speedup >= 1.8 ? "(met)" : "(not met)";
}

/** Idle-machine speed-up of a 2-worker run over one worker doing the same work: ΣW / idleWallMs. */
function idleSpeedup(c: RunCost): number {
  return c.workerCpuMs.reduce((a, b) => a + b, 0) / idleWallMs(c);
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
  const wfPanelOf = (count: number) => {
    const p = universe(count);
    return { prices: p.values, names: p.symbols };
  };
  const wfPanel = wfPanelOf(WF_SYMBOLS);
  const oldWfPanel = wfPanelOf(OLD_WF_SYMBOLS);
  const redis = await startRedis();
  const info = new Redis(redisOptions(redis.url) as never);
  const redisCpuS = async (): Promise<number> => {
    const text = await info.info("cpu");
    const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(text)?.[1] ?? Number.NaN);
    return field("used_cpu_user") + field("used_cpu_sys");
  };
  const workers: ChildProcess[] = [];
  try {
    // Workers in this session unless BENCH_OWN_SESSION=1 (see the header: autogroup scheduling).
    const ownSession = process.env.BENCH_OWN_SESSION === "1";
    const start = (db: number) => startWorkerProcess(`${redis.url}/${db}`, LOCK_MS, undefined, ["--quiet"], { ownSession });
    workers.push(await start(0), await start(1), await start(1));
    const configs = {
      1: { url: `${redis.url}/0`, pids: [workers[0]!.pid!] },
      2: { url: `${redis.url}/1`, pids: [workers[1]!.pid!, workers[2]!.pid!] },
    };

    const measured = async (workerCount: 1 | 2, work: (url: string) => Promise<ShardRunStats>): Promise<RunCost> => {
      const { url, pids } = configs[workerCount];
      const w0 = pids.map(processCpuS);
      const b0 = pids.map(backgroundThreadsCpuS);
      const r0 = await redisCpuS();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const stats = await work(url);
      const wallMs = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const redisCpuMs = ((await redisCpuS()) - r0) * 1000;
      const workerCpuMs = pids.map((pid, k) => (processCpuS(pid) - w0[k]!) * 1000);
      const workerBackgroundCpuMs = pids.reduce((sum, pid, k) => sum + (backgroundThreadsCpuS(pid) - b0[k]!) * 1000, 0);
      return { wallMs, stats, workerCpuMs, workerBackgroundCpuMs, redisCpuMs, coordinatorCpuMs: (c.user + c.system) / 1000 };
    };
    const discover = (shardPairs: number | undefined, input: DiscoveryInput) => async (url: string) =>
      discoverPairsDistributed(input, { redisUrl: url, options, shardPairs });
    const walk = (p: typeof wfPanel) => async (url: string) => (await walkForwardDistributed(p, WF_OPTIONS, { redisUrl: url })).stats;

    /** Warm-up of both configurations, then `runs` alternations 1, 2, 1, 2, … */
    const alternate = async (work: (url: string) => Promise<ShardRunStats>, runs: number) => {
      await measured(1, work);
      await measured(2, work);
      const one: RunCost[] = [];
      const two: RunCost[] = [];
      for (let r = 0; r < runs; r++) {
        one.push(await measured(1, work));
        two.push(await measured(2, work));
      }
      return { one, two };
    };

    // In-process references (single thread, this process).
    discoverPanel(panel);
    const inProcess: number[] = [];
    for (let r = 0; r < OLD_RUNS; r++) {
      const c0 = process.cpuUsage();
      discoverPanel(panel);
      const c = process.cpuUsage(c0);
      inProcess.push((c.user + c.system) / 1000);
    }
    const cpuOf = (body: () => unknown): number => {
      const c0 = process.cpuUsage();
      body();
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
    const wfLocalCpu = cpuOf(() => walkForward(wfPanel, WF_OPTIONS));
    const oldWfLocalCpu = cpuOf(() => walkForward(oldWfPanel, WF_OPTIONS));

    const wf = await alternate(walk(wfPanel), WF_RUNS);
    const disc = await alternate(discover(undefined, panel), RUNS);
    const fixed128 = await alternate(discover(SHARD_PAIRS, panel), OLD_RUNS);
    const oldWf = await alternate(walk(oldWfPanel), OLD_WF_RUNS);
    // Per-shard overhead on one warm worker: shards of a single pair.
    const small = universe(OVERHEAD_SYMBOLS);
    await measured(1, discover(1, small));
    const tiny: RunCost[] = [];
    for (let r = 0; r < OLD_RUNS; r++) tiny.push(await measured(1, discover(1, small)));
    const fixed: RunCost[] = [];
    for (let r = 0; r < OLD_RUNS; r++) fixed.push(await measured(1, discover(1, universe(2))));

    const table = (name: string, items: number, unit: string, res: { one: RunCost[]; two: RunCost[] }) => {
      const walls = (runs: RunCost[]) => runs.map((c) => c.wallMs);
      const wall1 = median(walls(res.one));
      const wall2 = median(walls(res.two));
      const best1 = Math.min(...walls(res.one));
      const best2 = Math.min(...walls(res.two));
      const paired = median(res.one.map((c, r) => c.wallMs / res.two[r]!.wallMs));
      const idle1 = median(res.one.map(idleWallMs));
      const idle2 = median(res.two.map(idleWallMs));
      const speedupIdle = median(res.two.map(idleSpeedup));
      const cpu = (c: RunCost) =>
        `${c.workerCpuMs.map((w) => (w / 1000).toFixed(2)).join(" + ")} s workers, ${c.coordinatorCpuMs.toFixed(0)} ms coordinator, ${c.redisCpuMs.toFixed(0)} ms redis`;
      const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      const workerCpu = (runs: RunCost[]) => median(runs.map((c) => c.workerCpuMs.reduce((a, b) => a + b, 0)));
      const cpuRatio = workerCpu(res.two) / workerCpu(res.one);
      const overheadShare =
        median(res.two.map((c) => c.coordinatorCpuMs + c.redisCpuMs)) /
        median(res.two.map((c) => c.workerCpuMs.reduce((a, b) => a + b, 0)));
      return {
        speedupWall: wall1 / wall2,
        speedupIdle,
        summary: `${(wall1 / wall2).toFixed(2)}× ${verdict(wall1 / wall2)} [paired ${paired.toFixed(2)}×, best ${(best1 / best2).toFixed(2)}×, estimate ${speedupIdle.toFixed(2)}×]`,
        overheadShare,
        cpuRatio,
        rows: [
          `| ${name}, 1 worker | ${res.one[0]!.stats.shards} | ${s(wall1)} (${s(best1)}) | ${(items / (wall1 / 1000)).toFixed(0)} ${unit}/s | ${s(idle1)} | ${cpu(res.one[0]!)} | 1.00× |`,
          `| ${name}, 2 workers | ${res.two[0]!.stats.shards} | ${s(wall2)} (${s(best2)}) | ${(items / (wall2 / 1000)).toFixed(0)} ${unit}/s | ${s(idle2)} | ${cpu(res.two[0]!)} | **${(wall1 / wall2).toFixed(2)}×** / ${paired.toFixed(2)}× / ${(best1 / best2).toFixed(2)}× / ${speedupIdle.toFixed(2)}× |`,
        ],
        shardsPerWorker: res.two
          .map((c) =>
            Object.values(c.stats.shardsByWorker)
              .sort((a, b) => b - a)
              .join("/"),
          )
          .join(", "),
      };
    };
    const w = table(`**walk-forward, ${WF_SYMBOLS} stocks** (headline)`, wf.one[0]!.stats.shards, "folds", wf);
    const d = table(`discovery, ${pairs} pairs, default schedule (factoring)`, pairs, "pairs", disc);
    const f = table(`discovery, ${SHARD_PAIRS}-pair shards (old)`, pairs, "pairs", fixed128);
    const o = table(`walk-forward, ${OLD_WF_SYMBOLS} stocks (old)`, oldWf.one[0]!.stats.shards, "folds", oldWf);
    const perShard = (fn: (c: RunCost) => number) => median(tiny.map((c) => fn(c) / c.stats.shards));
    const overheadMs = perShard((c) => c.wallMs - c.stats.computeMs);
    const workerOverheadCpu = perShard((c) => c.workerCpuMs[0]! - c.stats.computeMs);
    const local = median(inProcess);
    const scans = (m: number) => (m * (m - 1)) / 2;
    const markdown = [
      `Coordinator in the bench process, redis-server on 127.0.0.1, three long-lived workers (started once with --quiet, each in its own session as a service manager would: on this shared VM the kernel's autogroup scheduler shares the CPU per session; database 0 served by one, database 1 by two); runs alternate 1 worker / 2 workers after a warm-up of each; medians of ${WF_RUNS} (walk-forward, 100 stocks), ${RUNS} (default discovery) and ${OLD_RUNS}/${OLD_WF_RUNS} (old workloads) alternations. Wall: median (best). Speed-ups vs 1 worker: **median wall ÷ median wall** (the verdict) / median of the per-round ratios (a round's two runs are seconds apart: same load) / best ÷ best / the idle-machine estimate = Σ worker CPU of the 2-worker run ÷ max(shard tail · Σ worker CPU, all CPU / 2 cores) (shard tail: the busiest share of W equal-speed workers taking the shards in queue order), a model from CPU, not a measurement (round-trip latency not included; ≤ 2).`,
      "",
      "| workload | shards | wall, median (best) | throughput | idle estimate | CPU (first run) | 2 vs 1: wall / paired / best / estimate |",
      "|---|---|---|---|---|---|---|",
      `| walk-forward, ${WF_SYMBOLS} stocks, in-process (walkForward, 1 thread) | — | — | — | ${(wfLocalCpu / 1000).toFixed(2)} s CPU | — | — |`,
      ...w.rows,
      `| discovery, in-process loop (discoverPanel, 1 thread) | — | — | — | ${(local / 1000).toFixed(2)} s CPU | — | — |`,
      ...d.rows,
      ...f.rows,
      `| walk-forward, ${OLD_WF_SYMBOLS} stocks, in-process (walkForward, 1 thread) | — | — | — | ${(oldWfLocalCpu / 1000).toFixed(2)} s CPU | — | — |`,
      ...o.rows,
      "",
      `Walk-forward: formation ${WF_OPTIONS.formation}, trading ${WF_OPTIONS.trading}, step ${WF_OPTIONS.step}, one fold per shard: ${WF_SYMBOLS} stocks → ${wf.one[0]!.stats.shards} folds of ${scans(WF_SYMBOLS)} pair scans (shards per worker in the 2-worker runs: ${w.shardsPerWorker}); ${OLD_WF_SYMBOLS} stocks → ${oldWf.one[0]!.stats.shards} folds of ${scans(OLD_WF_SYMBOLS)} (${o.shardsPerWorker}). Discovery: ${pairs} pairs of ${panel.values[0]!.length} bars; default schedule ${disc.two[0]!.stats.shards} shards (${d.shardsPerWorker}); fixed ${SHARD_PAIRS}-pair shards ${fixed128.two[0]!.stats.shards} (${f.shardsPerWorker}).`,
      "",
      `Per-shard overhead (${OVERHEAD_SYMBOLS} symbols, ${tiny[0]!.stats.shards} one-pair shards, 1 worker): ${overheadMs.toFixed(2)} ms wall per shard (wall − Σ worker compute, over shards), of which worker CPU outside the pair ${workerOverheadCpu.toFixed(2)} ms, coordinator CPU ${perShard((c) => c.coordinatorCpuMs).toFixed(2)} ms, redis-server CPU ${perShard((c) => c.redisCpuMs).toFixed(2)} ms.`,
      "",
      `Fixed cost of a run (2 symbols, 1 pair, 1 worker: connections, worker count, panel upload and fetch, enqueue, one shard): ${median(fixed.map((c) => c.wallMs)).toFixed(1)} ms wall.`,
      "",
      `Goal 2 workers ≥ 1.8× one, judged on the measured wall time (medians; in brackets the paired and best-run ratios and the idle-machine estimate): walk-forward over ${WF_SYMBOLS} stocks, the workload sized for distribution, ${w.summary}; discovery with the default schedule ${d.summary}; old workloads: discovery in ${SHARD_PAIRS}-pair shards ${f.summary}, walk-forward over ${OLD_WF_SYMBOLS} stocks ${o.summary}. Coordinator + redis-server CPU as a share of the workers' CPU (2-worker runs): ${(w.overheadShare * 100).toFixed(1)} % / ${(d.overheadShare * 100).toFixed(1)} % / ${(f.overheadShare * 100).toFixed(1)} % / ${(o.overheadShare * 100).toFixed(1)} %; they share the two cores with the workers. Σ worker CPU of the same work, 2 workers ÷ 1 worker (medians): ${w.cpuRatio.toFixed(2)} / ${d.cpuRatio.toFixed(2)} / ${f.cpuRatio.toFixed(2)} / ${o.cpuRatio.toFixed(2)}. Workers' CPU off their main threads (V8's GC and compiler threads), median share of the workers' CPU, 1 worker / 2 workers: headline walk-forward ${backgroundShare(wf.one)} / ${backgroundShare(wf.two)}, default discovery ${backgroundShare(disc.one)} / ${backgroundShare(disc.two)}.`,
    ].join("\n");
    return { title: "Distributed compute (Redis + BullMQ, 1 vs 2 worker processes)", markdown };
  } finally {
    info.disconnect();
    await Promise.allSettled(workers.map((w) => stopChild(w)));
    await redis.stop();
  }
}
