/**
 * Portfolio speed: PCA of a 2520 × 100 returns panel (target < 50 ms), plus Ledoit–Wolf and the
 * optimisers on the same panel. Seeded synthetic 3-factor returns (ten years of daily data).
 */
import { cpus, loadavg } from "node:os";
import type { BenchSection } from "./run.js";
import { median, percentile, timeRuns } from "./stats.js";
import { caraWeights, ledoitWolf, maxSharpeWeights, pcaPortfolios } from "../src/lib/portfolio/index.js";
import { normalSource, randomSource } from "../src/lib/util/random.js";

const T = 2520;
const N = 100;
const TARGET_MS = 50;

function factorReturns(): { rows: number; cols: number; data: Float64Array } {
  const normal = normalSource(randomSource(99));
  const loadings = Array.from({ length: 3 * N }, () => normal());
  const data = new Float64Array(T * N);
  for (let t = 0; t < T; t++) {
    const f = [normal() * 0.01, normal() * 0.005, normal() * 0.003];
    for (let j = 0; j < N; j++) {
      data[t * N + j] = 0.0003 + f[0] * (1 + 0.3 * loadings[j]) + f[1] * loadings[N + j] + f[2] * loadings[2 * N + j] + 0.01 * normal();
    }
  }
  return { rows: T, cols: N, data };
}

export async function run(): Promise<BenchSection> {
  const returns = factorReturns();
  const load = loadavg()[0];
  const cases: { name: string; target?: number; fn: () => unknown }[] = [
    {
      name: `pcaPortfolios ${T}×${N}, 10 components, zscore`,
      target: TARGET_MS,
      fn: () => pcaPortfolios(returns, { nComponents: 10, scaling: "zscore" }),
    },
    { name: `pcaPortfolios ${T}×${N}, all components`, target: TARGET_MS, fn: () => pcaPortfolios(returns) },
    { name: `ledoitWolf ${T}×${N}`, fn: () => ledoitWolf(returns) },
    { name: `caraWeights ${T}×${N}, unconstrained`, fn: () => caraWeights(returns, { gamma: 5 }) },
    {
      name: `caraWeights ${T}×${N}, long-only + budget (QP)`,
      fn: () => caraWeights(returns, { gamma: 5, constraints: { longOnly: true, budget: true } }),
    },
    { name: `maxSharpeWeights ${T}×${N}, long-only (QP)`, fn: () => maxSharpeWeights(returns, { constraints: { longOnly: true } }) },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const times = timeRuns(c.fn, 9, 2);
    const cpu0 = process.cpuUsage();
    c.fn();
    const cpu = process.cpuUsage(cpu0);
    const med = median(times);
    const verdict =
      c.target === undefined ? "— | —" : `${med < c.target ? "met" : "MISSED"} | ${Math.min(...times) < c.target ? "met" : "MISSED"}`;
    rows.push(
      `| ${c.name} | ${med.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${percentile(times, 0.9).toFixed(1)} | ${((cpu.user + cpu.system) / 1000).toFixed(1)} | ${verdict} |`,
    );
  }
  const markdown = [
    `Seeded 3-factor daily returns, ${T} × ${N}; 9 timed runs after 2 warm-ups. Target: PCA < ${TARGET_MS} ms.`,
    `1-minute load average when the section started: ${load.toFixed(2)} on ${cpus().length} logical cores (other jobs share the machine; wall times inflate with load).`,
    "",
    "| case | median ms | min ms | p90 ms | CPU ms (1 run) | target (median) | target (min) |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
  return { title: "Portfolio: PCA of 2520 × 100 and optimisers", markdown };
}
