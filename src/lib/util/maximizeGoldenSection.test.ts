import { describe, expect, it } from "vitest";
import { MAX_GOLDEN_ITERATIONS, maximizeGoldenSection } from "./maximizeGoldenSection.js";

describe("maximizeGoldenSection brackets the maximum of a unimodal function", () => {
  it("finds the vertex of a concave parabola to the requested width", () => {
    const { lo, hi } = maximizeGoldenSection((x) => -((x - 0.3) ** 2), -2, 5, 1e-10);
    expect(hi - lo).toBeLessThanOrEqual(1e-10);
    expect(Math.abs(0.5 * (lo + hi) - 0.3)).toBeLessThan(1e-10);
  });
  it("converges to the edge when the maximum is at the left end (−∞ below it)", () => {
    const { lo, hi } = maximizeGoldenSection((x) => (x > 1 ? -x : -Infinity), 1, 3, 1e-12);
    expect(0.5 * (lo + hi) - 1).toBeLessThan(1e-11);
  });
  it("agrees with a fine naive grid search on a skewed unimodal function", () => {
    const f = (x: number): number => Math.log(x) - x / 3; // maximum at x = 3
    const { lo, hi } = maximizeGoldenSection(f, 0.5, 10, 1e-9);
    let best = 0.5;
    for (let x = 0.5; x <= 10; x += 1e-5) if (f(x) > f(best)) best = x;
    expect(Math.abs(0.5 * (lo + hi) - best)).toBeLessThan(2e-5);
    expect(Math.abs(0.5 * (lo + hi) - 3)).toBeLessThan(1e-8);
  });
});

describe("maximizeGoldenSection is bounded (issue #10 item 1)", () => {
  it("returns after at most MAX_GOLDEN_ITERATIONS evaluations when the tolerance is below the spacing of doubles near the bracket", () => {
    let evaluations = 0;
    const f = (x: number): number => {
      evaluations++;
      return -((x - 5e299) ** 2);
    };
    // tolerance 1e-12 around 5e299: no bracket of doubles there is that narrow.
    const { lo, hi } = maximizeGoldenSection(f, 5e299, 5e299 * (1 + 1e-10), 1e-12);
    expect(evaluations).toBeLessThanOrEqual(MAX_GOLDEN_ITERATIONS + 2);
    expect(hi).toBeGreaterThanOrEqual(lo);
  });
  it("refuses a non-finite bracket", () => {
    expect(() => maximizeGoldenSection((x) => -x * x, 0, Number.POSITIVE_INFINITY, 1e-9)).toThrow(/maximizeGoldenSection: the bracket/);
  });
});
