import { describe, expect, it } from "vitest";
import { leungLi } from "./leungLi.js";
import { ouLaplaceIntegral } from "./ouLaplaceIntegral.js";
import { randomSource } from "../util/random.js";
import { readLeungLiFixture } from "./fixtures/leungLiFixture.js";

const fixture = readLeungLiFixture();

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
  it.each(fixture.cases.map((c) => [c.kappa, c.theta, c.stopLoss, c]))("kappa %s theta %s stopLoss %s", (_k, _t, _l, c) => {
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
  });
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

describe("leungLi far from the usual regime (fuzzing follow-up): correct levels or a RangeError, never a plain Error", () => {
  it("stop-loss above the free exit level (theta = 1e4, L = theta − 0.1, b* = 9756.098 from mpmath): immediate exit b*_L = L, no entry", () => {
    const params = { kappa: 2, theta: 1e4, sigma: 0.3, r: 0.05, c: 0.02 };
    const free = leungLi(params);
    const stop = leungLi({ ...params, stopLoss: 1e4 - 0.1 });
    expect(free.exitLevel).toBeLessThan(1e4 - 0.1);
    expect(stop.exitLevel).toBe(1e4 - 0.1);
    expect(stop.entryLevel).toBeNull();
    expect(stop.entryLowerLevel).toBeNull();
    expect(stop.warnings.join(" ")).toMatch(/immediate exit/);
    expect(stop.exitValue(1e4)).toBe(1e4 - 0.02);
    expect(stop.entryValue(1e4)).toBe(0);
  });

  it.each([
    // b* < L with θ 1.4e5 sd above c: the b*_L bracket used to start below L ("findRootBrent: no sign change", f = NaN)
    [{ kappa: 5.8191820132985494, sigma: 0.19641385565914257, r: 0.05, c: 0.02, theta: 1624.487332842743, stopLoss: 1624.2805230429763 }],
    // θ 7.8e6 sd below c, L 3.8 sd below θ: the maximum of V_L − x − c lies within a few sd of L, between uniform scan points
    [
      {
        kappa: 2.911076583399761,
        sigma: 0.11445493408046882,
        r: 0.05,
        c: 0.022551143535754072,
        theta: -368574.9701017026,
        stopLoss: -368575.4018368349,
      },
    ],
    // L 3.7e5 sd below θ, r/κ = 7e-6: the maximum sits within sd/|L − θ| of L, and is known only to a few ulps
    // (h″ ~ 1e16), so the a*_L equation's sign at the refined maximum can be off: bracket from the next scan point
    [
      {
        kappa: 419.0343286852577,
        sigma: 0.7279899715706389,
        r: 0.0030897373997958704,
        c: 0.02,
        theta: -13.766153999768513,
        stopLoss: -9333.302119217737,
      },
    ],
    // theta = 1e7, L 9e5 sd below it: the same, with a 2e-9 ulp against structure of 1e-7
    [
      {
        kappa: 131.9272579272266,
        sigma: 2.6214361592886597,
        r: 0.3224418927302782,
        c: 0.1517199039726145,
        theta: 10224599.454503283,
        stopLoss: 10077897.438062862,
      },
    ],
  ])("%j solves (was a plain Error from findRootBrent)", (params) => {
    const result = leungLi(params);
    expect(result.exitLevel).toBeGreaterThanOrEqual(params.stopLoss);
    if (result.entryLevel !== null) {
      expect(result.entryLowerLevel as number).toBeGreaterThan(params.stopLoss);
      expect(result.entryLevel).toBeGreaterThan(result.entryLowerLevel as number);
      expect(result.entryLevel).toBeLessThan(result.exitLevel);
    }
  });

  it("seeded random parameters over |theta| up to 1e8 sd, c up to 1e8 sd, stop-loss up to 1e6 sd below theta: a result with ordered levels or a RangeError", () => {
    const rng = randomSource(20240607);
    let solved = 0;
    for (let i = 0; i < 400; i++) {
      const kappa = 10 ** (rng() * 5 - 2);
      const sigma = 10 ** (rng() * 2 - 1.5);
      const sd = sigma / Math.sqrt(2 * kappa);
      const theta = (rng() < 0.5 ? -1 : 1) * sd * 10 ** (rng() * 8);
      const c = rng() < 0.5 ? 0.02 : sd * 10 ** (rng() * 10 - 2);
      const stopLoss = rng() < 0.7 ? theta - sd * 10 ** (rng() * 8 - 2) : undefined;
      const params = { kappa, sigma, r: 10 ** (rng() * 4 - 3), c, theta, stopLoss };
      let result;
      try {
        result = leungLi(params);
      } catch (error) {
        expect(error, JSON.stringify(params)).toBeInstanceOf(RangeError);
        continue;
      }
      const label = JSON.stringify(params);
      expect(Number.isFinite(result.exitLevel), label).toBe(true);
      // b* − c ≈ sd²/(c − θ) can be below the spacing of doubles at c, so b* ≥ c (not >) in floating point
      if (stopLoss === undefined) expect(result.exitLevel, label).toBeGreaterThanOrEqual(c);
      else expect(result.exitLevel, label).toBeGreaterThanOrEqual(stopLoss);
      if (result.entryLevel !== null) expect(result.entryLevel, label).toBeLessThan(result.exitLevel);
      solved++;
    }
    expect(solved).toBeGreaterThan(350);
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
