/**
 * pair_discovery over a real server (127.0.0.1:0) with the generated grpc-js client: every RPC
 * returns exactly what the library computes for the same input (the server only maps fields),
 * bad input gets INVALID_ARGUMENT / RESOURCE_EXHAUSTED naming the field, and DiscoverPairs
 * streams, filters on q-values, respects backpressure and stops on cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";
import { coint, hurst, fitOu, leungLi, backtestSpread } from "../lib/index.js";
import { startServer, type RunningServer } from "./startServer.js";
import { benjaminiHochberg } from "../lib/index.js";
import { cointegratedPair, codeOf, collect, connectClients, randomWalk, unary, type Clients } from "./testSupport.js";
import {
  type PairDiscoveryUpdate,
  type BatchDiscoveryRequest,
  type PairTestRequest,
  BatchDiscoveryRequest as BatchMsg,
  PairTestRequest as PairTestMsg,
  HJBRequest,
  OUEstimationRequest,
  CointegrationRequest,
  HurstRequest,
  BacktestRequest,
} from "./generated/pair_discovery.js";

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

const testPair = (req: Partial<PairTestRequest>) => unary(c.pairs, c.pairs.testPair, PairTestMsg.fromPartial(req));
const discover = (req: Partial<BatchDiscoveryRequest>) => c.pairs.discoverPairs(BatchMsg.fromPartial(req));

describe("TestPair", () => {
  const { x, y } = cointegratedPair(1000, 42);

  it("runs coint -> hurst -> fitOu -> leungLi -> backtest and reports the library's numbers unchanged", async () => {
    const r = await testPair({ symbol1: "Y", symbol2: "X", prices1: y, prices2: x, rho: 1 });
    expect(r.error).toBe("");
    expect(r.success).toBe(true);
    const eg = coint(y, x, { trend: "c", autolag: "aic" });
    expect(r.beta).toBe(eg.beta[0]);
    expect(r.intercept).toBe(eg.intercept);
    expect(r.pValue).toBe(eg.pValue);
    expect(r.adfStatistic).toBe(eg.statistic);
    expect(r.adfLag).toBe(eg.usedLag);
    expect(r.qValue).toBe(eg.pValue);
    expect(r.isCointegrated).toBe(true);
    expect(r.beta).toBeCloseTo(1.5, 1);
    const h = hurst(eg.residuals, { method: "variance" });
    expect(r.hurst).toBe(h.H);
    expect(r.hurstMethod).toBe("variance");
    const ou = fitOu(eg.residuals, { dt: 1 / 252 });
    expect(r.kappa).toBe(ou.kappa);
    expect(r.theta).toBe(ou.theta);
    expect(r.sigma).toBe(ou.sigma);
    expect(r.halfLife).toBe(ou.halfLifeSteps); // bars, not years
    expect(r.halfLifeTime).toBe(ou.halfLife);
    const c0 = 0.001 * (Math.abs(y[999]) + Math.abs(eg.beta[0]) * Math.abs(x[999]));
    const levels = leungLi({ kappa: ou.kappa, theta: ou.theta, sigma: ou.sigma, r: 1, c: c0 });
    expect(r.lowerBoundary).toBe(levels.entryLevel);
    expect(r.longExitLevel).toBe(levels.exitLevel);
    expect(r.upperBoundary).toBeCloseTo(2 * ou.theta - levels.entryLevel!, 12);
    expect(r.lowerBoundary).toBeLessThan(r.theta);
    expect(r.upperBoundary).toBeGreaterThan(r.theta);
    expect(r.numTrades).toBeGreaterThan(0);
    expect(r.maxDrawdown).toBeGreaterThanOrEqual(0);
    expect(r.cointScore).toBeCloseTo(1 - r.pValue, 15);
    expect(r.meanrevScore).toBeCloseTo(Math.max(0, 1 - 2 * r.hurst), 15);
    expect(r.profitScore).toBe(Math.max(0, r.totalReturn));
    expect(r.combinedScore).toBeCloseTo(r.cointScore * r.meanrevScore * (1 + r.profitScore), 14);
    expect(r.nObservations).toBe(1000);
    expect(r.symbol1).toBe("Y");
  });

  it("proto3 zero means the documented default (significance 0.05, min_hurst 0.45, cost 0.001, dt 1/252, rho 0.04)", async () => {
    const a = await testPair({ prices1: y, prices2: x });
    const b = await testPair({
      prices1: y,
      prices2: x,
      significance: 0.05,
      minHurst: 0.45,
      transactionCost: 0.001,
      dt: 1 / 252,
      rho: 0.04,
      hurstMethod: "variance",
    });
    expect(a).toEqual(b);
  });

  it("independent random walks are reported as not cointegrated (success false with the reason)", async () => {
    const r = await testPair({ prices1: randomWalk(500, 1), prices2: randomWalk(500, 2) });
    expect(r.success).toBe(false);
    expect(r.isCointegrated).toBe(false);
    expect(r.error).toMatch(/not cointegrated: p_value .* >= significance 0.05/);
  });

  it("non-positive prices: the screens still run, the pairs backtest (which sizes from notional) is skipped with a warning", async () => {
    const r = await testPair({ prices1: y.map((v) => v - 1000), prices2: x, rho: 1 });
    expect(r.success).toBe(true);
    expect(r.warnings.join(" ")).toMatch(/backtest skipped/);
    expect(Number.isNaN(r.totalReturn)).toBe(true);
    expect(r.numTrades).toBe(0);
    expect(r.profitScore).toBe(0);
  });

  it("min_hurst is the maximum allowed H", async () => {
    const r = await testPair({ prices1: y, prices2: x, minHurst: 0.01 });
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/Hurst .* > min_hurst 0.01/);
  });

  it.each([
    [
      "length mismatch",
      { prices1: y, prices2: x.slice(1) },
      status.INVALID_ARGUMENT,
      /TestPair: prices1 and prices2 must have the same length, got 1000 and 999/,
    ],
    [
      "NaN",
      { prices1: [Number.NaN, ...y.slice(1)], prices2: x },
      status.INVALID_ARGUMENT,
      /TestPair: prices1 must contain only finite numbers, got NaN at index 0/,
    ],
    [
      "Infinity",
      { prices1: y, prices2: [...x.slice(1), Number.POSITIVE_INFINITY] },
      status.INVALID_ARGUMENT,
      /prices2 must contain only finite numbers, got Infinity at index 999/,
    ],
    ["too short", { prices1: [1, 2, 3], prices2: [1, 2, 4] }, status.INVALID_ARGUMENT, /prices1 must have at least 20 observations, got 3/],
    ["empty", {}, status.INVALID_ARGUMENT, /prices1 must have at least 20/],
    [
      "unknown enum",
      { prices1: y, prices2: x, hurstMethod: "wavelet" },
      status.INVALID_ARGUMENT,
      /hurst_method must be one of "variance", "rs", "dfa"/,
    ],
    [
      "NaN option",
      { prices1: y, prices2: x, significance: Number.NaN },
      status.INVALID_ARGUMENT,
      /significance must be a finite number, got NaN/,
    ],
    ["significance >= 1", { prices1: y, prices2: x, significance: 1.5 }, status.INVALID_ARGUMENT, /significance must be < 1, got 1.5/],
    ["constant leg (library error)", { prices1: y, prices2: new Array(1000).fill(3) }, status.INVALID_ARGUMENT, /coint|constant/],
  ])("%s -> status %i naming the field", async (_name, req, code, details) => {
    const e = await codeOf(testPair(req as Partial<PairTestRequest>));
    expect(e.code).toBe(code);
    expect(e.details).toMatch(details);
  });
});

describe("SolveHJB, EstimateOU, TestCointegration, CalculateHurst, BacktestStrategy", () => {
  it("SolveHJB: finite-difference levels agree with the closed-form Leung–Li levels; value function on the grid", async () => {
    const req = HJBRequest.fromPartial({ kappa: 8, theta: 0.5, sigma: 0.3, rho: 0.05, transactionCost: 0.02, nPoints: 801 });
    const r = await unary(c.pairs, c.pairs.solveHjb, req);
    const closed = leungLi({ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 });
    expect(r.closedFormExitLevel).toBe(closed.exitLevel);
    expect(r.closedFormEntryLevel).toBe(closed.entryLevel);
    expect(Math.abs(r.upperBoundary - closed.exitLevel)).toBeLessThan(2e-3);
    expect(Math.abs(r.lowerBoundary - closed.entryLevel!)).toBeLessThan(2e-3);
    expect(r.lowerBoundary).toBe(r.entryLevel);
    expect(r.upperBoundary).toBe(r.exitLevel);
    expect(r.lowerBoundary).toBeLessThan(0.5);
    expect(r.upperBoundary).toBeGreaterThan(r.lowerBoundary);
    expect(r.xGrid.length).toBe(r.valueFunction.length);
    expect(r.exitValueFunction.length).toBe(r.xGrid.length);
    expect(r.valueFunction).toEqual(r.entryValueFunction);
    expect(r.hasEntryRegion).toBe(true);
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.valueFunction.some((v) => v !== 0)).toBe(true);
  });

  it.each([
    [{ kappa: 0, theta: 0, sigma: 1 }, status.INVALID_ARGUMENT, /SolveHJB: kappa must be > 0, got 0/],
    [{ kappa: 1, theta: 0, sigma: -1 }, status.INVALID_ARGUMENT, /sigma must be > 0, got -1/],
    [{ kappa: 1, theta: 0, sigma: 1, nPoints: 10 }, status.INVALID_ARGUMENT, /n_points must be >= 50/],
    [{ kappa: 1, theta: 0, sigma: 1, nPoints: 50_000_000 }, status.RESOURCE_EXHAUSTED, /n_points must be <= 20001/],
    [{ kappa: 1, theta: Number.NaN, sigma: 1 }, status.INVALID_ARGUMENT, /theta must be a finite number/],
    [{ kappa: 1, theta: 0, sigma: 1, useStopLoss: true, stopLoss: 1 }, status.INVALID_ARGUMENT, /stop_loss must be < theta/],
    // fuzz regressions: a set stop_loss used to be ignored silently without use_stop_loss, and a
    // denormal rho ended in INTERNAL ("findRootBrent: no sign change … f = NaN") inside leungLi
    [
      { kappa: 1, theta: 0, sigma: 1, stopLoss: Number.NaN },
      status.INVALID_ARGUMENT,
      /SolveHJB: stop_loss must be a finite number, got NaN/,
    ],
    [{ kappa: 1, theta: 0, sigma: 1, stopLoss: Number.POSITIVE_INFINITY }, status.INVALID_ARGUMENT, /stop_loss must be a finite number/],
    [
      { kappa: 1, theta: 0, sigma: 1, useStopLoss: true, stopLoss: Number.NaN },
      status.INVALID_ARGUMENT,
      /stop_loss must be a finite number/,
    ],
    [{ kappa: 1, theta: 0, sigma: 1, stopLoss: 5 }, status.INVALID_ARGUMENT, /stop_loss = 5 is set but use_stop_loss is false/],
    [{ kappa: 1, theta: 0, sigma: 1, rho: 5e-324 }, status.INVALID_ARGUMENT, /^SolveHJB: rho \/ kappa must be >= 1e-8/],
    [
      { kappa: 1, theta: 0, sigma: 1, transactionCost: 1e308 },
      status.INVALID_ARGUMENT,
      /^SolveHJB: theta, transaction_cost and stop_loss must be within 100000000 stationary sds/,
    ],
  ])("SolveHJB rejects %j", async (req, code, details) => {
    const e = await codeOf(unary(c.pairs, c.pairs.solveHjb, HJBRequest.fromPartial(req)));
    expect(e.code).toBe(code);
    expect(e.details).toMatch(details);
  });

  it("EstimateOU: exact MLE; half_life in bars, half_life_time in dt units (default dt 1/252)", async () => {
    const { spread } = cointegratedPair(800, 7);
    const r = await unary(c.pairs, c.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread: Array.from(spread) }));
    const ou = fitOu(spread, { dt: 1 / 252 });
    expect(r.kappa).toBe(ou.kappa);
    expect(r.theta).toBe(ou.theta);
    expect(r.sigma).toBe(ou.sigma);
    expect(r.halfLife).toBe(ou.halfLifeSteps);
    expect(r.halfLifeTime).toBe(ou.halfLife);
    expect(r.halfLife).toBeCloseTo(Math.log(2) / 0.2, 0); // simulated with kappa 0.2 per bar
    const mle = await unary(
      c.pairs,
      c.pairs.estimateOu,
      OUEstimationRequest.fromPartial({ spread: Array.from(spread), useMle: true, dt: 1 }),
    );
    expect(mle.kappa).toBe(fitOu(spread, { dt: 1 }).kappa);
    const e = await codeOf(unary(c.pairs, c.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread: [1, 2] })));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/EstimateOU: spread must have at least 3 observations, got 2/);
  });

  it("TestCointegration: statsmodels-style coint with residual spread and critical values", async () => {
    const { x, y } = cointegratedPair(300, 3);
    const r = await unary(c.pairs, c.pairs.testCointegration, CointegrationRequest.fromPartial({ y, x }));
    const eg = coint(y, x);
    expect(r.beta).toBe(eg.beta[0]);
    expect(r.adfStatistic).toBe(eg.statistic);
    expect(r.pValue).toBe(eg.pValue);
    expect(r.isCointegrated).toBe(eg.pValue < 0.05);
    expect(r.spread).toEqual(Array.from(eg.residuals));
    expect(r.criticalValue5pct).toBe(eg.criticalValues["5%"]);
    expect(r.usedLag).toBe(eg.usedLag);
    const e = await codeOf(unary(c.pairs, c.pairs.testCointegration, CointegrationRequest.fromPartial({ y, x, trend: "quadratic" })));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/trend must be one of "c", "ct"/);
  });

  it("CalculateHurst: rs by default (Anis–Lloyd corrected), dfa with use_dfa, variance on request", async () => {
    const walk = randomWalk(2000, 5);
    const rs = await unary(c.pairs, c.pairs.calculateHurst, HurstRequest.fromPartial({ series: walk }));
    expect(rs.method).toBe("rs");
    expect(rs.hurst).toBe(hurst(walk, { method: "rs" }).H);
    const dfa = await unary(c.pairs, c.pairs.calculateHurst, HurstRequest.fromPartial({ series: walk, useDfa: true }));
    expect(dfa.hurst).toBe(hurst(walk, { method: "dfa" }).H);
    const variance = await unary(c.pairs, c.pairs.calculateHurst, HurstRequest.fromPartial({ series: walk, method: "variance" }));
    expect(variance.hurst).toBe(hurst(walk, { method: "variance", maxLag: 20 }).H);
    expect(Math.abs(variance.hurst - 0.5)).toBeLessThan(0.1); // a random walk, not the seed's ≈ 0.65
    const e = await codeOf(unary(c.pairs, c.pairs.calculateHurst, HurstRequest.fromPartial({ series: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1] })));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
  });

  it("BacktestStrategy: bands on the spread via backtestSpread; pnl per bar; drawdown positive", async () => {
    const { spread } = cointegratedPair(600, 9);
    const s = Array.from(spread);
    const r = await unary(c.pairs, c.pairs.backtestStrategy, BacktestRequest.fromPartial({ spread: s, lowerBound: -0.8, upperBound: 0.8 }));
    let maxAbs = 0;
    for (const v of s) maxAbs = Math.max(maxAbs, Math.abs(v));
    const bt = backtestSpread(s, { kind: "bands", lower: -0.8, upper: 0.8 }, { bps: 10 }, { capital: maxAbs, periodsPerYear: 252 });
    expect(r.capital).toBe(maxAbs);
    expect(r.totalReturn).toBe(bt.metrics.totalReturn / 100);
    expect(r.numTrades).toBe(bt.metrics.trades);
    expect(r.numTrades).toBeGreaterThan(5);
    expect(r.pnl.length).toBe(600);
    expect(r.pnl[599]).toBeCloseTo(bt.equity[599] - maxAbs, 12);
    expect(r.totalPnl).toBe(r.pnl[599]);
    expect(r.maxDrawdown).toBeGreaterThanOrEqual(0);
    expect(r.positions.every((p) => p === -1 || p === 0 || p === 1)).toBe(true);
    const e = await codeOf(
      unary(c.pairs, c.pairs.backtestStrategy, BacktestRequest.fromPartial({ spread: s, lowerBound: 1, upperBound: -1 })),
    );
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/lower_bound must be < upper_bound/);
  });
});

/** n symbols: pairs (0,1) and (2,3) cointegrated, the rest independent random walks. */
function universe(n: number, length: number, seed: number): { symbol: string; prices: number[] }[] {
  const out: { symbol: string; prices: number[] }[] = [];
  const a = cointegratedPair(length, seed);
  const b = cointegratedPair(length, seed + 10);
  out.push({ symbol: "A1", prices: a.y }, { symbol: "A2", prices: a.x }, { symbol: "B1", prices: b.y }, { symbol: "B2", prices: b.x });
  for (let k = 4; k < n; k++) out.push({ symbol: `R${k}`, prices: randomWalk(length, seed + 100 + k) });
  return out;
}

