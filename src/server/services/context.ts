import type { ServerUnaryCall, sendUnaryData, ServerWritableStream, ServerDuplexStream } from "@grpc/grpc-js";
import type { StorePrices } from "../storePrices.js";
import type { Logger } from "../logger.js";
import type { ComputePool } from "../pool.js";
import type { ServerMetrics } from "../metrics.js";
import type { PortfolioStore } from "../portfolioStore.js";
import { describeFailure, toServiceError, WireError, type FailureDescription } from "../errors.js";

/** Server state shared by the service implementations. */
export interface ServiceContext {
  readonly pool: ComputePool;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly store: PortfolioStore;
  /** Prices from the lab's store for requests naming a universe (issue 11). */
  readonly prices: StorePrices;
  /** Redis of the distributed DiscoverPairs (issue 15, `REDIS_URL`); null = the in-process pool. */
  readonly redisUrl: string | null;
}

/** Log a failure: INTERNAL at error level with the stack, caller mistakes at debug level. */
export function logFailure(ctx: ServiceContext, rpc: string, failure: FailureDescription): void {
  if (failure.code === "INTERNAL") ctx.logger.error({ rpc, err: failure.message, stack: failure.stack }, "internal error");
  else ctx.logger.debug({ rpc, code: failure.code, err: failure.message }, "rejected request");
}

/**
 * A unary handler from an async function. Every failure becomes a status (INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED or INTERNAL) and the callback is called exactly once.
 */
export function unaryHandler<Req, Res>(
  ctx: ServiceContext,
  rpc: string,
  compute: (request: Req, signal: AbortSignal, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const abort = abortOnCallEnd(call);
    let result: Promise<Res>;
    try {
      result = Promise.resolve(compute(call.request, abort.signal, call));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (response) => {
        abort.dispose();
        callback(null, response);
      },
      (error: unknown) => {
        abort.dispose();
        if (abort.signal.aborted) {
          // The client is gone (cancelled) or the deadline passed: grpc-js has already ended the call.
          ctx.logger.debug({ rpc }, "call ended before its result: work cancelled");
          return;
        }
        const failure = describeFailure(error);
        logFailure(ctx, rpc, failure);
        callback(toServiceError(failure));
        return;
      },
    );
  };
}

/** Longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An AbortSignal that fires when the call is cancelled by the client, its deadline passes (grpc-js
 * then emits 'cancelled' too) or the server force-shuts down, so pool work stops with the call.
 * A deadline timer backs up the event. `dispose` removes the listeners once the work is done.
 */
