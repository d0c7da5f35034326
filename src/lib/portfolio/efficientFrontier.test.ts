import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { efficientFrontier, maxSharpeWeights } from "./index.js";
import { covarianceMatrix, columnMeans, matVec, dot } from "./returnsMatrix.js";
import { matrixFromRows } from "../util/matrix.js";

const portfolio = JSON.parse(readFileSync(new URL("./fixtures/portfolio.json", import.meta.url), "utf8"));
const fixture = JSON.parse(readFileSync(new URL("./fixtures/efficientFrontier.json", import.meta.url), "utf8"));
const input: number[][] = portfolio.optInput;

function close(actual: number, expected: number, tol: number, what: string): void {
  const delta = Math.abs(actual - expected);
  const bound = tol * Math.max(1e-300, Math.abs(expected));
  if (!(delta <= bound)) throw new Error(`${what}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${bound}`);
}

describe("efficientFrontier (closed form) matches numpy's KKT solves on 400 × 8 ETF log returns", () => {
  for (const c of fixture.cases) {
    it(`options ${JSON.stringify(c.options)}: targets, volatilities and weights`, () => {
      const r = efficientFrontier(input, c.options);
      // Targets are arithmetic: 1e-12 relative. Volatilities and weights go through a solve with
      // condition number ~1e3 (a different route from numpy's): 1e-9 relative / of the largest weight.
      c.targetReturns.forEach((t: number, k: number) => close(r.targetReturns[k], t, 1e-12, `targetReturns[${k}]`));
      c.volatilities.forEach((v: number, k: number) => close(r.volatilities[k], v, 1e-9, `volatilities[${k}]`));
      const n = r.weights.cols;
      c.weights.forEach((row: number[], k: number) => {
        const scale = Math.max(...row.map(Math.abs));
        row.forEach((w, i) => {
          const delta = Math.abs(r.weights.data[k * n + i] - w);
          if (!(delta <= 1e-9 * scale))
            throw new Error(`weights[${k}][${i}]: actual ${r.weights.data[k * n + i]}, expected ${w}, delta ${delta}`);
        });
      });
    });
  }

  it("minimum-variance portfolio equals numpy's", () => {
    const r = efficientFrontier(input);
    close(r.minVariance.expectedReturn, fixture.minVariance.expectedReturn, 1e-9, "minVariance.expectedReturn");
    close(r.minVariance.volatility, fixture.minVariance.volatility, 1e-9, "minVariance.volatility");
    fixture.minVariance.weights.forEach((w: number, i: number) => close(r.minVariance.weights[i], w, 1e-8, `minVariance.weights[${i}]`));
  });

  it("invariants: each row sums to 1, has mean m_k and variance σ(m_k)²; σ is increasing on the efficient branch", () => {
    const r = efficientFrontier(input, { points: 25 });
    const x = matrixFromRows(input);
    const mu = columnMeans(x);
    const sigma = covarianceMatrix(x, 1, mu);
    const n = r.weights.cols;
    for (let k = 0; k < 25; k++) {
      const w = r.weights.data.slice(k * n, (k + 1) * n);
      expect(Math.abs(w.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
      close(dot(w, mu), r.targetReturns[k], 1e-10, `μᵀw[${k}]`);
      close(Math.sqrt(dot(w, matVec(sigma, w))), r.volatilities[k], 1e-10, `√(wᵀΣw)[${k}]`);
      if (k > 0) expect(r.volatilities[k]).toBeGreaterThan(r.volatilities[k - 1]);
    }
    expect(r.volatilities[0]).toBeCloseTo(r.minVariance.volatility, 15);
  });

  it("the tangency portfolio (maxSharpeWeights) lies on the frontier", () => {
    const tangency = maxSharpeWeights(input);
    const r = efficientFrontier(input, { points: 2, minReturn: tangency.expectedReturn, maxReturn: tangency.expectedReturn * 2 });
    close(r.volatilities[0], tangency.volatility, 1e-9, "σ at the tangency portfolio's mean");
  });

  it("rejects bad options and a panel whose assets all have the same mean, naming the argument", () => {
    expect(() => efficientFrontier(input, { points: 1 })).toThrow(/efficientFrontier: points must be >= 2/);
    expect(() => efficientFrontier(input, { minReturn: 0.01, maxReturn: 0 })).toThrow(/efficientFrontier: maxReturn must be > minReturn/);
    const sameMean = [
      [0.01, 0.02],
      [0.03, 0.0],
      [0.02, 0.04],
    ]; // both columns average exactly 0.02
    expect(() => efficientFrontier(sameMean)).toThrow(/efficientFrontier: all assets have the same mean return/);
  });
});
