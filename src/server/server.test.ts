/**
 * Production plumbing of the server, each against a real server on 127.0.0.1:0: health and
 * reflection, go-grpc-prometheus metrics, bearer-token auth, TLS, max message size, config from
 * the environment, graceful close.
 */
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { startServer, type RunningServer } from "./startServer.js";
import { configFromEnv, DEFAULT_MAX_MESSAGE_BYTES } from "./config.js";
import { codeOf, collect, connectClients, randomWalk, unary, type Clients } from "./testSupport.js";
import { BatchDiscoveryRequest, OUEstimationRequest } from "./generated/pair_discovery.js";

const require = createRequire(import.meta.url);
const running: Array<{ server: RunningServer; clients: Clients[] }> = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const c of r.clients) c.close();
    await r.server.close();
  }
});

async function start(config: Parameters<typeof startServer>[0] = {}): Promise<{ server: RunningServer; clients: Clients }> {
  const server = await startServer({ workers: 1, ...config });
  const clients = connectClients(server.port);
  running.push({ server, clients: [clients] });
  return { server, clients };
}

const spread = Array.from({ length: 200 }, (_, i) => Math.sin(i / 3) + 0.1 * Math.cos(i * 1.7));
const estimate = (c: Clients, md = new Metadata()) => unary(c.pairs, c.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread }), md);

function loadService(
  protoFile: string,
  includeDir: string,
  path: string[],
): new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => Client {
  const def = loadPackageDefinition(
    loadSync(protoFile, { includeDirs: [includeDir], keepCase: true, longs: Number, enums: String, defaults: true }),
  );
  let node: unknown = def;
  for (const p of path) node = (node as Record<string, unknown>)[p];
  return node as never;
}

function healthCheck(port: number, service: string, md = new Metadata()): Promise<string> {
  const dir = join(require.resolve("grpc-health-check/package.json"), "..", "proto");
  const Health = loadService("health/v1/health.proto", dir, ["grpc", "health", "v1", "Health"]);
  const client = new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as Client & { check: (...args: any[]) => void };
  return new Promise((resolve, reject) =>
    client.check({ service }, md, (e: ServiceError | null, r: { status: string }) => {
      client.close();
      return e ? reject(e) : resolve(r.status);
    }),
  );
}

describe("health and reflection", () => {
  it("grpc.health.v1 reports SERVING for the server and both services, NOT_SERVING after close starts", async () => {
    const { server } = await start();
    expect(await healthCheck(server.port, "")).toBe("SERVING");
    expect(await healthCheck(server.port, "pair_discovery.PairDiscoveryService")).toBe("SERVING");
    expect(await healthCheck(server.port, "meanrev.MeanRevService")).toBe("SERVING");
    server.health.setStatus("", "NOT_SERVING");
    expect(await healthCheck(server.port, "")).toBe("NOT_SERVING");
  });

  it("server reflection lists both services and the health service", async () => {
    const { server } = await start();
    const dir = join(require.resolve("@grpc/reflection/package.json"), "..", "build", "proto");
    const Reflection = loadService("grpc/reflection/v1alpha/reflection.proto", dir, ["grpc", "reflection", "v1alpha", "ServerReflection"]);
    const client = new Reflection(`127.0.0.1:${server.port}`, credentials.createInsecure()) as Client & {
      ServerReflectionInfo: (...args: any[]) => any;
    };
    const names = await new Promise<string[]>((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on("data", (r: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((r.list_services_response?.service ?? []).map((s) => s.name));
        call.end();
      });
      call.on("error", reject);
      call.write({ list_services: "" });
    });
    client.close();
    expect(names).toEqual(expect.arrayContaining(["pair_discovery.PairDiscoveryService", "meanrev.MeanRevService"]));
  });
});

describe("metrics", () => {
  it("exposes go-grpc-prometheus counters, the handling histogram and pool gauges over HTTP", async () => {
    const { server, clients } = await start();
    await estimate(clients);
    await codeOf(unary(clients.pairs, clients.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread: [1] })));
    const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(text).toContain(
      `grpc_server_started_total{grpc_type="unary",grpc_service="pair_discovery.PairDiscoveryService",grpc_method="EstimateOU"} 2`,
    );
    expect(text).toContain(
      `grpc_server_handled_total{grpc_type="unary",grpc_service="pair_discovery.PairDiscoveryService",grpc_method="EstimateOU",grpc_code="OK"} 1`,
    );
    expect(text).toContain(
      `grpc_server_handled_total{grpc_type="unary",grpc_service="pair_discovery.PairDiscoveryService",grpc_method="EstimateOU",grpc_code="InvalidArgument"} 1`,
    );
    expect(text).toContain(
      `grpc_server_msg_received_total{grpc_type="unary",grpc_service="pair_discovery.PairDiscoveryService",grpc_method="EstimateOU"} 2`,
    );
    expect(text).toContain(
      `grpc_server_msg_sent_total{grpc_type="unary",grpc_service="pair_discovery.PairDiscoveryService",grpc_method="EstimateOU"} 1`,
    );
    expect(text).toMatch(
      /grpc_server_handling_seconds_bucket\{le="0.005",grpc_type="unary",grpc_service="pair_discovery.PairDiscoveryService",grpc_method="EstimateOU"\} \d/,
    );
    expect(text).toMatch(/compute_pool_threads 1\b/);
    expect(text).toMatch(/compute_pool_completed_tasks [1-9]/);
    expect(text).toMatch(/compute_pool_queue_size 0\b/);
    expect(text).toMatch(/compute_pool_utilization \d/);
  });
});

