/**
 * Issue #10: one regression test per numbered defect, each on its reproduction and a neighbour of
 * the same class, against a real server in its own process (test/helpers/serverProcess.ts, two
 * workers). Item 5 (SIGTERM through npm) is test/sigterm.test.ts; item 9 (old health clients) also
 * has a test in src/server/meanRev.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { spawnServerProcess, type ServerProcess } from "./helpers/serverProcess.js";
import { cointegratedPair, ouPath, randomWalk, returnsMatrix } from "./helpers/syntheticData.js";
import { PairDiscoveryServiceService as PD } from "../src/server/generated/pair_discovery.js";
import * as pd from "../src/server/generated/pair_discovery.js";
import { MeanRevServiceService as MR } from "../src/server/generated/meanrev.js";
import * as mr from "../src/server/generated/meanrev.js";
import { MAX_RS_POINTS } from "../src/server/compute/pairDiscoveryOps.js";
import { exposureWarnings, startServer } from "../src/server/startServer.js";
import { configFromEnv, TEST_DEFAULTS } from "../src/server/config.js";

const STORE_CAP_BYTES = 32 * 1024 * 1024;
let server: ServerProcess;
let client: grpc.Client;

beforeAll(async () => {
  server = await spawnServerProcess({ workers: 2, priceStoreMaxBytes: STORE_CAP_BYTES });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": -1,
    "grpc.max_receive_message_length": -1,
  });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

interface Outcome<T> {
  code: number;
  details: string;
  value?: T;
  ms: number;
}

function call<T>(definition: grpc.MethodDefinition<any, T>, request: unknown, deadlineMs = 10_000): Promise<Outcome<T>> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (error, value) =>
        resolve(
          error
            ? { code: error.code, details: error.details, ms: performance.now() - t0 }
            : { code: grpc.status.OK, details: "", value: value!, ms: performance.now() - t0 },
        ),
    );
  });
}

async function expectInvalid(outcome: Promise<Outcome<unknown>>, details: RegExp, code = grpc.status.INVALID_ARGUMENT): Promise<void> {
  const o = await outcome;
  expect(grpc.status[o.code], o.details).toBe(grpc.status[code]);
  expect(o.details).toMatch(details);
}

async function poolIdleAfter(since: number, budgetMs: number): Promise<number> {
  while (performance.now() - since < budgetMs) {
    const pool = await server.command<{ activeTasks: number; queueSize: number }>("pool");
    if (pool.activeTasks === 0 && pool.queueSize === 0) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Number.POSITIVE_INFINITY;
}

const pair = cointegratedPair(300, 7);
const testPairRequest = pd.PairTestRequest.fromPartial({ symbol1: "Y", symbol2: "X", prices1: pair.y, prices2: pair.x });

describe("item 1: no request wedges a worker", () => {
  const stuck = [
    { theta: 0.1, mu: 0, sigma: 0.2, cost: 1e300, objective: "sharpe" },
    { theta: 0.1, mu: 0, sigma: 0.2, cost: 1e300, objective: "kelly" },
    { theta: 1e300, mu: 0, sigma: 0.2, cost: 0.001, objective: "sharpe" },
    { theta: 0.1, mu: 0, sigma: 1e-300, cost: 0.001, objective: "sharpe" },
    { theta: 0.1, mu: 0, sigma: 0.2, cost: 1e300, objective: "profit" },
  ];
  it.each(stuck)("OptimalThresholds %j is refused promptly naming the fields", async (p) => {
    const request = mr.ThresholdRequest.fromPartial({
      ouParams: { theta: p.theta, mu: p.mu, sigma: p.sigma },
      transactionCost: p.cost,
      optimizationObjective: p.objective,
    });
    const o = await call(MR.optimalThresholds, request, 5000);
    expect(grpc.status[o.code], o.details).toBe("INVALID_ARGUMENT");
    expect(o.details).toMatch(/^OptimalThresholds: transaction_cost = .*ou_params\.theta = .*ou_params\.sigma = /);
  });
  it("as many of them as workers at once, then a TestPair: answered in well under a second", async () => {
    const request = mr.ThresholdRequest.fromPartial({
      ouParams: { theta: 0.1, mu: 0, sigma: 0.2 },
      transactionCost: 1e300,
      optimizationObjective: "sharpe",
    });
    await Promise.all([call(MR.optimalThresholds, request, 5000), call(MR.optimalThresholds, request, 5000)]);
    const o = await call(PD.testPair, testPairRequest, 5000);
    console.log(`[hardening] TestPair after 2 refused OptimalThresholds: ${o.ms.toFixed(1)} ms`);
    expect(grpc.status[o.code], o.details).toBe("OK");
    expect(o.ms).toBeLessThan(1000);
  });
});

describe("item 2: a garbage message in the middle of a bidi stream ends the call with INVALID_ARGUMENT and its index", () => {
  const encoders = {
    estimateOuParams: (i: number) => mr.PriceUpdate.encode(mr.PriceUpdate.fromPartial({ assetId: "A", price: 10 + Math.sin(i) })).finish(),
    backtestWithCosts: (i: number) => mr.BacktestInput.encode(mr.BacktestInput.fromPartial({ price: 10 + Math.sin(i) })).finish(),
    caraOptimalWeights: (i: number) =>
      mr.OptimizationInput.encode(mr.OptimizationInput.fromPartial({ returns: returnsMatrix(30, 3, i + 1), gamma: 2 })).finish(),
  } as const;
  for (const method of Object.keys(encoders) as (keyof typeof encoders)[]) {
    for (const position of [0, 5, 30]) {
      it(`${method}: raw byte 0x0f at message ${position} (then more valid messages)`, async () => {
        const identity = (b: Buffer) => b;
        const stream = client.makeBidiStreamRequest(MR[method].path, identity, identity, new grpc.Metadata(), {
          deadline: Date.now() + 8000,
        });
        let outputs = 0;
        const t0 = performance.now();
        const ended = new Promise<{ code: number; details: string }>((resolve) => {
          stream.on("data", () => outputs++);
          stream.on("error", (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
          stream.on("end", () => resolve({ code: grpc.status.OK, details: "" }));
        });
        const total = method === "caraOptimalWeights" ? position + 4 : position + 30;
        for (let i = 0; i < total; i++) stream.write(i === position ? Buffer.from([0x0f]) : Buffer.from(encoders[method](i)));
        stream.end();
        const status = await ended;
        expect(grpc.status[status.code], status.details).toBe("INVALID_ARGUMENT");
        expect(status.details).toMatch(new RegExp(`request message ${position} is not a valid protobuf message`));
        expect(outputs).toBeLessThanOrEqual(position + 1);
        expect(performance.now() - t0).toBeLessThan(5000);
      });
    }
  }
});

describe("item 3: expired and cancelled work stops; input caps", () => {
  it("two R/S Hurst calls at the cap with a 1 s deadline: DEADLINE_EXCEEDED, the pool is idle within 1 s, and TestPair answers", async () => {
    const request = pd.HurstRequest.fromPartial({ series: randomWalk(MAX_RS_POINTS, 3), method: "rs" });
    const t0 = performance.now();
    const outcomes = await Promise.all([call(PD.calculateHurst, request, 1000), call(PD.calculateHurst, request, 1000)]);
    const deadlineAt = t0 + 1000;
    for (const o of outcomes) expect(grpc.status[o.code], o.details).toBe("DEADLINE_EXCEEDED");
    const idleAfter = await poolIdleAfter(deadlineAt, 5000);
    const next = await call(PD.testPair, testPairRequest, 10_000);
    console.log(
      `[hardening] pool idle ${idleAfter.toFixed(0)} ms after the deadline; TestPair then took ${next.ms.toFixed(0)} ms (the terminated workers restart cold)`,
    );
    expect(idleAfter).toBeLessThan(1000);
    expect(grpc.status[next.code], next.details).toBe("OK");
  }, 30_000);
  it("a client cancel stops the work the same way", async () => {
    const request = pd.HurstRequest.fromPartial({ series: randomWalk(MAX_RS_POINTS, 4), method: "rs" });
    const pending = client.makeUnaryRequest(
      PD.calculateHurst.path,
      PD.calculateHurst.requestSerialize,
      PD.calculateHurst.responseDeserialize,
      request,
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t0 = performance.now();
    pending.cancel();
    const idleAfter = await poolIdleAfter(t0, 5000);
    console.log(`[hardening] pool idle ${idleAfter.toFixed(0)} ms after the client's cancel`);
    expect(idleAfter).toBeLessThan(1000);
  }, 30_000);
  it("R/S above the cap, and any series above 1,000,000 points, is RESOURCE_EXHAUSTED naming the cap", async () => {
    await expectInvalid(
      call(PD.calculateHurst, pd.HurstRequest.fromPartial({ series: randomWalk(MAX_RS_POINTS + 1, 3), method: "rs" })),
      new RegExp(`^CalculateHurst: series must have at most ${MAX_RS_POINTS} points for method "rs"`),
      grpc.status.RESOURCE_EXHAUSTED,
    );
    const long = new Array<number>(1_000_001).fill(1);
    await expectInvalid(
      call(PD.estimateOu, pd.OUEstimationRequest.fromPartial({ spread: long })),
      /^EstimateOU: spread must have at most 1000000 points/,
      grpc.status.RESOURCE_EXHAUSTED,
    );
  }, 30_000);
});

describe("item 4: the price store is capped in bytes", () => {
  /** A health request carrying `assets` assets × `points` prices in metadata. */
  function healthRequest(prefix: string, assets: number, points: number): mr.HealthRequest {
    const prices: Record<string, number[]> = {};
    for (let a = 0; a < assets; a++) prices[`${prefix}${a}`] = randomWalk(points, a + 1);
    const timestamps = Array.from({ length: points }, (_, i) => 1_700_000_000_000 + i * 60_000);
    return mr.HealthRequest.fromPartial({
      portfolioId: prefix,
      assetIds: Object.keys(prices),
      updateFrequencyMs: 1000,
      metadata: JSON.stringify({ prices, timestamps_ms: timestamps }),
    });
  }
  function firstMetric(request: mr.HealthRequest): Promise<{ code: number; details: string; metric?: mr.HealthMetric }> {
    return new Promise((resolve) => {
      const stream = client.makeServerStreamRequest(
        MR.portfolioHealthStream.path,
        MR.portfolioHealthStream.requestSerialize,
        MR.portfolioHealthStream.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + 60_000 },
      );
      stream.on("data", (metric: mr.HealthMetric) => {
        stream.cancel();
        resolve({ code: grpc.status.OK, details: "", metric });
      });
      stream.on("error", (e: grpc.ServiceError) => resolve({ code: e.code, details: e.details }));
    });
  }
  // The documented bound (README): the store holds at most PRICE_STORE_MAX_BYTES; the process's
  // RSS grows by at most that plus 32 MiB of allocator slack for the parsed request messages.
  it(`filling the store twice over its ${STORE_CAP_BYTES / 2 ** 20} MiB cap keeps it at the cap and RSS growth under cap + 32 MiB`, async () => {
    const before = await server.command<{ rss: number }>("gc");
    const trajectory: number[] = [];
    for (let round = 0; round < 16; round++) {
      // 12 assets × 20,000 points = 3.8 MB of store per request (a ~4.4 MB JSON message)
      const o = await firstMetric(healthRequest(`R${round}_`, 12, 20_000));
      expect(grpc.status[o.code], o.details).toBe("OK");
      expect(o.metric!.status).toBe("ok");
      trajectory.push(Math.round((await server.command<{ rss: number }>("gc")).rss / 2 ** 20));
    }
    console.log(`[hardening] RSS after each request (MiB): ${trajectory.join(" ")}`);
    const store = await server.command<{ bytes: number; maxBytes: number; evictedAssets: number; assets: number }>("store");
    const after = await server.command<{ rss: number }>("gc");
    const growthMiB = (after.rss - before.rss) / 2 ** 20;
    console.log(
      `[hardening] store ${store.assets} assets, ${(store.bytes / 2 ** 20).toFixed(1)} MiB of ${(store.maxBytes / 2 ** 20).toFixed(0)} MiB, ${store.evictedAssets} evicted; RSS ${(before.rss / 2 ** 20).toFixed(0)} -> ${(after.rss / 2 ** 20).toFixed(0)} MiB (+${growthMiB.toFixed(1)} MiB)`,
    );
    expect(store.bytes).toBeLessThanOrEqual(STORE_CAP_BYTES);
    expect(store.evictedAssets).toBeGreaterThan(0);
    expect(growthMiB).toBeLessThan(STORE_CAP_BYTES / 2 ** 20 + 32);
  }, 120_000);
  it("an evicted asset is reported as evicted; a request larger than the store is RESOURCE_EXHAUSTED naming the cap", async () => {
    const evicted = await firstMetric(mr.HealthRequest.fromPartial({ portfolioId: "e", assetIds: ["R0_0"], updateFrequencyMs: 1000 }));
    expect(evicted.metric!.status).toBe("no_data");
    expect(evicted.metric!.alerts.join(" ")).toMatch(/R0_0 was evicted from the server's price store/);
    const tooBig = await firstMetric(healthRequest("B", 110, 20_000));
    expect(grpc.status[tooBig.code], tooBig.details).toBe("RESOURCE_EXHAUSTED");
    expect(tooBig.details).toMatch(
      /^PortfolioHealthStream: metadata.prices needs \d+ bytes of price store .* cap of 33554432 bytes \(PRICE_STORE_MAX_BYTES\)/,
    );
  }, 120_000);
});

