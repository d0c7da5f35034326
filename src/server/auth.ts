/**
 * Optional bearer-token authentication (GRPC_AUTH_TOKEN). Calls without metadata
 * `authorization: Bearer <token>` end with UNAUTHENTICATED before any handler runs. The standard
 * health service (grpc.health.v1.Health) stays open so load balancers and orchestrators can probe
 * without the secret; reflection and both compute services require the token.
 */
import { timingSafeEqual } from "node:crypto";
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";

/** Services reachable without a token. */
export const UNAUTHENTICATED_SERVICES: readonly string[] = ["grpc.health.v1.Health"];

function tokenMatches(presented: string, expected: Buffer): boolean {
  const got = Buffer.from(presented, "utf8");
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** An interceptor that enforces `authorization: Bearer <token>`. */
export function bearerAuthInterceptor(token: string): ServerInterceptor {
  const expected = Buffer.from(token, "utf8");
  return (methodDescriptor, call) => {
    const service = methodDescriptor.path.split("/")[1] ?? "";
    if (UNAUTHENTICATED_SERVICES.includes(service)) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const header = metadata.get("authorization")[0];
            const value = typeof header === "string" ? header : (header?.toString("utf8") ?? "");
            const match = /^Bearer\s+(.+)$/i.exec(value.trim());
            if (match && tokenMatches(match[1], expected)) {
              nextMetadata(metadata);
              return;
            }
            call.sendStatus({
              code: status.UNAUTHENTICATED,
              details: value === "" ? "missing authorization metadata (expected 'Bearer <token>')" : "invalid bearer token",
              metadata: new Metadata(),
            });
          },
        }),
    });
  };
}
