/**
 * Research-pipeline primitives (issue 12): all-pairs discovery with and without the screens on the
 * 100 stocks of data/sp100_prices.csv, PBO by CSCV, the stationary-bootstrap Sharpe interval, the
 * tear sheet and the static hedges. Library calls in this process, wall-clock medians.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bootstrapSharpeInterval,
  boxTiaoHedge,
  deflatedSharpe,
  discoverPairs,
  johansenHedge,
  minHalfLifeHedge,
  normalSource,
  probabilityOfBacktestOverfitting,
  randomSource,
  tearSheet,
  tlsHedge,
} from "../src/lib/index.js";
import type { BenchSection } from "./run.js";
import { median, timeRuns } from "./stats.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Close prices, forward-filled, leading rows with a gap dropped (as bench/server.bench.ts). */
function loadPrices(path: string): { symbols: string[]; prices: Float64Array[] } {
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const symbols = lines[0].split(",").slice(1);
  const raw = lines.slice(1).map((line) =>
    line
      .split(",")
      .slice(1)
      .map((cell) => (cell === "" || /nan/i.test(cell) ? Number.NaN : Number(cell))),
  );
  const last = new Array<number>(symbols.length).fill(Number.NaN);
  for (const row of raw) {
    for (let j = 0; j < symbols.length; j++) {
      if (Number.isFinite(row[j])) last[j] = row[j];
      else row[j] = last[j];
    }
  }
  let start = 0;
  while (start < raw.length && raw[start].some((v) => !Number.isFinite(v))) start++;
  const kept = raw.slice(start);
  return { symbols, prices: symbols.map((_, j) => Float64Array.from(kept, (row) => row[j])) };
}

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

export async function run(): Promise<BenchSection> {
  const rows: string[] = [];
  const all = loadPrices(join(root, "data", "sp100_prices.csv"));
  const panel = { symbols: all.symbols.slice(0, 100), prices: all.prices.slice(0, 100) };
  const bars = panel.prices[0].length;
  const years = bars / 252;

  // ---- discovery -------------------------------------------------------------------------------
  const screens = {
    minReturnCorrelation: 0.5,
    nearestPartners: 5,
    halfLifeBand: { min: 1, max: 126 },
    minMeanCrossings: Math.round(12 * years),
  };
  rows.push(`### discoverPairs over the first 100 symbols of sp100_prices.csv (${bars} bars, 4,950 candidate pairs)\n`);
  rows.push("| configuration | pairs analysed | removed (sector / corr / SSD / half-life / crossings) | wall time |");
  rows.push("| --- | ---: | --- | ---: |");
  for (const [label, options] of [
    ["no screens (every pair through Engle–Granger → Hurst → OU → Leung–Li → backtest)", {}],
    [`screens: return corr ≥ 0.5, 5 nearest by SSD, half-life 1–126 bars, ≥ ${screens.minMeanCrossings} mean crossings`, screens],
  ] as const) {
    const t0 = performance.now();
    const r = discoverPairs(panel, options);
    const ms = performance.now() - t0;
    const removed = r.removed;
    rows.push(
      `| ${label} | ${r.pairs.length} | ${removed.sector} / ${removed.correlation} / ${removed.distance} / ${removed.halfLife} / ${removed.crossings} | ${fmt(ms / 1000, 2)} s |`,
    );
  }

  // ---- evaluation --------------------------------------------------------------------------------
  const normal = normalSource(randomSource(12));
  const trials = Array.from({ length: 50 }, () => Float64Array.from({ length: 2520 }, () => 0.0002 + 0.01 * normal()));
  const pboMs = median(timeRuns(() => probabilityOfBacktestOverfitting(trials, { partitions: 16 }), 3));
  const returns = trials[0];
  const bootMs = median(timeRuns(() => bootstrapSharpeInterval(returns, { rng: randomSource(1), resamples: 2000 }), 3));
  const dsrUs =
    (median(
      timeRuns(() => {
        for (let k = 0; k < 10_000; k++)
          deflatedSharpe({ sharpe: 0.05 + k * 1e-6, trials: 1000, sharpeVariance: 0.001, nObs: 2520, skewness: -0.2, kurtosis: 4 });
      }, 5),
    ) *
      1000) /
    10_000;
  const timestamps = Float64Array.from({ length: 2520 }, (_, k) => Date.UTC(2015, 0, 1) + k * 86_400_000);
  const sheetMs = median(timeRuns(() => tearSheet(returns, { periodsPerYear: 252, timestamps, benchmark: trials[1] }), 20, 3));
  rows.push("\n### Evaluation and reporting\n");
  rows.push("| computation | median |");
  rows.push("| --- | ---: |");
  rows.push(`| probabilityOfBacktestOverfitting, N = 50 trials × T = 2,520, S = 16 (12,870 splits) | ${fmt(pboMs)} ms |`);
  rows.push(`| bootstrapSharpeInterval, 2,520 returns, 2,000 stationary-bootstrap resamples | ${fmt(bootMs)} ms |`);
  rows.push(`| deflatedSharpe, one call | ${fmt(dsrUs, 2)} µs |`);
  rows.push(`| tearSheet, 2,520 returns with timestamps and a benchmark | ${fmt(sheetMs, 2)} ms |`);

  // ---- hedges --------------------------------------------------------------------------------------
  const y = Float64Array.from(panel.prices[0], Math.log);
  const x = Float64Array.from(panel.prices[1], Math.log);
  rows.push(`\n### Static hedges on one pair of ${bars} bars (log prices of ${panel.symbols[0]}, ${panel.symbols[1]})\n`);
  rows.push("| hedge | median |");
  rows.push("| --- | ---: |");
  for (const [name, fn] of [
    ["tlsHedge", () => tlsHedge(y, x)],
    ["johansenHedge (detOrder 0, kArDiff 1)", () => johansenHedge(y, x)],
    ["boxTiaoHedge", () => boxTiaoHedge(y, x)],
    ["minHalfLifeHedge (exact bounded search)", () => minHalfLifeHedge(y, x)],
  ] as const) {
    rows.push(`| ${name} | ${fmt(median(timeRuns(fn, 50, 5)) * 1000, 0)} µs |`);
  }
  return {
    title: "Research pipeline: discovery screens, PBO, bootstrap, tear sheet, hedges",
    markdown: `${rows.join("\n")}\n\nNo speed targets are set for these in issue 12; the walk-forward target (8 folds over 4,950 pairs < 30 s) builds on the screened discovery row.`,
  };
}