describe("bearer-token auth", () => {
  it("calls without the token get UNAUTHENTICATED, with it they run; health stays open", async () => {
    const { server, clients } = await start({ authToken: "s3cret" });
    const none = await codeOf(estimate(clients));
    expect(none.code).toBe(status.UNAUTHENTICATED);
    expect(none.details).toMatch(/missing authorization metadata/);
    const wrong = new Metadata();
    wrong.set("authorization", "Bearer nope");
    expect((await codeOf(estimate(clients, wrong))).code).toBe(status.UNAUTHENTICATED);
    const right = new Metadata();
    right.set("authorization", "Bearer s3cret");
    const r = await estimate(clients, right);
    expect(r.kappa).toBeGreaterThan(0);
    expect(await healthCheck(server.port, "")).toBe("SERVING");
    const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(text).toMatch(/grpc_method="EstimateOU",grpc_code="Unauthenticated"\} 2/);
  });
});

describe("TLS and message size", () => {
  it("serves TLS with GRPC_TLS_CERT / GRPC_TLS_KEY (self-signed certificate made by openssl)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arblab-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
          "-days",
          "1",
          "-subj",
          "/CN=localhost",
          "-addext",
          "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        { stdio: "ignore" },
      );
      const server = await startServer({ workers: 1, tlsCertPath: join(dir, "cert.pem"), tlsKeyPath: join(dir, "key.pem") });
      const tls = connectClients(server.port, credentials.createSsl(readFileSync(join(dir, "cert.pem"))));
      const plain = connectClients(server.port, credentials.createInsecure(), { "grpc.initial_reconnect_backoff_ms": 50 });
      running.push({ server, clients: [tls, plain] });
      expect((await estimate(tls)).kappa).toBeGreaterThan(0);
      expect(
        (
          await codeOf(
            unary(plain.pairs, plain.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread }), new Metadata(), {
              deadline: Date.now() + 1500,
            }),
          )
        ).code,
      ).toBe(status.UNAVAILABLE);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a message above the configured maximum gets RESOURCE_EXHAUSTED", async () => {
    const { clients } = await start({ maxMessageBytes: 64 * 1024 });
    const big = Array.from({ length: 20_000 }, (_, i) => Math.sin(i)); // 160 kB of doubles
    const e = await codeOf(unary(clients.pairs, clients.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread: big })));
    expect(e.code).toBe(status.RESOURCE_EXHAUSTED);
  });
});

describe("undecodable requests", () => {
  it("bytes that do not decode as the request message get INVALID_ARGUMENT naming the RPC (not INTERNAL)", async () => {
    const { server } = await start();
    const { Client } = await import("@grpc/grpc-js");
    const raw = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const send = (path: string, bytes: Buffer) =>
      new Promise<{ code: number; details: string }>((resolve) =>
        raw.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          (e: ServiceError | null) => resolve({ code: e?.code ?? 0, details: e?.details ?? "" }),
        ),
      );
    // field 3 (prices1) as a length-delimited field claiming 100 bytes with 2 present: truncated
    const e = await send("/pair_discovery.PairDiscoveryService/TestPair", Buffer.from([0x1a, 100, 1, 2]));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/^TestPair: request message 0 is not a valid protobuf message/);
    const m = await send("/meanrev.MeanRevService/PCAPortfolios", Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(m.code).toBe(status.INVALID_ARGUMENT);
    raw.close();
    const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(text).toMatch(/grpc_method="TestPair",grpc_code="InvalidArgument"\} 1/);
  });
});

describe("configuration", () => {
  it("configFromEnv: production defaults and every variable", () => {
    const d = configFromEnv({});
    expect(d.bindAddress).toBe("0.0.0.0:50051");
    expect(d.metricsPort).toBe(9464);
    expect(d.maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES);
    expect(d.authToken).toBeNull();
    expect(d.logLevel).toBe("info");
    const c = configFromEnv({
      GRPC_BIND_ADDRESS: "127.0.0.1:6000",
      METRICS_PORT: "-1",
      LOG_LEVEL: "debug",
      GRPC_MAX_MESSAGE_BYTES: "1048576",
      GRPC_AUTH_TOKEN: "t",
      COMPUTE_WORKERS: "3",
      GRPC_TLS_CERT: "/c",
      GRPC_TLS_KEY: "/k",
    });
    expect(c).toMatchObject({
      bindAddress: "127.0.0.1:6000",
      metricsPort: null,
      logLevel: "debug",
      maxMessageBytes: 1048576,
      authToken: "t",
      workers: 3,
      tlsCertPath: "/c",
      tlsKeyPath: "/k",
    });
    expect(() => configFromEnv({ METRICS_PORT: "abc" })).toThrow(/METRICS_PORT must be an integer/);
    expect(() => configFromEnv({ GRPC_TLS_CERT: "/c" })).toThrow(/GRPC_TLS_CERT and GRPC_TLS_KEY must be set together/);
  });

  it("close() is graceful: an in-flight stream completes, new calls are refused", async () => {
    const server = await startServer({ workers: 1 });
    const clients = connectClients(server.port);
    const symbols = Array.from({ length: 10 }, (_, k) => ({ symbol: `S${k}`, prices: randomWalk(500, k) }));
    const stream = clients.pairs.discoverPairs(BatchDiscoveryRequest.fromPartial({ symbols }));
    const all = collect(stream);
    await new Promise<void>((resolve) => stream.once("data", () => resolve()));
    const closing = server.close();
    const updates = await all;
    expect(updates[updates.length - 1].isFinal).toBe(true);
    expect(updates[updates.length - 1].pairsTested).toBe(45);
    await closing;
    expect(
      (
        await codeOf(
          unary(clients.pairs, clients.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread }), new Metadata(), {
            deadline: Date.now() + 1000,
          }),
        )
      ).code,
    ).toBe(status.UNAVAILABLE);
    clients.close();
  });
});