export function abortOnCallEnd(call: {
  on(event: "cancelled", listener: () => void): unknown;
  off(event: "cancelled", listener: () => void): unknown;
  getDeadline?: () => Date | number;
  cancelled?: boolean;
}): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onCancelled = (): void => controller.abort("call cancelled or deadline exceeded");
  call.on("cancelled", onCancelled);
  let timer: NodeJS.Timeout | undefined;
  const deadline = call.getDeadline?.();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : typeof deadline === "number" ? deadline : Number.POSITIVE_INFINITY;
  // (setTimeout fires at once for delays beyond 2^31 − 1 ms: such far deadlines rely on the event.)
  if (Number.isFinite(deadlineMs) && deadlineMs - Date.now() < MAX_TIMER_MS) {
    timer = setTimeout(() => controller.abort("deadline exceeded"), Math.max(0, deadlineMs - Date.now()));
    timer.unref();
  }
  if (call.cancelled) controller.abort("call cancelled");
  return {
    signal: controller.signal,
    dispose: () => {
      call.off("cancelled", onCancelled);
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * Cancellation of a long streaming RPC, shared by its pool tasks: `flag` (a SharedArrayBuffer word the
 * library kernels poll between pairs or combinations), `signal` (aborts queued pool tasks and a
 * distributed run with CANCELLED), `cancelled()`. The client's cancel or deadline trips it, and so
 * does `trip()` (the server gives up after a failed batch). `release()` detaches it from the call.
 */
export interface CallCancellation {
  readonly flag: Int32Array;
  readonly signal: AbortSignal;
  cancelled(): boolean;
  trip(): void;
  release(): void;
}

export function callCancellation(
  call: {
    cancelled: boolean;
    on(event: "cancelled", listener: () => void): unknown;
    off(event: "cancelled", listener: () => void): unknown;
  },
  rpc: string,
): CallCancellation {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const controller = new AbortController();
  let cancelled = false;
  const trip = (): void => {
    if (cancelled) return;
    cancelled = true;
    Atomics.store(flag, 0, 1);
    controller.abort(new WireError("CANCELLED", `${rpc}: cancelled`));
  };
  call.on("cancelled", trip);
  if (call.cancelled) trip();
  return {
    flag,
    signal: controller.signal,
    cancelled: () => cancelled,
    trip,
    release: () => call.off("cancelled", trip),
  };
}

/**
 * The pool loop of a streaming RPC: keep up to `maxInflight` batches on the pool while the client
 * keeps up (no new batch while `backpressure` says the write buffer is backlogged; wake on the
 * first finished batch or on 'drain'), hand each reply to `onReply` unless the call was cancelled
 * or a batch failed, and stop at the first failure (which trips `cancellation`, so the batches still
 * running stop too). Bounded: every turn starts a batch, or waits for one to finish or for 'drain'.
 * @throws the first batch failure, once every batch has settled
 */
export async function runPoolBatches<B, R>(
  cancellation: CallCancellation,
  backpressure: { backlogged(): boolean; drainWait(): Promise<void> },
  batches: {
    readonly maxInflight: number;
    /** Whether any batch is left to start. */
    hasMore(): boolean;
    /** The next batch (called only while hasMore()). */
    take(): B;
    run(batch: B): Promise<R>;
    onReply(batch: B, reply: R): void;
  },
): Promise<void> {
  const inflight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const dispatch = (): void => {
    const batch = batches.take();
    const task = batches
      .run(batch)
      .then((reply) => {
        if (!cancellation.cancelled() && failure === null) batches.onReply(batch, reply);
      })
      .catch((error: unknown) => {
        failure ??= { error };
        cancellation.trip();
      })
      .finally(() => inflight.delete(task));
    inflight.add(task);
  };
  const { backlogged, drainWait } = backpressure;
  while (!cancellation.cancelled() && failure === null) {
    const blocked = backlogged();
    while (!cancellation.cancelled() && failure === null && !blocked && inflight.size < batches.maxInflight && batches.hasMore())
      dispatch();
    if (cancellation.cancelled() || failure !== null) break;
    if (inflight.size === 0) {
      if (!batches.hasMore()) break;
      await drainWait();
      continue;
    }
    await (blocked ? Promise.race([drainWait(), ...inflight]) : Promise.race(inflight));
  }
  await Promise.allSettled([...inflight]);
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** End a streaming call with an error status (once; ignored if the call already ended). */
export function failStream(
  ctx: ServiceContext,
  rpc: string,
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  error: unknown,
): void {
  const failure = describeFailure(error);
  logFailure(ctx, rpc, failure);
  if (call.destroyed || call.writableEnded || call.cancelled) return;
  call.emit("error", toServiceError(failure));
}

/**
 * Wait until a writable stream drains (or ends / is cancelled). Resolves at once when the buffer
 * has already drained: 'drain' may have fired between the `write()` that returned false and this
 * call, and waiting for it again would hang the stream.
 */
export function waitForDrain(call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>): Promise<void> {
  if (!call.writableNeedDrain || call.destroyed || call.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      call.off("drain", done);
      call.off("close", done);
      call.off("cancelled", done);
      call.off("finish", done);
      resolve();
    };
    call.on("drain", done);
    call.on("close", done);
    call.on("cancelled", done);
    call.on("finish", done);
  });
}

/**
 * Backpressure of a server stream: `backlogged()` when at least `maxBuffered` updates wait in the
 * write buffer (the client is behind), and `drainWait()`, one shared wait for 'drain' while
 * backlogged (not a new set of listeners per loop turn).
 */
export function streamBackpressure(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  maxBuffered: number,
): { backlogged: () => boolean; drainWait: () => Promise<void> } {
  let drained: Promise<void> | null = null;
  return {
    backlogged: () => call.writableLength >= maxBuffered,
    drainWait: () => {
      drained ??= waitForDrain(call).finally(() => {
        drained = null;
      });
      return drained;
    },
  };
}
