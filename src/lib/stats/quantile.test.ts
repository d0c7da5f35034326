import { describe, expect, it } from "vitest";
import { randomSource } from "../util/random.js";
import { quantile } from "./quantile.js";

describe("quantile uses linear interpolation (R type 7, numpy.quantile default)", () => {
  // expected values: numpy 1.24 np.quantile([3.5, -1.25, 0, 2, 7.75, -4, 1], p)
  const x = [3.5, -1.25, 0.0, 2.0, 7.75, -4.0, 1.0];
  const cases: [number, number][] = [
    [0, -4.0],
    [0.05, -3.175],
    [0.25, -0.625],
    [0.5, 1.0],
    [0.9, 5.200000000000001],
    [1, 7.75],
  ];
  for (const [p, expected] of cases) {
    it(`p = ${p}`, () => {
      const actual = quantile(x, p);
      expect(Math.abs(actual - expected), `got ${actual}, expected ${expected}`).toBeLessThanOrEqual(
        4 * Number.EPSILON * Math.abs(expected),
      );
    });
  }
  it("is monotone in p and does not reorder its input", () => {
    const rng = randomSource(4);
    const y = Array.from({ length: 37 }, () => rng());
    const copy = y.slice();
    let previous = -Infinity;
    for (let p = 0; p <= 1; p += 0.01) {
      const q = quantile(y, p);
      expect(q).toBeGreaterThanOrEqual(previous);
      previous = q;
    }
    expect(y).toEqual(copy);
  });
  it("rejects p outside [0, 1] and empty input", () => {
    expect(() => quantile([1, 2], 1.5)).toThrow(/quantile: p must be <= 1, got 1.5/);
    expect(() => quantile([], 0.5)).toThrow(/quantile: x must have at least 1 observations, got 0/);
  });
});
