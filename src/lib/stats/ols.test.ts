import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ols } from "./ols.js";
import { matrixFromRows } from "../util/matrix.js";

interface OlsCase {
  name: string;
  y: number[];
  x: number[][];
  intercept: boolean;
  coefficients: number[];
  standardErrors: number[];
  tValues: number[];
  pValues: number[];
  rSquared: number;
  adjRSquared: number;
  ssr: number;
  residuals: number[];
  nobs: number;
  dfResid: number;
  logLikelihood: number;
  aic: number;
  bic: number;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/ols.json", import.meta.url), "utf8")) as { ols: OlsCase[] };

/**
 * Relative closeness with an absolute floor: |a − e| ≤ tol·max(|e|, floor). Failure prints the case,
 * the field, actual, expected, delta and tolerance.
 */
function expectClose(label: string, actual: number, expected: number, tol: number, floor = 0): void {
  const delta = Math.abs(actual - expected);
  const bound = tol * Math.max(Math.abs(expected), floor);
  if (!(delta <= bound) && actual !== expected) {
    throw new Error(`${label}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${bound}`);
  }
}

function expectAllClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, floor = 0): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expectClose(`${label}[${i}]`, actual[i], expected[i], tol, floor);
}

// Tolerances: statsmodels solves by pseudo-inverse (SVD), we by Householder QR; both are backward
// stable, so differences are rounding of order cond(X)·ε. The worst case here (quadratic trend,
// columns t·1000 and t², cond ≈ 1e5) still agrees to ~1e-11, so 1e-9 relative leaves margin while
// catching any formula error (which would show at 1e-3 or worse). Residuals are compared with an
// absolute floor of the residual scale (√(SSR/n)), since individual residuals can be near zero.
// p-values: Student t via the incomplete beta continued fraction (~1e-13 relative), floor 1e-300.
describe("ols matches statsmodels OLS(y, X).fit() (fixtures/ols.json)", () => {
  for (const c of fixture.ols) {
    it(`${c.name}: coefficients, standard errors, t, p, R², SSR, residuals, llf/aic/bic`, () => {
      const res = ols(c.y, c.x, { intercept: c.intercept });
      const tag = `[${c.name}]`;
      expectAllClose(`${tag} coefficients`, res.coefficients, c.coefficients, 1e-9);
      expectAllClose(`${tag} standardErrors`, res.standardErrors, c.standardErrors, 1e-9);
      expectAllClose(`${tag} tValues`, res.tValues, c.tValues, 1e-9);
      expectAllClose(`${tag} pValues`, res.pValues, c.pValues, 1e-8, 1e-300);
      expectClose(`${tag} rSquared`, res.rSquared, c.rSquared, 1e-10);
      expectClose(`${tag} adjRSquared`, res.adjRSquared, c.adjRSquared, 1e-10);
      expectClose(`${tag} ssr`, res.ssr, c.ssr, 1e-9);
      const scale = Math.sqrt(c.ssr / c.nobs);
      expectAllClose(`${tag} residuals`, res.residuals, c.residuals, 1e-9, scale);
      expect(res.nobs).toBe(c.nobs);
      expect(res.dfResid).toBe(c.dfResid);
      expectClose(`${tag} logLikelihood`, res.logLikelihood, c.logLikelihood, 1e-10);
      expectClose(`${tag} aic`, res.aic, c.aic, 1e-10);
      expectClose(`${tag} bic`, res.bic, c.bic, 1e-10);
      expect(res.warnings).toEqual([]);
    });
  }
  it("accepts one series, an array of series or a MatrixRowMajor with identical results", () => {
    const c = fixture.ols[0];
    const a = ols(c.y, c.x[0]);
    const b = ols(c.y, c.x);
    const m = ols(c.y, matrixFromRows(c.x[0].map((v) => [v])));
    expect(Array.from(a.coefficients)).toEqual(Array.from(b.coefficients));
    expect(Array.from(a.coefficients)).toEqual(Array.from(m.coefficients));
  });
  it("intercept defaults to true (first coefficient): y = [1, 3, 2, 5, 4] on t = 1..5 gives [0.6, 0.8]", () => {
    const res = ols([1, 3, 2, 5, 4], [1, 2, 3, 4, 5]);
    expectAllClose("coefficients", res.coefficients, [0.6, 0.8], 1e-14);
  });
  it("perfect fit: zero SSR returns a warning, not a throw", () => {
    const res = ols([1, 3, 5, 7], [0, 1, 2, 3]);
    expect(res.ssr).toBeLessThan(1e-28);
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings[0]).toMatch(/^ols: perfect fit/);
  });
});

describe("ols rejects misuse with function, argument and requirement", () => {
  it("mismatched lengths", () => {
    expect(() => ols([1, 2, 3], [1, 2])).toThrow(/^ols: y and x must have the same length, got 3 and 2$/);
    expect(() =>
      ols(
        [1, 2, 3],
        [
          [1, 2, 3],
          [1, 2],
        ],
      ),
    ).toThrow(/^ols: y and x\[1\] must have the same length, got 3 and 2$/);
  });
  it("too few observations", () => {
    expect(() => ols([1, 2], [1, 2])).toThrow(/^ols: y must have more observations than coefficients \(2\), got 2$/);
  });
  it("NaN / Infinity", () => {
    expect(() => ols([1, NaN, 3, 4], [1, 2, 3, 4])).toThrow(/^ols: y must contain only finite numbers, got NaN at index 1$/);
    expect(() => ols([1, 2, 3, 4], [1, 2, Infinity, 4])).toThrow(RangeError);
  });
  it("rank-deficient X (collinear columns, or a constant column with the intercept)", () => {
    expect(() =>
      ols(
        [1, 2, 3, 5],
        [
          [1, 2, 3, 4],
          [2, 4, 6, 8],
        ],
      ),
    ).toThrow(/^ols: x must have full column rank \(3 coefficients incl. intercept\), got numerical rank 2$/);
    expect(() => ols([1, 2, 3, 5], [7, 7, 7, 7])).toThrow(/full column rank/);
  });
  it("bad option and bad X type", () => {
    expect(() => ols([1, 2, 3], [1, 2, 3], { intercept: "yes" as unknown as boolean })).toThrow(
      /^ols: intercept must be a boolean, got "yes"$/,
    );
    expect(() => ols([1, 2, 3], 5 as unknown as number[])).toThrow(TypeError);
  });
});
