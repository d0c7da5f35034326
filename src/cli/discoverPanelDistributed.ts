/**
 * `discoverPanel` over Redis + BullMQ (issue 15): the same pairs, order, per-pair pipeline and
 * Benjamini–Hochberg step, computed by `arblab worker` processes. Its own file so that the
 * notebook bundle, which exports `discoverPanel`, does not pull in bullmq and ioredis.
 */
import { discoverPairsDistributed, pairAt, pairCount } from "../distributed/index.js";
import type { PairOptionFields } from "../server/compute/pairPipeline.js";
import { type DiscoveryInput, type DiscoveryRow, discoveryRows, failedPair, pairOptionsOf } from "./discoverPanel.js";

/** Options of {@link discoverPanelDistributed}: the RPC's option fields, the Redis URL, shard size, stall bound. */
export interface DiscoverPanelDistributedOptions extends Partial<PairOptionFields> {
  readonly redisUrl: string;
  readonly shardPairs?: number;
  readonly stallTimeoutMs?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * {@link discoverPanel} over Redis + BullMQ: the same pairs, order, per-pair pipeline and
 * Benjamini–Hochberg step, computed by `arblab worker` processes (src/distributed/).
 * @throws RangeError for bad options; Error naming Redis when the run cannot complete
 */
export async function discoverPanelDistributed(panel: DiscoveryInput, options: DiscoverPanelDistributedOptions): Promise<DiscoveryRow[]> {
  const o = pairOptionsOf(options);
  const n = panel.symbols.length;
  if (n < 2) throw new RangeError(`discover: need at least 2 symbols after alignment, got ${n}`);
  const total = pairCount(n);
  let done = 0;
  const run = await discoverPairsDistributed(panel, {
    redisUrl: options.redisUrl,
    options: o,
    shardPairs: options.shardPairs,
    stallTimeoutMs: options.stallTimeoutMs,
    signal: options.signal,
    onOutcomes: (_start, outcomes) => {
      done += outcomes.length;
      options.onProgress?.(done, total);
    },
  });
  return discoveryRows(
    run.outcomes.map((outcome, k) => {
      if (outcome.result !== null) return outcome.result;
      const [i, j] = pairAt(n, k);
      return failedPair(panel.symbols[i]!, panel.symbols[j]!, outcome.thrown);
    }),
  );
}