describe("item 6: scale-invariant statistics at 1e298 scale; what cannot be computed is refused", () => {
  const x = randomWalk(400, 11);
  const y = randomWalk(400, 977);
  const scaled = (v: number[], c: number) => v.map((e) => e * c);
  it("TestCointegration and TestPair: y × 1e298 gives the unscaled p-value, not 'cointegrated'", async () => {
    const base = await call(PD.testCointegration, pd.CointegrationRequest.fromPartial({ y, x }));
    const big = await call(PD.testCointegration, pd.CointegrationRequest.fromPartial({ y: scaled(y, 1e298), x }));
    expect(grpc.status[big.code], big.details).toBe("OK");
    expect(big.value!.pValue).toBeGreaterThan(0.05);
    expect(Math.abs(big.value!.pValue - base.value!.pValue)).toBeLessThan(1e-9);
    expect(big.value!.isCointegrated).toBe(false);
    expect(Math.abs(big.value!.beta / 1e298 - base.value!.beta)).toBeLessThan(1e-9 * Math.abs(base.value!.beta));
    const testPair = await call(PD.testPair, pd.PairTestRequest.fromPartial({ prices1: scaled(y, 1e298), prices2: x }));
    expect(grpc.status[testPair.code], testPair.details).toBe("OK");
    expect(testPair.value!.isCointegrated).toBe(false);
    expect(Number.isFinite(testPair.value!.beta)).toBe(true);
  });
  it("EstimateOU on a spread × 1e298: kappa equals the unscaled kappa", async () => {
    const spread = ouPath(500, 5, 0, 0.9, 0.1);
    const base = await call(PD.estimateOu, pd.OUEstimationRequest.fromPartial({ spread, dt: 1 }));
    const big = await call(PD.estimateOu, pd.OUEstimationRequest.fromPartial({ spread: scaled(spread, 1e298), dt: 1 }));
    expect(grpc.status[big.code], big.details).toBe("OK");
    expect(Math.abs(big.value!.kappa - base.value!.kappa)).toBeLessThan(1e-9 * base.value!.kappa);
    expect(big.value!.warnings).toEqual(base.value!.warnings);
  });
  it("SolveHJB with kappa 1e-300 is refused naming kappa", async () => {
    await expectInvalid(
      call(PD.solveHjb, pd.HJBRequest.fromPartial({ kappa: 1e-300, theta: 0, sigma: 0.2 })),
      /^SolveHJB: kappa = 1e-300 is too small for this grid: with rho\/kappa = .*n_points/,
    );
  });
});

