import { describe, expect, it } from "vitest";
import { normalSource, randomSource } from "../util/random.js";
import { expectClose, readHedgeFixture } from "./fixtureCases.test-helper.js";
import { tlsHedge } from "./tlsHedge.js";

const fixture = readHedgeFixture<{ beta: number; intercept: number; majorAxisBeta: number; majorAxisIntercept: number }>("tlsHedge");

// scipy.odr stops at ODRPACK's sum-of-squares convergence (about 3e-9 relative on β here, whatever
// sstol asks for): 1e-8 relative. The major axis from numpy's eigh is exact to rounding: 1e-12.
const ODR_TOLERANCE = 1e-8;
const EIGEN_TOLERANCE = 1e-12;

describe("tlsHedge matches scipy.odr orthogonal regression (equal error variances) and the covariance major axis", () => {
  for (const c of fixture.cases) {
    it(c.pair, () => {
      const { y, x } = fixture.pairs[c.pair];
      const r = tlsHedge(y, x);
      expectClose(`${c.pair} beta vs scipy.odr`, r.beta, c.beta, ODR_TOLERANCE);
      // α = ȳ − β·x̄ carries β's convergence error times |x̄| (≈ 50 for the synthetic pairs)
      const meanX = Math.abs(x.reduce((s, v) => s + v, 0) / x.length);
      const interceptScale = (Math.abs(c.intercept) + Math.abs(c.beta) * meanX) / Math.max(1, Math.abs(c.intercept));
      expectClose(`${c.pair} intercept vs scipy.odr`, r.intercept, c.intercept, ODR_TOLERANCE * interceptScale);
      expectClose(`${c.pair} beta vs the covariance major axis`, r.beta, c.majorAxisBeta, EIGEN_TOLERANCE);
      expectClose(`${c.pair} intercept vs the covariance major axis`, r.intercept, c.majorAxisIntercept, EIGEN_TOLERANCE);
      expect(r.warnings).toEqual([]);
    });
  }
});

describe("tlsHedge invariants", () => {
  it("is symmetric in the legs: the hedge of x on y is 1/β", () => {
    const { y, x } = fixture.pairs[fixture.cases[0].pair];
    expectClose("1/β", tlsHedge(x, y).beta, 1 / tlsHedge(y, x).beta, 1e-13);
  });
  it("minimises the perpendicular sum of squares (naive check at β ± h)", () => {
    const normal = normalSource(randomSource(4));
    const x = Array.from({ length: 200 }, () => 3 * normal());
    const y = x.map((v) => 0.7 * v + normal());
    const r = tlsHedge(y, x);
    const cost = (b: number) => {
      const a = y.reduce((s, v, t) => s + v - b * x[t], 0) / y.length;
      return y.reduce((s, v, t) => s + (v - a - b * x[t]) ** 2, 0) / (1 + b * b);
    };
    for (const h of [1e-3, 1e-2]) {
      expect(cost(r.beta)).toBeLessThan(cost(r.beta + h));
      expect(cost(r.beta)).toBeLessThan(cost(r.beta - h));
    }
  });
  it("degenerate: uncorrelated legs with var(y) ≥ var(x) give NaN and a warning", () => {
    const r = tlsHedge([1, -1, 1, -1], [1, 1, -1, -1]);
    expect(Number.isNaN(r.beta)).toBe(true);
    expect(r.warnings[0]).toMatch(/uncorrelated/);
  });
  it("rejects bad input naming the argument", () => {
    expect(() => tlsHedge([1, 2, 3], [1, 2])).toThrow(/tlsHedge: y and x must have the same length, got 3 and 2/);
    expect(() => tlsHedge([1, 2, Number.NaN], [1, 2, 3])).toThrow(/tlsHedge: y must contain only finite numbers/);
  });
});
