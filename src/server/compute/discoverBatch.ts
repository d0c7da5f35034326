/**
 * Worker side of DiscoverPairs: run the TestPair pipeline on a batch of pairs whose prices live in
 * one SharedArrayBuffer (no copy per task), checking a shared cancel flag between pairs so a
 * cancelled call stops within one pair's time.
 */
import { describeFailure } from "../errors.js";
import { createPairAnalysisWorkspace } from "../../lib/discovery/analysePair.js";
import { testPairCore, type PairOptions, type PartialPairResult } from "./pairPipeline.js";

export interface DiscoverBatchPayload {
  /** All symbols' prices, symbol k at [k·length, (k+1)·length); backed by a SharedArrayBuffer. */
  readonly series: Float64Array;
  readonly length: number;
  /** Flat (i, j) symbol-index pairs. */
  readonly pairs: Int32Array;
  readonly options: PairOptions;
  /** cancel[0] !== 0 means stop (SharedArrayBuffer). */
  readonly cancel: Int32Array;
}

export interface DiscoverBatchResult {
  /** One result per pair processed, in batch order (symbol names are filled in by the caller). */
  readonly results: PartialPairResult[];
  /** Wall time spent in the pipeline, milliseconds. */
  readonly elapsedMs: number;
  /** True if the batch stopped early because of the cancel flag. */
  readonly cancelled: boolean;
}

export function discoverBatch(payload: DiscoverBatchPayload): DiscoverBatchResult {
  const { series, length, pairs, options, cancel } = payload;
  const results: PartialPairResult[] = [];
  const start = performance.now();
  let cancelled = false;
  const workspace = createPairAnalysisWorkspace(); // the library's scratch arrays, once per batch
  for (let k = 0; k < pairs.length; k += 2) {
    if (Atomics.load(cancel, 0) !== 0) {
      cancelled = true;
      break;
    }
    const i = pairs[k];
    const j = pairs[k + 1];
    const y = series.subarray(i * length, (i + 1) * length);
    const x = series.subarray(j * length, (j + 1) * length);
    try {
      results.push(testPairCore("", "", y, x, options, workspace));
    } catch (error) {
      const failure = describeFailure(error);
      results.push({
        success: false,
        nObservations: length,
        error: `pair test failed: ${failure.message}`,
        pValue: Number.NaN,
        qValue: Number.NaN,
      });
    }
  }
  return { results, elapsedMs: performance.now() - start, cancelled };
}
