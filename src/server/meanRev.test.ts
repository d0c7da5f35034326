/**
 * meanrev over a real server (127.0.0.1:0) with the generated grpc-js client: every RPC answers
 * with the library's numbers for the same input, bidi streams answer as data arrives (before the
 * client half-closes), PortfolioHealthStream ticks until cancelled, bad input is rejected naming
 * the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status, type ClientDuplexStream, type ClientReadableStream } from "@grpc/grpc-js";
import {
  BacktestEngine,
  fitOu,
  logReturns,
  simpleReturns,
  ols,
  caraWeights,
  maxSharpeWeights,
  multiperiodWeights,
  pcaPortfolios,
  portfolioStats,
  generateSignal,
  optimalThresholds,
} from "../lib/index.js";
import { simulateOu } from "../lib/ou/simulateOu.js";
import { normalSource, randomSource } from "../lib/util/random.js";
import { startServer, type RunningServer } from "./startServer.js";
import { codeOf, connectClients, unary, type Clients } from "./testSupport.js";
import {
  BacktestInput,
  HealthRequest,
  MultiperiodRequest,
  OptimizationInput,
  PCARequest,
  PortfolioStatsRequest,
  PriceUpdate,
  ReturnsRequest,
  SignalRequest,
  ThresholdRequest,
  type BacktestMetric,
  type HealthMetric,
  type OUEstimate,
  type WeightsOutput,
} from "./generated/meanrev.js";

let server: RunningServer;
let c: Clients;
beforeAll(async () => {
  server = await startServer({ workers: 2 });
  c = connectClients(server.port);
});
afterAll(async () => {
  c?.close();
  await server?.close();
});

/** T×N iid normal returns with column means 0.001·(j+1) (seeded), as a wire Matrix and rows. */
function returnsMatrix(rows: number, cols: number, seed: number) {
  const normal = normalSource(randomSource(seed));
  const values = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) values[i * cols + j] = 0.001 * (j + 1) + 0.01 * normal();
  return { wire: { rows, cols, values }, lib: { rows, cols, data: Float64Array.from(values) } };
}

/** Read `count` messages from a stream (resolves early on end/error). */
function take<T>(stream: ClientDuplexStream<unknown, T> | ClientReadableStream<T>, count: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    const onData = (m: T) => {
      out.push(m);
      if (out.length === count) {
        stream.off("data", onData);
        resolve(out);
      }
    };
    stream.on("data", onData);
    stream.once("error", reject);
    stream.once("end", () => resolve(out));
  });
}

describe("EstimateOUParams (bidi)", () => {
  const path = Array.from(simulateOu({ kappa: 0.1, theta: 50, sigma: 1 }, 200, { rng: randomSource(3) }));

  it("answers every PriceUpdate as it arrives: warming_up, then the exact OU MLE of the window (theta = speed, mu = mean)", async () => {
    const call = c.meanrev.estimateOuParams();
    // half the data, and the answers must come back before the client half-closes
    for (let k = 0; k < 100; k++) call.write(PriceUpdate.fromPartial({ assetId: "S", price: path[k], timestampMs: 1000 + k }));
    const first = await take<OUEstimate>(call, 100);
    expect(first.length).toBe(100);
    for (let k = 0; k < 29; k++) expect(first[k].status).toBe("warming_up");
    expect(first[29].status).toBe("ok");
    for (let k = 100; k < 200; k++) call.write(PriceUpdate.fromPartial({ assetId: "S", price: path[k], timestampMs: 1000 + k }));
    const rest = await take<OUEstimate>(call, 100);
    call.end();
    const last = rest[99];
    const ou = fitOu(path, { dt: 1 });
    expect(last.theta).toBe(ou.kappa); // SPEED
    expect(last.mu).toBe(ou.theta); // MEAN
    expect(last.sigma).toBe(ou.sigma);
    expect(last.halfLife).toBe(ou.halfLifeSteps);
    expect(last.nSamples).toBe(200);
    expect(last.timestampMs).toBe(1199);
    expect(last.assetId).toBe("S");
    expect(last.rSquared).toBe(ols(path.slice(1), path.slice(0, -1), { intercept: true }).rSquared);
    expect(last.theta).toBeGreaterThan(0.03);
    expect(Math.abs(last.mu - 50)).toBeLessThan(2); // stationary sd ≈ 2.2, 200 points
  });

  it("keeps one window per asset_id; window and warmup from the first message's metadata", async () => {
    const call = c.meanrev.estimateOuParams();
    const all = take<OUEstimate>(call, 60);
    for (let k = 0; k < 30; k++) {
      call.write(PriceUpdate.fromPartial({ assetId: "A", price: path[k], metadata: k === 0 ? '{"window": 20, "warmup": 10}' : "" }));
      call.write(PriceUpdate.fromPartial({ assetId: "B", price: path[k + 100] }));
    }
    call.end();
    const out = await all;
    const a = out.filter((e) => e.assetId === "A");
    const b = out.filter((e) => e.assetId === "B");
    expect(a[9].status).toBe("ok");
    expect(a[29].nSamples).toBe(20);
    expect(a[29].theta).toBe(fitOu(path.slice(10, 30), { dt: 1 }).kappa);
    expect(b[28].status).toBe("warming_up");
    expect(b[29].status).toBe("ok");
  });

  it("a non-finite price ends the stream with INVALID_ARGUMENT naming price", async () => {
    const call = c.meanrev.estimateOuParams();
    const done = take<OUEstimate>(call, 10);
    call.write(PriceUpdate.fromPartial({ assetId: "S", price: 1 }));
    call.write(PriceUpdate.fromPartial({ assetId: "S", price: Number.NaN }));
    const e = await codeOf(done);
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/EstimateOUParams: price must be a finite number, got NaN/);
  });
});

