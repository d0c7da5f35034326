import { status, type ServiceError, Metadata } from "@grpc/grpc-js";

/** A gRPC status code the server answers with on purpose. */
export type WireCode = "INVALID_ARGUMENT" | "RESOURCE_EXHAUSTED" | "INTERNAL" | "UNAUTHENTICATED" | "CANCELLED" | "UNAVAILABLE";

/**
 * An error with an intended gRPC status. Wire validation throws these; library misuse arrives as
 * RangeError/TypeError and maps to INVALID_ARGUMENT; anything else is INTERNAL.
 */
export class WireError extends Error {
  readonly code: WireCode;
  constructor(code: WireCode, message: string) {
    super(message);
    this.name = "WireError";
    this.code = code;
  }
}

/** INVALID_ARGUMENT whose message starts with the RPC name and names the field. */
export function invalidArgument(rpc: string, message: string): never {
  throw new WireError("INVALID_ARGUMENT", `${rpc}: ${message}`);
}

/** RESOURCE_EXHAUSTED (input larger than the server accepts, or the pool queue is full). */
export function resourceExhausted(rpc: string, message: string): never {
  throw new WireError("RESOURCE_EXHAUSTED", `${rpc}: ${message}`);
}

/** Plain, structured-cloneable description of a failure (crosses the worker-thread boundary). */
export interface FailureDescription {
  readonly code: WireCode;
  readonly message: string;
  readonly stack?: string;
}

/** Classify any thrown value: our WireError keeps its code, RangeError/TypeError -> INVALID_ARGUMENT. */
export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof WireError) return { code: error.code, message: error.message };
  if (error instanceof RangeError || error instanceof TypeError) {
    return { code: "INVALID_ARGUMENT", message: error.message };
  }
  if (error instanceof Error) return { code: "INTERNAL", message: error.message, stack: error.stack };
  return { code: "INTERNAL", message: String(error) };
}

/** Rebuild an error on the main thread from a worker's description. */
export function failureToError(failure: FailureDescription): WireError {
  const error = new WireError(failure.code, failure.message);
  if (failure.stack) error.stack = failure.stack;
  return error;
}

/** The ServiceError to pass to a callback / `call.destroy` / `call.emit("error")`. */
export function toServiceError(failure: FailureDescription): Partial<ServiceError> {
  const code = status[failure.code];
  const details = failure.code === "INTERNAL" ? `internal error: ${failure.message}` : failure.message;
  return { code, details, message: details, metadata: new Metadata() };
}
