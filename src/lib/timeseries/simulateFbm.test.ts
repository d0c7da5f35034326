import { describe, expect, it } from "vitest";
import { fgnAutocovariance, simulateFbm, simulateFgn, simulateFgnFromNormals, simulateFgnNormalCount } from "./simulateFbm.js";
import { normalSource, randomSource } from "../util/random.js";

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

describe("simulateFgnFromNormals (common random numbers, two paths per complex FFT)", () => {
  for (const [n, count] of [
    [1, 1],
    [37, 3],
    [37, 4],
    [1000, 5],
  ] as const) {
    it(`n = ${n}, ${count} paths: path j = the j-th successive simulateFgn call on the same rng (1e-13 absolute)`, () => {
      const normal = normalSource(randomSource(11));
      const size = simulateFgnNormalCount(n);
      const normals = Array.from({ length: count }, () => {
        const draw = new Float64Array(size);
        for (let k = 0; k < size; k++) draw[k] = normal();
        return draw;
      });
      const paths = simulateFgnFromNormals(n, normals, { hurst: 0.7 });
      expect(paths.length).toBe(count);
      const rng = randomSource(11);
      for (let j = 0; j < count; j++) {
        const expected = simulateFgn(n, { hurst: 0.7, rng });
        let worst = 0;
        for (let t = 0; t < n; t++) worst = Math.max(worst, Math.abs(paths[j][t] - expected[t]));
        expect(worst, `path ${j}`).toBeLessThan(1e-13);
      }
    });
  }
  it("needs 2m normals per path (m the smallest power of two >= n); bad input is rejected with the requirement", () => {
    expect(simulateFgnNormalCount(4095)).toBe(8192);
    expect(simulateFgnNormalCount(4097)).toBe(16384);
    expect(simulateFgnNormalCount(1)).toBe(2);
    const unit = simulateFgnFromNormals(4, [new Float64Array([1, 0, 0, 0, 0, 0, 0, 0])], { hurst: 0.5 })[0];
    for (const v of unit) expect(Math.abs(v - Math.sqrt(1 / 8))).toBeLessThan(4 * Number.EPSILON); // √(λ₀/2m)·1, λ₀ = 1
    expect(() => simulateFgnFromNormals(5, [new Float64Array(8)], { hurst: 0.5 })).toThrow(
      /^simulateFgnFromNormals: normals\[0\] must have 2m = 16 values \(m = smallest power of two >= n = 5\), got 8$/,
    );
    expect(() => simulateFgnFromNormals(5, [[0] as unknown as Float64Array], { hurst: 0.5 })).toThrow(TypeError);
    expect(() => simulateFgnFromNormals(5, [], { hurst: 1 })).toThrow(/^simulateFgnFromNormals: options.hurst must be < 1, got 1$/);
    expect(simulateFgnFromNormals(5, [], { hurst: 0.5 })).toEqual([]);
  });
});
