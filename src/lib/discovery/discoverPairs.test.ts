import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benjaminiHochberg } from "../stats/benjaminiHochberg.js";
import { analysePair } from "./analysePair.js";
import { discoverPairs, type DiscoverPairsOptions } from "./discoverPairs.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/discoverScreens.json", import.meta.url), "utf8")) as {
  symbols: string[];
  prices: number[][];
  sectors: Record<string, string>;
  options: Required<Pick<DiscoverPairsOptions, "minReturnCorrelation" | "nearestPartners" | "halfLifeBand" | "minMeanCrossings">>;
  removed: Record<"sector" | "correlation" | "distance" | "halfLife" | "crossings", number>;
  survivors: [number, number][];
};
const panel = { symbols: fixture.symbols, prices: fixture.prices };
const ZERO = { sector: 0, correlation: 0, distance: 0, halfLife: 0, crossings: 0 };

describe("discoverPairs screens match a pandas/numpy re-implementation applied in order", () => {
  it("all five screens: each screen's count and the survivors", () => {
    const r = discoverPairs(panel, { ...fixture.options, sectors: fixture.sectors });
    expect(r.candidates).toBe(120);
    expect(r.removed).toEqual(fixture.removed);
    expect(r.pairs.map((p) => [p.index1, p.index2])).toEqual(fixture.survivors);
  });
  it("each screen alone removes pairs, and kept + removed = the 120 candidates", () => {
    const sectorOnly = discoverPairs(panel, { sectors: fixture.sectors, significance: 0.5 });
    expect(sectorOnly.removed).toEqual({ ...ZERO, sector: fixture.removed.sector });
    expect(sectorOnly.pairs.length).toBe(120 - fixture.removed.sector);
    for (const key of ["minReturnCorrelation", "nearestPartners", "halfLifeBand", "minMeanCrossings"] as const) {
      const alone = discoverPairs(panel, { [key]: fixture.options[key] });
      const removedTotal = Object.values(alone.removed).reduce((s, v) => s + v, 0);
      expect(alone.pairs.length + removedTotal, key).toBe(120);
      expect(removedTotal, `${key} removes something on its own`).toBeGreaterThan(0);
    }
  });
  it("nearestPartners = n − 1 keeps everything; a unit crossing floor on a mean-reverting spread keeps it", () => {
    expect(discoverPairs(panel, { nearestPartners: 15 }).removed.distance).toBe(0);
    expect(discoverPairs(panel, { minMeanCrossings: 0, halfLifeBand: { min: 0, max: Infinity } }).removed).toEqual(ZERO);
  });
});

describe("discoverPairs without screens is analysePair on every pair (i < j) plus BH q-values", () => {
  it("same numbers as analysePair, q-values = benjaminiHochberg of the p-values", () => {
    const small = { symbols: fixture.symbols.slice(0, 6), prices: fixture.prices.slice(0, 6) };
    const options = { significance: 0.2, maxHurst: 0.6, transactionCost: 0.0005 };
    const r = discoverPairs(small, options);
    expect(r.removed).toEqual(ZERO);
    expect(r.pairs.length).toBe(15);
    let k = 0;
    for (let i = 0; i < 6; i++) {
      for (let j = i + 1; j < 6; j++) {
        const p = r.pairs[k++];
        expect([p.symbol1, p.symbol2]).toEqual([small.symbols[i], small.symbols[j]]);
        expect(p.analysis).toEqual(analysePair(small.prices[i], small.prices[j], options));
      }
    }
    const q = benjaminiHochberg(r.pairs.map((p) => p.analysis!.pValue));
    r.pairs.forEach((p, m) => expect(p.qValue).toBe(q[m]));
  });
  it("a pair whose pipeline throws is reported with its error, the others still analysed", () => {
    const prices = [fixture.prices[0], fixture.prices[1], new Array(300).fill(7)];
    const r = discoverPairs({ symbols: ["A", "B", "C"], prices });
    expect(r.pairs.length).toBe(3);
    const failed = r.pairs.filter((p) => p.analysis === null);
    expect(failed.length).toBe(2);
    for (const p of failed) {
      expect(p.error).toMatch(/constant|singular|collinear/i);
      expect(Number.isNaN(p.qValue)).toBe(true);
    }
    expect(r.pairs[0].analysis).not.toBeNull();
  });
});

describe("discoverPairs validation and cancellation", () => {
  it("an aborted signal stops between pairs", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => discoverPairs(panel, { signal: controller.signal })).toThrow(/abort/i);
  });
  it("the signal is checked between pairs: aborting mid-scan stops after the pairs already analysed", () => {
    // discoverPairs is synchronous, so the abort must come from the signal itself: this one reports
    // aborted from its 4th check on (one check per pair in the cointegration scan, no screens).
    let checks = 0;
    const reason = new DOMException("stopped by the test", "AbortError");
    const signal = {
      get aborted() {
        checks++;
        return checks > 3;
      },
      reason,
    } as unknown as AbortSignal;
    expect(() => discoverPairs(panel, { signal })).toThrow(reason);
    expect(checks).toBe(4);
  });
  it("rejects a malformed panel and bad options naming the argument", () => {
    expect(() => discoverPairs({ symbols: ["A", "A"], prices: [fixture.prices[0], fixture.prices[1]] })).toThrow(
      /discoverPairs: panel.symbols must be unique, "A" repeats at index 1/,
    );
    expect(() => discoverPairs({ symbols: ["A", "B"], prices: [fixture.prices[0]] })).toThrow(/one series per symbol: 2 symbols, 1 series/);
    expect(() => discoverPairs({ symbols: ["A", "B"], prices: [fixture.prices[0], fixture.prices[1].slice(1)] })).toThrow(
      /panel.prices\[0\] has 300, panel.prices\[1\] has 299/,
    );
    expect(() => discoverPairs(panel, { minReturnCorrelation: 2 })).toThrow(/minReturnCorrelation must be <= 1, got 2/);
    expect(() => discoverPairs(panel, { nearestPartners: 0 })).toThrow(/nearestPartners must be >= 1, got 0/);
    expect(() => discoverPairs(panel, { halfLifeBand: { min: 10, max: 5 } })).toThrow(
      /halfLifeBand.max must be >= halfLifeBand.min \(10\), got 5/,
    );
    expect(() => discoverPairs(panel, { significance: 1 })).toThrow(/discoverPairs: significance must be < 1, got 1/);
    const withZero = fixture.prices[1].slice();
    withZero[5] = 0;
    expect(() => discoverPairs({ symbols: ["A", "B"], prices: [fixture.prices[0], withZero] }, { nearestPartners: 1 })).toThrow(
      /panel.prices\[1\] must be non-zero for the return and distance screens, got 0 at index 5/,
    );
  });
});
