/**
 * One shard of a distributed DiscoverPairs run: a range [start, end) of pair indices in the
 * lexicographic (i < j) order every in-process run uses, each pair through the server's per-pair
 * pipeline `testPairCore` (src/server/compute/pairPipeline.ts, a mapping of the library's
 * `analysePairKernel`). No mathematics here: index arithmetic, the per-pair try/catch, and
 * cooperative yields so a worker's lock renewals and cancellation messages are serviced.
 */
import { createPairAnalysisWorkspace } from "../lib/discovery/analysePair.js";
import { testPairCore, type PairOptions, type PartialPairResult } from "../server/compute/pairPipeline.js";
import { SHARD_YIELD_MS, type ShardKernel, yieldToEventLoop } from "./shardKernel.js";

/** One pair's outcome: the pipeline's result, or the message of the error it threw. */
export type PairOutcome =
  | { readonly result: PartialPairResult; readonly thrown: null }
  | { readonly result: null; readonly thrown: string };

/** A panel as shards see it: symbol k's prices at series[k·length, (k+1)·length). */
export interface ShardPanel {
  readonly symbols: readonly string[];
  readonly length: number;
  readonly series: Float64Array;
}

/** The run description a DiscoverPairs coordinator stores for its workers (the prices go as one series). */
export interface DiscoverRunMeta {
  readonly symbols: readonly string[];
  readonly length: number;
  readonly options: PairOptions;
}

/** The worker's kernel for kind "discover": the panel decoded once per run, pairs [start, end) per shard. */
export const discoverKernel: ShardKernel<{ panel: ShardPanel; options: PairOptions }> = {
  prepare(meta, series) {
    const m = meta as DiscoverRunMeta;
    return { panel: { symbols: m.symbols, length: m.length, series }, options: m.options };
  },
  run: (run, start, end, shouldStop) => runDiscoverShard(run.panel, run.options, start, end, shouldStop),
};

/** C(n, 2): pairs of n symbols. */
export function pairCount(symbols: number): number {
  return (symbols * (symbols - 1)) / 2;
}

/** The (i, j) of pair index k in lexicographic i < j order over n symbols. @throws RangeError outside [0, C(n,2)) */
export function pairAt(n: number, k: number): [number, number] {
  if (!(Number.isInteger(k) && k >= 0 && k < pairCount(n)))
    throw new RangeError(`pairAt: k must be an integer in [0, ${pairCount(n)}), got ${k}`);
  let i = 0;
  let rowStart = 0;
  // Bounded by n rows.
  while (i < n - 1 && rowStart + (n - 1 - i) <= k) {
    rowStart += n - 1 - i;
    i++;
  }
  return [i, i + 1 + (k - rowStart)];
}

/**
 * Run pairs [start, end) of the panel. `shouldStop` is asked after every yield; when it says
 * true the shard returns null (its partial results are discarded).
 */
export async function runDiscoverShard(
  panel: ShardPanel,
  options: PairOptions,
  start: number,
  end: number,
  shouldStop: () => boolean,
): Promise<PairOutcome[] | null> {
  const n = panel.symbols.length;
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= pairCount(n))) {
    throw new RangeError(`runDiscoverShard: need 0 <= start <= end <= ${pairCount(n)} integers, got [${start}, ${end})`);
  }
  const out: PairOutcome[] = [];
  if (start === end) return out;
  let [i, j] = pairAt(n, start);
  let lastYield = performance.now();
  const { length, series } = panel;
  const workspace = createPairAnalysisWorkspace(); // the library's scratch arrays, once per shard
  for (let k = start; k < end; k++) {
    const y = series.subarray(i * length, (i + 1) * length);
    const x = series.subarray(j * length, (j + 1) * length);
    try {
      out.push({ result: testPairCore(panel.symbols[i]!, panel.symbols[j]!, y, x, options, workspace), thrown: null });
    } catch (err) {
      out.push({ result: null, thrown: err instanceof Error ? err.message : String(err) });
    }
    j++;
    if (j >= n) {
      i++;
      j = i + 1;
    }
    if (performance.now() - lastYield >= SHARD_YIELD_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
      if (shouldStop()) return null;
    }
  }
  return out;
}