describe("BacktestWithCosts (bidi)", () => {
  it("a metric every update_frequency bars as bars arrive, and a final one equal to the library engine's", async () => {
    const prices = Array.from(simulateOu({ kappa: 0.2, theta: 100, sigma: 1 }, 300, { rng: randomSource(4) }));
    const call = c.meanrev.backtestWithCosts();
    for (let k = 0; k < 150; k++)
      call.write(
        BacktestInput.fromPartial({
          price: prices[k],
          timestampMs: k,
          entryZscore: 1.5,
          exitZscore: 0.2,
          transactionCost: 0.0005,
          updateFrequency: 10,
        }),
      );
    const early = await take<BacktestMetric>(call, 15); // before the client half-closes
    expect(early.map((m) => m.barNumber)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    for (let k = 150; k < 300; k++) call.write(BacktestInput.fromPartial({ price: prices[k], timestampMs: k }));
    const restP = take<BacktestMetric>(call, 16);
    call.end();
    const rest = await restP;
    const final = rest[rest.length - 1];
    expect(final.status).toBe("final");
    const engine = new BacktestEngine({
      mode: "spread",
      rule: { kind: "zscore", entry: 1.5, exit: 0.2, window: { type: "rolling", length: 20 } },
      costs: { bps: 5 },
      capital: Math.abs(prices[0]),
    });
    for (const p of prices) engine.push({ y: p });
    const snap = engine.finish();
    expect(final.numTrades).toBe(snap.metrics.trades);
    expect(final.numTrades).toBeGreaterThan(3);
    expect(final.cumulativeReturn).toBeCloseTo(snap.equity / Math.abs(prices[0]) - 1, 14);
    expect(final.maxDrawdown).toBe(snap.metrics.maxDrawdown);
    expect(final.sharpeRatio).toBe(snap.metrics.sharpe);
    expect(final.openPositions).toBe(0);
  });

  it("rejects a NaN price naming the field", async () => {
    const call = c.meanrev.backtestWithCosts();
    const done = take<BacktestMetric>(call, 5);
    call.write(BacktestInput.fromPartial({ price: Number.POSITIVE_INFINITY }));
    const e = await codeOf(done);
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/BacktestWithCosts: price must be a finite number, got Infinity/);
  });
});

