import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mackinnoncrit, mackinnonp, type MackinnonRegression } from "./mackinnon.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/mackinnon.json", import.meta.url), "utf8")) as {
  mackinnonp: { stat: number | string; regression: MackinnonRegression; n: number; pValue: number }[];
  mackinnoncrit: { n: number; regression: MackinnonRegression; nobs: number | string; values: number[] }[];
};
const num = (v: number | string) => (typeof v === "string" ? Number(v) : v);

// Same tables, same Horner order and the same Cephes ndtr as scipy: agreement to a few ulp. We allow
// 1e-13 relative (p-values: with an absolute floor 1e-300 for p ≈ 0) — any table typo shows as ≥ 1e-5.
describe("mackinnonp reproduces statsmodels 0.13.5 (MacKinnon 1994 surfaces), N = 1..6", () => {
  for (const regression of ["n", "c", "ct", "ctt"] as const) {
    it(`regression "${regression}": every grid point incl. both sides of τ*, τ_min, τ_max`, () => {
      const rows = fixture.mackinnonp.filter((r) => r.regression === regression);
      expect(rows.length).toBeGreaterThan(300);
      for (const r of rows) {
        const stat = num(r.stat);
        const got = mackinnonp(stat, { regression, n: r.n });
        const delta = Math.abs(got - r.pValue);
        expect(delta, `mackinnonp(${stat}, ${regression}, N=${r.n}) = ${got}, expected ${r.pValue}`).toBeLessThanOrEqual(
          1e-13 * Math.max(r.pValue, 1e-300),
        );
      }
    });
  }
  it("−Infinity gives 0 (collinear Engle–Granger legs), NaN gives NaN", () => {
    expect(mackinnonp(-Infinity, { regression: "c", n: 2 })).toBe(0);
    expect(mackinnonp(NaN)).toBeNaN();
  });
  it("is monotone non-decreasing in the statistic", () => {
    for (const regression of ["n", "c", "ct"] as const) {
      for (let n = 1; n <= 6; n++) {
        let prev = 0;
        for (let s = -20; s <= 3; s += 0.05) {
          const p = mackinnonp(s, { regression, n });
          expect(p, `regression ${regression}, N ${n}, stat ${s}`).toBeGreaterThanOrEqual(prev - 1e-12);
          prev = p;
        }
      }
    }
  });
  it("rejects unknown regression and N outside 1..6", () => {
    expect(() => mackinnonp(-2, { regression: "x" as MackinnonRegression })).toThrow(
      /^mackinnonp: regression must be one of "n", "c", "ct", "ctt", got "x"$/,
    );
    expect(() => mackinnonp(-2, { n: 7 })).toThrow(/^mackinnonp: n must be <= 6, got 7$/);
  });
});

describe("mackinnoncrit reproduces statsmodels 0.13.5 (MacKinnon 2010 surfaces)", () => {
  it('all regressions, N = 1..12 (1 for "n"), nobs ∈ {5, …, 2519, ∞} to 1e-14 relative', () => {
    expect(fixture.mackinnoncrit.length).toBe(333);
    for (const r of fixture.mackinnoncrit) {
      const nobs = num(r.nobs);
      const cv = mackinnoncrit({ n: r.n, regression: r.regression, nobs });
      const got = [cv["1%"], cv["5%"], cv["10%"]];
      got.forEach((v, i) =>
        expect(
          Math.abs(v - r.values[i]),
          `crit N=${r.n} ${r.regression} nobs=${nobs} [${i}] = ${v}, expected ${r.values[i]}`,
        ).toBeLessThanOrEqual(1e-14 * Math.abs(r.values[i])),
      );
    }
  });
  it('defaults: N = 1, regression "c", asymptotic', () => {
    expect(mackinnoncrit()).toEqual({ "1%": -3.43035, "5%": -2.86154, "10%": -2.56677 });
  });
  it("rejects N beyond the table and non-positive nobs", () => {
    expect(() => mackinnoncrit({ n: 2, regression: "n" })).toThrow(/^mackinnoncrit: n must be <= 1 for regression "n"/);
    expect(() => mackinnoncrit({ n: 13 })).toThrow(/n must be <= 12/);
    expect(() => mackinnoncrit({ nobs: 0 })).toThrow(/^mackinnoncrit: nobs must be > 0/);
  });
});
