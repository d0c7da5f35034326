/**
 * Mean-reversion statistics speed: johansen against statsmodels coint_johansen on the same ETF
 * system (with the largest trace-statistic difference), and fitOu, hurst (three methods) and
 * simulateFbm throughput on seeded paths. `npm run bench -- meanReversion`.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { spawnSync } from "node:child_process";
import type { BenchSection } from "./run.js";
import { median, timeRuns } from "./stats.js";
import { johansen } from "../src/lib/timeseries/johansen.js";
import { hurst } from "../src/lib/timeseries/hurst.js";
import { simulateFbm } from "../src/lib/timeseries/simulateFbm.js";
import { fitOu } from "../src/lib/ou/fitOu.js";
import { simulateOu } from "../src/lib/ou/simulateOu.js";
import { randomSource } from "../src/lib/util/random.js";

const PYTHON = "/usr/bin/python3";
const ETFS = ["IEF", "TLT", "BND", "LQD", "TIP"];
const REPEATS = 30;

function loadLogPrices(names: string[], rows: number): number[][] {
  const lines = readFileSync(new URL("../data/stock_prices.csv", import.meta.url), "utf8")
    .trim()
    .split("\n");
  const header = lines[0].split(",");
  const idx = names.map((name) => header.indexOf(name));
  return idx.map((j) => lines.slice(1, rows + 1).map((line) => Math.log(Number(line.split(",")[j]))));
}

/** Time ours and statsmodels on one system; returns two markdown table rows. */
function compareJohansen(label: string, series: number[][], kArDiff: number): string[] {
  const options = { detOrder: 0 as const, kArDiff };
  const ours = johansen(series, options);
  for (let i = 0; i < 20; i++) johansen(series, options); // JIT warm-up
  const oursMs = median(timeRuns(() => johansen(series, options), REPEATS, 3));
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < REPEATS; i++) johansen(series, options);
  const cpuUsed = process.cpuUsage(cpuStart);
  const oursCpuMs = (cpuUsed.user + cpuUsed.system) / 1000 / REPEATS;
  const py = `
import json, sys, time
import numpy as np
from statsmodels.tsa.vector_ar.vecm import coint_johansen
y = np.array(json.load(sys.stdin)).T
coint_johansen(y, 0, ${kArDiff})
times = []
for _ in range(${REPEATS}):
    t0 = time.perf_counter(); r = coint_johansen(y, 0, ${kArDiff}); times.append(time.perf_counter() - t0)
c0 = time.process_time()
for _ in range(${REPEATS}):
    coint_johansen(y, 0, ${kArDiff})
cpu = (time.process_time() - c0) / ${REPEATS}
print(json.dumps({"ms": float(np.median(times)) * 1000, "cpuMs": cpu * 1000, "lr1": r.lr1.tolist()}))
`;
  // one BLAS thread, as our code runs on one thread (and spinning BLAS threads inflate CPU time)
  const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const python = spawnSync(PYTHON, ["-c", py], { input: JSON.stringify(series), encoding: "utf8", maxBuffer: 16 * 2 ** 20, env });
  const oursRow = `| ${label} | ours \`johansen\` | ${oursMs.toFixed(2)} ms | ${oursCpuMs.toFixed(2)} ms | |`;
  if (python.status !== 0) {
    return [
      oursRow,
      `| ${label} | statsmodels \`coint_johansen\` | skipped: ${PYTHON} failed (${(python.stderr || "").split("\n").slice(-2).join(" ")}) | | |`,
    ];
  }
  const result = JSON.parse(python.stdout) as { ms: number; cpuMs: number; lr1: number[] };
  let worst = 0;
  for (let i = 0; i < series.length; i++) worst = Math.max(worst, Math.abs(ours.traceStat[i] - result.lr1[i]) / Math.abs(result.lr1[i]));
  return [
    oursRow,
    `| ${label} | statsmodels 0.13.5 \`coint_johansen\` | ${result.ms.toFixed(2)} ms | ${result.cpuMs.toFixed(2)} ms | ours/statsmodels speed ${(result.ms / oursMs).toFixed(2)}× (wall), ${(result.cpuMs / oursCpuMs).toFixed(2)}× (CPU); max relative trace-statistic difference ${worst.toExponential(1)} |`,
  ];
}

export async function run(): Promise<BenchSection> {
  const johansenRows = [
    ...compareJohansen("5 bond ETFs (IEF TLT BND LQD TIP), n = 2141, kArDiff 2", loadLogPrices(ETFS, 2141), 2),
    ...compareJohansen("pair EWG/EWQ, n = 1000, kArDiff 1", loadLogPrices(["EWG", "EWQ"], 1000), 1),
  ];

  const ouPath = simulateOu({ kappa: 5, theta: 0, sigma: 0.3 }, 1_000_000, { dt: 1 / 252, rng: randomSource(1) });
  const fitMs = median(timeRuns(() => fitOu(ouPath, { dt: 1 / 252 }), 10, 1));
  const fbm4096 = simulateFbm(4096, { hurst: 0.5, rng: randomSource(2) });
  const fbmLong = simulateFbm(100_000, { hurst: 0.5, rng: randomSource(3) });
  const hurstRows = (["variance", "rs", "dfa"] as const).map((method) => {
    const short = median(timeRuns(() => hurst(fbm4096, { method }), REPEATS, 2));
    const long = median(timeRuns(() => hurst(fbmLong, { method }), 5, 1));
    return `| \`hurst\` method "${method}" (default lags) | ${short.toFixed(3)} ms (n = 4096) | ${long.toFixed(1)} ms (n = 100 000) |`;
  });
  const simMs = median(timeRuns(() => simulateFbm(1 << 18, { hurst: 0.7, rng: randomSource(4) }), 5, 1));

  const markdown = [
    `Shared machine: load average ${loadavg()
      .map((v) => v.toFixed(1))
      .join(", ")} on ${cpus().length} cores when this section ran, so CPU times are the fairer comparison.`,
    "",
    `Johansen (detOrder 0) on log prices from data/stock_prices.csv, ${REPEATS} runs each (wall: median; CPU: mean; statsmodels with one BLAS thread):`,
    "",
    "| system | implementation | wall time per test | CPU time per test | notes |",
    "|---|---|---|---|---|",
    ...johansenRows,
    "",
    "| function | time | |",
    "|---|---|---|",
    `| \`fitOu\` (closed-form exact MLE) | ${fitMs.toFixed(2)} ms (n = 1 000 000) | |`,
    ...hurstRows,
    `| \`simulateFbm\` (Davies–Harte, FFT size 2¹⁹) | ${simMs.toFixed(1)} ms (n = 262 144) | |`,
  ].join("\n");
  return { title: "Mean-reversion statistics: johansen vs statsmodels, fitOu, hurst, simulateFbm", markdown };
}
