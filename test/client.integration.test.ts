/**
 * Every RPC of both services through the typed clients against a real server (startServer on
 * 127.0.0.1:0, 2 workers). Inputs are seeded synthetic series (test/helpers/syntheticData.ts)
 * whose properties hold by construction (a cointegrated pair with beta 1.5, an OU path with a
 * known mean, returns with known column means), plus exact hand-checkable cases (log returns of
 * three prices, portfolio moments by a naive loop). The server's own handler tests (E1) check
 * the maths field by field against the library; these check the client API end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/testServer.js";
import { cointegratedPair, ouPath, randomWalk, returnsMatrix } from "./helpers/syntheticData.js";
import { ClientCallError } from "../src/client/ClientCallError.js";
import { matrixMessage } from "../src/client/matrixMessage.js";
import { connect } from "../src/client/connect.js";
import type { PairDiscoveryUpdate } from "../src/client/PairDiscoveryClient.js";
import type { OUEstimate, BacktestMetric, WeightsOutput, HealthMetric } from "../src/client/MeanRevClient.js";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ workers: 2 });
});

afterAll(async () => {
  await t?.stop();
});

const pair = cointegratedPair(750, 11);
const decoy1 = randomWalk(750, 101, 80);
const decoy2 = randomWalk(750, 202, 120);

async function expectInvalid(promise: Promise<unknown>, detailsPattern: RegExp): Promise<ClientCallError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected INVALID_ARGUMENT, got a response ${JSON.stringify(value).slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientCallError);
  const callError = error as ClientCallError;
  expect(callError.codeName, callError.message).toBe("INVALID_ARGUMENT");
  expect(callError.details).toMatch(detailsPattern);
  return callError;
}

describe("PairDiscoveryClient against the real server", () => {
  it("health: the whole server and both services report SERVING", async () => {
    expect(await t.pairDiscovery.checkHealth("")).toBe("SERVING");
    expect(await t.pairDiscovery.checkHealth()).toBe("SERVING");
    expect(await t.meanRev.checkHealth()).toBe("SERVING");
  });

  it("testPair: a pair cointegrated by construction passes with beta ≈ 1.5 (prices1 regressed on prices2)", async () => {
    const r = await t.pairDiscovery.testPair({ symbol1: "YYY", symbol2: "XXX", prices1: Float64Array.from(pair.y), prices2: pair.x });
    expect(r.symbol1).toBe("YYY");
    expect(r.symbol2).toBe("XXX");
    expect(r.isCointegrated).toBe(true);
    expect(r.pValue).toBeLessThan(0.01);
    expect(Math.abs(r.beta - 1.5)).toBeLessThan(0.01);
    expect(r.success, r.error).toBe(true);
    expect(r.hurst).toBeLessThan(0.45);
    expect(r.halfLife).toBeGreaterThan(0.3);
    expect(r.halfLife).toBeLessThan(3); // true half-life 1 bar
    expect(r.kappa).toBeGreaterThan(0);
    expect(r.lowerBoundary).toBeLessThan(r.upperBoundary);
    expect(r.maxDrawdown).toBeGreaterThanOrEqual(0);
    expect(r.numTrades).toBeGreaterThan(0);
    expect(r.nObservations).toBe(750);
  });

  it("testPair: two independent random walks are not cointegrated and report success = false with a reason", async () => {
    const r = await t.pairDiscovery.testPair({ symbol1: "D1", symbol2: "D2", prices1: decoy1, prices2: decoy2 });
    expect(r.isCointegrated).toBe(false);
    expect(r.pValue).toBeGreaterThan(0.05);
    expect(r.success).toBe(false);
    expect(r.error.length).toBeGreaterThan(0);
  });

  it("testPair: length mismatch -> INVALID_ARGUMENT naming the fields", async () => {
    await expectInvalid(t.pairDiscovery.testPair({ prices1: [1, 2, 3, 4], prices2: [1, 2, 3] }), /prices/);
  });

  it("discoverPairs: one update per pair as computed, then a final update with BH q-values; the constructed pair is found", async () => {
    const updates: PairDiscoveryUpdate[] = [];
    for await (const u of t.pairDiscovery.discoverPairs({ symbols: { XXX: pair.x, YYY: pair.y, D1: decoy1, D2: decoy2 } })) updates.push(u);
    const perPair = updates.filter((u) => !u.isFinal);
    const final = updates.at(-1)!;
    expect(perPair).toHaveLength(6);
    expect(perPair.map((u) => u.pairsTested)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(final.isFinal).toBe(true);
    expect(final.pairsTested).toBe(6);
    expect(final.progress).toBe(1);
    expect(final.qValues).toHaveLength(6);
    for (const q of final.qValues) expect(q.qValue).toBeGreaterThanOrEqual(q.pValue);
    const found = perPair.filter((u) => u.result?.success).map((u) => [u.result!.symbol1, u.result!.symbol2].sort().join("-"));
    expect(found).toContain("XXX-YYY");
    expect(final.pairsFound).toBe(found.length);
    for (let i = 1; i < perPair.length; i++) expect(perPair[i].progress).toBeGreaterThanOrEqual(perPair[i - 1].progress);
  });

  it("discoverPairs: maxPairs = 2 tests only two pairs", async () => {
    const updates: PairDiscoveryUpdate[] = [];
    for await (const u of t.pairDiscovery.discoverPairs({ symbols: { A: decoy1, B: decoy2, C: pair.x }, maxPairs: 2 })) updates.push(u);
    expect(updates.filter((u) => !u.isFinal)).toHaveLength(2);
    expect(updates.at(-1)!.pairsTested).toBe(2);
  });

  it("discoverPairs: a NaN price -> the stream fails with INVALID_ARGUMENT naming the symbol's prices", async () => {
    const run = async () => {
      for await (const _ of t.pairDiscovery.discoverPairs({ symbols: { A: [1, 2, Number.NaN, 4], B: [1, 2, 3, 4] } })) void _;
    };
    await expectInvalid(run(), /price/i);
  });

  it("solveHjb: ordered entry < exit levels; grid (n_points, widened when a level nears an edge) and value functions on it", async () => {
    const r = await t.pairDiscovery.solveHjb({ kappa: 5, theta: 0, sigma: 0.3, nPoints: 201 });
    expect(r.lowerBoundary).toBeLessThan(r.upperBoundary);
    expect(r.xGrid.length).toBeGreaterThanOrEqual(201);
    expect(r.valueFunction).toHaveLength(r.xGrid.length);
    expect(r.exitValueFunction).toHaveLength(r.xGrid.length);
    for (let i = 1; i < r.xGrid.length; i++) expect(r.xGrid[i]).toBeGreaterThan(r.xGrid[i - 1]);
    expect(r.iterations).toBeGreaterThanOrEqual(1);
    expect(r.valueFunction.every(Number.isFinite)).toBe(true);
    // The finite-difference levels agree with the closed-form Leung–Li levels to a few grid steps.
    const h = r.xGrid[1] - r.xGrid[0];
    expect(Math.abs(r.upperBoundary - r.closedFormExitLevel)).toBeLessThan(3 * h);
    expect(Math.abs(r.lowerBoundary - r.closedFormEntryLevel)).toBeLessThan(3 * h);
  });

  it("solveHjb: sigma = 0 -> INVALID_ARGUMENT naming sigma", async () => {
    await expectInvalid(t.pairDiscovery.solveHjb({ kappa: 5, theta: 0, sigma: 0 }), /sigma/);
  });

  it("estimateOu: recovers the mean of a known OU path; half-life in bars = ln 2 / (kappa dt)", async () => {
    const dt = 1 / 252;
    const path = ouPath(2000, 5, 3, 0.95, 0.1);
    const r = await t.pairDiscovery.estimateOu({ spread: path, dt });
    expect(Math.abs(r.theta - 3)).toBeLessThan(0.05);
    expect(r.kappa).toBeGreaterThan(0);
    const phi = Math.exp(-r.kappa * dt);
    expect(Math.abs(phi - 0.95)).toBeLessThan(0.03);
    expect(r.halfLife).toBeCloseTo(Math.LN2 / (r.kappa * dt), 6);
    expect(r.nObservations).toBe(2000);
  });

  it("testCointegration: beta ≈ 1.5, spread = y − intercept − beta·x for every point", async () => {
    const r = await t.pairDiscovery.testCointegration({ y: pair.y, x: pair.x });
    expect(r.isCointegrated).toBe(true);
    expect(Math.abs(r.beta - 1.5)).toBeLessThan(0.01);
    expect(r.spread).toHaveLength(750);
    for (let i = 0; i < 750; i += 97) expect(r.spread[i]).toBeCloseTo(pair.y[i] - r.intercept - r.beta * pair.x[i], 8);
    expect(r.adfStatistic).toBeLessThan(r.criticalValue1pct);
  });

  it("calculateHurst: an AR(1) spread is anti-persistent at short lags; a random walk is not", async () => {
    const spread = await t.pairDiscovery.calculateHurst({ series: pair.spread });
    const walk = await t.pairDiscovery.calculateHurst({ series: randomWalk(2000, 9) });
    expect(spread.hurst).toBeLessThan(0.45);
    expect(walk.hurst).toBeGreaterThan(0.4);
    expect(walk.hurst).toBeGreaterThan(spread.hurst);
  });

  it("backtestStrategy: P&L path per bar, positive drawdown, trades on an oscillating spread", async () => {
    const spread = Array.from({ length: 200 }, (_, i) => 2 * Math.sin((2 * Math.PI * i) / 20));
    const r = await t.pairDiscovery.backtestStrategy({ spread, lowerBound: -1.5, upperBound: 1.5, transactionCost: 0.01 });
    expect(r.pnl).toHaveLength(200);
    expect(r.numTrades).toBeGreaterThan(5);
    expect(r.maxDrawdown).toBeGreaterThanOrEqual(0);
    expect(r.pnl.at(-1)!).toBeGreaterThan(0); // buying at ≤ −1.5 and selling at ≥ 1.5 (or the mid exit) earns more than the cost
    expect(r.winRate).toBeGreaterThan(0.5);
  });
});

describe("MeanRevClient against the real server", () => {
  it("estimateOuParams (bidi): estimates stream back while updates are sent; the last one recovers the mean", async () => {
    const path = ouPath(400, 21, 50, 0.9, 0.5);
    const t0 = 1_700_000_000_000;
    async function* feed() {
      for (let i = 0; i < path.length; i++) yield { assetId: "OU", price: path[i], timestampMs: t0 + i * 86_400_000 };
    }
    const estimates: OUEstimate[] = [];
    for await (const e of t.meanRev.estimateOuParams(feed())) estimates.push(e);
    expect(estimates.length).toBeGreaterThan(100);
    const last = estimates.at(-1)!;
    expect(last.nSamples).toBe(400);
    expect(Math.abs(last.mu - 50)).toBeLessThan(0.5);
    expect(last.theta).toBeGreaterThan(0); // speed per bar: -ln(phi) ≈ 0.105
    expect(Math.abs(last.theta - -Math.log(0.9))).toBeLessThan(0.06);
    expect(last.halfLife).toBeCloseTo(Math.LN2 / last.theta, 6);
  });

  it("optimalThresholds: entry z above exit z for a fitted OU", async () => {
    const r = await t.meanRev.optimalThresholds({ ouParams: { theta: 0.1, mu: 0, sigma: 0.2 }, transactionCost: 0.01 });
    expect(r.entryZscore).toBeGreaterThan(r.exitZscore);
    expect(Number.isFinite(r.expectedHoldingPeriods)).toBe(true);
  });

  it("optimalThresholds: an unknown objective -> INVALID_ARGUMENT naming optimization_objective", async () => {
    await expectInvalid(
      t.meanRev.optimalThresholds({ ouParams: { theta: 0.1, mu: 0, sigma: 0.2 }, optimizationObjective: "yolo" }),
      /objective/,
    );
  });

  it("backtestWithCosts (bidi): one metric every update_frequency bars, numbered bars, positive drawdown", async () => {
    const path = ouPath(300, 33, 0, 0.8, 1);
    const bars = path.map((price, i) => ({
      price,
      timestampMs: i,
      entryZscore: 1.5,
      exitZscore: 0,
      transactionCost: 0.001,
      updateFrequency: 10,
    }));
    const metrics: BacktestMetric[] = [];
    for await (const m of t.meanRev.backtestWithCosts(bars)) metrics.push(m);
    // 30 running metrics (bars 10, 20, ..., 300) plus one "final" metric when the input ends.
    const running = metrics.filter((m) => m.status === "running");
    expect(running.map((m) => m.barNumber)).toEqual(Array.from({ length: 30 }, (_, i) => 10 * (i + 1)));
    expect(metrics.at(-1)!.status).toBe("final");
    for (const m of metrics) expect(m.maxDrawdown).toBeGreaterThanOrEqual(0);
    expect(metrics.at(-1)!.numTrades).toBeGreaterThan(0);
  });

  it("computeLogReturns: exact log returns, mean, sample sd (ddof 1) and count of three prices", async () => {
    const r = await t.meanRev.computeLogReturns({ prices: [100, 110, 99] });
    const expected = [Math.log(1.1), Math.log(99 / 110)];
    expect(r.nPeriods).toBe(2);
    expect(r.logReturns[0]).toBeCloseTo(expected[0], 14);
    expect(r.logReturns[1]).toBeCloseTo(expected[1], 14);
    const mean = (expected[0] + expected[1]) / 2;
    expect(r.meanReturn).toBeCloseTo(mean, 14);
    expect(r.stdReturn).toBeCloseTo(Math.sqrt((expected[0] - mean) ** 2 + (expected[1] - mean) ** 2), 14);
  });

  it("computeLogReturns: a non-positive price -> INVALID_ARGUMENT naming prices", async () => {
    await expectInvalid(t.meanRev.computeLogReturns({ prices: [100, -1, 99] }), /price/);
  });

  it("pcaPortfolios: descending explained variance, orthonormal component rows, T × k scores", async () => {
    const m = returnsMatrix(250, 5, 77);
    const r = await t.meanRev.pcaPortfolios({ returnsMatrix: m, nComponents: 3 });
    expect(r.explainedVarianceRatio).toHaveLength(3);
    for (let i = 1; i < 3; i++) expect(r.explainedVarianceRatio[i]).toBeLessThanOrEqual(r.explainedVarianceRatio[i - 1]);
    expect(r.totalVarianceExplained).toBeCloseTo(
      r.explainedVarianceRatio.reduce((a, b) => a + b, 0),
      12,
    );
    expect(r.components).toMatchObject({ rows: 3, cols: 5 });
    expect(r.transformed).toMatchObject({ rows: 250, cols: 3 });
    const c = r.components!.values;
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let dot = 0;
        for (let j = 0; j < 5; j++) dot += c[a * 5 + j] * c[b * 5 + j];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10); // deflation bug of the old server gave identical rows
      }
    }
  });

  it("caraOptimalWeights and sharpeOptimalWeights (bidi): one output per input matrix with N finite weights", async () => {
    const inputs = [1, 2, 3].map((k) => ({ returns: matrixMessage(toRows(returnsMatrix(120, 4, 300 + k))), gamma: 2, timestampMs: k }));
    const cara: WeightsOutput[] = [];
    for await (const w of t.meanRev.caraOptimalWeights(inputs)) cara.push(w);
    const sharpe: WeightsOutput[] = [];
    for await (const w of t.meanRev.sharpeOptimalWeights(inputs)) sharpe.push(w);
    for (const outputs of [cara, sharpe]) {
      expect(outputs).toHaveLength(3);
      for (const w of outputs) {
        expect(w.weights).toHaveLength(4);
        expect(w.weights.every(Number.isFinite)).toBe(true);
        expect(w.expectedVolatility).toBeGreaterThan(0);
      }
    }
    expect(cara.map((w) => w.timestampMs)).toEqual([1, 2, 3]);
  });

  it("multiperiodOptimize: one weights output per period", async () => {
    const r = await t.meanRev.multiperiodOptimize({
      returnsSequence: [1, 2, 3, 4].map((k) => returnsMatrix(60, 3, 500 + k)),
      gamma: 3,
      transactionCost: 0.001,
    });
    expect(r.weightsSequence).toHaveLength(4);
    for (const w of r.weightsSequence) expect(w.weights).toHaveLength(3);
    expect(r.avgTurnover).toBeGreaterThanOrEqual(0);
  });

  it("portfolioStats: mean and sd of the weighted returns match a naive loop; correlation diagonal 1", async () => {
    const m = returnsMatrix(200, 3, 909);
    const weights = [0.5, 0.3, 0.2];
    const r = await t.meanRev.portfolioStats({ returns: m, weights });
    const series = Array.from({ length: 200 }, (_, i) => weights.reduce((s, w, j) => s + w * m.values[i * 3 + j], 0));
    const mean = series.reduce((a, b) => a + b, 0) / 200;
    const sd = Math.sqrt(series.reduce((a, b) => a + (b - mean) ** 2, 0) / 199);
    expect(r.meanReturn).toBeCloseTo(mean, 12);
    expect(r.stdReturn / sd).toBeCloseTo(1, 10); // ddof = 1
    expect(r.correlation).toMatchObject({ rows: 3, cols: 3 });
    for (let j = 0; j < 3; j++) expect(r.correlation!.values[j * 4]).toBeCloseTo(1, 12);
    expect(r.marginalContrib).toHaveLength(3);
  });

  it("portfolioStats: weights of the wrong length -> INVALID_ARGUMENT naming weights", async () => {
    await expectInvalid(t.meanRev.portfolioStats({ returns: returnsMatrix(50, 3, 1), weights: [1, 0] }), /weights/);
  });

  it("generateSignals: a price far above the mean from flat gives a sell (short the spread) signal", async () => {
    const prices = [...ouPath(100, 3, 10, 0.8, 0.2), 12];
    const r = await t.meanRev.generateSignals({
      priceHistory: { assetId: "S", prices },
      ouParams: { theta: -Math.log(0.8), mu: 10, sigma: 0.2 },
      thresholds: { entryZscore: 2, exitZscore: 0.5 },
      positionState: "flat",
    });
    expect(r.signal).toBe("sell");
    expect(r.zscore).toBeGreaterThan(2);
  });

  it("portfolioHealthStream: metrics arrive periodically until the client stops; breaking out cancels", async () => {
    // "The portfolio's data" (docs/compatibility.md): prices in the metadata JSON with shared
    // timestamps, holdings in units; here 2 units of AAA and 1 of BBB.
    const prices = { AAA: randomWalk(100, 1, 50, 0.5), BBB: randomWalk(100, 2, 70, 0.5) };
    const timestamps = Array.from({ length: 100 }, (_, i) => 1_700_000_000_000 + i * 3_600_000);
    const got: HealthMetric[] = [];
    const t0 = performance.now();
    for await (const h of t.meanRev.portfolioHealthStream({
      portfolioId: "p1",
      updateFrequencyMs: 50,
      assetIds: ["AAA", "BBB"],
      metadata: JSON.stringify({ prices, timestamps_ms: timestamps, holdings: { AAA: 2, BBB: 1 } }),
    })) {
      got.push(h);
      if (got.length === 3) break;
    }
    const elapsed = performance.now() - t0;
    expect(got.map((h) => h.portfolioId)).toEqual(["p1", "p1", "p1"]);
    expect(got[2].timestampMs).toBeGreaterThanOrEqual(got[0].timestampMs);
    expect(elapsed).toBeGreaterThanOrEqual(90); // two 50 ms periods between three metrics
    expect(got[0].maxDrawdown).toBeGreaterThanOrEqual(0);
    expect(got[0].status).toBe("ok");
    expect(got[0].openPositions).toBe(2);
    expect(got[0].totalValue).toBeCloseTo(2 * prices.AAA[99] + prices.BBB[99], 10);
  });
});

describe("connect() against the real server", () => {
  it("one channel serves both clients; a bearer token is accepted when the server requires it", async () => {
    const secured = await startTestServer({ authToken: "tok-123", workers: 1 });
    try {
      const lab = await connect({ host: "127.0.0.1", port: secured.port, token: "tok-123" });
      const r = await lab.meanRev.computeLogReturns({ prices: [1, 2, 4] });
      expect(r.logReturns[0]).toBeCloseTo(Math.LN2, 14);
      lab.close();
      const anonymous = await connect({ host: "127.0.0.1", port: secured.port, token: undefined });
      const error = (await anonymous.meanRev.computeLogReturns({ prices: [1, 2, 4] }).catch((e: unknown) => e)) as ClientCallError;
      expect(error.codeName).toBe("UNAUTHENTICATED");
      anonymous.close();
    } finally {
      await secured.stop();
    }
  });
});

function toRows(m: { rows: number; cols: number; values: number[] }): number[][] {
  return Array.from({ length: m.rows }, (_, i) => m.values.slice(i * m.cols, (i + 1) * m.cols));
}
