/**
 * One shard of a distributed backtest sweep: combinations [offset + start, offset + end) of the
 * sweep, through the library's `sweepBacktests` (src/lib/research) in chunks of whole (hedge,
 * zWindow) groups, so a grid's precomputed hedge ratios and z-scores are shared as in one call and
 * the worker yields between chunks (lock renewal, cancellation). No mathematics here.
 */
import { sweepBacktests, type SweepResult } from "../lib/research/sweepBacktests.js";
import type { SweepSampling, SweepSpace } from "../lib/research/sweepSpace.js";
import { SHARD_YIELD_MS, type ShardKernel, yieldToEventLoop } from "./shardKernel.js";

/** Combinations per sweepBacktests call in a worker (rounded to whole grid groups). */
export const SWEEP_CHUNK = 64;

/** The run description a sweep coordinator stores for its workers (y then x go as one series). */
export interface SweepRunMeta {
  readonly length: number;
  readonly space: SweepSpace;
  readonly sampling: SweepSampling;
  /** Index of item 0 in the sweep's numbering (the caller's range.start). */
  readonly offset: number;
  readonly costs?: { readonly bps?: number; readonly slippageBps?: number };
  readonly capital?: number;
  readonly periodsPerYear?: number;
}

/** Combinations sharing one (hedge, zWindow) group in grid order: |entry|·|exit|·|stop| (1 for random sampling). */
export function sweepGroupSize(space: SweepSpace, sampling: SweepSampling): number {
  return sampling.kind === "grid" ? space.entry.length * space.exit.length * (space.stop ?? [null]).length : 1;
}

interface PreparedSweep {
  readonly meta: SweepRunMeta;
  readonly y: Float64Array;
  readonly x: Float64Array;
  readonly chunk: number;
}

/** The worker's kernel for kind "sweep". */
export const sweepKernel: ShardKernel<PreparedSweep> = {
  prepare(meta, series) {
    const m = meta as SweepRunMeta;
    const group = sweepGroupSize(m.space, m.sampling);
    return {
      meta: m,
      y: series.subarray(0, m.length),
      x: series.subarray(m.length, 2 * m.length),
      chunk: group * Math.max(1, Math.round(SWEEP_CHUNK / group)),
    };
  },
  async run(p, start, end, shouldStop) {
    const { meta, chunk } = p;
    const out: SweepResult[] = [];
    let lastYield = performance.now();
    let from = meta.offset + start;
    const to = meta.offset + end;
    // Bounded: each pass advances `from` by at least one combination.
    while (from < to) {
      const until = Math.min(to, (Math.floor(from / chunk) + 1) * chunk);
      const part = sweepBacktests({
        y: p.y,
        x: p.x,
        space: meta.space,
        sampling: meta.sampling,
        range: { start: from, end: until },
        ...(meta.costs === undefined ? {} : { costs: meta.costs }),
        ...(meta.capital === undefined ? {} : { capital: meta.capital }),
        ...(meta.periodsPerYear === undefined ? {} : { periodsPerYear: meta.periodsPerYear }),
      });
      for (const r of part.results) out.push(r);
      from = until;
      if (performance.now() - lastYield >= SHARD_YIELD_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
        if (shouldStop()) return null;
      }
    }
    return out;
  },
};
