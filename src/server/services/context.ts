import type { ServerUnaryCall, sendUnaryData, ServerWritableStream, ServerDuplexStream } from "@grpc/grpc-js";
import type { StorePrices } from "../storePrices.js";
import type { Logger } from "../logger.js";
import type { ComputePool } from "../pool.js";
import type { ServerMetrics } from "../metrics.js";
import type { PortfolioStore } from "../portfolioStore.js";
import { describeFailure, toServiceError, type FailureDescription } from "../errors.js";

/** Server state shared by the service implementations. */
export interface ServiceContext {
  readonly pool: ComputePool;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly store: PortfolioStore;
  /** Prices from the lab's store for requests naming a universe (issue 11). */
  readonly prices: StorePrices;
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
  compute: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    let result: Promise<Res>;
    try {
      result = Promise.resolve(compute(call.request, call));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (response) => callback(null, response),
      (error: unknown) => {
        const failure = describeFailure(error);
        logFailure(ctx, rpc, failure);
        callback(toServiceError(failure));
        return;
      },
    );
  };
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