describe("unary meanrev RPCs", () => {
  it("ComputeLogReturns: log and simple returns, n_periods = prices − 1, sample sd", async () => {
    const prices = [100, 101, 99.5, 102, 103.5, 101];
    const r = await unary(c.meanrev, c.meanrev.computeLogReturns, ReturnsRequest.fromPartial({ prices }));
    expect(r.logReturns).toEqual(Array.from(logReturns(prices)));
    expect(r.nPeriods).toBe(5);
    const lr = logReturns(prices);
    const mean = lr.reduce((a, b) => a + b, 0) / 5;
    const sd = Math.sqrt(lr.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(r.meanReturn).toBeCloseTo(mean, 15);
    expect(r.stdReturn).toBeCloseTo(sd, 15);
    const s = await unary(c.meanrev, c.meanrev.computeLogReturns, ReturnsRequest.fromPartial({ prices, returnType: "simple" }));
    expect(s.logReturns).toEqual(Array.from(simpleReturns(prices)));
    expect(s.returnType).toBe("simple");
    const bad = await codeOf(unary(c.meanrev, c.meanrev.computeLogReturns, ReturnsRequest.fromPartial({ prices, returnType: "percent" })));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.details).toMatch(/return_type must be one of "log", "simple"/);
    const neg = await codeOf(unary(c.meanrev, c.meanrev.computeLogReturns, ReturnsRequest.fromPartial({ prices: [1, -1, 2] })));
    expect(neg.details).toMatch(/prices must be > 0 for log returns, got -1 at index 1/);
  });

  it("PCAPortfolios: the library's eigenportfolios; a malformed matrix names the field", async () => {
    const m = returnsMatrix(120, 5, 1);
    const r = await unary(
      c.meanrev,
      c.meanrev.pcaPortfolios,
      PCARequest.fromPartial({ returnsMatrix: m.wire, nComponents: 3, scaling: "zscore" }),
    );
    const lib = pcaPortfolios(m.lib, { nComponents: 3, scaling: "zscore" });
    expect(r.explainedVarianceRatio).toEqual(Array.from(lib.explainedVarianceRatio));
    expect(r.components!.rows).toBe(3);
    expect(r.components!.cols).toBe(5);
    expect(r.components!.values).toEqual(Array.from(lib.components.data));
    expect(r.transformed!.rows).toBe(120);
    expect(r.totalVarianceExplained).toBe(lib.totalVarianceExplained);
    // components are distinct (the seed returned k identical ones)
    expect(r.components!.values.slice(0, 5)).not.toEqual(r.components!.values.slice(5, 10));
    const e = await codeOf(
      unary(c.meanrev, c.meanrev.pcaPortfolios, PCARequest.fromPartial({ returnsMatrix: { rows: 3, cols: 2, values: [1, 2, 3] } })),
    );
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/returns_matrix.values must have rows\*cols = 3x2 = 6 elements, got 3/);
  });

  it("MultiperiodOptimize: multiperiodWeights at every rebalance step; real turnover", async () => {
    const seq = [returnsMatrix(60, 4, 10), returnsMatrix(60, 4, 11), returnsMatrix(60, 4, 12), returnsMatrix(60, 4, 13)];
    const r = await unary(
      c.meanrev,
      c.meanrev.multiperiodOptimize,
      MultiperiodRequest.fromPartial({
        returnsSequence: seq.map((s) => s.wire),
        gamma: 5,
        transactionCost: 0.0005,
        rebalanceFrequency: 2,
        metadata: '{"budget": true}',
      }),
    );
    const lib = multiperiodWeights([seq[0].lib, seq[2].lib], {
      gamma: 5,
      transactionCost: 0.0005,
      constraints: { budget: true, longOnly: false },
      shrinkage: "none",
    });
    expect(r.rebalanceTimes).toEqual([0, 2]);
    expect(r.weightsSequence.length).toBe(2);
    expect(r.weightsSequence[1].weights).toEqual(Array.from(lib.steps[1].weights));
    expect(r.cumulativeUtility).toBe(lib.cumulativeUtility);
    expect(r.avgTurnover).toBe(lib.averageTurnover);
    expect(r.avgTurnover).not.toBe(0.0005);
    const sum = r.weightsSequence[0].weights.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 10);
  });

  it.each([
    [
      "a NaN",
      (m: { values: number[] }) => {
        m.values[5] = Number.NaN;
      },
      /returns_sequence\[1\]\.values\[5\] must be a finite number|returns_sequence\[1\]\.values.*finite/,
    ],
    [
      "another column count",
      (m: { cols: number; rows: number }) => {
        m.cols = 3;
        m.rows = 80;
      },
      /returns_sequence\[1\]\.cols = 3, returns_sequence\[0\]\.cols = 4/,
    ],
  ])(
    "MultiperiodOptimize validates the held (non-rebalance) periods too: %s in returns_sequence[1] with rebalance_frequency 2",
    async (_label, mutate, details) => {
      const seq = [returnsMatrix(60, 4, 10), returnsMatrix(60, 4, 11), returnsMatrix(60, 4, 12)].map((s) => ({
        ...s.wire,
        values: [...s.wire.values],
      }));
      mutate(seq[1] as never);
      const e = await codeOf(
        unary(
          c.meanrev,
          c.meanrev.multiperiodOptimize,
          MultiperiodRequest.fromPartial({ returnsSequence: seq, gamma: 5, rebalanceFrequency: 2 }),
        ),
      );
      expect(e.code).toBe(status.INVALID_ARGUMENT);
      expect(e.details).toMatch(details);
    },
  );

  it("PortfolioStats: moments, excess kurtosis, covariance and risk contributions", async () => {
    const m = returnsMatrix(200, 4, 20);
    const w = [0.4, 0.3, 0.2, 0.1];
    const r = await unary(c.meanrev, c.meanrev.portfolioStats, PortfolioStatsRequest.fromPartial({ returns: m.wire, weights: w }));
    const lib = portfolioStats(m.lib, w);
    expect(r.meanReturn).toBe(lib.mean);
    expect(r.stdReturn).toBe(lib.std);
    expect(r.skewness).toBe(lib.skewness);
    expect(r.kurtosis).toBe(lib.kurtosis);
    expect(r.covariance!.values).toEqual(Array.from(lib.covariance.data));
    expect(r.marginalContrib).toEqual(Array.from(lib.marginalRiskContributions));
    expect(r.percentContrib.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 10);
    const e = await codeOf(
      unary(c.meanrev, c.meanrev.portfolioStats, PortfolioStatsRequest.fromPartial({ returns: m.wire, weights: [1, 0] })),
    );
    expect(e.details).toMatch(/weights must have one entry per asset \(returns.cols = 4\), got 2/);
  });
});

