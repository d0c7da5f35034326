import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { logReturns } from "./logReturns.js";
import { simpleReturns } from "./simpleReturns.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/ols.json", import.meta.url), "utf8")) as {
  returns: { prices: number[]; logReturns: number[]; simpleReturns: number[] };
};

// numpy evaluates the same IEEE expressions (log of the ratio; ratio − 1), so agreement is to
// 2 ulp (Math.log and numpy's log may differ by an ulp).
const TOL = 4 * Number.EPSILON;

describe("returns match numpy on 300 EWG closes (fixtures/ols.json)", () => {
  it("logReturns = ln(p_t / p_{t−1})", () => {
    const r = logReturns(fixture.returns.prices);
    expect(r.length).toBe(299);
    r.forEach((v, i) =>
      expect(Math.abs(v - fixture.returns.logReturns[i])).toBeLessThanOrEqual(TOL * Math.abs(fixture.returns.logReturns[i]) + 1e-300),
    );
  });
  it("simpleReturns = p_t / p_{t−1} − 1", () => {
    const r = simpleReturns(fixture.returns.prices);
    r.forEach((v, i) =>
      expect(Math.abs(v - fixture.returns.simpleReturns[i])).toBeLessThanOrEqual(TOL * Math.abs(fixture.returns.simpleReturns[i]) + 1e-300),
    );
  });
  it("doc examples", () => {
    expect(Array.from(logReturns([100, 110, 99]))).toEqual([Math.log(1.1), Math.log(99 / 110)]);
    expect(Array.from(simpleReturns([100, 110, 99]))).toEqual([110 / 100 - 1, 99 / 110 - 1]);
  });
});

describe("returns reject bad prices", () => {
  it("log returns need strictly positive prices", () => {
    expect(() => logReturns([1, 0, 2])).toThrow(/^logReturns: prices must be strictly positive for log returns, got 0 at index 1$/);
    expect(() => logReturns([1, -2])).toThrow(RangeError);
  });
  it("too short, NaN, zero divisor", () => {
    expect(() => logReturns([1])).toThrow(/^logReturns: prices must have at least 2 observations, got 1$/);
    expect(() => simpleReturns([1, NaN])).toThrow(/^simpleReturns: prices must contain only finite numbers, got NaN at index 1$/);
    expect(() => simpleReturns([0, 1])).toThrow(/^simpleReturns: prices must be non-zero/);
  });
});
