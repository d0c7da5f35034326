import { describe, expect, it } from "vitest";
import { mean } from "./mean.js";
import { variance } from "./variance.js";
import { randomSource } from "../util/random.js";

const EPS = Number.EPSILON;

describe("mean uses compensated summation", () => {
  it("hand-worked value", () => expect(mean([1, 2, 3, 4])).toBe(2.5));
  it("keeps digits a naive sum loses: 1e8 + many 0.1", () => {
    const x = [1e8, ...Array.from({ length: 1_000_000 }, () => 0.1)];
    const exact = (1e8 + 100_000) / 1_000_001; // the sum of the decimal values, divided exactly
    expect(Math.abs(mean(x) - exact)).toBeLessThanOrEqual(4 * EPS * exact);
  });
  it("rejects empty input", () => expect(() => mean([])).toThrow(/^mean: x must have at least 1 observations, got 0$/));
});

describe("variance uses Welford with ddof = 1 by default", () => {
  it("hand-worked value (numpy var(ddof=1) = 32/7)", () => {
    expect(Math.abs(variance([2, 4, 4, 4, 5, 5, 7, 9]) - 32 / 7)).toBeLessThanOrEqual(4 * EPS * (32 / 7));
    expect(variance([2, 4, 4, 4, 5, 5, 7, 9], { ddof: 0 })).toBe(4);
  });
  it("is shift invariant where the textbook formula fails (values near 1e9)", () => {
    const rng = randomSource(11);
    const base = Array.from({ length: 1000 }, () => rng());
    const shifted = base.map((v) => v + 1e9);
    // Absolute error of the shifted data is bounded by the rounding of the inputs (1e9·EPS ≈ 1.2e-7 each).
    expect(Math.abs(variance(shifted) - variance(base))).toBeLessThan(1e-7);
  });
  it("agrees with a naive two-pass loop", () => {
    const rng = randomSource(5);
    const x = Array.from({ length: 500 }, () => 10 * rng() - 3);
    let m = 0;
    for (const v of x) m += v;
    m /= x.length;
    let s = 0;
    for (const v of x) s += (v - m) ** 2;
    expect(Math.abs(variance(x) - s / (x.length - 1))).toBeLessThanOrEqual(64 * EPS * (s / (x.length - 1)));
  });
  it("errors name the argument and the requirement", () => {
    expect(() => variance([1], { ddof: 1 })).toThrow(/^variance: x must have more than ddof = 1 observations, got 1$/);
    expect(() => variance([1, 2], { ddof: -1 })).toThrow(/^variance: ddof must be >= 0, got -1$/);
  });
});
