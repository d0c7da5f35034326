import { describe, expect, it } from "vitest";
import { maxDrawdown } from "./maxDrawdown.js";
import { randomSource } from "../util/random.js";

/** Deliberately naive O(n²) reference: every (peak, later trough) pair. */
function naiveMaxDrawdown(v: number[]): number {
  let worst = 0;
  for (let i = 0; i < v.length; i++) {
    for (let j = i + 1; j < v.length; j++) {
      if (v[i] > 0) worst = Math.max(worst, (v[i] - v[j]) / v[i]);
    }
  }
  return worst;
}

describe("maxDrawdown uses (peak − V)/peak as a positive fraction", () => {
  it("hand-worked path", () => {
    const r = maxDrawdown([100, 120, 90, 130, 117]);
    expect(r.maxDrawdown).toBe(0.25);
    expect(r.peakIndex).toBe(1);
    expect(r.troughIndex).toBe(2);
    expect(r.duration).toBe(1);
  });
  it("monotone paths have no drawdown; empty path is defined", () => {
    expect(maxDrawdown([1, 2, 3]).maxDrawdown).toBe(0);
    expect(maxDrawdown([]).maxDrawdown).toBe(0);
    expect(maxDrawdown([]).peakIndex).toBe(-1);
  });
  it("agrees with a naive O(n²) loop on random positive paths", () => {
    const rng = randomSource(3);
    for (let trial = 0; trial < 50; trial++) {
      const v: number[] = [100];
      for (let t = 1; t < 200; t++) v.push(v[t - 1] * Math.exp(0.03 * (rng() - 0.5)));
      const expected = naiveMaxDrawdown(v);
      expect(Math.abs(maxDrawdown(v).maxDrawdown - expected)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, expected));
    }
  });
  it("rejects non-finite values naming the argument", () => {
    expect(() => maxDrawdown([1, NaN])).toThrow(/^maxDrawdown: values must contain only finite numbers/);
  });
});
