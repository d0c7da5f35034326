/**
 * DiscoverPairs with REDIS_URL (issue 15 item 2): the gRPC server is the coordinator of a
 * distributed run on a real redis-server (started here on 127.0.0.1, free port, no persistence)
 * served by two real `arblab worker` processes (bin/arblab.js). The reference is the same call on a
 * server without REDIS_URL (the in-process pool). 30 symbols of data/sp100_prices.csv (435 pairs).
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { status } from "@grpc/grpc-js";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPricePanel } from "../kernel-helpers/loadPricePanel.js";
import { START_TIMEOUT_MS, startRedis, startWorkerProcess, stopChild, type TestRedis } from "../distributed/testSupport.js";
import { DISCOVER_QUEUE, redisOptions } from "../distributed/wire.js";
import { configFromEnv } from "./config.js";
import { BatchDiscoveryRequest, type PairDiscoveryUpdate } from "./generated/pair_discovery.js";
import { startServer, type RunningServer } from "./startServer.js";
import { codeOf, collect, connectClients, type Clients } from "./testSupport.js";

const DATA = join(fileURLToPath(new URL(".", import.meta.url)), "../../data/sp100_prices.csv");
/** Short BullMQ locks, as in src/distributed's tests. */
const LOCK_MS = 1500;

function symbols(count: number): Array<{ symbol: string; prices: number[] }> {
  const p = loadPricePanel(DATA);
  return p.symbols.slice(0, count).map((symbol) => ({ symbol, prices: Array.from(p.table.array(symbol) as ArrayLike<number>) }));
}

let redis: TestRedis;
let workers: ChildProcess[] = [];
let local: RunningServer;
let remote: RunningServer;
let lc: Clients;
let rc: Clients;

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all([0, 1].map(() => startWorkerProcess(redis.url, LOCK_MS)));
  local = await startServer({ workers: 2 });
  remote = await startServer({ workers: 1, redisUrl: redis.url });
  lc = connectClients(local.port);
  rc = connectClients(remote.port);
}, 3 * START_TIMEOUT_MS);

afterAll(async () => {
  lc?.close();
  rc?.close();
  await Promise.allSettled([local?.close(), remote?.close()]);
  await Promise.allSettled(workers.map((w) => stopChild(w)));
  await redis?.stop();
}, 30_000);

async function queueCounts(): Promise<Record<string, number>> {
  const queue = new Queue(DISCOVER_QUEUE, { connection: redisOptions(redis.url) as never });
  try {
    return await queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized", "waiting-children");
  } finally {
    await queue.close();
  }
}

async function runKeys(): Promise<string[]> {
  const client = new Redis(redisOptions(redis.url) as never);
  try {
    return await client.keys("arblab:run:*");
  } finally {
    client.disconnect();
  }
}

const key = (a: string, b: string): string => `${a}|${b}`;

