import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { caraWeights, ledoitWolf, maxSharpeWeights, multiperiodWeights, pcaPortfolios, portfolioStats } from "./index.js";
import { solveQuadraticProgram } from "./solveQuadraticProgram.js";
import { matrixFromRows, type MatrixRowMajor } from "../util/matrix.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/portfolio.json", import.meta.url), "utf8"));
const pcaInput: number[][] = fixture.pcaInput;
const optInput: number[][] = fixture.optInput;

/** Elementwise comparison with |a − e| ≤ tol·max(1, |e|)·… printing inputs on failure. */
function closeArray(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string, scale = 1): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const delta = Math.abs(actual[i] - expected[i]);
    const bound = tol * Math.max(scale, Math.abs(expected[i]));
    if (!(delta <= bound))
      throw new Error(`${what}[${i}]: actual ${actual[i]}, expected ${expected[i]}, delta ${delta}, tolerance ${bound}`);
  }
}
const flat = (rows: number[][]) => rows.flat();
const maxAbs = (rows: number[][]) => Math.max(...rows.flat().map(Math.abs));

describe("pcaPortfolios matches sklearn 1.2.1 PCA(svd_solver='full') on 500 × 23 ETF log returns", () => {
  for (const c of fixture.pca) {
    it(`scaling "${c.scaling}": ratios, eigenvalues (ddof = 1), components and scores with sklearn's u-based svd_flip signs`, () => {
      const r = pcaPortfolios(pcaInput, { nComponents: c.nComponents, scaling: c.scaling });
      // eigenvalues of a well-separated spectrum: 1e-9 relative; vectors: 1e-7 of the largest entry
      closeArray(r.explainedVarianceRatio, c.explainedVarianceRatio, 1e-9, "explainedVarianceRatio", 0);
      closeArray(r.eigenvalues, c.eigenvalues, 1e-9, "eigenvalues", 0);
      closeArray(r.components.data, flat(c.components), 1e-7, "components", 1);
      const scores = Array.from(r.transformed.data.subarray(0, 20 * c.nComponents));
      closeArray(scores, flat(c.transformed), 1e-7, "transformed", maxAbs(c.transformed));
      expect(r.totalVarianceExplained).toBeLessThanOrEqual(1);
      expect(r.transformed.rows).toBe(500);
    });
  }

  it("components are orthonormal and ratios sum to 1 with all components", () => {
    const r = pcaPortfolios(pcaInput, { scaling: "zscore" });
    const { rows: k, cols: n, data } = r.components;
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let dotAB = 0;
        for (let i = 0; i < n; i++) dotAB += data[a * n + i] * data[b * n + i];
        expect(Math.abs(dotAB - (a === b ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    expect(Math.abs(r.totalVarianceExplained - 1)).toBeLessThan(1e-12);
  });

  it("distinct components (the Rust server returned k identical ones)", () => {
    const r = pcaPortfolios(pcaInput, { nComponents: 3 });
    const c = r.components;
    expect(Array.from(c.data.subarray(0, c.cols))).not.toEqual(Array.from(c.data.subarray(c.cols, 2 * c.cols)));
    expect(r.eigenvalues[0]).toBeGreaterThan(r.eigenvalues[1]);
  });

  it("accepts a MatrixRowMajor and rejects bad options with named errors", () => {
    const m = matrixFromRows(pcaInput);
    expect(pcaPortfolios(m, { nComponents: 2 }).components.rows).toBe(2);
    expect(() => pcaPortfolios(m, { nComponents: 24 })).toThrow(/pcaPortfolios: nComponents must be <= 23/);
    expect(() => pcaPortfolios(m, { scaling: "robust" as never })).toThrow(/pcaPortfolios: scaling must be one of/);
    expect(() => pcaPortfolios([[1, 2], [3]])).toThrow(/pcaPortfolios: returns rows must all have the same length/);
    expect(() =>
      pcaPortfolios([
        [1, NaN],
        [3, 4],
      ]),
    ).toThrow(/returns must contain only finite numbers, got NaN at \(0, 1\)/);
  });
});

describe("ledoitWolf matches sklearn.covariance.LedoitWolf", () => {
  it("500 × 23 panel: shrinkage to 1e-10, covariance to 1e-10 relative", () => {
    const r = ledoitWolf(pcaInput);
    const e = fixture.ledoitWolf[0];
    expect(Math.abs(r.shrinkage - e.shrinkage)).toBeLessThan(1e-10);
    closeArray(r.covariance.data, flat(e.covariance), 1e-10, "covariance", maxAbs(e.covariance));
  });

  it("singular 15 × 23 panel (T < N): shrunk covariance is positive definite", () => {
    const e = fixture.ledoitWolf[1];
    const r = ledoitWolf(e.rows);
    expect(Math.abs(r.shrinkage - e.shrinkage)).toBeLessThan(1e-10);
    closeArray(r.covariance.data, flat(e.covariance), 1e-10, "covariance", maxAbs(e.covariance));
  });
});

describe("caraWeights: w = Σ⁻¹μ/γ and its constrained variants vs numpy / exact KKT enumeration", () => {
  for (const c of fixture.cara) {
    it(`gamma ${c.gamma}: unconstrained, budget, longOnly, longOnly + budget`, () => {
      closeArray(caraWeights(optInput, { gamma: c.gamma }).weights, c.unconstrained, 1e-9, "unconstrained");
      const budget = caraWeights(optInput, { gamma: c.gamma, constraints: { budget: true } });
      closeArray(budget.weights, c.budget, 1e-9, "budget");
      expect(Math.abs(budget.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      // QP (Goldfarb–Idnani) vs exact KKT: 1e-8 of the largest weight
      closeArray(caraWeights(optInput, { gamma: c.gamma, constraints: { longOnly: true } }).weights, c.longOnly, 1e-8, "longOnly", 1);
      const lob = caraWeights(optInput, { gamma: c.gamma, constraints: { longOnly: true, budget: true } });
      closeArray(lob.weights, c.longOnlyBudget, 1e-8, "longOnlyBudget", 1);
      expect(Math.min(...lob.weights)).toBeGreaterThanOrEqual(0);
    });
  }

  it("utility of the unconstrained optimum is μᵀΣ⁻¹μ/(2γ) and beats every constrained variant", () => {
    const free = caraWeights(optInput, { gamma: 2 });
    expect(Math.abs(free.utility - free.expectedReturn / 2)).toBeLessThan(1e-15);
    for (const constraints of [{ budget: true }, { longOnly: true }, { longOnly: true, budget: true }]) {
      expect(caraWeights(optInput, { gamma: 2, constraints }).utility).toBeLessThanOrEqual(free.utility + 1e-15);
    }
  });

  it("Ledoit–Wolf shrinkage option uses sklearn's covariance", () => {
    const r = caraWeights(optInput, { gamma: 10, shrinkage: "ledoitWolf" });
    closeArray(r.weights, fixture.caraLedoitWolf.unconstrained, 1e-9, "ledoitWolf weights");
    expect(r.shrinkageIntensity).toBeGreaterThan(0);
  });

  it("singular covariance (T ≤ N) throws a RangeError naming the shrinkage fix; never equal weights", () => {
    const few = optInput.slice(0, 6);
    expect(() => caraWeights(few, { gamma: 2 })).toThrow(
      /caraWeights: the sample covariance of returns is singular.*T ≤ N.*shrinkage: "ledoitWolf"/,
    );
    const shrunk = caraWeights(few, { gamma: 2, shrinkage: "ledoitWolf" });
    expect(new Set(Array.from(shrunk.weights)).size).toBeGreaterThan(1);
  });

  it("collinear assets are detected even when T > N", () => {
    const rows = optInput.map((r) => [r[0], r[1], r[0] + r[1]]);
    expect(() => caraWeights(rows, { gamma: 2 })).toThrow(/numerically singular/);
  });

  it("validates gamma and constraints", () => {
    expect(() => caraWeights(optInput, { gamma: 0 })).toThrow(/caraWeights: gamma must be > 0/);
    expect(() => caraWeights(optInput, { gamma: 1, constraints: { budget: "yes" as never } })).toThrow(
      /constraints.budget must be a boolean/,
    );
    expect(() => caraWeights(optInput, { gamma: 1, shrinkage: "oas" as never })).toThrow(/shrinkage must be one of/);
  });
});

describe("maxSharpeWeights: tangency portfolio vs numpy and exact KKT", () => {
  for (const c of fixture.maxSharpe) {
    it(`riskFree ${c.riskFree}: unconstrained and long-only weights and Sharpe`, () => {
      const u = maxSharpeWeights(optInput, { riskFree: c.riskFree });
      closeArray(u.weights, c.unconstrained, 1e-9, "unconstrained");
      expect(Math.abs(u.sharpe - c.sharpeUnconstrained)).toBeLessThan(1e-10);
      const lo = maxSharpeWeights(optInput, { riskFree: c.riskFree, constraints: { longOnly: true } });
      closeArray(lo.weights, c.longOnly, 1e-8, "longOnly", 1);
      expect(Math.abs(lo.sharpe - c.sharpeLongOnly)).toBeLessThan(1e-10);
      expect(lo.sharpe).toBeLessThanOrEqual(u.sharpe + 1e-14);
    });
  }

  it("long-only without any asset above riskFree throws", () => {
    expect(() => maxSharpeWeights(optInput, { riskFree: 0.01, constraints: { longOnly: true } })).toThrow(
      /no asset has a mean return above riskFree/,
    );
  });
});

describe("multiperiodWeights: L1 turnover-penalised steps vs scipy SLSQP on the split QP", () => {
  const e = fixture.multiperiod;
  it("weights to 1e-5, realised turnover and utility, cumulative utility", () => {
    const r = multiperiodWeights(fixture.multiInput, { gamma: e.gamma, transactionCost: e.transactionCost, constraints: { budget: true } });
    expect(r.steps).toHaveLength(3);
    r.steps.forEach((s, k) => {
      closeArray(s.weights, e.steps[k].weights, 1e-5, `step ${k} weights`, 1);
      expect(Math.abs(s.turnover - e.steps[k].turnover)).toBeLessThan(1e-4);
      expect(Math.abs(s.utility - e.steps[k].utility)).toBeLessThan(1e-8);
      expect(Math.abs(s.weights.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-10);
    });
    expect(Math.abs(r.cumulativeUtility - e.cumulativeUtility)).toBeLessThan(1e-8);
    expect(r.averageTurnover).toBeCloseTo((r.steps[0].turnover + r.steps[1].turnover + r.steps[2].turnover) / 3, 12);
  });

  it("turnover is the real ‖w_k − w_{k−1}‖₁, zero cost reduces to caraWeights, higher cost trades less", () => {
    const free = multiperiodWeights(fixture.multiInput, { gamma: 5, transactionCost: 0, constraints: { budget: true } });
    fixture.multiInput.forEach((panel: number[][], k: number) => {
      closeArray(free.steps[k].weights, caraWeights(panel, { gamma: 5, constraints: { budget: true } }).weights, 1e-6, `step ${k}`, 1);
    });
    const costly = multiperiodWeights(fixture.multiInput, { gamma: 5, transactionCost: 0.001, constraints: { budget: true } });
    const turnover = (r: typeof free) => r.steps.reduce((a, s) => a + s.turnover, 0);
    expect(turnover(costly)).toBeLessThan(turnover(free));
    let prev = new Float64Array(5);
    for (const s of costly.steps) {
      const l1 = s.weights.reduce((a, w, i) => a + Math.abs(w - prev[i]), 0);
      expect(Math.abs(l1 - s.turnover)).toBeLessThan(1e-15);
      prev = s.weights;
    }
  });

  it("long-only steps stay non-negative; mismatched panels are rejected", () => {
    const r = multiperiodWeights(fixture.multiInput, { gamma: 5, transactionCost: 0.0002, constraints: { budget: true, longOnly: true } });
    for (const s of r.steps) expect(Math.min(...s.weights)).toBeGreaterThanOrEqual(-1e-12);
    expect(() => multiperiodWeights([fixture.multiInput[0], optInput], { gamma: 5, transactionCost: 0 })).toThrow(
      /returnsSequence\[1\] must have 5 assets/,
    );
    expect(() => multiperiodWeights(fixture.multiInput, { gamma: 5, transactionCost: -1 })).toThrow(/transactionCost must be >= 0/);
  });
});

describe("portfolioStats vs scipy.stats / numpy", () => {
  const e = fixture.stats;
  it("mean, std (ddof 1), biased skewness and excess kurtosis (scipy defaults), cov, corr, risk contributions", () => {
    const r = portfolioStats(optInput, e.weights);
    expect(Math.abs(r.mean - e.mean)).toBeLessThan(1e-17);
    expect(Math.abs(r.std - e.std) / e.std).toBeLessThan(1e-12);
    expect(Math.abs(r.skewness - e.skewness)).toBeLessThan(1e-10);
    expect(Math.abs(r.kurtosis - e.kurtosis)).toBeLessThan(1e-10);
    closeArray(r.covariance.data, flat(e.covariance), 1e-11, "covariance", maxAbs(e.covariance));
    closeArray(r.correlation.data, flat(e.correlation), 1e-12, "correlation", 1);
    closeArray(r.marginalRiskContributions, e.marginal, 1e-10, "marginal", maxAbs([e.marginal]));
    closeArray(r.percentRiskContributions, e.percent, 1e-10, "percent", 1);
  });

  it("component contributions sum to σ_p and percentages to 100 (Euler)", () => {
    const r = portfolioStats(optInput, e.weights);
    const sum = r.componentRiskContributions.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - r.std) / r.std).toBeLessThan(1e-12);
    expect(Math.abs(r.percentRiskContributions.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(1e-10);
  });

  it("weights length must match the assets", () => {
    expect(() => portfolioStats(optInput, [1, 2])).toThrow(/portfolioStats: weights must have one entry per asset \(8\), got 2/);
  });
});

describe("solveQuadraticProgram wraps quadprog with its documented conventions", () => {
  it("R solve.QP example: min −(0 5 0)ᵀb + ½bᵀb s.t. Aᵀb ≥ (−8, 2, 0) gives b = (0.476, 1.048, 2.095)", () => {
    // quadprog README / R ?solve.QP: the constraint columns of Amat are our inequality rows
    const amatColumns = [
      [-4, -3, 0],
      [2, 1, 0],
      [0, -2, 1],
    ];
    const identity: MatrixRowMajor = matrixFromRows([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const r = solveQuadraticProgram("test", {
      hessian: identity,
      linear: Float64Array.of(0, 5, 0),
      inequality: { a: matrixFromRows(amatColumns), b: Float64Array.of(-8, 2, 0) },
    });
    closeArray(r.x, [0.4761904761904762, 1.0476190476190477, 2.0952380952380953], 1e-14, "solution");
    expect(r.value).toBeCloseTo(-2.380952380952381, 14);
  });
});

describe("caraWeights refuses a gamma so small that the weights overflow (issue #10 item 7)", () => {
  // 60 × 3 seeded returns with non-zero means.
  const rows: number[][] = [];
  let state = 7;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  for (let t = 0; t < 60; t++) rows.push([0.01 + 0.02 * next(), 0.005 + 0.03 * next(), -0.002 + 0.01 * next()]);
  const x = matrixFromRows(rows);
  it.each([false, true])("gamma = 1e-300 (budget %s): RangeError naming gamma; gamma = 1e-3 finite", (budget) => {
    expect(() => caraWeights(x, { gamma: 1e-300, constraints: { budget } })).toThrow(/^caraWeights: gamma = 1e-300 is too small/);
    const r = caraWeights(x, { gamma: 1e-3, constraints: { budget } });
    for (const v of [...r.weights, r.expectedReturn, r.volatility, r.utility]) expect(Number.isFinite(v)).toBe(true);
  });
});
