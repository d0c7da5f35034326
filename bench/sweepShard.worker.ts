/** piscina worker for bench/walkForwardBookSweep.bench.ts: runs one index-range shard of a sweep. */
import { sweepBacktests, type SweepBacktestsInput } from "../src/lib/research/index.js";

export default function shard(task: SweepBacktestsInput): { count: number; bestSharpe: number } {
  const r = sweepBacktests(task);
  let best = -Infinity;
  for (const c of r.results) if (c.sharpe > best) best = c.sharpe;
  return { count: r.results.length, bestSharpe: best };
}
