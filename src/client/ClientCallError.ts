/**
 * The one error type thrown by the typed clients for a failed call.
 * Carries the gRPC status code (numeric, as `@grpc/grpc-js`'s `status` enum), its name, the
 * server's `details` text unchanged (for INVALID_ARGUMENT it names the function, field and
 * requirement) and the RPC path. A call aborted through an AbortSignal fails with code CANCELLED
 * and `cause` set to the signal's reason; an expired deadline gives DEADLINE_EXCEEDED.
 * @example
 * try { await client.testPair({ prices1: [1, 2], prices2: [1] }); }
 * catch (e) { if (e instanceof ClientCallError && e.codeName === "INVALID_ARGUMENT") console.log(e.details); }
 */
import { status, type Metadata, type ServiceError } from "@grpc/grpc-js";

const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(status)
    .filter(([, value]) => typeof value === "number")
    .map(([name, value]) => [value as number, name]),
);

/** Name of a gRPC status code ("INVALID_ARGUMENT" for 3), or "UNKNOWN_<n>". */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `UNKNOWN_${code}`;
}

export class ClientCallError extends Error {
  /** Numeric gRPC status code (`status.INVALID_ARGUMENT` = 3, ...). */
  readonly code: number;
  /** Status code name, e.g. "INVALID_ARGUMENT". */
  readonly codeName: string;
  /** The server's status details, unchanged. */
  readonly details: string;
  /** RPC path, e.g. "/pair_discovery.PairDiscoveryService/TestPair". */
  readonly method: string;
  /** Trailing metadata, when the server sent any. */
  readonly metadata: Metadata | undefined;

  constructor(method: string, code: number, details: string, options: { cause?: unknown; metadata?: Metadata } = {}) {
    super(`${method}: ${statusName(code)}: ${details}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ClientCallError";
    this.code = code;
    this.codeName = statusName(code);
    this.details = details;
    this.method = method;
    this.metadata = options.metadata;
  }

  /** Wrap a grpc-js ServiceError (or anything thrown by a call) for `method`. */
  static from(method: string, error: unknown, cause?: unknown): ClientCallError {
    if (error instanceof ClientCallError) return error;
    const service = error as Partial<ServiceError>;
    if (error !== null && typeof error === "object" && typeof service.code === "number") {
      return new ClientCallError(method, service.code, service.details ?? service.message ?? "", {
        cause: cause ?? error,
        metadata: service.metadata,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new ClientCallError(method, status.UNKNOWN, message, { cause: cause ?? error });
  }
}