describe("OptimalThresholds", () => {
  it("Bertram's band from the library's optimalThresholds in this package's z-score convention (theta = speed, mu = mean)", async () => {
    const r = await unary(
      c.meanrev,
      c.meanrev.optimalThresholds,
      ThresholdRequest.fromPartial({ ouParams: { theta: 0.05, mu: 1, sigma: 0.1 }, transactionCost: 0.02 }),
    );
    const lib = optimalThresholds({ kappa: 0.05, theta: 1, sigma: 0.1, c: 0.02, objective: "profit", rf: 0 });
    expect(r.entryZscore).toBe(-lib.entryZScore);
    expect(r.exitZscore).toBe(-lib.exitZScore);
    expect(r.entryZscore).toBeGreaterThan(0);
    expect(r.exitZscore).toBeCloseTo(-r.entryZscore, 12); // Bertram closes at the opposite band
    expect(r.expectedHoldingPeriods).toBe(lib.expectedHoldingTime);
    expect(r.expectedReturnPerTrade).toBe(lib.expectedReturnPerTrade);
    expect(r.winRateEstimate).toBe(lib.winRateEstimate);
    const s = 0.1 / Math.sqrt(0.1);
    expect(r.entryLevel).toBeCloseTo(1 - r.entryZscore * s, 12);
    expect(r.exitLevel).toBeCloseTo(1 + r.entryZscore * s, 12);
    expect(r.objective).toBe("profit");
    // the thresholds feed GenerateSignals unchanged (the contract passes a ThresholdResponse)
    const sig = await unary(
      c.meanrev,
      c.meanrev.generateSignals,
      SignalRequest.fromPartial({
        priceHistory: { prices: [1, r.entryLevel - 0.01] },
        ouParams: { theta: 0.05, mu: 1, sigma: 0.1 },
        thresholds: r,
      }),
    );
    expect(sig.signal).toBe("buy");
    const kelly = await unary(
      c.meanrev,
      c.meanrev.optimalThresholds,
      ThresholdRequest.fromPartial({
        ouParams: { theta: 0.05, mu: 1, sigma: 0.1 },
        transactionCost: 0.02,
        optimizationObjective: "kelly",
        metadata: '{"rf": 0.0001}',
      }),
    );
    expect(kelly.objective).toBe("kelly");
    expect(JSON.parse(kelly.metadata).kelly_fraction).toBe(
      optimalThresholds({ kappa: 0.05, theta: 1, sigma: 0.1, c: 0.02, objective: "kelly", rf: 0.0001 }).kellyFraction,
    );
  });

  it.each([
    [
      { ouParams: { theta: 0.1, mu: 0, sigma: 0.2 }, optimizationObjective: "yolo" },
      /optimization_objective must be one of "profit", "sharpe", "kelly"/,
    ],
    [{ transactionCost: 0.01 }, /ou_params is required/],
    [{ ouParams: { theta: -1, mu: 0, sigma: 0.2 } }, /ou_params.theta \(the mean-reversion speed\) must be > 0, got -1/],
    [{ ouParams: { theta: 0.1, mu: 0, sigma: 0 } }, /ou_params.sigma must be > 0, got 0/],
  ])("rejects %j naming the field", async (req, details) => {
    const e = await codeOf(unary(c.meanrev, c.meanrev.optimalThresholds, ThresholdRequest.fromPartial(req)));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(details);
  });
});

