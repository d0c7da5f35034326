import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fitOu } from "./fitOu.js";
import { simulateOu } from "./simulateOu.js";
import { randomSource } from "../util/random.js";

interface Case {
  name: string;
  source: string;
  dt: number;
  x: number[];
  expected: Record<"kappa" | "theta" | "sigma" | "halfLife" | "halfLifeSteps" | "logLikelihood" | "stationarySd", number>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/fitOu.json", import.meta.url), "utf8")) as { cases: Case[] };

/**
 * Tolerances against scipy's numerical maximisation of the exact likelihood. A numerical optimum is
 * only located to ~√ε of the flat likelihood (the script prints 3e-9..3.5e-7 relative between the
 * optimiser and the closed form), so parameters get 1e-6 relative; the log-likelihood is flat at
 * the optimum (error quadratic in the parameter error), so it gets 1e-10 relative.
 */
const TOLERANCE = {
  kappa: 1e-6,
  theta: 1e-6,
  sigma: 1e-6,
  halfLife: 1e-6,
  halfLifeSteps: 1e-6,
  stationarySd: 1e-6,
  logLikelihood: 1e-10,
} as const;

function expectRelative(actual: number, expected: number, tolerance: number, label: string) {
  const delta = Math.abs(actual - expected);
  expect(
    delta <= tolerance * Math.abs(expected),
    `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${tolerance} relative`,
  ).toBe(true);
}

describe("fitOu closed-form MLE agrees with scipy.optimize on the exact OU transition likelihood", () => {
  for (const c of fixture.cases) {
    it(`${c.name} (${c.source}, dt = ${c.dt})`, () => {
      const fit = fitOu(c.x, { dt: c.dt });
      expect(fit.warnings).toEqual([]);
      expect(fit.nobs).toBe(c.x.length - 1);
      for (const key of Object.keys(TOLERANCE) as (keyof typeof TOLERANCE)[]) {
        expectRelative(fit[key], c.expected[key], TOLERANCE[key], `${c.name}.${key}`);
      }
    });
  }
});

describe("fitOu internal consistency", () => {
  const c = fixture.cases[0];
  const fit = fitOu(c.x, { dt: c.dt });
  it("b = e^{−κ·dt}, θ = a/(1 − b), σ² = 2κ·s²/(1 − b²), halfLife = halfLifeSteps·dt", () => {
    expectRelative(fit.arCoefficient, Math.exp(-fit.kappa * fit.dt), 1e-14, "b");
    expectRelative(fit.theta, fit.arIntercept / (1 - fit.arCoefficient), 1e-12, "theta");
    expectRelative(fit.sigma ** 2, (2 * fit.kappa * fit.residualVariance) / (1 - fit.arCoefficient ** 2), 1e-12, "sigma");
    expectRelative(fit.halfLife, fit.halfLifeSteps * fit.dt, 1e-15, "halfLife");
    expectRelative(fit.stationarySd, fit.sigma / Math.sqrt(2 * fit.kappa), 1e-12, "stationarySd");
  });
  it("default dt = 1 reports kappa per step and halfLife in steps", () => {
    const perStep = fitOu(c.x);
    expect(perStep.dt).toBe(1);
    expectRelative(perStep.kappa, fit.kappa * c.dt, 1e-12, "kappa per step");
    expectRelative(perStep.halfLife, fit.halfLifeSteps, 1e-12, "halfLife in steps");
    expectRelative(perStep.logLikelihood, fit.logLikelihood, 1e-14, "logLikelihood does not depend on dt");
  });
});

describe("fitOu recovers the parameters of long exact simulated paths (statistical tolerance)", () => {
  // n = 100 000 steps, κ·dt = 0.2: sd(b̂) ≈ √((1 − b²)/n) ≈ 1.8e-3, so sd(κ̂)/κ ≈ 1.1%;
  // sd(σ̂)/σ ≈ 0.3%; sd(θ̂) ≈ stationarySd/√(n·κ·dt/2) ≈ 0.3·0.0045. Tolerances are 4 standard errors.
  const truth = { kappa: 2, theta: 0.5, sigma: 0.6 };
  const dt = 0.1;
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: κ within 4.5%, σ within 1.2%, θ within 0.02`, () => {
      const x = simulateOu(truth, 100_000, { dt, rng: randomSource(seed) });
      const fit = fitOu(x, { dt });
      expect(Math.abs(fit.kappa / truth.kappa - 1), `kappa ${fit.kappa}`).toBeLessThan(0.045);
      expect(Math.abs(fit.sigma / truth.sigma - 1), `sigma ${fit.sigma}`).toBeLessThan(0.012);
      expect(Math.abs(fit.theta - truth.theta), `theta ${fit.theta}`).toBeLessThan(0.02);
      expect(Math.abs(fit.halfLife / (Math.LN2 / truth.kappa) - 1), `halfLife ${fit.halfLife}`).toBeLessThan(0.05);
    });
  }
});

describe("fitOu degenerate fits return documented values with a warning", () => {
  it("b ≥ 1 (a trending path): kappa 0, theta NaN, halfLife Infinity, sigma = s/√dt", () => {
    const x = Array.from({ length: 50 }, (_, t) => 1.03 ** t + 0.01 * Math.sin(t));
    const fit = fitOu(x, { dt: 0.5 });
    expect(fit.arCoefficient).toBeGreaterThanOrEqual(1);
    expect(fit.kappa).toBe(0);
    expect(fit.theta).toBeNaN();
    expect(fit.halfLife).toBe(Infinity);
    expect(fit.halfLifeSteps).toBe(Infinity);
    expect(fit.stationarySd).toBe(Infinity);
    expectRelative(fit.sigma, Math.sqrt(fit.residualVariance / 0.5), 1e-15, "sigma");
    expect(fit.warnings.length).toBe(1);
    expect(fit.warnings[0]).toMatch(/no mean reversion/);
  });
  it("b ≤ 0 (sign-flipping path): kappa Infinity, halfLife 0, sigma Infinity", () => {
    const x = [1, -0.8, 0.9, -0.7, 0.75, -0.9, 0.6, -0.85, 0.95];
    const fit = fitOu(x);
    expect(fit.arCoefficient).toBeLessThanOrEqual(0);
    expect(fit.kappa).toBe(Infinity);
    expect(fit.halfLife).toBe(0);
    expect(fit.sigma).toBe(Infinity);
    expect(Number.isFinite(fit.theta)).toBe(true);
    expect(fit.warnings[0]).toMatch(/cannot come from a sampled OU process/);
  });
  it("an exact AR(1) recursion has zero residual variance: sigma 0, logLikelihood +Infinity, warning", () => {
    // x_t = 1 + 0.5·x_{t−1} from 0: dyadic values, 4 transitions, so every sum is exact and SSR = 0
    const fit = fitOu([0, 1, 1.5, 1.75, 1.875]);
    expect(fit.residualVariance).toBe(0);
    expect(fit.sigma).toBe(0);
    expect(fit.logLikelihood).toBe(Infinity);
    expect(fit.warnings).toHaveLength(1);
    expect(fit.warnings[0]).toMatch(/residual variance is zero/);
    expect(fit.kappa).toBe(Math.LN2);
    expect(fit.theta).toBe(2);
  });
  it("throws on bad input with the function, argument and requirement in the message", () => {
    expect(() => fitOu([1, 2])).toThrow(/^fitOu: x must have at least 3 observations, got 2$/);
    expect(() => fitOu([1, 2, Infinity])).toThrow(/fitOu: x must contain only finite numbers, got Infinity at index 2/);
    expect(() => fitOu([5, 5, 5, 5])).toThrow(/fitOu: x\[0..n-2\] must not be constant/);
    expect(() => fitOu([1, 2, 3], { dt: 0 })).toThrow(/^fitOu: options.dt must be > 0, got 0$/);
    expect(() => fitOu([1, 2, 3], { dt: -1 })).toThrow(RangeError);
    expect(() => fitOu([1, 2, 3], 5 as unknown as object)).toThrow(TypeError);
  });
});
