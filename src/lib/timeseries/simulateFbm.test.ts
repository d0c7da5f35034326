import { describe, expect, it } from "vitest";
import { fgnAutocovariance, simulateFbm, simulateFgn } from "./simulateFbm.js";
import { randomSource } from "../util/random.js";

describe("simulateFgn / simulateFbm (Davies–Harte circulant embedding)", () => {
  it("is reproducible for a seed; the fBm path starts at 0 and has length n", () => {
    const a = simulateFbm(100, { hurst: 0.7, rng: randomSource(5) });
    const b = simulateFbm(100, { hurst: 0.7, rng: randomSource(5) });
    expect(a).toEqual(b);
    expect(a.length).toBe(100);
    expect(a[0]).toBe(0);
    expect(simulateFbm(1, { hurst: 0.5, rng: randomSource(1) })).toEqual(new Float64Array(1));
    expect(simulateFgn(3, { hurst: 0.5, rng: randomSource(1) }).length).toBe(3);
  });

  it("fGn autocovariance γ(k) = ½(|k+1|^{2H} − 2|k|^{2H} + |k−1|^{2H}): γ(0) = 1, white noise at H = ½", () => {
    expect(fgnAutocovariance(0, 0.3)).toBe(1);
    expect(fgnAutocovariance(3, 0.5)).toBe(0);
    expect(Math.abs(fgnAutocovariance(1, 0.7) - (2 ** 1.4 / 2 - 1))).toBeLessThan(4 * Number.EPSILON);
    // large lags: no catastrophic cancellation (mpmath, 50 digits: 7.0332820082273763e-5 and −7.5714902537800526e-6)
    expect(Math.abs(fgnAutocovariance(1e6, 0.7) / 7.0332820082273763e-5 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(fgnAutocovariance(1000, 0.3) / -7.5714902537800526e-6 - 1)).toBeLessThan(1e-12);
    expect(fgnAutocovariance(-10, 0.7)).toBe(fgnAutocovariance(10, 0.7));
  });

  for (const hurstValue of [0.2, 0.5, 0.8]) {
    it(`H = ${hurstValue}: sample autocovariances over 3000 replications match γ(k), k = 0..4, within 5 standard errors`, () => {
      const rng = randomSource(2024);
      const reps = 3000;
      const n = 37; // not a power of two: exercises the embedding size rounding
      const lagsChecked = 5;
      const sums = new Float64Array(lagsChecked);
      const sumsSq = new Float64Array(lagsChecked);
      for (let r = 0; r < reps; r++) {
        const x = simulateFgn(n, { hurst: hurstValue, rng });
        // one product per replication at positions (3, 3 + k): independent across replications
        for (let k = 0; k < lagsChecked; k++) {
          const p = x[3] * x[3 + k];
          sums[k] += p;
          sumsSq[k] += p * p;
        }
      }
      for (let k = 0; k < lagsChecked; k++) {
        const mean = sums[k] / reps;
        const se = Math.sqrt((sumsSq[k] / reps - mean * mean) / reps);
        const expected = fgnAutocovariance(k, hurstValue);
        expect(Math.abs(mean - expected), `lag ${k}: sample ${mean}, expected ${expected}, se ${se}`).toBeLessThan(5 * se);
      }
    });
  }

  it("fBm has Var B_H(t) = t^{2H} at the end of the path (2000 replications, 5 standard errors)", () => {
    const rng = randomSource(77);
    const reps = 2000;
    const n = 65;
    const hurstValue = 0.3;
    let s = 0;
    let s2 = 0;
    for (let r = 0; r < reps; r++) {
      const v = simulateFbm(n, { hurst: hurstValue, rng })[n - 1] ** 2;
      s += v;
      s2 += v * v;
    }
    const mean = s / reps;
    const se = Math.sqrt((s2 / reps - mean * mean) / reps);
    const expected = (n - 1) ** (2 * hurstValue);
    expect(Math.abs(mean - expected), `E[B(64)^2] sample ${mean}, expected ${expected}, se ${se}`).toBeLessThan(5 * se);
  });

  it("throws with the function, argument and requirement in the message", () => {
    const rng = randomSource(1);
    expect(() => simulateFbm(0, { hurst: 0.5, rng })).toThrow(/^simulateFbm: n must be >= 1, got 0$/);
    expect(() => simulateFbm(10, { hurst: 1, rng })).toThrow(/^simulateFbm: options.hurst must be < 1, got 1$/);
    expect(() => simulateFgn(10, { hurst: 0, rng })).toThrow(/^simulateFgn: options.hurst must be > 0, got 0$/);
    expect(() => simulateFgn(10, { hurst: 0.5 } as { hurst: number; rng: () => number })).toThrow(TypeError);
    expect(() => simulateFbm(1, { hurst: 2, rng })).toThrow(RangeError);
  });
});
