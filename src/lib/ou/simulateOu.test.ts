import { describe, expect, it } from "vitest";
import { simulateOu } from "./simulateOu.js";
import { randomSource } from "../util/random.js";

describe("simulateOu uses the exact OU transition", () => {
  it("is reproducible for a seed and starts at x0 (default θ)", () => {
    const p = { kappa: 3, theta: 1, sigma: 0.5 };
    const a = simulateOu(p, 100, { dt: 0.01, rng: randomSource(7) });
    const b = simulateOu(p, 100, { dt: 0.01, rng: randomSource(7) });
    expect(a).toEqual(b);
    expect(a[0]).toBe(1);
    expect(simulateOu(p, 5, { rng: randomSource(7), x0: -2 })[0]).toBe(-2);
    expect(simulateOu(p, 1, { rng: randomSource(7) }).length).toBe(1);
  });

  it("one-step conditional mean and variance match θ + (x−θ)e^{−κdt} and σ²(1−e^{−2κdt})/(2κ) even for a coarse dt", () => {
    // 20 000 independent single steps from x0 = 3 with κ·dt = 1.5 (Euler would give mean 1.5·θ−0.5·x0, var σ²dt).
    const p = { kappa: 1.5, theta: 1, sigma: 0.8 };
    const dt = 1;
    const rng = randomSource(99);
    const reps = 20_000;
    let sum = 0;
    let sumSq = 0;
    for (let r = 0; r < reps; r++) {
      const v = simulateOu(p, 2, { dt, x0: 3, rng })[1];
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / reps;
    const variance = sumSq / reps - mean * mean;
    const exactMean = 1 + 2 * Math.exp(-1.5);
    const exactVariance = (0.64 * (1 - Math.exp(-3))) / 3;
    // standard errors: √(var/n) ≈ 0.0031 for the mean, var·√(2/n) ≈ 0.002 for the variance; 5 s.e.
    expect(Math.abs(mean - exactMean), `mean ${mean} vs ${exactMean}`).toBeLessThan(0.016);
    expect(Math.abs(variance - exactVariance), `variance ${variance} vs ${exactVariance}`).toBeLessThan(0.01);
  });

  it("kappa = 0 is Brownian motion with variance σ²·dt per step", () => {
    const x = simulateOu({ kappa: 0, theta: 5, sigma: 2 }, 50_001, { dt: 0.25, rng: randomSource(3) });
    let sumSq = 0;
    for (let t = 1; t < x.length; t++) sumSq += (x[t] - x[t - 1]) ** 2;
    const variance = sumSq / (x.length - 1);
    expect(Math.abs(variance / 1 - 1), `increment variance ${variance}, expected 1`).toBeLessThan(0.03);
  });

  it("sigma = 0 decays deterministically as e^{−κt}", () => {
    const x = simulateOu({ kappa: 2, theta: 1, sigma: 0 }, 4, { dt: 0.5, x0: 2, rng: randomSource(1) });
    for (let t = 0; t < 4; t++) expect(Math.abs(x[t] - (1 + Math.exp(-t)))).toBeLessThan(4 * Number.EPSILON);
  });

  it("throws on bad parameters with the function, argument and requirement in the message", () => {
    const rng = randomSource(1);
    const p = { kappa: 1, theta: 0, sigma: 1 };
    expect(() => simulateOu(p, 0, { rng })).toThrow(/^simulateOu: n must be >= 1, got 0$/);
    expect(() => simulateOu(p, 2.5, { rng })).toThrow(/^simulateOu: n must be an integer, got 2.5$/);
    expect(() => simulateOu({ ...p, kappa: -1 }, 10, { rng })).toThrow(/^simulateOu: params.kappa must be >= 0, got -1$/);
    expect(() => simulateOu({ ...p, sigma: NaN }, 10, { rng })).toThrow(/simulateOu: params.sigma must be a finite number/);
    expect(() => simulateOu(p, 10, { rng, dt: 0 })).toThrow(/^simulateOu: options.dt must be > 0, got 0$/);
    expect(() => simulateOu(p, 10, {} as { rng: () => number })).toThrow(TypeError);
    expect(() => simulateOu(p, 10, {} as { rng: () => number })).toThrow(/simulateOu: options.rng must be a function/);
    expect(() => simulateOu(null as unknown as typeof p, 10, { rng })).toThrow(/simulateOu: params must be an object/);
  });
});