describe("item 7: no OK with an unexplained NaN/Inf", () => {
  it("ComputeLogReturns with 2 prices is refused naming prices (std_return would be NaN)", async () => {
    await expectInvalid(
      call(MR.computeLogReturns, mr.ReturnsRequest.fromPartial({ prices: [100, 101] })),
      /^ComputeLogReturns: prices must have at least 3 observations/,
    );
  });
  it("OptimalThresholds 'profit' with speed 1e300 is refused (expected holding periods would be Inf)", async () => {
    await expectInvalid(
      call(
        MR.optimalThresholds,
        mr.ThresholdRequest.fromPartial({
          ouParams: { theta: 1e300, mu: 0, sigma: 0.2 },
          transactionCost: 0.001,
          optimizationObjective: "profit",
        }),
      ),
      /^OptimalThresholds: .*ou_params\.theta = 1e\+300/,
    );
  });
  it("CARAOptimalWeights with gamma 1e-300 ends the stream with INVALID_ARGUMENT naming gamma", async () => {
    const stream = client.makeBidiStreamRequest(
      MR.caraOptimalWeights.path,
      MR.caraOptimalWeights.requestSerialize,
      MR.caraOptimalWeights.responseDeserialize,
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
    );
    const ended = new Promise<grpc.ServiceError | null>((resolve) => {
      stream.on("data", () => undefined);
      stream.on("error", (e: grpc.ServiceError) => resolve(e));
      stream.on("end", () => resolve(null));
    });
    stream.write(mr.OptimizationInput.fromPartial({ returns: returnsMatrix(60, 3, 9), gamma: 1e-300 }));
    stream.end();
    const error = await ended;
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^CARAOptimalWeights: gamma = 1e-300 is too small/);
  });
  it.each([1e300, 1e-300])("CalculateHurst on values near %s answers the unscaled H", async (c) => {
    const series = randomWalk(2000, 21);
    const base = await call(PD.calculateHurst, pd.HurstRequest.fromPartial({ series, method: "dfa" }));
    const big = await call(PD.calculateHurst, pd.HurstRequest.fromPartial({ series: series.map((v) => v * c), method: "dfa" }));
    expect(grpc.status[big.code], big.details).toBe("OK");
    expect(Math.abs(big.value!.hurst - base.value!.hurst)).toBeLessThan(1e-9);
  });
});

