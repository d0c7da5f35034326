/**
 * The state shared by the typed clients: one grpc-js channel plus the call plumbing that turns
 * generated method definitions into promises (unary) and async iterators (server and bidi streams)
 * with AbortSignal cancellation, deadlines and the bearer token. Internal (not in the barrel);
 * `PairDiscoveryClient` and `MeanRevClient` are thin typed facades over it.
 *
 * Streams: a server stream is consumed through the grpc-js readable's own async iterator, so
 * the client reads only as fast as the caller iterates and HTTP/2 flow control pushes back on the
 * server. Leaving a `for await` loop early (break/return/throw) cancels the call. A bidi call
 * writes the caller's inputs as they arrive, waiting for `drain` when the send buffer is full, and
 * half-closes after the last one.
 */
import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { ClientCallError } from "./ClientCallError.js";
import { resolveClientConfig, type ClientOptions } from "./clientOptions.js";

/** Per-call options accepted by every typed client method. */
export interface CallOptions {
  /** Cancels the call when aborted: the promise rejects (or the iterator throws) a ClientCallError with code CANCELLED. */
  signal?: AbortSignal;
  /** Deadline in milliseconds from the start of the call; overrides the method's default. `Infinity` = no deadline. */
  timeoutMs?: number;
  /** Absolute deadline; wins over `timeoutMs`. */
  deadline?: Date;
  /** Extra request metadata (ASCII values). */
  metadata?: Record<string, string>;
}

/** A grpc-js channel as `Client.getChannel()` returns it (shareable through `channelOverride`). */
export type GrpcChannel = ReturnType<grpc.Client["getChannel"]>;

/** A generated message codec: ts-proto's `Message.fromPartial`. */
export interface MessageCodec<T> {
  fromPartial(object: never): T;
}

/**
 * A request as the typed clients accept it: every field optional (proto3 zero = "use the
 * server default"), numeric series as any `ArrayLike<number>` (Float64Array, number[], ...),
 * nested messages likewise.
 */
export type RequestInput<T> = T extends number[]
  ? ArrayLike<number>
  : T extends (infer U)[]
    ? readonly RequestInput<U>[]
    : T extends string | number | boolean | bigint | Uint8Array | Date
      ? T
      : T extends object
        ? { [K in keyof T]?: RequestInput<T[K]> }
        : T;

/** Typed arrays become plain arrays; objects and arrays are walked; everything else is kept. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return value instanceof Uint8Array && value.constructor === Uint8Array ? value : Array.from(value as unknown as ArrayLike<number>);
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = plain(item);
  return out;
}

/** Build the full wire message from a partial input through the generated `fromPartial`. */
export function toMessage<T>(codec: MessageCodec<T>, input: unknown, fn: string): T {
  if (input === undefined || input === null) input = {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new TypeError(`${fn}: request must be an object, got ${Array.isArray(input) ? "an array" : typeof input}`);
  }
  return codec.fromPartial(plain(input) as never);
}

type HealthStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";
const HEALTH_STATUS: readonly HealthStatus[] = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

export class RpcConnection {
  readonly address: string;
  readonly client: grpc.Client;
  private readonly token: string | undefined;
  private closed = false;

  constructor(options: ClientOptions | undefined, fn: string, channel?: GrpcChannel) {
    const config = resolveClientConfig(options, fn);
    this.address = config.address;
    this.token = config.token;
    this.client = new grpc.Client(
      config.address,
      config.credentials,
      channel ? { ...config.channelOptions, channelOverride: channel } : config.channelOptions,
    );
  }

