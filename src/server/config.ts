import { availableParallelism } from "node:os";

/** 64 MiB: default maximum gRPC message size, sent and received (the seed used tonic's 4 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Default bind address of `npm run server`: all interfaces, so other containers reach it. */
export const DEFAULT_BIND_ADDRESS = "0.0.0.0:50051";
/** Default Prometheus metrics port of `npm run server`. */
export const DEFAULT_METRICS_PORT = 9464;

/** Everything the server needs to start; see `configFromEnv` for the environment variables. */
export interface ServerConfig {
  /** host:port for gRPC (`GRPC_BIND_ADDRESS`). Port 0 = ephemeral. */
  readonly bindAddress: string;
  /** Prometheus HTTP port (`METRICS_PORT`); 0 = ephemeral, null = no metrics endpoint. */
  readonly metricsPort: number | null;
  /** Interface for the metrics endpoint (`METRICS_HOST`). */
  readonly metricsHost: string;
  /** pino level (`LOG_LEVEL`): fatal, error, warn, info, debug, trace or silent. */
  readonly logLevel: string;
  /** Max gRPC message size in bytes, both directions (`GRPC_MAX_MESSAGE_BYTES`). */
  readonly maxMessageBytes: number;
  /** PEM certificate and key paths for TLS (`GRPC_TLS_CERT`, `GRPC_TLS_KEY`); both or neither. */
  readonly tlsCertPath: string | null;
  readonly tlsKeyPath: string | null;
  /** Bearer token required in `authorization` metadata (`GRPC_AUTH_TOKEN`); null = no auth. */
  readonly authToken: string | null;
  /** Worker threads in the compute pool (`COMPUTE_WORKERS`, default: CPU count). */
  readonly workers: number;
  /** Grace period for in-flight calls at shutdown before they are cancelled (`SHUTDOWN_GRACE_MS`). */
  readonly shutdownGraceMs: number;
  /** The lab's store for universe requests (`ARBLAB_STORE`); null = prices must be sent inline. */
  readonly storePath: string | null;
}

/**
 * Defaults for `startServer` when called from code (tests, notebooks): loopback, ephemeral ports,
 * silent logs. `npm run server` uses `configFromEnv`, whose defaults are the production ones.
 */
export const TEST_DEFAULTS: ServerConfig = {
  bindAddress: "127.0.0.1:0",
  metricsPort: 0,
  metricsHost: "127.0.0.1",
  logLevel: "silent",
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  tlsCertPath: null,
  tlsKeyPath: null,
  authToken: null,
  workers: Math.max(1, Math.min(2, availableParallelism())),
  shutdownGraceMs: 2000,
  storePath: null,
};

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`configFromEnv: ${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function stringFromEnv(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? null : raw.trim();
}

/**
 * Read the server configuration from environment variables (production defaults):
 * GRPC_BIND_ADDRESS (0.0.0.0:50051), METRICS_PORT (9464; 0 = ephemeral; -1 = disabled),
 * METRICS_HOST (0.0.0.0), LOG_LEVEL (info), GRPC_MAX_MESSAGE_BYTES (67108864), GRPC_TLS_CERT and
 * GRPC_TLS_KEY (PEM paths, both or neither), GRPC_AUTH_TOKEN (unset = no auth), COMPUTE_WORKERS
 * (CPU count), SHUTDOWN_GRACE_MS (10000), ARBLAB_STORE (unset = no store for universe requests).
 * @throws RangeError naming the variable when a value is malformed
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const metricsPort = intFromEnv(env, "METRICS_PORT", DEFAULT_METRICS_PORT, -1);
  const tlsCertPath = stringFromEnv(env, "GRPC_TLS_CERT");
  const tlsKeyPath = stringFromEnv(env, "GRPC_TLS_KEY");
  if ((tlsCertPath === null) !== (tlsKeyPath === null)) {
    throw new RangeError("configFromEnv: GRPC_TLS_CERT and GRPC_TLS_KEY must be set together");
  }
  return {
    bindAddress: stringFromEnv(env, "GRPC_BIND_ADDRESS") ?? DEFAULT_BIND_ADDRESS,
    metricsPort: metricsPort < 0 ? null : metricsPort,
    metricsHost: stringFromEnv(env, "METRICS_HOST") ?? "0.0.0.0",
    logLevel: stringFromEnv(env, "LOG_LEVEL") ?? "info",
    maxMessageBytes: intFromEnv(env, "GRPC_MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES, 1024),
    tlsCertPath,
    tlsKeyPath,
    authToken: stringFromEnv(env, "GRPC_AUTH_TOKEN"),
    workers: intFromEnv(env, "COMPUTE_WORKERS", availableParallelism(), 1),
    shutdownGraceMs: intFromEnv(env, "SHUTDOWN_GRACE_MS", 10_000, 0),
    storePath: stringFromEnv(env, "ARBLAB_STORE"),
  };
}
