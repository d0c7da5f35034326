/**
 * Prometheus metrics with the go-grpc-prometheus names and labels (grpc_type, grpc_service,
 * grpc_method, grpc_code with Go's code names), plus compute-pool and discovery gauges. One
 * registry per server instance, so several servers can run in one test process.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";
import type { Logger } from "./logger.js";

/** Stream messages counted locally before the shared counters are updated (and at call end). */
export const MESSAGE_COUNT_FLUSH = 256;

/** go-grpc-prometheus / Prometheus client DefBuckets, in seconds. */
const HANDLING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Go's codes.Code.String() names, as go-grpc-prometheus writes them in grpc_code. */
const GO_CODE_NAMES: Record<number, string> = {
  [status.OK]: "OK",
  [status.CANCELLED]: "Canceled",
  [status.UNKNOWN]: "Unknown",
  [status.INVALID_ARGUMENT]: "InvalidArgument",
  [status.DEADLINE_EXCEEDED]: "DeadlineExceeded",
  [status.NOT_FOUND]: "NotFound",
  [status.ALREADY_EXISTS]: "AlreadyExists",
  [status.PERMISSION_DENIED]: "PermissionDenied",
  [status.RESOURCE_EXHAUSTED]: "ResourceExhausted",
  [status.FAILED_PRECONDITION]: "FailedPrecondition",
  [status.ABORTED]: "Aborted",
  [status.OUT_OF_RANGE]: "OutOfRange",
  [status.UNIMPLEMENTED]: "Unimplemented",
  [status.INTERNAL]: "Internal",
  [status.UNAVAILABLE]: "Unavailable",
  [status.DATA_LOSS]: "DataLoss",
  [status.UNAUTHENTICATED]: "Unauthenticated",
};

/** Live numbers of the compute pool, read at scrape time. */
export interface PoolStats {
  readonly threads: number;
  readonly queueSize: number;
  readonly utilization: number;
  readonly completed: number;
  readonly activeTasks: number;
}

export interface ServerMetrics {
  readonly registry: Registry;
  readonly interceptor: ServerInterceptor;
  /** Streams of DiscoverPairs currently running. */
  readonly discoveryActiveStreams: Gauge;
  /** Pairs tested by DiscoverPairs (all calls). */
  readonly discoveryPairsTested: Counter;
  /** Streams of SweepBacktests currently running. */
  readonly sweepActiveStreams: Gauge;
  /** Combinations backtested by SweepBacktests (all calls). */
  readonly sweepCombinations: Counter;
}

function splitPath(path: string): { service: string; method: string } {
  const parts = path.split("/");
  return { service: parts[1] ?? "unknown", method: parts[2] ?? "unknown" };
}