describe("GenerateSignals", () => {
  it("generateSignal with the OU stationary z-score rule (theta = speed, mu = mean)", async () => {
    const req = SignalRequest.fromPartial({
      priceHistory: { assetId: "S", prices: [0.1, -0.2, -2.6], timestampsMs: [1, 2, 3] },
      ouParams: { theta: 2, mu: 0, sigma: 2 },
      thresholds: { entryZscore: 2, exitZscore: 0 },
    });
    const r = await unary(c.meanrev, c.meanrev.generateSignals, req);
    const lib = generateSignal({
      prices: [0.1, -0.2, -2.6],
      ou: { kappa: 2, theta: 0, sigma: 2 },
      levels: { kind: "zscore", entry: 2, exit: 0 },
      position: "flat",
    });
    // the server applies the band as absolute levels (same rule on the OU stationary scale)
    const asLevels = generateSignal({
      prices: [0.1, -0.2, -2.6],
      ou: { kappa: 2, theta: 0, sigma: 2 },
      levels: { kind: "levels", entry: -2, exit: 0, side: "both", center: 0 },
      position: "flat",
    });
    expect(asLevels.signal).toBe(lib.signal);
    expect(asLevels.confidence).toBe(lib.confidence);
    expect(r.signal).toBe("buy");
    expect(r.signal).toBe(lib.signal);
    expect(r.zscore).toBe(lib.zscore);
    expect(r.zscore).toBeCloseTo(-2.6, 12); // sigma/sqrt(2 kappa) = 1
    expect(r.confidence).toBe(lib.confidence);
    expect(r.expectedProfit).toBe(lib.expectedProfit);
    expect(r.timestampMs).toBe(3);
    expect(JSON.parse(r.metadata).position_after).toBe("long");
    const held = await unary(
      c.meanrev,
      c.meanrev.generateSignals,
      SignalRequest.fromPartial({ ...req, priceHistory: { prices: [-2.6, 0.3] }, positionState: "long" }),
    );
    expect(held.signal).toBe("exit");
    const e = await codeOf(
      unary(c.meanrev, c.meanrev.generateSignals, SignalRequest.fromPartial({ ...req, ouParams: { theta: 0, mu: 0, sigma: 1 } })),
    );
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/ou_params.theta \(the mean-reversion speed\) must be > 0, got 0/);
    const p = await codeOf(unary(c.meanrev, c.meanrev.generateSignals, SignalRequest.fromPartial({ ...req, positionState: "sideways" })));
    expect(p.details).toMatch(/position_state must be one of "flat", "long", "short"/);
  });
});

