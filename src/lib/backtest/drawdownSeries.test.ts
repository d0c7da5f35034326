import { describe, expect, it } from "vitest";
import { drawdownSeries, maxDrawdown } from "./index.js";

describe("drawdownSeries: d_t = V_t / running max − 1", () => {
  it("hand-worked path", () => {
    expect(Array.from(drawdownSeries([100, 120, 90, 130]))).toEqual([0, 0, 90 / 120 - 1, 0]);
  });

  it("its minimum equals −maxDrawdown and it is 0 exactly at running peaks (random walk, naive loop)", () => {
    let state = 12345;
    const rng = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const path = [100];
    for (let i = 1; i < 500; i++) path.push(path[i - 1] * (1 + (rng() - 0.5) * 0.04));
    const d = drawdownSeries(path);
    expect(Math.min(...d)).toBeCloseTo(-maxDrawdown(path).maxDrawdown, 14);
    let peak = -Infinity;
    path.forEach((v, t) => {
      peak = Math.max(peak, v);
      expect(d[t]).toBe(v / peak - 1);
    });
  });

  it("rejects non-positive values naming the index", () => {
    expect(() => drawdownSeries([1, 0, 2])).toThrow(/drawdownSeries: values must be > 0, got 0 at index 1/);
    expect(() => drawdownSeries([])).toThrow(/drawdownSeries/);
  });
});
