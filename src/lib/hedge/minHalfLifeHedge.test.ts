import { describe, expect, it } from "vitest";
import { halfLife } from "../ou/halfLife.js";
import { expectClose, readHedgeFixture } from "./fixtureCases.test-helper.js";
import { minHalfLifeHedge } from "./minHalfLifeHedge.js";

const fixture = readHedgeFixture<{ bounds: [number, number]; beta: number; phi: number; halfLife: number }>("minHalfLifeHedge");

// The reference is a grid of spacing ≈ 1e-5 refined by a bounded Brent search with xatol 1e-13 on
// a smooth |φ|: β agrees to 1e-7 relative (flat minimum: |φ| changes by O(Δβ²)), φ and the
// half-life to 1e-10.
describe("minHalfLifeHedge matches a dense-grid + bounded scalar search (NumPy/scipy)", () => {
  for (const c of fixture.cases) {
    it(c.pair, () => {
      const { y, x } = fixture.pairs[c.pair];
      const r = minHalfLifeHedge(y, x);
      expectClose("bounds[0]", r.bounds[0], c.bounds[0], 1e-12);
      expectClose("bounds[1]", r.bounds[1], c.bounds[1], 1e-12);
      expectClose("beta", r.beta, c.beta, 1e-7);
      expectClose("phi", r.phi, c.phi, 1e-10);
      expectClose("halfLife", r.halfLife, c.halfLife, 1e-8);
    });
  }
});

describe("minHalfLifeHedge invariants", () => {
  it("its half-life equals halfLife({ form: 'ar1' }) of the chosen spread and beats every grid point", () => {
    const { y, x } = fixture.pairs[fixture.cases[1].pair];
    const r = minHalfLifeHedge(y, x);
    const spread = y.map((v, t) => v - r.beta * x[t]);
    expectClose("halfLife", r.halfLife, halfLife(spread, { form: "ar1" }), 1e-9);
    for (let k = 0; k <= 200; k++) {
      const b = r.bounds[0] + ((r.bounds[1] - r.bounds[0]) * k) / 200;
      const h = halfLife(
        y.map((v, t) => v - b * x[t]),
        { form: "ar1" },
      );
      expect(h, `β = ${b}`).toBeGreaterThanOrEqual(r.halfLife * (1 - 1e-9));
    }
  });
  it("a minimum outside narrow bounds sits on the bound, with a warning", () => {
    const { y, x } = fixture.pairs[fixture.cases[0].pair];
    const r = minHalfLifeHedge(y, x, { bounds: [0, 0.5] });
    expect(r.beta === 0 || r.beta === 0.5).toBe(true);
    expect(r.warnings.join()).toMatch(/at the bound/);
  });
  it("rejects bad bounds and a constant x", () => {
    expect(() => minHalfLifeHedge([1, 2, 3, 4], [1, 3, 2, 4], { bounds: [1, 1] })).toThrow(
      /minHalfLifeHedge: bounds must satisfy lo < hi, got \[1, 1\]/,
    );
    expect(() => minHalfLifeHedge([1, 2, 3, 4], [2, 2, 2, 2])).toThrow(/minHalfLifeHedge: x must not be constant/);
  });
});
