import { describe, expect, it } from "vitest";
import { boxTiaoHedge } from "./boxTiaoHedge.js";
import { expectClose, readHedgeFixture } from "./fixtureCases.test-helper.js";

const fixture = readHedgeFixture<{ beta: number; intercept: number; predictability: number }>("boxTiaoHedge");

// Closed-form 2 × 2 pencil vs LAPACK's generalised eigensolver on the same moments: 1e-9 relative
// (the smaller root of a quadratic whose coefficients are products of sums over ≤ 1000 points).
const TOLERANCE = 1e-9;

/** Box–Tiao predictability ν(w) = wᵀAΓ₀Aᵀw / wᵀΓ₀w of the spread y − βx, computed naively. */
function predictability(y: number[], x: number[], beta: number): number {
  const n = y.length;
  const s = y.map((v, t) => v - beta * x[t]);
  const m = s.reduce((a, v) => a + v, 0) / n;
  const d = s.map((v) => v - m);
  // for one series: A = Σ d_t d_{t−1} / Σ d_{t−1}², ν = A²·Γ₀/Γ₀ = A²
  let num = 0;
  let den = 0;
  for (let t = 1; t < n; t++) {
    num += d[t] * d[t - 1];
    den += d[t - 1] * d[t - 1];
  }
  return (num / den) ** 2;
}

describe("boxTiaoHedge matches a NumPy/scipy transcription of Box & Tiao (1977)", () => {
  for (const c of fixture.cases) {
    it(c.pair, () => {
      const { y, x } = fixture.pairs[c.pair];
      const r = boxTiaoHedge(y, x);
      expectClose("beta", r.beta, c.beta, TOLERANCE);
      expectClose("intercept", r.intercept, c.intercept, TOLERANCE);
      expectClose("predictability", r.predictability, c.predictability, TOLERANCE);
    });
  }
});

describe("boxTiaoHedge invariants", () => {
  it("the chosen spread is less predictable (closer to white noise) than the OLS-like neighbours β ± h", () => {
    // ν of the spread's own univariate AR(1) is a different quantity from the VAR pencil's λ, but
    // for a cointegrated pair the Box–Tiao β should beat nearby hedges on it too.
    const { y, x } = fixture.pairs[fixture.cases[0].pair];
    const beta = boxTiaoHedge(y, x).beta;
    expect(predictability(y, x, beta)).toBeLessThan(predictability(y, x, beta + 0.05));
    expect(predictability(y, x, beta)).toBeLessThan(predictability(y, x, beta - 0.05));
  });
  it("rejects a constant or collinear pair with the rule", () => {
    expect(() => boxTiaoHedge([1, 2, 3, 5, 4], [2, 4, 6, 10, 8])).toThrow(
      /boxTiaoHedge: y and x must not be constant or exactly collinear/,
    );
    expect(() => boxTiaoHedge([1, 2, 3, 5, 4], [1, 1, 1, 1, 1])).toThrow(/constant or exactly collinear/);
    expect(() => boxTiaoHedge([1, 2, 3], [1, 2, 3])).toThrow(/y must have at least 4 observations, got 3/);
  });
});
