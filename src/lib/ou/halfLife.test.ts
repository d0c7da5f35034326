import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { halfLife } from "./halfLife.js";
import { fitOu } from "./fitOu.js";

interface Case {
  name: string;
  x: number[];
  slope: number;
  expected: { linear: number | "Infinity"; ar1: number | "Infinity" };
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/halfLife.json", import.meta.url), "utf8")) as { cases: Case[] };
const decode = (v: number | "Infinity") => (v === "Infinity" ? Infinity : v);

/** Closed-form OLS vs statsmodels' pinv solution: both backward stable, 1e-9 relative leaves room for conditioning. */
const RELATIVE_TOLERANCE = 1e-9;

function expectRelative(actual: number, expected: number, tolerance: number, label: string) {
  if (!Number.isFinite(expected)) {
    expect(actual, `${label}: expected ${expected}, got ${actual}`).toBe(expected);
    return;
  }
  const delta = Math.abs(actual - expected);
  expect(
    delta <= tolerance * Math.abs(expected),
    `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${tolerance} relative`,
  ).toBe(true);
}

describe("halfLife matches statsmodels OLS of Δx_t on [1, x_{t−1}]", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: default form is −ln2/β (Chan 2013)`, () => {
      expectRelative(halfLife(c.x), decode(c.expected.linear), RELATIVE_TOLERANCE, `${c.name} linear`);
      expectRelative(halfLife(c.x, { form: "linear" }), decode(c.expected.linear), RELATIVE_TOLERANCE, `${c.name} linear`);
    });
    it(`${c.name}: form "ar1" is −ln2/ln|1+β|`, () => {
      expectRelative(halfLife(c.x, { form: "ar1" }), decode(c.expected.ar1), RELATIVE_TOLERANCE, `${c.name} ar1`);
    });
  }
});

describe("halfLife closed-form values and degenerate cases", () => {
  it("an exact geometric decay by 1/2 per step has β = −1/2: linear ln2/0.5, ar1 exactly 1 step", () => {
    const x = [1, 0.5, 0.25, 0.125, 0.0625];
    expectRelative(halfLife(x), Math.LN2 / 0.5, 4 * Number.EPSILON, "linear");
    expectRelative(halfLife(x, { form: "ar1" }), 1, 8 * Number.EPSILON, "ar1");
  });
  it("form ar1 equals fitOu(x).halfLifeSteps (the exact OU half-life); the default linear form is longer by ≈ |β|/2 relative", () => {
    for (const c of fixture.cases.filter((x) => x.slope < 0 && x.slope > -1)) {
      expectRelative(halfLife(c.x, { form: "ar1" }), fitOu(c.x).halfLifeSteps, 1e-13, `${c.name} ar1 vs fitOu`);
      expect(halfLife(c.x)).toBeGreaterThan(halfLife(c.x, { form: "ar1" }));
    }
  });
  it("is invariant to shifting and scaling the path", () => {
    const x = fixture.cases[0].x;
    const shifted = x.map((v) => 3.5 * v - 100);
    expectRelative(halfLife(shifted), halfLife(x), 1e-10, "affine");
  });
  it("returns Infinity when β ≥ 0 (a trending path)", () => {
    expect(halfLife([1, 2, 4, 8, 16])).toBe(Infinity);
    expect(halfLife([1, 2, 4, 8, 16], { form: "ar1" })).toBe(Infinity);
  });
  it("form ar1 returns 0 when φ = 1 + β = 0 and Infinity when |φ| = 1 (linear form stays finite)", () => {
    // pairs (x_{t−1}, x_t) = (0,0), (0,1), (1,1), (1,0) have zero sample covariance: φ = 0, β = −1 exactly
    expect(halfLife([0, 0, 1, 1, 0], { form: "ar1" })).toBe(0);
    expect(halfLife([0, 0, 1, 1, 0])).toBe(Math.LN2);
    // perfect alternation: φ = −1, |φ| = 1 never halves; β = −2
    expect(halfLife([0, 2, 0, 2, 0, 2], { form: "ar1" })).toBe(Infinity);
    expect(halfLife([0, 2, 0, 2, 0, 2])).toBe(Math.LN2 / 2);
  });
  it("throws RangeError naming the function and argument for too-short, non-finite or constant input", () => {
    expect(() => halfLife([1, 2])).toThrow(/^halfLife: x must have at least 3 observations, got 2$/);
    expect(() => halfLife([1, NaN, 2])).toThrow(RangeError);
    expect(() => halfLife([1, NaN, 2])).toThrow(/halfLife: x must contain only finite numbers/);
    expect(() => halfLife([3, 3, 3, 3])).toThrow(/halfLife: x\[0..n-2\] must not be constant/);
    expect(() => halfLife([3, 3, 3, 4])).toThrow(RangeError);
    expect(() => halfLife("abc" as unknown as number[])).toThrow(TypeError);
    expect(() => halfLife([1, 2, 3], { form: "log" as "ar1" })).toThrow(/halfLife: options.form must be one of "linear", "ar1", got "log"/);
  });
});
