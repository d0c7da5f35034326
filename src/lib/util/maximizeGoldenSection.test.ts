import { describe, expect, it } from "vitest";
import { maximizeGoldenSection } from "./maximizeGoldenSection.js";

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
