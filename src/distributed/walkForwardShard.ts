/**
 * One shard of a distributed walk-forward: folds [offset + start, offset + end), each through the
 * library's `walkForward` with `range` set to that one fold (src/lib/research), with a yield between
 * folds (lock renewal, cancellation; a fold itself runs to its end). No mathematics here.
 */
import { walkForward, type WalkForwardFold, type WalkForwardOptions } from "../lib/research/walkForward.js";
import { type ShardKernel, yieldToEventLoop } from "./shardKernel.js";

/** The run description a walk-forward coordinator stores for its workers (the m price series go as one series). */
export interface WalkForwardRunMeta {
  readonly length: number;
  readonly names: readonly string[];
  readonly sectors: readonly string[] | null;
  /** The caller's options without signal and range. */
  readonly options: Omit<WalkForwardOptions, "signal" | "range">;
  /** Index of item 0 among the walk-forward's folds (the caller's range.start). */
  readonly offset: number;
}

interface PreparedWalkForward {
  readonly meta: WalkForwardRunMeta;
  readonly prices: Float64Array[];
}

/** The worker's kernel for kind "walkForward". */
export const walkForwardKernel: ShardKernel<PreparedWalkForward> = {
  prepare(meta, series) {
    const m = meta as WalkForwardRunMeta;
    return { meta: m, prices: m.names.map((_, s) => series.subarray(s * m.length, (s + 1) * m.length)) };
  },
  async run(p, start, end, shouldStop) {
    const { meta } = p;
    const panel = { prices: p.prices, names: meta.names, ...(meta.sectors === null ? {} : { sectors: meta.sectors }) };
    const out: WalkForwardFold[] = [];
    for (let k = meta.offset + start; k < meta.offset + end; k++) {
      const fold = walkForward(panel, { ...meta.options, range: { start: k, end: k + 1 } }).folds[0]!;
      out.push(fold);
      await yieldToEventLoop();
      if (shouldStop()) return null;
    }
    return out;
  },
};
