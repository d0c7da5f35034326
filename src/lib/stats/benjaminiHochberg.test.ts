import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { benjaminiHochberg, qValueUpperBound, SortedPValues } from "./benjaminiHochberg.js";
import { randomSource } from "../../lib/util/random.js";

interface Case {
  name: string;
  alpha: number;
  p: number[];
  q: number[];
  reject: boolean[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/benjaminiHochberg.json", import.meta.url), "utf8")) as { cases: Case[] };

// q-values are a min over products/quotients of the inputs: a few ulps of rounding at most.
const Q_TOLERANCE = 1e-14;

describe("benjaminiHochberg matches statsmodels fdrcorrection(method='indep')", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const q = benjaminiHochberg(c.p);
      for (let i = 0; i < c.p.length; i++) {
        const delta = Math.abs(q[i] - c.q[i]);
        expect(delta, `p=${c.p[i]} at ${i}: got q=${q[i]}, expected ${c.q[i]}, |Δ|=${delta} > ${Q_TOLERANCE}`).toBeLessThanOrEqual(
          Q_TOLERANCE,
        );
        expect(q[i] <= c.alpha, `rejection at ${i}`).toBe(c.reject[i]);
      }
    });
  }
});

describe("benjaminiHochberg invariants", () => {
  it("q >= p and q is monotone in p", () => {
    const rng = randomSource(7);
    const p = Array.from({ length: 500 }, () => rng());
    const q = benjaminiHochberg(p);
    const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
    for (let k = 0; k < order.length; k++) {
      expect(q[order[k]]).toBeGreaterThanOrEqual(p[order[k]]);
      if (k > 0) expect(q[order[k]]).toBeGreaterThanOrEqual(q[order[k - 1]]);
    }
  });

  it("rejects p-values outside [0, 1] naming the argument", () => {
    expect(() => benjaminiHochberg([0.1, 1.5])).toThrow(/benjaminiHochberg: pValues must lie in \[0, 1\], got 1.5 at index 1/);
    expect(() => benjaminiHochberg([Number.NaN])).toThrow(RangeError);
  });

  it("the streaming bound never undercuts the final q-value, at every arrival order prefix", () => {
    const rng = randomSource(11);
    const p = Array.from({ length: 300 }, (_, i) => (i < 40 ? rng() * 1e-3 : rng()));
    const q = benjaminiHochberg(p);
    const seen = new SortedPValues();
    for (let i = 0; i < p.length; i++) {
      seen.add(p[i]);
      const bound = qValueUpperBound(p[i], seen.countAtOrBelow(p[i]), p.length);
      expect(bound, `pair ${i}: bound ${bound} < final q ${q[i]}`).toBeGreaterThanOrEqual(q[i] - 1e-15);
    }
    // and once everything is seen the bound is the unadjusted step-up value, >= q
    expect(seen.size).toBe(p.length);
  });
});
