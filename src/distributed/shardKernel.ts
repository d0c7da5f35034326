/**
 * What a worker runs for one kind of shard job: `prepare` decodes a run's description and numbers
 * once per worker per run (cached by the worker), `run` computes items [start, end) of the run in
 * index order, yielding to the event loop at least every SHARD_YIELD_MS so lock renewals and
 * cancellation messages are serviced, and returns null when `shouldStop` says so.
 */
export interface ShardKernel<P> {
  prepare(meta: unknown, series: Float64Array): P;
  run(prepared: P, start: number, end: number, shouldStop: () => boolean): Promise<unknown[] | null>;
}

/** A shard yields to the event loop at least this often (ms), so BullMQ can renew its lock. */
export const SHARD_YIELD_MS = 25;

/** Resolves on the next turn of the event loop (after pending I/O). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