describe("item 8: every INVALID_ARGUMENT starts with the RPC and names the wire field", () => {
  it.each([
    [
      PD.testPair,
      pd.PairTestRequest.fromPartial({ prices1: new Array(100).fill(5), prices2: randomWalk(100, 1) }),
      /^TestPair: prices1 must not be constant/,
    ],
    [
      PD.calculateHurst,
      pd.HurstRequest.fromPartial({ series: randomWalk(200, 1), method: "rs", maxLag: 150 }),
      /^CalculateHurst: max_lag must be <= /,
    ],
    [PD.solveHjb, pd.HJBRequest.fromPartial({ kappa: 1, theta: 0, sigma: 0.2, nStd: 1 }), /^SolveHJB: n_std must be >= 2/],
    [
      PD.testCointegration,
      pd.CointegrationRequest.fromPartial({ y: randomWalk(100, 1), x: new Array(100).fill(3) }),
      /^TestCointegration: x /,
    ],
    [PD.estimateOu, pd.OUEstimationRequest.fromPartial({ spread: [1, 1, 1, 1, 2] }), /^EstimateOU: .*spread/],
  ] as [grpc.MethodDefinition<any, any>, unknown, RegExp][])("%#: %s", async (definition, request, details) => {
    await expectInvalid(call(definition, request), details);
  });
});

