import { describe, expect, it } from "vitest";
import { johansen } from "../timeseries/johansen.js";
import { expectClose, readHedgeFixture } from "./fixtureCases.test-helper.js";
import { johansenHedge } from "./johansenHedge.js";

const fixture = readHedgeFixture<{ detOrder: -1 | 0 | 1; kArDiff: number; beta: number; intercept: number; eigenvalue: number }>(
  "johansenHedge",
);

// The eigenvector ratio inherits johansen's agreement with statsmodels (its own fixture uses 1e-8
// on eigenvectors): 1e-8 relative on β and the intercept, 1e-10 on the eigenvalue.
describe("johansenHedge matches statsmodels coint_johansen evec[:, 0] normalised on y", () => {
  for (const c of fixture.cases) {
    it(`${c.pair}, detOrder ${c.detOrder}, kArDiff ${c.kArDiff}`, () => {
      const { y, x } = fixture.pairs[c.pair];
      const r = johansenHedge(y, x, { detOrder: c.detOrder, kArDiff: c.kArDiff });
      expectClose("beta", r.beta, c.beta, 1e-8);
      expectClose("intercept", r.intercept, c.intercept, 1e-8);
      expectClose("eigenvalue", r.eigenvalue, c.eigenvalue, 1e-10);
    });
  }
});

describe("johansenHedge invariants", () => {
  it("the spread vector (1, −β) is proportional to johansen's first eigenvector; defaults detOrder 0, kArDiff 1", () => {
    const { y, x } = fixture.pairs[fixture.cases[0].pair];
    const r = johansenHedge(y, x);
    const v = johansen([y, x], { detOrder: 0, kArDiff: 1 }).eigenvectors.data;
    expectClose("ratio", -v[2] / v[0], r.beta, 1e-14);
    expect(r.traceStatistic).toBeGreaterThan(0);
    expect(r.traceCritical95).toBeGreaterThan(0);
  });
  it("rejects unequal lengths naming the argument", () => {
    expect(() => johansenHedge([1, 2, 3], [1, 2])).toThrow(/johansenHedge: y and x must have the same length, got 3 and 2/);
  });
});