describe("CARAOptimalWeights / SharpeOptimalWeights (bidi)", () => {
  it("CARA: one output per input matrix, in order, as they arrive; with costs the second rebalances from the first", async () => {
    const a = returnsMatrix(100, 3, 30);
    const b = returnsMatrix(100, 3, 31);
    const call = c.meanrev.caraOptimalWeights();
    call.write(OptimizationInput.fromPartial({ returns: a.wire, gamma: 4, timestampMs: 1 }));
    const [first] = await take<WeightsOutput>(call, 1);
    const lib = caraWeights(a.lib, { gamma: 4, constraints: { budget: false, longOnly: false }, shrinkage: "none", riskFree: 0 });
    expect(first.weights).toEqual(Array.from(lib.weights));
    expect(first.utility).toBe(lib.utility);
    expect(first.timestampMs).toBe(1);
    call.write(OptimizationInput.fromPartial({ returns: b.wire, gamma: 4, transactionCost: 0.001, timestampMs: 2 }));
    const [second] = await take<WeightsOutput>(call, 1);
    call.end();
    const step = multiperiodWeights([b.lib], {
      gamma: 4,
      transactionCost: 0.001,
      constraints: { budget: false, longOnly: false },
      shrinkage: "none",
      initialWeights: first.weights,
    }).steps[0];
    expect(second.weights).toEqual(Array.from(step.weights));
    expect(second.turnover).toBe(step.turnover);
    expect(second.timestampMs).toBe(2);
  });

  it("Sharpe: the tangency portfolio (fully invested); metadata constraints; bad metadata names the field", async () => {
    const a = returnsMatrix(150, 4, 40);
    const call = c.meanrev.sharpeOptimalWeights();
    const out = take<WeightsOutput>(call, 2);
    call.write(OptimizationInput.fromPartial({ returns: a.wire }));
    call.write(OptimizationInput.fromPartial({ returns: a.wire, metadata: '{"long_only": true}' }));
    call.end();
    const [plain, longOnly] = await out;
    expect(plain.weights).toEqual(
      Array.from(maxSharpeWeights(a.lib, { riskFree: 0, constraints: { longOnly: false }, shrinkage: "none" }).weights),
    );
    expect(plain.weights.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(longOnly.weights.every((v) => v >= -1e-12)).toBe(true);
    const bad = c.meanrev.sharpeOptimalWeights();
    const done = take<WeightsOutput>(bad, 1);
    bad.write(OptimizationInput.fromPartial({ returns: a.wire, metadata: "{not json" }));
    const e = await codeOf(done);
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/SharpeOptimalWeights: metadata must be a JSON object/);
  });
});

describe("bidi streams after an error or under load (stall regressions)", () => {
  it("an invalid input behind a deep queue ends the call with INVALID_ARGUMENT at once, and the connection keeps serving (the stopped stream's input is drained, not left paused)", async () => {
    const m = returnsMatrix(200, 8, 40); // ~13 kB per message: 150 of them exceed the HTTP/2 windows
    const call = c.meanrev.caraOptimalWeights();
    const errored = take<WeightsOutput>(call, 1_000);
    call.write(
      OptimizationInput.fromPartial({ returns: { ...m.wire, values: m.wire.values.map((v, k) => (k === 3 ? Number.NaN : v)) }, gamma: 4 }),
    );
    for (let k = 0; k < 150; k++) call.write(OptimizationInput.fromPartial({ returns: m.wire, gamma: 4 }));
    call.end();
    const e = await codeOf(errored);
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/returns\.values must contain only finite numbers/);
    // Same channel (same HTTP/2 connection): a large unary and a bidi stream still go through.
    const big = returnsMatrix(2000, 8, 41);
    const stats = await unary(
      c.meanrev,
      c.meanrev.portfolioStats,
      PortfolioStatsRequest.fromPartial({ returns: big.wire, weights: [0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125] }),
    );
    expect(Number.isFinite(stats.stdReturn)).toBe(true);
    const again = c.meanrev.caraOptimalWeights();
    const out = take<WeightsOutput>(again, 3);
    for (let k = 0; k < 3; k++) again.write(OptimizationInput.fromPartial({ returns: m.wire, gamma: 4 }));
    again.end();
    expect((await out).length).toBe(3);
  }, 20_000);

  it("BacktestWithCosts: 20,000 bars written without waiting for outputs all get their metric and a final one, in order", async () => {
    const prices = Array.from(simulateOu({ kappa: 0.2, theta: 100, sigma: 1 }, 20_000, { rng: randomSource(5) }));
    const call = c.meanrev.backtestWithCosts();
    const all = take<BacktestMetric>(call, 20_001);
    for (let k = 0; k < prices.length; k++) call.write(BacktestInput.fromPartial({ price: prices[k], timestampMs: k, updateFrequency: 1 }));
    call.end();
    const metrics = await all;
    expect(metrics.length).toBe(20_001);
    expect(metrics[19_999].barNumber).toBe(20_000);
    expect(metrics[20_000].status).toBe("final");
    expect(metrics.every((m, k) => k === 20_000 || m.barNumber === k + 1)).toBe(true);
  }, 60_000);
});

