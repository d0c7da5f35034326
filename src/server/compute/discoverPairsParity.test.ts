/**
 * The library's discoverPairs (no screens) gives the TestPair pipeline's per-pair numbers: the
 * server's testPairCore is a thin mapping of analysePair, and this pins the mapping (field names,
 * units, which fields a failed stage leaves unset) against the library's discovery.
 */
import { describe, expect, it } from "vitest";
import { discoverPairs } from "../../lib/index.js";
import { cointegratedPair, randomWalk } from "../testSupport.js";
import { resolvePairOptions, testPairCore } from "./pairPipeline.js";

function panel(): { symbols: string[]; prices: number[][] } {
  const prices: number[][] = [];
  for (let s = 0; s < 3; s++) {
    const p = cointegratedPair(400, 40 + s, 0.1 + 0.05 * s);
    prices.push(p.x, p.y);
  }
  prices.push(randomWalk(400, 7));
  return { symbols: prices.map((_, k) => `S${k}`), prices };
}

describe("discoverPairs (no screens) equals the TestPair pipeline pair by pair", () => {
  for (const wire of [
    { significance: 0, minHurst: 0, transactionCost: 0, dt: 0, rho: 0, maxLag: 0, hurstMethod: "" },
    { significance: 0.3, minHurst: 0.35, transactionCost: 0.01, dt: 1, rho: 0.5, maxLag: 4, hurstMethod: "rs" },
  ]) {
    it(`wire options ${JSON.stringify(wire)}`, () => {
      const o = resolvePairOptions("TestPair", wire);
      const data = panel();
      const result = discoverPairs(data, {
        significance: o.significance,
        maxHurst: o.minHurst,
        transactionCost: o.transactionCost,
        dt: o.dt,
        rho: o.rho,
        maxLag: o.maxLag,
        hurstMethod: o.hurstMethod,
      });
      expect(result.pairs.length).toBe(21);
      let stagesSeen = new Set<string | null>();
      for (const pair of result.pairs) {
        const a = pair.analysis!;
        const server = testPairCore(
          pair.symbol1,
          pair.symbol2,
          Float64Array.from(data.prices[pair.index1]),
          Float64Array.from(data.prices[pair.index2]),
          o,
        );
        stagesSeen = stagesSeen.add(a.failedAt);
        const label = `${pair.symbol1}/${pair.symbol2}`;
        expect(server.beta, label).toBe(a.beta);
        expect(server.intercept, label).toBe(a.intercept);
        expect(server.pValue, label).toBe(a.pValue);
        expect(server.adfStatistic, label).toBe(a.adfStatistic);
        expect(server.adfLag, label).toBe(a.adfLag);
        expect(server.isCointegrated, label).toBe(a.isCointegrated);
        expect(server.success, label).toBe(a.failedAt === null);
        expect(server.warnings, label).toEqual(a.warnings);
        if (a.failedAt === "cointegration") {
          expect(server.hurst, label).toBeUndefined();
          continue;
        }
        expect(server.hurst, label).toBe(a.hurst);
        if (a.failedAt === "hurst") {
          expect(server.kappa, label).toBeUndefined();
          continue;
        }
        expect([server.kappa, server.theta, server.sigma, server.halfLife, server.halfLifeTime], label).toEqual([
          a.kappa,
          a.theta,
          a.sigma,
          a.halfLife,
          a.halfLifeTime,
        ]);
        if (a.failedAt !== null) continue;
        expect([server.lowerBoundary, server.upperBoundary, server.longExitLevel, server.shortExitLevel], label).toEqual([
          a.entryLevel,
          a.shortEntryLevel,
          a.exitLevel,
          a.shortExitLevel,
        ]);
        expect([server.totalReturn, server.sharpeRatio, server.maxDrawdown, server.numTrades, server.winRate], label).toEqual([
          a.backtest.totalReturn,
          a.backtest.sharpe,
          a.backtest.maxDrawdown,
          a.backtest.trades,
          a.backtest.winRate,
        ]);
      }
      // both a success and a cointegration failure occur, so both mappings were exercised
      expect(stagesSeen.has(null)).toBe(true);
      expect(stagesSeen.has("cointegration")).toBe(true);
    });
  }
});
