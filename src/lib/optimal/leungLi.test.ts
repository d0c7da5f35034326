import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { leungLi } from "./leungLi.js";
import { ouLaplaceIntegral } from "./ouLaplaceIntegral.js";

interface Case {
  kappa: number;
  theta: number;
  sigma: number;
  r: number;
  c: number;
  stopLoss: number | null;
  exitLevel: number;
  entryLevel: number | null;
  entryLowerLevel: number | null;
  valueGrid?: { x: number[]; exitValue: number[]; entryValue: number[] };
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/leungLi.json", import.meta.url), "utf8")) as {
  cases: Case[];
  integrals: { a: number; nu: number; logValue: number; logDerivative: number }[];
};

// Levels: roots to 1e-13 sd of equations whose terms are accurate to ~1e-14 relative, so 1e-9 absolute
// (1000× inside the 1e-6 requirement) leaves room for conditioning. Values: 1e-10 absolute + relative.
const LEVEL_TOL = 1e-9;
const VALUE_TOL = 1e-10;

function near(actual: number | null, expected: number | null, tol: number, label: string): void {
  if (expected === null || actual === null) {
    expect(actual, `${label}: expected ${expected}, got ${actual}`).toBe(expected);
    return;
  }
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

describe("ouLaplaceIntegral matches mpmath Γ(ν)e^{a²/4}D_{−ν}(−a) over |a| ≤ 300, 1e-5 ≤ ν ≤ 20", () => {
  it.each(fixture.integrals.map((row) => [row.a, row.nu, row]))("a = %s, ν = %s", (_a, _nu, row) => {
    const r = ouLaplaceIntegral(row.a, row.nu);
    near(r.logValue, row.logValue, 1e-13 * Math.max(1, Math.abs(row.logValue)), "ln I");
    near(r.logDerivative, row.logDerivative, 1e-13 * Math.abs(row.logDerivative), "I'/I");
  });
});

describe("leungLi levels match mpmath (pcfd + bisection) to 1e-9", () => {
  it.each(fixture.cases.map((c) => [c.kappa, c.theta, c.stopLoss, c]))(
    "kappa %s theta %s stopLoss %s",
    (_k, _t, _l, c) => {
      const params = { kappa: c.kappa, theta: c.theta, sigma: c.sigma, r: c.r, c: c.c, stopLoss: c.stopLoss };
      const result = leungLi(params);
      const label = JSON.stringify(params);
      near(result.exitLevel, c.exitLevel, LEVEL_TOL, `${label} exitLevel`);
      near(result.entryLevel, c.entryLevel, LEVEL_TOL, `${label} entryLevel`);
      near(result.entryLowerLevel, c.entryLowerLevel, LEVEL_TOL, `${label} entryLowerLevel`);
      if (c.stopLoss !== null && c.entryLevel === null) expect(result.warnings.length).toBeGreaterThan(0);
      if (c.valueGrid) {
        const grid = result.valueFunctions(c.valueGrid.x);
        for (let i = 0; i < c.valueGrid.x.length; i++) {
          const x = c.valueGrid.x[i];
          near(grid.exitValue[i], c.valueGrid.exitValue[i], VALUE_TOL * (1 + Math.abs(c.valueGrid.exitValue[i])), `${label} V(${x})`);
          near(grid.entryValue[i], c.valueGrid.entryValue[i], VALUE_TOL * (1 + Math.abs(c.valueGrid.entryValue[i])), `${label} J(${x})`);
        }
      }
    },
  );
});

describe("leungLi invariants", () => {
  it("fast reversion (kappa up to 2000) gives finite levels with d* < b*, never the peer's entry 0 from overflow", () => {
    for (const kappa of [0.05, 0.1, 1, 10, 100, 500, 1000, 2000]) {
      const result = leungLi({ kappa, theta: 1.3, sigma: 0.4, r: 0.05, c: 0.01 });
      expect(Number.isFinite(result.exitLevel)).toBe(true);
      expect(result.entryLevel).not.toBeNull();
      expect(result.entryLevel as number).toBeLessThan(result.exitLevel);
      const sd = 0.4 / Math.sqrt(2 * kappa);
      // Fast reversion: d* within 6 sd of θ = 1.3 (sd ≤ 0.09 for κ ≥ 10; z(d*) ≈ −2.6 … −4.1 here), i.e. nowhere near 0.
      if (kappa >= 10) expect(Math.abs((result.entryLevel as number) - 1.3), `kappa ${kappa}`).toBeLessThan(6 * sd);
    }
  });

  it("V ≥ max(x − c, 0), J ≥ V − x − c, V is x − c on the exit region (value functions are supersolutions of their obstacles)", () => {
    for (const params of [
      { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 },
      { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02, stopLoss: 0.3 },
    ]) {
      const result = leungLi(params);
      for (let x = 0; x <= 1.0; x += 0.01) {
        const v = result.exitValue(x);
        expect(v).toBeGreaterThanOrEqual(x - params.c - 1e-12);
        if (params.stopLoss === undefined) expect(v).toBeGreaterThanOrEqual(-1e-15);
        expect(result.entryValue(x)).toBeGreaterThanOrEqual(v - x - params.c - 1e-12);
        if (x >= result.exitLevel) expect(v).toBe(x - params.c);
      }
    }
  });

  it("the stop-loss entry interval is found even when it lies just above L (peer searched from ≤ L and missed it)", () => {
    // Fixture case kappa 300, L = 0 (= θ − 0.49 sd): interval (0.01565…, 0.01572…).
    const result = leungLi({ kappa: 300, theta: 0.05, sigma: 0.4, r: 0.05, c: 0.005, stopLoss: 0 });
    expect(result.entryLowerLevel).not.toBeNull();
    expect(result.entryLowerLevel as number).toBeGreaterThan(0);
    expect(result.entryLevel as number).toBeGreaterThan(result.entryLowerLevel as number);
  });

  it("a stop-loss reduces the exit level: b*_L ≤ b*", () => {
    const free = leungLi({ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 });
    const stop = leungLi({ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02, stopLoss: 0.3 });
    expect(stop.exitLevel).toBeLessThanOrEqual(free.exitLevel);
  });
});

describe("leungLi rejects degenerate parameters with a RangeError naming the argument", () => {
  const base = { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 };
  it.each([
    [{ ...base, sigma: 0 }, /leungLi: sigma must be > 0/],
    [{ ...base, sigma: -1 }, /leungLi: sigma must be > 0/],
    [{ ...base, kappa: 0 }, /leungLi: kappa must be > 0/],
    [{ ...base, r: 0 }, /leungLi: r must be > 0/],
    [{ ...base, c: -0.01 }, /leungLi: c must be >= 0/],
    [{ ...base, stopLoss: 0.5 }, /leungLi: stopLoss must be < theta/],
    [{ ...base, stopLoss: 0.7 }, /leungLi: stopLoss must be < theta/],
    [{ ...base, theta: NaN }, /leungLi: theta must be a finite number/],
    [{ ...base, kappa: Infinity }, /leungLi: kappa must be a finite number/],
    // r/kappa too small: denormal r used to end in "findRootBrent: no sign change (f = NaN)" (plain Error)
    [{ ...base, r: 5e-324 }, /leungLi: r \/ kappa must be >= 1e-8/],
    [{ ...base, r: 1e-300 }, /leungLi: r \/ kappa must be >= 1e-8/],
    [{ ...base, kappa: 1e9, r: 1 }, /leungLi: r \/ kappa must be >= 1e-8/],
    // c = 1e308: c + sd == c, the bracket never grew and Brent saw NaN (plain Error) before
    [{ ...base, c: 1e308 }, /leungLi: theta, c and stopLoss must be within 100000000 stationary sds/],
    [{ ...base, theta: -1e10 }, /leungLi: theta, c and stopLoss must be within 100000000 stationary sds/],
  ])("%j", (params, message) => {
    expect(() => leungLi(params)).toThrow(RangeError);
    expect(() => leungLi(params)).toThrow(message);
  });
  it("r / kappa just above the 1e-8 floor still solves (b* = 1.74754 at r = 1e-8, kappa = 0.5: mpmath quadrature of F'/F, bisection)", () => {
    const result = leungLi({ kappa: 0.5, theta: 0.1, sigma: 0.3, r: 1e-8, c: 0.001 });
    expect(Math.abs(result.exitLevel - 1.7475416)).toBeLessThan(1e-6);
    expect(result.entryLevel).not.toBeNull();
    expect(result.entryLevel!).toBeLessThan(result.exitLevel);
  });
  it("missing parameters", () => {
    expect(() => leungLi(undefined as never)).toThrow(/leungLi: parameters/);
  });
});
