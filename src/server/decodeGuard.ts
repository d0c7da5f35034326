/**
 * Undecodable request bytes get INVALID_ARGUMENT, not grpc-js's INTERNAL "Error deserializing
 * request": each method's request deserializer is wrapped to return an `UndecodableRequest`
 * marker instead of throwing, and an interceptor answers INVALID_ARGUMENT when it sees one (the
 * handler never receives it).
 */
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";

/** Marker for a request message whose bytes did not decode. */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
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

/** Answers INVALID_ARGUMENT for an undecodable message (naming the RPC). */
export const decodeGuardInterceptor: ServerInterceptor = (methodDescriptor, call) => {
  const rpc = methodDescriptor.path.split("/")[2] ?? methodDescriptor.path;
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMessage: (message, nextMessage) => {
          if (message instanceof UndecodableRequest) {
            call.sendStatus({ code: status.INVALID_ARGUMENT, details: `${rpc}: request is not a valid protobuf message (${message.reason})`, metadata: new Metadata() });
            return;
          }
          nextMessage(message);
        },
      }),
  });
};

