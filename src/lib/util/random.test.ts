import { describe, expect, it } from "vitest";
import { MAX_POLAR_TRIES, normalSource, randomSource } from "./random.js";

describe("normalSource is bounded (issue #10 item 1: every loop has a bound)", () => {
  it("throws a RangeError naming rng when the rng never lands inside the unit disc", () => {
    let calls = 0;
    const broken = normalSource(() => {
      calls++;
      return 0.5; // u = v = 0 every time
    });
    expect(() => broken()).toThrow(/^normalSource: rng gave no point inside the unit disc/);
    expect(calls).toBe(2 * MAX_POLAR_TRIES);
  });
  it("a uniform rng gives draws with mean ≈ 0 and variance ≈ 1 (10^5 draws, 5 standard errors)", () => {
    const normal = normalSource(randomSource(42));
    let sum = 0;
    let sumSquares = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const z = normal();
      sum += z;
      sumSquares += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});