describe("item 10: safe defaults", () => {
  it("a bearer token over plaintext is refused at start unless explicitly allowed; the env names the switch", async () => {
    await expect(startServer({ authToken: "secret", allowPlaintextToken: false })).rejects.toThrow(
      /GRPC_AUTH_TOKEN is set without TLS.*GRPC_ALLOW_PLAINTEXT_TOKEN=1/,
    );
    expect(configFromEnv({ GRPC_AUTH_TOKEN: "s" }).allowPlaintextToken).toBe(false);
    expect(configFromEnv({ GRPC_AUTH_TOKEN: "s", GRPC_ALLOW_PLAINTEXT_TOKEN: "1" }).allowPlaintextToken).toBe(true);
    expect(() => configFromEnv({ GRPC_ALLOW_PLAINTEXT_TOKEN: "maybe" })).toThrow(/GRPC_ALLOW_PLAINTEXT_TOKEN must be 1\/true or 0\/false/);
  });
  it("a start-up warning for every exposure beyond loopback: no token, no TLS, open /metrics; none on loopback", () => {
    const open = exposureWarnings({ ...TEST_DEFAULTS, bindAddress: "0.0.0.0:50051", metricsHost: "0.0.0.0" }, false);
    expect(open.join("\n")).toMatch(/beyond loopback, WITHOUT authentication/);
    expect(open.join("\n")).toMatch(/beyond loopback, WITHOUT TLS/);
    expect(open.join("\n")).toMatch(/without METRICS_TOKEN/);
    expect(
      exposureWarnings({ ...TEST_DEFAULTS, bindAddress: "[::]:50051", authToken: "t", metricsHost: "0.0.0.0", metricsToken: "m" }, true),
    ).toEqual([]);
    expect(exposureWarnings({ ...TEST_DEFAULTS, bindAddress: "127.0.0.1:0", metricsHost: "127.0.0.1" }, false)).toEqual([]);
    expect(exposureWarnings({ ...TEST_DEFAULTS, bindAddress: "[::1]:50051", metricsHost: "localhost" }, false)).toEqual([]);
  });
  it("METRICS_TOKEN protects /metrics (401 without it, 200 with it)", async () => {
    const s = await startServer({ workers: 1, metricsToken: "m3tr1cs" });
    try {
      const url = `http://127.0.0.1:${s.metricsPort}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: "Bearer m3tr1cs" } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/grpc_server_started_total/);
    } finally {
      await s.close();
    }
  }, 60_000);
});
