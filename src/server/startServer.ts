/**
 * One gRPC server process: pair_discovery.PairDiscoveryService, meanrev.MeanRevService,
 * grpc.health.v1.Health and server reflection on one port, Prometheus metrics on another, heavy
 * work in a worker-thread pool. `npm run server` calls this with `configFromEnv()`.
 */
import { StorePrices } from "./storePrices.js";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { ReflectionService } from "@grpc/reflection";
import { loadSync } from "@grpc/proto-loader";
import type { Server as HttpServer } from "node:http";
import { checkRedisUrl, TEST_DEFAULTS, type ServerConfig } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import { ComputePool } from "./pool.js";
import { createServerMetrics, startMetricsHttp, type ServerMetrics } from "./metrics.js";
import { bearerAuthInterceptor } from "./auth.js";
import { decodeGuardInterceptor, withSafeDeserializers } from "./decodeGuard.js";
import { PortfolioStore } from "./portfolioStore.js";
import { PairDiscoveryServiceService } from "./generated/pair_discovery.js";
import { MeanRevServiceService } from "./generated/meanrev.js";
import { pairDiscoveryService } from "./services/pairDiscoveryService.js";
import { meanRevService } from "./services/meanRevService.js";
import type { ServiceContext } from "./services/context.js";

/** Fully-qualified names of the services, as registered with the health service. */
export const SERVICE_NAMES = ["pair_discovery.PairDiscoveryService", "meanrev.MeanRevService"] as const;

/** After the gRPC grace period, how long pool threads may finish before they are terminated. */
const POOL_CLOSE_GRACE_MS = 1000;

/** Directory of the .proto files (for reflection). */
const PROTO_DIR = fileURLToPath(new URL("../../proto/", import.meta.url));

/** True for an address that only the local machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1";
}

/** The host part of a host:port bind address ("[::]:50051" -> "::"). */
function bindHost(address: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1];
  const i = address.lastIndexOf(":");
  return i < 0 ? address : address.slice(0, i);
}

/**
 * Start-up warnings for a server reachable beyond this machine without protection: the gRPC
 * services without a token or without TLS, /metrics without METRICS_TOKEN.
 */
export function exposureWarnings(cfg: ServerConfig, tls: boolean): string[] {
  const warnings: string[] = [];
  if (!isLoopbackHost(bindHost(cfg.bindAddress))) {
    if (cfg.authToken === null)
      warnings.push(
        `gRPC is bound to ${cfg.bindAddress}, beyond loopback, WITHOUT authentication: anyone who can reach the port can use every RPC (set GRPC_AUTH_TOKEN, with TLS)`,
      );
    if (!tls)
      warnings.push(
        `gRPC is bound to ${cfg.bindAddress}, beyond loopback, WITHOUT TLS: requests and responses cross the network in clear text (set GRPC_TLS_CERT and GRPC_TLS_KEY)`,
      );
  }
  if (cfg.metricsPort !== null && !isLoopbackHost(cfg.metricsHost) && cfg.metricsToken === null) {
    warnings.push(`/metrics is served on ${cfg.metricsHost}, beyond loopback, without METRICS_TOKEN`);
  }
  return warnings;
}

/** A running server. */
export interface RunningServer {
  /** The bound gRPC port. */
  readonly port: number;
  /** The bound metrics port, or null when metrics are disabled. */
  readonly metricsPort: number | null;
  readonly config: ServerConfig;
  readonly pool: ComputePool;
  readonly metrics: ServerMetrics;
  readonly health: HealthImplementation;
  readonly logger: Logger;
  /** The PortfolioHealthStream price store (bounded; see portfolioStore.ts). */
  readonly store: PortfolioStore;
  /** Graceful stop: NOT_SERVING, refuse new calls, let in-flight calls finish (up to the grace period), then stop the pool. */
  close(): Promise<void>;
}

/**
 * Start a server. `config` fields default to TEST_DEFAULTS (127.0.0.1:0, ephemeral metrics port,
 * silent logs), which suits tests and notebooks; use `configFromEnv()` for production defaults.
 */