  /** Resolve once the channel is connected; reject with DEADLINE_EXCEEDED/UNAVAILABLE after `timeoutMs`. */
  waitForReady(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (error) => {
        if (error)
          reject(new ClientCallError("waitForReady", grpc.status.UNAVAILABLE, `${this.address}: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  /** grpc.health.v1.Health/Check for `service` ("" = the whole server). */
  async checkHealth(serviceName = "", call: CallOptions = {}): Promise<HealthStatus> {
    const definition = healthService.Check as unknown as grpc.MethodDefinition<{ service: string }, { status: number | string }>;
    const response = await this.unary(definition, { service: serviceName }, call, 5000);
    const value = response.status;
    return typeof value === "string" ? (value as HealthStatus) : (HEALTH_STATUS[value] ?? "UNKNOWN");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  private callSetup(call: CallOptions, defaultTimeoutMs: number, method: string) {
    if (this.closed) throw new ClientCallError(method, grpc.status.UNAVAILABLE, "client is closed");
    const metadata = new grpc.Metadata();
    if (this.token) metadata.set("authorization", `Bearer ${this.token}`);
    for (const [key, value] of Object.entries(call.metadata ?? {})) metadata.set(key, value);
    const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
    if (!(timeoutMs > 0)) throw new RangeError(`${method}: timeoutMs must be > 0 (or Infinity), got ${String(timeoutMs)}`);
    const deadline = call.deadline ?? (Number.isFinite(timeoutMs) ? new Date(Date.now() + timeoutMs) : Infinity);
    return { metadata, options: { deadline } satisfies grpc.CallOptions };
  }

  /** Unary call: resolves with the decoded response, rejects with ClientCallError. */
  unary<Req, Res>(
    definition: grpc.MethodDefinition<Req, Res>,
    request: Req,
    call: CallOptions = {},
    defaultTimeoutMs = Infinity,
  ): Promise<Res> {
    const method = definition.path;
    return new Promise<Res>((resolve, reject) => {
      const signal = call.signal;
      if (signal?.aborted) {
        reject(new ClientCallError(method, grpc.status.CANCELLED, "aborted before the call started", { cause: signal.reason }));
        return;
      }
      let setup;
      try {
        setup = this.callSetup(call, defaultTimeoutMs, method);
      } catch (error) {
        reject(error);
        return;
      }
      let onAbort: (() => void) | undefined;
      const pending = this.client.makeUnaryRequest(
        method,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        setup.metadata,
        setup.options,
        (error, response) => {
          if (onAbort) signal?.removeEventListener("abort", onAbort);
          if (error) reject(ClientCallError.from(method, error, signal?.aborted ? signal.reason : undefined));
          else resolve(response as Res);
        },
      );
      if (signal) {
        onAbort = () => pending.cancel();
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
  }

  /** Server-streaming call as an async iterator; the call starts on the first `next()`. */
  async *serverStream<Req, Res>(
    definition: grpc.MethodDefinition<Req, Res>,
    request: Req,
    call: CallOptions = {},
    defaultTimeoutMs = Infinity,
  ): AsyncGenerator<Res, void, undefined> {
    const method = definition.path;
    const signal = call.signal;
    if (signal?.aborted)
      throw new ClientCallError(method, grpc.status.CANCELLED, "aborted before the call started", { cause: signal.reason });
    const setup = this.callSetup(call, defaultTimeoutMs, method);
    const stream = this.client.makeServerStreamRequest(
      method,
      definition.requestSerialize,
      definition.responseDeserialize,
      request,
      setup.metadata,
      setup.options,
    );
    yield* this.readAll(method, stream, signal);
  }

  /**
   * Bidi call: converts each input with `toWire` and writes it (waiting for `drain` when the send
   * buffer is full), half-closes after the last one, and yields the server's outputs as they
   * arrive. A synchronous iterable is written in a tight loop (no per-message promise); an async
   * iterable is pulled as fast as it produces.
   */
  async *bidiStream<Req, Res>(
    definition: grpc.MethodDefinition<Req, Res>,
    inputs: AsyncIterable<unknown> | Iterable<unknown>,
    toWire: (input: unknown) => Req,
    call: CallOptions = {},
    defaultTimeoutMs = Infinity,
  ): AsyncGenerator<Res, void, undefined> {
    const method = definition.path;
    const isIterable = inputs !== null && typeof inputs === "object" && (Symbol.asyncIterator in inputs || Symbol.iterator in inputs);
    if (!isIterable) throw new TypeError(`${method}: inputs must be an iterable or async iterable of messages`);
    const signal = call.signal;
    if (signal?.aborted)
      throw new ClientCallError(method, grpc.status.CANCELLED, "aborted before the call started", { cause: signal.reason });
    const setup = this.callSetup(call, defaultTimeoutMs, method);
    const stream = this.client.makeBidiStreamRequest(
      method,
      definition.requestSerialize,
      definition.responseDeserialize,
      setup.metadata,
      setup.options,
    );
    let inputError: unknown;
    let finished = false;
    const drained = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          stream.off("drain", done);
          stream.off("close", done);
          stream.off("error", done);
          resolve();
        };
        stream.on("drain", done);
        stream.on("close", done);
        stream.on("error", done);
      });
    const pump = async () => {
      try {
        if (Symbol.asyncIterator in inputs) {
          for await (const input of inputs as AsyncIterable<unknown>) {
            if (finished) return;
            if (!stream.write(toWire(input))) await drained();
          }
        } else {
          for (const input of inputs as Iterable<unknown>) {
            if (finished) return;
            if (!stream.write(toWire(input))) await drained();
          }
        }
        if (!finished) stream.end();
      } catch (error) {
        // A failing input iterable (or an input the codec rejects) cancels the call.
        inputError = error;
        stream.cancel();
      }
    };
    // The pump is not awaited: a live input feed may never end, and the call is over once the
    // server has closed its side (later inputs are dropped by the `finished` guard).
    void pump();
    try {
      yield* this.readAll(method, stream, signal, () => inputError);
    } finally {
      finished = true;
    }
    if (inputError !== undefined) throw inputError;
  }

  private async *readAll<Res>(
    method: string,
    stream: grpc.ClientReadableStream<Res> | grpc.ClientDuplexStream<unknown, Res>,
    signal: AbortSignal | undefined,
    inputFailure: () => unknown = () => undefined,
  ): AsyncGenerator<Res, void, undefined> {
    const onAbort = () => stream.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    let completed = false;
    try {
      for await (const message of stream as AsyncIterable<Res>) yield message;
      completed = true;
    } catch (error) {
      completed = true;
      const failure = inputFailure();
      if (failure !== undefined) throw failure;
      throw ClientCallError.from(method, error, signal?.aborted ? signal.reason : undefined);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // Consumer left early (break/return/throw): cancel so the server stops working for us.
      if (!completed) stream.cancel();
    }
  }
}