describe("DiscoverPairs", () => {
  it("streams one update per pair, then a final summary with exact Benjamini–Hochberg q-values", async () => {
    const symbols = universe(7, 400, 1);
    const updates = await collect(discover({ symbols }));
    const results = updates.filter((u) => u.result !== undefined);
    expect(results.length).toBe(21);
    const final = updates[updates.length - 1];
    expect(final.isFinal).toBe(true);
    expect(final.result).toBeUndefined();
    expect(final.pairsTested).toBe(21);
    expect(final.pairsTotal).toBe(21);
    expect(final.progress).toBe(1);
    expect(updates.slice(0, -1).every((u) => !u.isFinal)).toBe(true);
    results.forEach((u, k) => expect(u.pairsTested).toBe(k + 1));
    const found = results.filter((u) => u.result!.success).map((u) => `${u.result!.symbol1}-${u.result!.symbol2}`);
    expect(found).toContain("A1-A2");
    expect(found).toContain("B1-B2");
    expect(final.pairsFound).toBe(found.length);
    // exact q-values of the summary are BH over the p-values of every tested pair
    const p = final.qValues.map((e) => e.pValue);
    const q = benjaminiHochberg(p);
    final.qValues.forEach((e, k) => expect(e.qValue).toBe(q[k]));
    // streamed q-values are upper bounds of the exact ones
    for (const u of results) {
      const exact = final.qValues.find((e) => e.symbol1 === u.result!.symbol1 && e.symbol2 === u.result!.symbol2)!;
      expect(u.result!.qValue).toBeGreaterThanOrEqual(exact.qValue);
    }
    // the same pair through TestPair gives the same result (bar the q-value bound)
    const single = await testPair({ symbol1: "A1", symbol2: "A2", prices1: symbols[0].prices, prices2: symbols[1].prices });
    const streamed = results.find((u) => u.result!.symbol1 === "A1" && u.result!.symbol2 === "A2")!.result!;
    expect({ ...streamed, qValue: 0 }).toEqual({ ...single, qValue: 0 });
  });

  it("honours max_pairs (first pairs in i<j order), parallel_workers and batch_size", async () => {
    const symbols = universe(6, 300, 2);
    const updates = await collect(discover({ symbols, maxPairs: 4, parallelWorkers: 1, batchSize: 3 }));
    const pairs = updates.filter((u) => u.result).map((u) => `${u.result!.symbol1}-${u.result!.symbol2}`);
    expect(pairs.sort()).toEqual(["A1-A2", "A1-B1", "A1-B2", "A1-R4"]);
    expect(updates[updates.length - 1].pairsTotal).toBe(4);
  });

  it("max_q_value: every found pair has exact q <= max_q_value; undecided pairs arrive before the summary", async () => {
    const symbols = universe(8, 400, 3);
    const updates = await collect(discover({ symbols, maxQValue: 0.05 }));
    const final = updates[updates.length - 1];
    const exact = new Map(final.qValues.map((e) => [`${e.symbol1}-${e.symbol2}`, e.qValue]));
    const results = updates.filter((u) => u.result).map((u) => u.result!);
    expect(results.length).toBe(28);
    for (const r of results) if (r.success) expect(exact.get(`${r.symbol1}-${r.symbol2}`)!).toBeLessThanOrEqual(0.05);
    expect(results.filter((r) => r.success).length).toBe(final.pairsFound);
    expect(final.pairsFound).toBeGreaterThanOrEqual(2);
  });

  it("no symbols or one symbol: just the final summary", async () => {
    const updates = await collect(discover({ symbols: [{ symbol: "A", prices: randomWalk(50, 1) }] }));
    expect(updates.length).toBe(1);
    expect(updates[0].isFinal).toBe(true);
    expect(updates[0].pairsTotal).toBe(0);
  });

  it.each([
    [
      {
        symbols: [
          { symbol: "A", prices: [1, 2, 3] },
          { symbol: "B", prices: [1, 2, 3] },
        ],
      },
      status.INVALID_ARGUMENT,
      /symbols\[0\].prices must have at least 20/,
    ],
    [
      {
        symbols: [
          { symbol: "A", prices: randomWalk(30, 1) },
          { symbol: "B", prices: randomWalk(31, 2) },
        ],
      },
      status.INVALID_ARGUMENT,
      /symbols\[1\].prices has 31, symbols\[0\].prices has 30/,
    ],
    [
      {
        symbols: [
          { symbol: "A", prices: randomWalk(30, 1) },
          { symbol: "B", prices: [...randomWalk(29, 2), Number.NaN] },
        ],
      },
      status.INVALID_ARGUMENT,
      /symbols\[1\].prices must contain only finite numbers, got NaN at index 29/,
    ],
    [{ symbols: [], maxQValue: 2 }, status.INVALID_ARGUMENT, /max_q_value must be <= 1/],
  ])("rejects %#", async (req, code, details) => {
    const e = await codeOf(collect(discover(req)));
    expect(e.code).toBe(code);
    expect(e.details).toMatch(details);
  });

  it("streams results while later pairs are still being computed (first result long before the summary)", async () => {
    const symbols = universe(30, 1000, 4); // 435 pairs
    const start = performance.now();
    let first = Number.NaN;
    const stream = discover({ symbols });
    stream.on("data", (u: PairDiscoveryUpdate) => {
      if (Number.isNaN(first) && u.result) first = performance.now() - start;
    });
    await collect(stream);
    const total = performance.now() - start;
    expect(first).toBeLessThan(total / 4);
  });

  it("backpressure: a client that stops reading (HTTP/2 flow control) stops the server from starting new batches", async () => {
    // A raw HTTP/2 client that pauses its stream: its flow-control window fills, the server's
    // write() asks to wait for 'drain', and no new batch is dispatched. (grpc-js's own client keeps
    // reading into its buffer even when its stream is paused, so it cannot show this.)
    const symbols = universe(100, 300, 5); // 4950 pairs, ≈ 1 MB of updates
    const tested = async () =>
      (await server.metrics.registry.getSingleMetric("discover_pairs_pairs_tested_total")!.get()).values[0]?.value ?? 0;
    const before = await tested();
    const body = Buffer.from(BatchMsg.encode(BatchMsg.fromPartial({ symbols })).finish());
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    const req = session.request({
      ":method": "POST",
      ":path": "/pair_discovery.PairDiscoveryService/DiscoverPairs",
      "content-type": "application/grpc",
      te: "trailers",
    });
    req.end(frame);
    req.pause();
    await new Promise((r) => setTimeout(r, 1000));
    const stalled = (await tested()) - before;
    await new Promise((r) => setTimeout(r, 500));
    expect((await tested()) - before).toBe(stalled); // nothing new while the client is not reading
    expect(stalled).toBeLessThan(4950 / 2);
    let bytes = 0;
    req.on("data", (d: Buffer) => (bytes += d.length));
    req.resume();
    await new Promise((r) => req.on("end", r));
    session.close();
    expect((await tested()) - before).toBe(4950); // resumes and finishes once the client reads
    expect(bytes).toBeGreaterThan(500_000);
  });

  it("cancel: all worker tasks of the call stop within 1 s and no new batch starts", async () => {
    const symbols = universe(50, 2000, 6); // 1225 pairs of T = 2000: seconds of work
    const tested = async () =>
      (await server.metrics.registry.getSingleMetric("discover_pairs_pairs_tested_total")!.get()).values[0]?.value ?? 0;
    const before = await tested();
    const stream = discover({ symbols });
    stream.on("error", () => undefined);
    await new Promise<void>((resolve) => {
      let seen = 0;
      stream.on("data", () => {
        if (++seen === 5) resolve();
      });
    });
    const t0 = performance.now();
    stream.cancel();
    while (server.pool.stats().activeTasks > 0 && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 1));
    const stopped = performance.now() - t0;
    expect(server.pool.stats().activeTasks).toBe(0);
    expect(stopped).toBeLessThan(1000); // the bound issue #10 sets; the speed itself is a benchmark
    const after = await tested();
    await new Promise((r) => setTimeout(r, 300));
    expect(server.pool.stats().activeTasks).toBe(0);
    expect(await tested()).toBe(after);
    expect(after - before).toBeLessThan(1225);
    expect((await server.metrics.registry.getSingleMetric("discover_pairs_active_streams")!.get()).values[0].value).toBe(0);
  });

  it("a slow DiscoverPairs does not delay a concurrent TestPair", async () => {
    const symbols = universe(40, 1500, 7); // 780 pairs of T = 1500
    const { x, y } = cointegratedPair(1000, 8);
    const stream = discover({ symbols });
    let finished = false;
    const done = collect(stream).then(() => (finished = true));
    await new Promise<void>((resolve) => stream.once("data", () => resolve()));
    const t0 = performance.now();
    const r = await testPair({ prices1: y, prices2: x });
    const latency = performance.now() - t0;
    expect(r.success).toBe(true);
    // The TestPair was answered while the discovery was still streaming: it did not queue behind it.
    // (How fast it was answered is a benchmark's business, not this test's.)
    expect(finished, `TestPair took ${latency.toFixed(0)} ms`).toBe(false);
    stream.cancel();
    await done.catch(() => undefined);
  });
});
