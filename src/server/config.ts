import { availableParallelism } from "node:os";
import { DEFAULT_PRICE_STORE_BYTES, MAX_POINTS_PER_ASSET, ASSET_OVERHEAD_BYTES, BYTES_PER_POINT } from "./portfolioStore.js";

/** Smallest PRICE_STORE_MAX_BYTES: one asset at its full length. */
export const MIN_PRICE_STORE_BYTES = ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * MAX_POINTS_PER_ASSET;

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
  /** Byte cap of the PortfolioHealthStream price store (`PRICE_STORE_MAX_BYTES`). */
  readonly priceStoreMaxBytes: number;
  /** Bearer token required at /metrics (`METRICS_TOKEN`); null = open. */
  readonly metricsToken: string | null;
  /**
   * Accept GRPC_AUTH_TOKEN without TLS (`GRPC_ALLOW_PLAINTEXT_TOKEN=1`): a bearer token sent in
   * clear text can be read by anyone on the path, so by default the server refuses to start so.
   */
  readonly allowPlaintextToken: boolean;
  /** The lab's store for universe requests (`ARBLAB_STORE`); null = prices must be sent inline. */
  readonly storePath: string | null;
  /**
   * Redis of the distributed DiscoverPairs (`REDIS_URL`, redis:// or rediss://): when set the
   * server is the coordinator and `arblab worker` processes compute the shards; null = the
   * in-process worker pool (issue 15).
   */
  readonly redisUrl: string | null;
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
  priceStoreMaxBytes: DEFAULT_PRICE_STORE_BYTES,
  metricsToken: null,
  allowPlaintextToken: true,
  storePath: null,
  redisUrl: null,
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

function booleanFromEnv(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? "").trim().toLowerCase();
  if (raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new RangeError(`configFromEnv: ${name} must be 1/true or 0/false, got ${JSON.stringify(env[name])}`);
}

function stringFromEnv(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === "" ? null : raw.trim();
}

/** REDIS_URL: unset/blank = null; otherwise a redis:// or rediss:// URL with an optional numeric database. */
function redisUrlFromEnv(env: NodeJS.ProcessEnv): string | null {
  const url = stringFromEnv(env, "REDIS_URL");
  if (url !== null) checkRedisUrl("configFromEnv", url);
  return url;
}

/**
 * Validate a Redis URL as the distributed coordinator will parse it (same rules as
 * src/distributed/wire.ts `redisOptions`, without importing bullmq/ioredis here).
 * @throws RangeError naming REDIS_URL and the rule
 */
export function checkRedisUrl(where: string, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${where}: REDIS_URL must be a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new RangeError(`${where}: REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(url)}`);
  }
  const db = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : "0";
  if (!/^[0-9]+$/.test(db)) throw new RangeError(`${where}: REDIS_URL database must be a non-negative integer, got ${JSON.stringify(db)}`);
}

/**
 * Read the server configuration from environment variables (production defaults):
 * GRPC_BIND_ADDRESS (0.0.0.0:50051), METRICS_PORT (9464; 0 = ephemeral; -1 = disabled),
 * METRICS_HOST (0.0.0.0), LOG_LEVEL (info), GRPC_MAX_MESSAGE_BYTES (67108864), GRPC_TLS_CERT and
 * GRPC_TLS_KEY (PEM paths, both or neither), GRPC_AUTH_TOKEN (unset = no auth), COMPUTE_WORKERS
 * (CPU count), SHUTDOWN_GRACE_MS (10000), PRICE_STORE_MAX_BYTES (67108864), METRICS_TOKEN (unset = open
 * /metrics), GRPC_ALLOW_PLAINTEXT_TOKEN (0: a GRPC_AUTH_TOKEN without TLS is refused),
 * ARBLAB_STORE (unset = no store for universe requests), REDIS_URL (unset = DiscoverPairs on the
 * in-process pool; set = on `arblab worker` processes through that Redis).
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
    priceStoreMaxBytes: intFromEnv(env, "PRICE_STORE_MAX_BYTES", DEFAULT_PRICE_STORE_BYTES, MIN_PRICE_STORE_BYTES),
    metricsToken: stringFromEnv(env, "METRICS_TOKEN"),
    allowPlaintextToken: booleanFromEnv(env, "GRPC_ALLOW_PLAINTEXT_TOKEN"),
    storePath: stringFromEnv(env, "ARBLAB_STORE"),
    redisUrl: redisUrlFromEnv(env),
  };
}
