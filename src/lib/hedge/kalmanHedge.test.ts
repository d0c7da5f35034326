import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitKalmanHedge, kalmanHedge, type KalmanHedgeOptions } from "./kalmanHedge.js";

interface Case {
  name: string;
  y: number[];
  x: number[];
  options: KalmanHedgeOptions;
  beta: number[];
  intercept: number[];
  forecastError: number[];
  forecastVariance: number[];
  logLikelihood: number;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/kalmanHedge.json", import.meta.url), "utf8")) as {
  cases: Case[];
  fit: { case: string; burnIn: number; delta: number; ve: number; logLikelihood: number };
};

/** |actual − expected| ≤ tol·(scale + |expected|), with a message that prints everything. */
function near(actual: number, expected: number, tol: number, scale: number, what: string): void {
  const delta = Math.abs(actual - expected);
  const bound = tol * (scale + Math.abs(expected));
  if (!(delta <= bound)) throw new Error(`${what}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${bound}`);
}

describe("kalmanHedge matches a NumPy transcription of Chan (2013) example 3.3 (fixtures/kalmanHedge.json)", () => {
  // Tolerances: the same recursion in a different operation order (2×2 matrix products in NumPy,
  // expanded scalars here); over 2,000 bars the rounding differences stay near 1e-12 relative.
  // β, α, e: 1e-9 relative to (1 + |value|) (e crosses 0); Q: 1e-10 relative; ln L: 1e-10 relative.
  for (const c of fixture.cases) {
    it(`${c.name} (${c.y.length} bars, options ${JSON.stringify(c.options)})`, () => {
      const r = kalmanHedge(c.y, c.x, c.options);
      const label = `${c.name} ${JSON.stringify(c.options)}`;
      for (let t = 0; t < c.y.length; t++) {
        near(r.beta[t], c.beta[t], 1e-9, 1, `${label} beta[${t}]`);
        near(r.intercept[t], c.intercept[t], 1e-9, 1, `${label} intercept[${t}]`);
        near(r.forecastError[t], c.forecastError[t], 1e-9, 1, `${label} forecastError[${t}]`);
        near(r.forecastVariance[t], c.forecastVariance[t], 1e-10, 0, `${label} forecastVariance[${t}]`);
      }
      near(r.logLikelihood, c.logLikelihood, 1e-10, 0, `${label} logLikelihood`);
    });
  }
});

describe("kalmanHedge conventions and invariants", () => {
  it("first bar: θ₀ = 0 and R₀ = P₀ = 0, so e_0 = y_0, Q_0 = Ve and the state stays 0", () => {
    const r = kalmanHedge([3, 5, 4], [2, 2.5, 2.2], { ve: 0.01 });
    expect(r.forecastError[0]).toBe(3);
    expect(r.forecastVariance[0]).toBe(0.01);
    expect([r.beta[0], r.intercept[0]]).toEqual([0, 0]);
  });

  it("no look-ahead: outputs up to t do not change when data after t change", () => {
    const c = fixture.cases[0];
    const ref = kalmanHedge(c.y, c.x);
    const y2 = c.y.slice();
    for (let k = 1001; k < y2.length; k++) y2[k] *= 1.1;
    const r = kalmanHedge(y2, c.x);
    for (let t = 0; t <= 1000; t++) {
      expect(r.beta[t]).toBe(ref.beta[t]);
      expect(r.forecastError[t]).toBe(ref.forecastError[t]);
      expect(r.forecastVariance[t]).toBe(ref.forecastVariance[t]);
    }
  });

  it("log-likelihood is the sum of the per-bar Gaussian terms after burnIn", () => {
    const c = fixture.cases[1];
    const r = kalmanHedge(c.y, c.x, { ...c.options, burnIn: 5 });
    let sum = 0;
    for (let t = 5; t < c.y.length; t++)
      sum += -0.5 * (Math.log(2 * Math.PI * r.forecastVariance[t]) + r.forecastError[t] ** 2 / r.forecastVariance[t]);
    near(r.logLikelihood, sum, 1e-12, 0, "logLikelihood");
  });

  it("rejects bad input with the argument and the rule", () => {
    expect(() => kalmanHedge([1, 2, 3], [1, 2])).toThrow(/kalmanHedge: y and x must have the same length/);
    expect(() => kalmanHedge([1, 2], [1, 2], { delta: 1 })).toThrow(/kalmanHedge: options.delta must be < 1/);
    expect(() => kalmanHedge([1, 2], [1, 2], { ve: 0 })).toThrow(/kalmanHedge: options.ve must be > 0/);
    expect(() => kalmanHedge([1, NaN], [1, 2])).toThrow(/kalmanHedge: y must contain only finite numbers/);
    expect(() => kalmanHedge([1, 2], [1, 2], { burnIn: 2 })).toThrow(/kalmanHedge: options.burnIn must be < n/);
  });
});

describe("fitKalmanHedge: maximum likelihood of δ and Ve", () => {
  const f = fixture.fit;
  const c = fixture.cases.find((k) => k.name === f.case)!;
  it("reaches scipy's Nelder–Mead optimum on the simulated series (ln L to 1e-6, δ and Ve to 1e-6 relative)", () => {
    const r = fitKalmanHedge(c.y, c.x, { burnIn: f.burnIn });
    expect(r.converged).toBe(true);
    expect(r.warnings).toEqual([]);
    // ln L is flat near the optimum: parameters agree less tightly than the maximum itself
    expect(r.logLikelihood).toBeGreaterThanOrEqual(f.logLikelihood - 1e-6);
    near(r.delta, f.delta, 1e-6, 0, "delta");
    near(r.ve, f.ve, 1e-6, 0, "ve");
    // the reported ln L is that of kalmanHedge at the fitted parameters
    near(kalmanHedge(c.y, c.x, { delta: r.delta, ve: r.ve, burnIn: f.burnIn }).logLikelihood, r.logLikelihood, 1e-14, 0, "lnL at fit");
  });

  it("is bounded: maxIterations 3 stops early with a warning and the best vertex so far", () => {
    const r = fitKalmanHedge(c.y, c.x, { burnIn: f.burnIn, maxIterations: 3 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(3);
    expect(r.warnings[0]).toMatch(/not converged after 3 iterations/);
    expect(r.logLikelihood).toBeGreaterThanOrEqual(kalmanHedge(c.y, c.x, { burnIn: f.burnIn }).logLikelihood);
  });
});
