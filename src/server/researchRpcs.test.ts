/**
 * Issue 12 over a real server (127.0.0.1:0, generated client): the `hedge` extension of TestPair
 * and DiscoverPairs, DiscoverPairs' screens and the SweepBacktests streaming RPC give the
 * library's numbers (analysePair, discoverPairs, sweepBacktests, sweepOverfitting), refuse bad
 * fields naming them, and SweepBacktests stops its workers on cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status } from "@grpc/grpc-js";
import { analysePair, discoverPairs, sweepBacktests, sweepOverfitting, type SweepSpace } from "../lib/index.js";
import { startServer, type RunningServer } from "./startServer.js";
import { cointegratedPair, codeOf, collect, connectClients, randomWalk, unary, type Clients } from "./testSupport.js";
import {
  BatchDiscoveryRequest,
  PairTestRequest,
  SweepRequest,
  type PairDiscoveryUpdate,
  type SweepUpdate,
} from "./generated/pair_discovery.js";
import { MAX_SWEEP_RPC_COMBINATIONS } from "./compute/sweepOps.js";

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

const testPair = (req: Partial<PairTestRequest>) => unary(c.pairs, c.pairs.testPair, PairTestRequest.fromPartial(req));
const discover = (req: Partial<BatchDiscoveryRequest>) => c.pairs.discoverPairs(BatchDiscoveryRequest.fromPartial(req));
const sweep = (req: Partial<SweepRequest>) => c.pairs.sweepBacktests(SweepRequest.fromPartial(req));

describe("TestPair hedge extension", () => {
  const { x, y } = cointegratedPair(600, 11);
  for (const hedge of ["tls", "johansen", "boxTiao", "minHalfLife"] as const) {
    it(`hedge "${hedge}" reports analysePair's beta, intercept, levels and backtest`, async () => {
      const r = await testPair({ prices1: y, prices2: x, hedge, rho: 1 });
      const a = analysePair(y, x, { hedge, rho: 1 });
      expect(r.hedge).toBe(hedge);
      expect(r.beta).toBe(a.beta);
      expect(r.intercept).toBe(a.intercept);
      expect(r.pValue).toBe(a.pValue);
      expect(r.success).toBe(a.failedAt === null);
      expect(r.hurst).toBe(a.hurst);
      expect(r.kappa).toBe(a.kappa);
      if (a.failedAt === null) {
        expect(r.lowerBoundary).toBe(a.entryLevel);
        expect(r.totalReturn).toBe(a.backtest.totalReturn);
        expect(r.numTrades).toBe(a.backtest.trades);
      }
    });
  }
  it('empty hedge is "ols": the contract\'s numbers unchanged', async () => {
    const r = await testPair({ prices1: y, prices2: x });
    const explicit = await testPair({ prices1: y, prices2: x, hedge: "OLS" });
    expect(r.hedge).toBe("ols");
    expect(r.beta).toBe(analysePair(y, x).beta);
    expect(explicit).toEqual(r);
  });
  for (const [hedge, wire, lib] of [
    ["rolling", { hedgeWindow: 60 }, { hedgeWindow: 60 }],
    ["kalman", { hedgeDelta: 1e-5, hedgeVe: 0.05 }, { hedgeDelta: 1e-5, hedgeVe: 0.05 }],
    ["kalman", {}, {}],
  ] as const) {
    it(`hedge "${hedge}" ${JSON.stringify(wire)} reports analysePair's numbers on the residual it trades`, async () => {
      const r = await testPair({ prices1: y, prices2: x, hedge, rho: 1, dt: 1, transactionCost: 1e-4, ...wire });
      const a = analysePair(y, x, { hedge, rho: 1, dt: 1, transactionCost: 1e-4, ...lib });
      expect(r.hedge).toBe(hedge);
      expect([r.beta, r.intercept, r.pValue, r.success]).toEqual([a.beta, a.intercept, a.pValue, a.failedAt === null]);
      expect([r.hurst, r.kappa, r.theta, r.sigma]).toEqual([a.hurst, a.kappa, a.theta, a.sigma]);
      expect(r.warnings).toEqual(a.warnings);
      if (a.failedAt === null) {
        expect([r.lowerBoundary, r.longExitLevel, r.upperBoundary]).toEqual([a.entryLevel, a.exitLevel, a.shortEntryLevel]);
        expect([r.totalReturn, r.numTrades, r.sharpeRatio]).toEqual([a.backtest.totalReturn, a.backtest.trades, a.backtest.sharpe]);
      }
    });
  }
  it("bad dynamic-hedge fields are INVALID_ARGUMENT naming the field and the rule", async () => {
    const cases: [Partial<PairTestRequest>, RegExp][] = [
      [{ hedge: "rolling" }, /^TestPair: hedge_window is required with hedge "rolling"/],
      [{ hedge: "rolling", hedgeWindow: 2 }, /^TestPair: hedge_window must be >= 3/],
      [{ hedge: "rolling", hedgeWindow: -5 }, /^TestPair: hedge_window must be >= 3, got -5/],
      [{ hedge: "rolling", hedgeWindow: 590 }, /hedgeWindow must be ≤ n − 20 = 580/],
      [{ hedge: "tls", hedgeWindow: 20 }, /^TestPair: hedge_window applies to hedge "rolling" only/],
      [{ hedge: "rolling", hedgeWindow: 20, hedgeVe: 1 }, /^TestPair: hedge_delta and hedge_ve apply to hedge "kalman" only/],
      [{ hedge: "kalman", hedgeDelta: 1 }, /^TestPair: hedge_delta must be < 1, got 1/],
      [{ hedge: "kalman", hedgeDelta: -0.1 }, /^TestPair: hedge_delta must be in \(0, 1\)/],
      [{ hedge: "kalman", hedgeVe: Number.NaN }, /^TestPair: hedge_ve must be a finite number/],
    ];
    for (const [req, details] of cases) {
      const o = await codeOf(testPair({ prices1: y, prices2: x, ...req }));
      expect(o.code, JSON.stringify(req)).toBe(status.INVALID_ARGUMENT);
      expect(o.details).toMatch(details);
    }
  });
  it("bad hedge values are INVALID_ARGUMENT naming the field and the rule", async () => {
    const junk = await codeOf(testPair({ prices1: y, prices2: x, hedge: "nope" }));
    expect(junk.code).toBe(status.INVALID_ARGUMENT);
    expect(junk.details).toMatch(/^TestPair: hedge must be one of/);
    const batch = await codeOf(
      collect(
        discover({
          symbols: [
            { symbol: "A", prices: y },
            { symbol: "B", prices: x },
          ],
          hedge: "rolling",
        }),
      ),
    );
    expect(batch.code).toBe(status.INVALID_ARGUMENT);
    expect(batch.details).toMatch(/^DiscoverPairs: hedge_window is required with hedge "rolling"/);
  });
});

function panel(): { symbols: string[]; prices: number[][] } {
  const prices: number[][] = [];
  for (let s = 0; s < 4; s++) {
    const p = cointegratedPair(500, 70 + s, 0.08 + 0.06 * s);
    prices.push(p.x, p.y);
  }
  prices.push(randomWalk(500, 9, 200), randomWalk(500, 10, 150));
  return { symbols: prices.map((_, k) => `S${k}`), prices };
}

describe("DiscoverPairs screens", () => {
  const data = panel();
  const sectors = data.symbols.map((_, k) => (k < 6 ? "A" : "B"));
  const cases = [
    { name: "correlation floor", wire: { minCorrelation: 0.2 }, lib: { minReturnCorrelation: 0.2 } },
    { name: "SSD 2 nearest", wire: { ssdK: 2 }, lib: { nearestPartners: 2 } },
    {
      name: "same sector + half-life band + crossings, tls hedge",
      wire: { sameSector: true, sectors, minHalfLife: 1, maxHalfLife: 40, minCrossings: 20, hedge: "tls" },
      lib: {
        sectors: Object.fromEntries(data.symbols.map((s, k) => [s, sectors[k]])),
        halfLifeBand: { min: 1, max: 40 },
        minMeanCrossings: 20,
        hedge: "tls" as const,
      },
    },
    { name: "half-life floor only", wire: { minHalfLife: 3 }, lib: { halfLifeBand: { min: 3, max: Infinity } } },
    {
      name: "correlation floor, rolling hedge (window 40)",
      wire: { minCorrelation: 0.2, hedge: "rolling", hedgeWindow: 40 },
      lib: { minReturnCorrelation: 0.2, hedge: "rolling" as const, hedgeWindow: 40 },
    },
    {
      name: "SSD 2 nearest, kalman hedge (delta 1e-5, Ve 0.05)",
      wire: { ssdK: 2, hedge: "kalman", hedgeDelta: 1e-5, hedgeVe: 0.05 },
      lib: { nearestPartners: 2, hedge: "kalman" as const, hedgeDelta: 1e-5, hedgeVe: 0.05 },
    },
  ];
  for (const k of cases) {
    it(`${k.name}: the same pairs, numbers and removal counts as library discoverPairs`, async () => {
      const updates: PairDiscoveryUpdate[] = await collect(
        discover({ symbols: data.symbols.map((symbol, i) => ({ symbol, prices: data.prices[i] })), ...k.wire }),
      );
      const lib = discoverPairs(data, k.lib);
      const final = updates.at(-1)!;
      const streamed = updates.filter((u) => !u.isFinal).map((u) => u.result!);
      expect(final.isFinal).toBe(true);
      expect(final.screenRemoved).toEqual(lib.removed);
      expect(final.pairsCandidates).toBe(lib.candidates);
      expect(final.pairsTotal).toBe(lib.pairs.length);
      expect(Object.values(lib.removed).reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // the screen did something
      const key = (a: string, b: string) => `${a}/${b}`;
      const byPair = new Map(streamed.map((r) => [key(r.symbol1, r.symbol2), r]));
      expect([...byPair.keys()].sort()).toEqual(lib.pairs.map((p) => key(p.symbol1, p.symbol2)).sort());
      const q = new Map(final.qValues.map((v) => [key(v.symbol1, v.symbol2), v.qValue]));
      for (const p of lib.pairs) {
        const r = byPair.get(key(p.symbol1, p.symbol2))!;
        expect(r.beta).toBe(p.analysis!.beta);
        expect(r.pValue).toBe(p.analysis!.pValue);
        expect(r.success).toBe(p.analysis!.failedAt === null);
        expect(r.hedge).toBe(p.analysis!.hedge);
        expect(q.get(key(p.symbol1, p.symbol2))).toBeCloseTo(p.qValue, 14);
      }
    });
  }
  it("bad screen fields are INVALID_ARGUMENT naming the field", async () => {
    const symbols = data.symbols.map((symbol, i) => ({ symbol, prices: data.prices[i] }));
    const expectBad = async (req: Partial<BatchDiscoveryRequest>, details: RegExp) => {
      const o = await codeOf(collect(discover({ symbols, ...req })));
      expect(o.code, o.details).toBe(status.INVALID_ARGUMENT);
      expect(o.details).toMatch(details);
    };
    await expectBad({ sameSector: true }, /^DiscoverPairs: same_sector needs universe .* or sectors/);
    await expectBad({ sectors }, /^DiscoverPairs: sectors is set but same_sector is false/);
    await expectBad({ sameSector: true, sectors: ["A"] }, /^DiscoverPairs: sectors must have one entry per symbol \(10\), got 1/);
    await expectBad({ minCorrelation: 1.5 }, /^DiscoverPairs: min_correlation must be <= 1, got 1.5/);
    await expectBad({ minHalfLife: 10, maxHalfLife: 5 }, /^DiscoverPairs: max_half_life must be >= min_half_life \(10\)/);
    await expectBad({ minCorrelation: Number.NaN }, /^DiscoverPairs: min_correlation must be a finite number/);
  });
});

describe("SweepBacktests", () => {
  const pair = cointegratedPair(800, 21);
  const y = pair.y.map((v) => v + 100);
  const x = pair.x.map((v) => v + 100);
  const wireSpace = {
    hedges: [
      { method: "static", window: 60, beta: 0 },
      { method: "rolling", window: 80, beta: 0 },
      { method: "static", beta: 1.5, window: 0 },
    ],
    zWindows: [20, 40],
    entries: [1.5, 2],
    exits: [0, 0.5],
    stops: [4],
    includeNoStop: true,
  };
  const space: SweepSpace = {
    hedge: [
      { method: "static", window: 60 },
      { method: "rolling", window: 80 },
      { method: "static", beta: 1.5 },
    ],
    zWindow: [20, 40],
    entry: [1.5, 2],
    exit: [0, 0.5],
    stop: [null, 4],
  };
  const costs = { bps: 2, slippageBps: 1 };

  it("streams every grid combination equal to library sweepBacktests, then the best, DSR and PBO of sweepOverfitting", async () => {
    const updates: SweepUpdate[] = await collect(
      sweep({ prices1: y, prices2: x, ...wireSpace, costBps: 2, slippageBps: 1, batchSize: 5, pboPartitions: 8 }),
    );
    const lib = sweepBacktests({ y, x, space, costs, returns: true });
    expect(lib.size).toBe(48);
    const results = updates.filter((u) => !u.isFinal).map((u) => u.result!);
    expect(results.length).toBe(48);
    expect(updates.filter((u) => !u.isFinal).at(-1)!.completed).toBe(48);
    results.sort((a, b) => a.index - b.index);
    for (const [k, r] of results.entries()) {
      const l = lib.results[k];
      expect(r.index).toBe(l.index);
      expect([r.sharpe, r.annualizedSharpe, r.totalReturn, r.maxDrawdown, r.trades]).toEqual([
        l.sharpe,
        l.annualizedSharpe,
        l.totalReturn,
        l.maxDrawdown,
        l.trades,
      ]);
      expect([r.zWindow, r.entry, r.exit, r.hasStop ? r.stop : null]).toEqual([l.zWindow, l.entry, l.exit, l.stop]);
      expect(r.returns).toEqual([]); // only on request
    }
    const summary = updates.at(-1)!.summary!;
    const expected = sweepOverfitting({
      sharpes: lib.results.map((r) => r.sharpe),
      bestReturns: lib.results.reduce((a, b) => (b.sharpe > a.sharpe ? b : a)).returns!,
      trialReturns: lib.results.map((r) => r.returns!),
      partitions: 8,
    });
    expect(summary.best!.index).toBe(expected.bestIndex);
    expect(summary.best!.sharpe).toBe(expected.bestSharpe);
    expect(summary.deflatedSharpe).toBe(expected.dsr);
    expect(summary.expectedMaxSharpe).toBe(expected.expectedMaxSharpe);
    expect(summary.pbo).toBe(expected.pbo);
    expect(summary.pboPartitions).toBe(8);
    expect(summary.combinations).toBe(48);
    expect(summary.nObservations).toBe(800);
  });

  it("seeded random sampling with per-bar returns on request equals the library", async () => {
    const updates: SweepUpdate[] = await collect(
      sweep({ prices1: y, prices2: x, ...wireSpace, sampling: "random", randomCount: 10, seed: 7, includeReturns: true }),
    );
    const lib = sweepBacktests({ y, x, space, sampling: { kind: "random", count: 10, seed: 7 }, returns: true });
    const results = updates.filter((u) => !u.isFinal).map((u) => u.result!);
    results.sort((a, b) => a.index - b.index);
    expect(results.map((r) => r.sharpe)).toEqual(lib.results.map((r) => r.sharpe));
    expect(results.map((r) => r.entry)).toEqual(lib.results.map((r) => r.entry));
    for (const [k, r] of results.entries()) expect(r.returns).toEqual(Array.from(lib.results[k].returns!));
    expect(updates.at(-1)!.summary!.best!.returns.length).toBe(800);
  });

  it("bad fields are INVALID_ARGUMENT naming them; a grid beyond the cap is RESOURCE_EXHAUSTED naming it", async () => {
    const bad = async (req: Partial<SweepRequest>, code: number, details: RegExp) => {
      const o = await codeOf(collect(sweep({ prices1: y, prices2: x, ...wireSpace, ...req })));
      expect(status[o.code], o.details).toBe(status[code]);
      expect(o.details).toMatch(details);
    };
    await bad({ hedges: [] }, status.INVALID_ARGUMENT, /^SweepBacktests: hedges must have at least one value/);
    await bad(
      { hedges: [{ method: "kalman", beta: 0, window: 0 }] },
      status.INVALID_ARGUMENT,
      /^SweepBacktests: hedges\[0\].method must be one of "static", "rolling"/,
    );
    await bad(
      { hedges: [{ method: "rolling", beta: 0, window: 0 }] },
      status.INVALID_ARGUMENT,
      /^SweepBacktests: hedges\[0\].window must be >= 3/,
    );
    await bad({ entries: [Number.NaN] }, status.INVALID_ARGUMENT, /^SweepBacktests: entries\[0\] must be a finite number/);
    await bad({ exits: [3] }, status.INVALID_ARGUMENT, /^SweepBacktests: .*exit/);
    await bad({ prices2: x.slice(1) }, status.INVALID_ARGUMENT, /^SweepBacktests: prices1 and prices2 must have the same length/);
    await bad({ pboPartitions: 3 }, status.INVALID_ARGUMENT, /^SweepBacktests: pbo_partitions must be even/);
    await bad(
      { entries: Array.from({ length: 1000 }, (_, k) => 1 + k / 1000), exits: Array.from({ length: 100 }, (_, k) => k / 200) },
      status.RESOURCE_EXHAUSTED,
      new RegExp(
        `^SweepBacktests: the grid has 1200000 combinations, more than MAX_SWEEP_RPC_COMBINATIONS \\(${MAX_SWEEP_RPC_COMBINATIONS}\\)`,
      ),
    );
  });

  it("cancel stops the workers within 1 s and no new range starts", async () => {
    const long = cointegratedPair(20_000, 5);
    const ly = long.y.map((v) => v + 500);
    const lx = long.x.map((v) => v + 500);
    const combos = () => server.metrics.registry.getSingleMetric("sweep_backtests_combinations_total")!.get();
    const stream = sweep({
      prices1: ly,
      prices2: lx,
      hedges: [
        { method: "rolling", window: 50, beta: 0 },
        { method: "rolling", window: 100, beta: 0 },
      ],
      zWindows: [10, 20, 30, 40, 50],
      entries: Array.from({ length: 40 }, (_, k) => 1 + k / 20),
      exits: [0, 0.25, 0.5],
      batchSize: 8,
    });
    stream.on("error", () => undefined);
    await new Promise<void>((resolve) => {
      let seen = 0;
      stream.on("data", () => {
        if (++seen === 3) resolve();
      });
    });
    const t0 = performance.now();
    stream.cancel();
    while (server.pool.stats().activeTasks > 0 && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 1));
    expect(server.pool.stats().activeTasks).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    const after = (await combos()).values[0]?.value ?? 0;
    await new Promise((r) => setTimeout(r, 300));
    expect((await combos()).values[0]?.value ?? 0).toBe(after);
    expect(after).toBeLessThan(1200);
    expect((await server.metrics.registry.getSingleMetric("sweep_backtests_active_streams")!.get()).values[0].value).toBe(0);
  });
});
