import { describe, expect, it } from "vitest";
import { sharpeRatio } from "./sharpeRatio.js";

describe("sharpeRatio is per period: mean / sd(ddof 1), no annualisation", () => {
  it("matches numpy r.mean() / r.std(ddof=1)", () => {
    // numpy 1.24: 0.24019223070763063
    const expected = 0.24019223070763063;
    const actual = sharpeRatio([0.01, -0.02, 0.03, 0.0]);
    expect(Math.abs(actual - expected), `got ${actual}, expected ${expected}`).toBeLessThanOrEqual(4 * Number.EPSILON * expected);
  });
  it("zero sd gives ±Infinity by the sign of the mean, and 0 for a zero mean", () => {
    expect(sharpeRatio([0.01, 0.01, 0.01])).toBe(Infinity);
    expect(sharpeRatio([-0.01, -0.01])).toBe(-Infinity);
    expect(sharpeRatio([0, 0, 0])).toBe(0);
  });
  it("rejects fewer than 2 returns", () => {
    expect(() => sharpeRatio([0.1])).toThrow(/sharpeRatio: returns must have at least 2 observations, got 1/);
  });
});
