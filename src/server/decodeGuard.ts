/**
 * Undecodable request bytes get INVALID_ARGUMENT, not grpc-js's INTERNAL "Error deserializing
 * request": each method's request deserializer is wrapped to return an `UndecodableRequest`
 * marker instead of throwing, and an interceptor answers INVALID_ARGUMENT when it sees one (the
 * handler never receives it).
 */
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";

/** Marker for a request message whose bytes did not decode. */
export class UndecodableRequest {
  /** @param index position in the request stream (set by the interceptor; -1 before) */
  constructor(
    readonly reason: string,
    readonly index = -1,
  ) {}
}

/** A copy of a service definition whose request deserializers never throw. */
export function withSafeDeserializers<T extends Record<string, { requestDeserialize: (bytes: Buffer) => unknown }>>(service: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(service)) {
    const decode = method.requestDeserialize;
    out[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (error) {
          return new UndecodableRequest((error as Error).message ?? String(error));
        }
      },
    };
  }
  return out as T;
}

/** The INVALID_ARGUMENT detail for message `index` (0-based) of a request stream that did not decode. */
export function undecodableDetail(rpc: string, index: number, reason: string): string {
  return `${rpc}: request message ${index} is not a valid protobuf message (${reason})`;
}

/**
 * Answers INVALID_ARGUMENT for an undecodable message, naming the RPC and the message index.
 * Single-request methods (unary, server-streaming) are answered here, before any handler runs.
 * On client-streaming and bidi methods the marker is passed on, numbered, for the handler to end
 * the call in order after the messages before it: a status sent from the interceptor while the
 * handler was writing responses was parked by grpc-js (ServerInterceptingCall keeps a status that
 * arrives during a sendMessage and never flushes it) and the call hung until the client's deadline.
 */
export const decodeGuardInterceptor: ServerInterceptor = (methodDescriptor, call) => {
  const rpc = methodDescriptor.path.split("/")[2] ?? methodDescriptor.path;
  let index = 0;
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMessage: (message, nextMessage) => {
          const position = index++;
          if (message instanceof UndecodableRequest) {
            if (methodDescriptor.requestStream) {
              nextMessage(new UndecodableRequest(message.reason, position));
              return;
            }
            call.sendStatus({
              code: status.INVALID_ARGUMENT,
              details: undecodableDetail(rpc, position, message.reason),
              metadata: new Metadata(),
            });
            return;
          }
          nextMessage(message);
        },
      }),
  });
};