export async function startServer(config: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const cfg: ServerConfig = { ...TEST_DEFAULTS, ...config };
  const tls = cfg.tlsCertPath !== null && cfg.tlsKeyPath !== null;
  if (cfg.authToken !== null && !tls && !cfg.allowPlaintextToken) {
    throw new Error(
      "startServer: GRPC_AUTH_TOKEN is set without TLS: the bearer token would cross the network in clear text. Set GRPC_TLS_CERT and GRPC_TLS_KEY, or GRPC_ALLOW_PLAINTEXT_TOKEN=1 to accept that (e.g. behind a TLS-terminating proxy)",
    );
  }
  if (cfg.redisUrl !== null) checkRedisUrl("startServer", cfg.redisUrl);
  const logger = createLogger(cfg.logLevel);
  const pool = new ComputePool(cfg.workers);
  try {
    await pool.warmUp();
  } catch (error) {
    await pool.close();
    throw new Error(`startServer: the compute workers failed to start: ${(error as Error).message}`);
  }
  const metrics = createServerMetrics(() => pool.stats(), logger);
  const store = new PortfolioStore(cfg.priceStoreMaxBytes);
  const prices = new StorePrices(cfg.storePath);
  const ctx: ServiceContext = { pool, logger, metrics, store, prices, redisUrl: cfg.redisUrl };

  // Composition order: the last interceptor is the outermost. Metrics wraps the call first so it
  // records every status, including the decode guard's and the auth check's.
  const interceptors = [metrics.interceptor, decodeGuardInterceptor];
  if (cfg.authToken !== null) interceptors.push(bearerAuthInterceptor(cfg.authToken));
  const server = new Server({
    "grpc.max_receive_message_length": cfg.maxMessageBytes,
    "grpc.max_send_message_length": cfg.maxMessageBytes,
    interceptors,
  });
  server.addService(
    withSafeDeserializers(PairDiscoveryServiceService) as unknown as ServiceDefinition,
    pairDiscoveryService(ctx) as unknown as UntypedServiceImplementation,
  );
  server.addService(
    withSafeDeserializers(MeanRevServiceService) as unknown as ServiceDefinition,
    meanRevService(ctx) as unknown as UntypedServiceImplementation,
  );

  const health = new HealthImplementation({ "": "NOT_SERVING", [SERVICE_NAMES[0]]: "NOT_SERVING", [SERVICE_NAMES[1]]: "NOT_SERVING" });
  health.addToServer(server);
  const packageDefinition = loadSync(["pair_discovery.proto", "meanrev.proto"], {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
  });
  new ReflectionService(packageDefinition).addToServer(server);

  const credentials =
    tls && cfg.tlsCertPath !== null && cfg.tlsKeyPath !== null
      ? ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(cfg.tlsCertPath), private_key: readFileSync(cfg.tlsKeyPath) }], false)
      : ServerCredentials.createInsecure();

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(cfg.bindAddress, credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
    });
  } catch (error) {
    await pool.close();
    throw new Error(`startServer: cannot bind ${cfg.bindAddress}: ${(error as Error).message}`);
  }

  let metricsHttp: { port: number; server: HttpServer } | null = null;
  if (cfg.metricsPort !== null) {
    try {
      metricsHttp = await startMetricsHttp(metrics.registry, cfg.metricsHost, cfg.metricsPort, cfg.metricsToken);
    } catch (error) {
      server.forceShutdown();
      await pool.close();
      throw new Error(`startServer: cannot bind metrics ${cfg.metricsHost}:${cfg.metricsPort}: ${(error as Error).message}`);
    }
  }

  for (const name of ["", ...SERVICE_NAMES]) health.setStatus(name, "SERVING");
  for (const warning of exposureWarnings(cfg, tls)) logger.warn({ bindAddress: cfg.bindAddress, metricsHost: cfg.metricsHost }, warning);
  logger.info(
    {
      pid: process.pid,
      bindAddress: cfg.bindAddress,
      port,
      metricsPort: metricsHttp?.port ?? null,
      workers: cfg.workers,
      tls: cfg.tlsCertPath !== null,
      auth: cfg.authToken !== null,
      maxMessageBytes: cfg.maxMessageBytes,
    },
    "arbitrage-lab gRPC server listening",
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const name of ["", ...SERVICE_NAMES]) health.setStatus(name, "NOT_SERVING");
      store.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn({ graceMs: cfg.shutdownGraceMs }, "grace period over: cancelling in-flight calls");
          server.forceShutdown();
          resolve();
        }, cfg.shutdownGraceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (metricsHttp) {
        const http = metricsHttp.server;
        http.closeAllConnections?.();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      }
      // Tasks of calls that were force-cancelled above were aborted; anything else still running
      // gets one more second before its thread is terminated.
      await pool.close(POOL_CLOSE_GRACE_MS);
      await prices.close();
      logger.info("server stopped");
    })();
    return closing;
  };

  return { port, metricsPort: metricsHttp?.port ?? null, config: cfg, pool, metrics, health, logger, store, close };
}