/** Create the registry, the gRPC interceptor that feeds it (and logs each finished call at debug level) and the pool gauges. */
export function createServerMetrics(poolStats: () => PoolStats, logger?: Logger): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["grpc_type", "grpc_service", "grpc_method"] as const;
  const started = new Counter({
    name: "grpc_server_started_total",
    help: "Total number of RPCs started on the server.",
    labelNames,
    registers: [registry],
  });
  const handled = new Counter({
    name: "grpc_server_handled_total",
    help: "Total number of RPCs completed on the server, regardless of success or failure.",
    labelNames: [...labelNames, "grpc_code"],
    registers: [registry],
  });
  const received = new Counter({
    name: "grpc_server_msg_received_total",
    help: "Total number of RPC stream messages received on the server.",
    labelNames,
    registers: [registry],
  });
  const sent = new Counter({
    name: "grpc_server_msg_sent_total",
    help: "Total number of gRPC stream messages sent by the server.",
    labelNames,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "grpc_server_handling_seconds",
    help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
    labelNames,
    buckets: HANDLING_BUCKETS,
    registers: [registry],
  });
  const poolGauge = (name: string, help: string, read: (s: PoolStats) => number): Gauge =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(poolStats()));
      },
    });
  poolGauge("compute_pool_threads", "Worker threads in the compute pool.", (s) => s.threads);
  poolGauge("compute_pool_queue_size", "Tasks waiting for a worker thread.", (s) => s.queueSize);
  poolGauge("compute_pool_utilization", "Fraction of pool capacity used since start (piscina utilization, 0..1).", (s) => s.utilization);
  poolGauge("compute_pool_completed_tasks", "Tasks completed by the compute pool since start.", (s) => s.completed);
  poolGauge("compute_pool_active_tasks", "Tasks submitted to the pool and not yet settled (running or queued).", (s) => s.activeTasks);
  const discoveryActiveStreams = new Gauge({
    name: "discover_pairs_active_streams",
    help: "DiscoverPairs calls currently streaming.",
    registers: [registry],
  });
  const discoveryPairsTested = new Counter({
    name: "discover_pairs_pairs_tested_total",
    help: "Pairs tested by DiscoverPairs.",
    registers: [registry],
  });
  const sweepActiveStreams = new Gauge({
    name: "sweep_backtests_active_streams",
    help: "SweepBacktests calls currently streaming.",
    registers: [registry],
  });
  const sweepCombinations = new Counter({
    name: "sweep_backtests_combinations_total",
    help: "Combinations backtested by SweepBacktests.",
    registers: [registry],
  });

  const interceptor: ServerInterceptor = (methodDescriptor, call) => {
    const { service, method } = splitPath(methodDescriptor.path);
    const grpcType = methodDescriptor.requestStream
      ? methodDescriptor.responseStream
        ? "bidi_stream"
        : "client_stream"
      : methodDescriptor.responseStream
        ? "server_stream"
        : "unary";
    const labels = { grpc_type: grpcType, grpc_service: service, grpc_method: method };
    const startTime = process.hrtime.bigint();
    let finished = false;
    // Stream message counts are batched per call (a labelled prom-client inc per message cost ~3 %
    // of a 20k msg/s bidi stream): flushed every MESSAGE_COUNT_FLUSH messages and when the call ends.
    let receivedPending = 0;
    let sentPending = 0;
    const flushCounts = (): void => {
      if (receivedPending > 0) received.inc(labels, receivedPending);
      if (sentPending > 0) sent.inc(labels, sentPending);
      receivedPending = 0;
      sentPending = 0;
    };
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      flushCounts();
      const codeName = GO_CODE_NAMES[code] ?? String(code);
      const elapsed = Number(process.hrtime.bigint() - startTime) / 1e9;
      handled.inc({ ...labels, grpc_code: codeName });
      seconds.observe(labels, elapsed);
      logger?.debug(
        { rpc: methodDescriptor.path, code: codeName, ms: Math.round(elapsed * 1e6) / 1e3, peer: call.getPeer() },
        "call finished",
      );
    };
    started.inc(labels);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            if (++receivedPending >= MESSAGE_COUNT_FLUSH) flushCounts();
            nextMessage(message);
          },
          onCancel: () => finish(status.CANCELLED),
        }),
      sendMessage: (message, next) => {
        if (++sentPending >= MESSAGE_COUNT_FLUSH) flushCounts();
        next(message);
      },
      sendStatus: (st, next) => {
        finish(st.code ?? status.UNKNOWN);
        next(st);
      },
    });
  };
  return { registry, interceptor, discoveryActiveStreams, discoveryPairsTested, sweepActiveStreams, sweepCombinations };
}

/** Serve `registry` as text at /metrics (anything else: 404). Resolves with the bound port. */
export async function startMetricsHttp(
  registry: Registry,
  host: string,
  port: number,
  token: string | null = null,
): Promise<{ port: number; server: HttpServer }> {
  const expected = token === null ? null : Buffer.from(`Bearer ${token}`, "utf8");
  const server = createServer((req, res) => {
    if (req.method === "GET" && (req.url === "/metrics" || req.url?.startsWith("/metrics?"))) {
      if (expected !== null) {
        // METRICS_TOKEN: Prometheus sends it with `authorization: { credentials: <token> }` (Bearer).
        const presented = Buffer.from(req.headers.authorization ?? "", "utf8");
        if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
          res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" });
          res.end("unauthorized: /metrics requires 'authorization: Bearer <METRICS_TOKEN>'\n");
          return;
        }
      }
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(text);
        },
        (error: Error) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(`metrics error: ${error.message}`);
        },
      );
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found: metrics are at /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return { port: (server.address() as AddressInfo).port, server };
}