describe("DiscoverPairs with REDIS_URL: the server coordinates `arblab worker` processes", () => {
  it("streams the same results and final summary (q-values) as the in-process pool", async () => {
    const request = BatchDiscoveryRequest.fromPartial({ symbols: symbols(30), maxQValue: 0.3, batchSize: 16 });
    const poolTasksBefore = remote.pool.stats().completed;
    const [a, b] = await Promise.all([
      collect<PairDiscoveryUpdate>(lc.pairs.discoverPairs(request)),
      collect<PairDiscoveryUpdate>(rc.pairs.discoverPairs(request)),
    ]);
    // The REDIS_URL server computed nothing itself: every pair came from the worker processes.
    expect(remote.pool.stats().completed).toBe(poolTasksBefore);
    expect(local.pool.stats().completed).toBeGreaterThan(0);
    for (const stream of [a, b]) {
      expect(stream.filter((u) => u.isFinal)).toHaveLength(1);
      expect(stream.at(-1)!.isFinal).toBe(true);
      expect(stream.filter((u) => u.result !== undefined)).toHaveLength(435);
    }
    const finalA = a.at(-1)!;
    const finalB = b.at(-1)!;
    expect([finalB.pairsTotal, finalB.pairsTested, finalB.pairsFound]).toEqual([finalA.pairsTotal, finalA.pairsTested, finalA.pairsFound]);
    expect(finalB.pairsTested).toBe(435);
    // Exact q-values of the summary: the pool's batches may finish out of order, so compare by pair.
    const qA = new Map(finalA.qValues.map((q) => [key(q.symbol1, q.symbol2), q]));
    const qB = new Map(finalB.qValues.map((q) => [key(q.symbol1, q.symbol2), q]));
    expect(qB.size).toBe(qA.size);
    expect(qA.size).toBeGreaterThan(400);
    for (const [k, q] of qA) expect(qB.get(k), k).toEqual(q);
    // Per-pair results: identical except the streamed q-value, an upper bound that depends on the
    // arrival order; both bound the exact one from above.
    const rows = (stream: PairDiscoveryUpdate[], exact: Map<string, { qValue: number }>) => {
      const out = new Map<string, object>();
      for (const u of stream) {
        if (u.result === undefined) continue;
        const { qValue, ...rest } = u.result;
        const k = key(rest.symbol1, rest.symbol2);
        const q = exact.get(k)?.qValue;
        if (q === undefined) expect(Number.isNaN(qValue), k).toBe(true);
        else expect(qValue, k).toBeGreaterThanOrEqual(q - 1e-15);
        out.set(k, rest);
      }
      return out;
    };
    const rA = rows(a, qA);
    const rB = rows(b, qB);
    expect(rB.size).toBe(435);
    for (const [k, r] of rA) expect(rB.get(k), k).toEqual(r);
    // The distributed stream keeps the pair order and the progress counter of the pool path.
    const tested = b.filter((u) => u.result !== undefined && !u.isFinal).map((u) => u.pairsTested);
    for (let k = 1; k < tested.length; k++) expect(tested[k]).toBeGreaterThanOrEqual(tested[k - 1]);
  }, 60_000);

  it("a client cancel removes the run's remaining jobs and keys", async () => {
    const stream = rc.pairs.discoverPairs(BatchDiscoveryRequest.fromPartial({ symbols: symbols(100), batchSize: 20 }));
    let updates = 0;
    let final = false;
    const ended = new Promise<void>((resolve) => {
      stream.on("error", () => resolve());
      stream.on("end", () => resolve());
    });
    await new Promise<void>((resolve) => {
      stream.on("data", (u: PairDiscoveryUpdate) => {
        if (u.isFinal) final = true;
        if (++updates === 5) resolve();
      });
    });
    stream.cancel();
    await ended;
    expect(final).toBe(false);
    // Cleanup runs on the server after the cancel: poll, bounded.
    const deadline = performance.now() + 20_000;
    let counts = await queueCounts();
    let keys = await runKeys();
    while ((Object.values(counts).some((c) => c > 0) || keys.length > 0) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      counts = await queueCounts();
      keys = await runKeys();
    }
    for (const [state, count] of Object.entries(counts)) expect(count, `${state} jobs left: ${JSON.stringify(counts)}`).toBe(0);
    expect(keys).toEqual([]);
    const active = async () => (await remote.metrics.registry.getSingleMetric("discover_pairs_active_streams")!.get()).values[0].value;
    while ((await active()) !== 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await active()).toBe(0);
  }, 60_000);

  it("Redis down: the call ends with UNAVAILABLE naming Redis, quickly", async () => {
    const gone = await startRedis();
    const url = gone.url;
    await gone.stop();
    const server = await startServer({ workers: 1, redisUrl: url });
    const clients = connectClients(server.port);
    try {
      const started = performance.now();
      const { code, details } = await codeOf(
        collect(clients.pairs.discoverPairs(BatchDiscoveryRequest.fromPartial({ symbols: symbols(4) }))),
      );
      expect(code).toBe(status.UNAVAILABLE);
      expect(details).toMatch(new RegExp(`^DiscoverPairs: distributed discovery: Redis at ${url} failed: .*ECONNREFUSED`));
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      clients.close();
      await server.close();
    }
  }, 30_000);

  it("REDIS_URL is validated and named: configFromEnv and startServer refuse a malformed one", async () => {
    expect(configFromEnv({}).redisUrl).toBeNull();
    expect(configFromEnv({ REDIS_URL: " redis://10.0.0.5:6380/2 " }).redisUrl).toBe("redis://10.0.0.5:6380/2");
    expect(() => configFromEnv({ REDIS_URL: "http://x" })).toThrow("configFromEnv: REDIS_URL must start with redis:// or rediss://");
    expect(() => configFromEnv({ REDIS_URL: "not a url" })).toThrow("configFromEnv: REDIS_URL must be a URL");
    expect(() => configFromEnv({ REDIS_URL: "redis://h/x" })).toThrow("configFromEnv: REDIS_URL database must be a non-negative integer");
    await expect(startServer({ redisUrl: "http://x" })).rejects.toThrow("startServer: REDIS_URL must start with redis:// or rediss://");
  });
});
