import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { meanCrossings } from "./meanCrossings.js";
import { sumOfSquaredDistances } from "./sumOfSquaredDistances.js";

const ssdFixture = JSON.parse(readFileSync(new URL("./fixtures/sumOfSquaredDistances.json", import.meta.url), "utf8")) as {
  prices: number[][];
  cases: { i: number; j: number; ssd: number }[];
  extra: { a: number[]; b: number[]; ssd: number }[];
};
const crossingsFixture = JSON.parse(readFileSync(new URL("./fixtures/meanCrossings.json", import.meta.url), "utf8")) as {
  cases: { name: string; spread: number[]; crossings: number }[];
};

// A sum of T squared differences of ratios: each term within a few ulps, so 1e-12 relative.
const SSD_RELATIVE = 1e-12;

describe("sumOfSquaredDistances matches pandas ((df / df.iloc[0]) differences squared and summed)", () => {
  for (const c of ssdFixture.cases) {
    it(`S${c.i} vs S${c.j}`, () => {
      const actual = sumOfSquaredDistances(ssdFixture.prices[c.i], ssdFixture.prices[c.j]);
      const delta = Math.abs(actual - c.ssd);
      expect(delta, `got ${actual}, expected ${c.ssd}, |Δ|=${delta}`).toBeLessThanOrEqual(SSD_RELATIVE * c.ssd);
    });
  }
  it("hand-checkable and negative-start cases", () => {
    for (const c of ssdFixture.extra) expect(sumOfSquaredDistances(c.a, c.b)).toBeCloseTo(c.ssd, 14);
    expect(sumOfSquaredDistances([10, 11, 12], [20, 21, 23])).toBeCloseTo(0.005, 15);
  });
  it("is symmetric, zero for proportional paths, and rejects a zero start", () => {
    const a = ssdFixture.prices[0];
    const b = ssdFixture.prices[1];
    expect(sumOfSquaredDistances(a, b)).toBe(sumOfSquaredDistances(b, a));
    expect(
      sumOfSquaredDistances(
        a,
        a.map((v) => 3 * v),
      ),
    ).toBeLessThan(1e-25);
    expect(() => sumOfSquaredDistances([0, 1, 2], [1, 2, 3])).toThrow(/sumOfSquaredDistances: a\[0\] must be non-zero/);
    expect(() => sumOfSquaredDistances([1, 2], [1, 2, 3])).toThrow(/a and b must have the same length, got 2 and 3/);
  });
});

describe("meanCrossings matches numpy (sign changes of s − mean(s); a bar at the mean crosses nothing)", () => {
  for (const c of crossingsFixture.cases) {
    it(`${c.name}: ${c.crossings}`, () => {
      expect(meanCrossings(c.spread)).toBe(c.crossings);
    });
  }
  it("rejects a one-point spread", () => {
    expect(() => meanCrossings([1])).toThrow(/meanCrossings: spread must have at least 2 observations, got 1/);
  });
});