describe("PortfolioHealthStream", () => {
  it("ticks every update_frequency_ms from prices streamed into EstimateOUParams, until the client cancels", async () => {
    const feed = c.meanrev.estimateOuParams();
    const acks = take<OUEstimate>(feed, 40);
    const base = 1_700_000_000_000;
    for (let k = 0; k < 20; k++) {
      feed.write(PriceUpdate.fromPartial({ assetId: "HA", price: 100 + k, timestampMs: base + k * 60_000 }));
      feed.write(PriceUpdate.fromPartial({ assetId: "HB", price: 50 - k / 2, timestampMs: base + k * 60_000 }));
    }
    feed.end();
    await acks;
    const stream = c.meanrev.portfolioHealthStream(
      HealthRequest.fromPartial({
        portfolioId: "p1",
        assetIds: ["HA", "HB"],
        updateFrequencyMs: 40,
        metadata: '{"holdings": {"HA": 2, "HB": -1}}',
      }),
    );
    const t0 = performance.now();
    const ticks = await take<HealthMetric>(stream, 4);
    const elapsed = performance.now() - t0;
    stream.cancel();
    expect(ticks.length).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(100); // 3 intervals of 40 ms after the immediate first tick
    const m = ticks[3];
    expect(m.portfolioId).toBe("p1");
    expect(m.status).toBe("ok");
    expect(m.totalValue).toBeCloseTo(2 * 119 - (50 - 19 / 2), 12);
    expect(m.dailyReturn).toBeCloseTo((2 * 119 - 40.5) / (2 * 100 - 50) - 1, 12);
    expect(m.openPositions).toBe(2);
    expect(m.nObservations).toBe(20);
    expect(m.maxDrawdown).toBe(0); // the value rises monotonically
    expect(m.volatility24h).toBeGreaterThan(0);
  });

  it("prices from metadata; missing assets reported as no_data; bad requests name the field", async () => {
    const stream = c.meanrev.portfolioHealthStream(
      HealthRequest.fromPartial({
        portfolioId: "p2",
        assetIds: ["MX", "MISSING"],
        updateFrequencyMs: 20,
        metadata: JSON.stringify({ prices: { MX: [10, 9, 8, 9] }, timestamps_ms: [1, 2, 3, 4] }),
      }),
    );
    const [first] = await take<HealthMetric>(stream, 1);
    stream.cancel();
    expect(first.status).toBe("no_data");
    expect(first.alerts.join(" ")).toMatch(/no price data for MISSING/);
    const ok = c.meanrev.portfolioHealthStream(HealthRequest.fromPartial({ assetIds: ["MX"], updateFrequencyMs: 20 }));
    const [m] = await take<HealthMetric>(ok, 1);
    ok.cancel();
    expect(m.totalValue).toBe(9);
    expect(m.maxDrawdown).toBeCloseTo(0.2, 15);
    expect(m.alerts.join(" ")).toMatch(/max drawdown 20.00% exceeds 10.00%/);
    const bad = c.meanrev.portfolioHealthStream(
      HealthRequest.fromPartial({ assetIds: ["MX"], updateFrequencyMs: 20, metadata: '{"holdings": []}' }),
    );
    const e = await codeOf(take<HealthMetric>(bad, 1));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/^PortfolioHealthStream: metadata.holdings must be an object/);
  });

  it("an old client's request (portfolio_id and update_frequency_ms only) streams no_data with an alert (issue #10 item 9)", async () => {
    const old = c.meanrev.portfolioHealthStream(HealthRequest.fromPartial({ portfolioId: "legacy", updateFrequencyMs: 20 }));
    const metrics = await take<HealthMetric>(old, 3);
    old.cancel();
    expect(metrics.length).toBe(3);
    for (const m of metrics) {
      expect(m.portfolioId).toBe("legacy");
      expect(m.status).toBe("no_data");
      expect(m.alerts.join(" ")).toMatch(/names no assets: pass asset_ids/);
    }
  });
});
