import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { coint } from "./coint.js";
import type { AdfAutolag } from "./adfuller.js";

interface CointCase {
  y: string;
  x: string[];
  trend: "c" | "ct";
  autolag: AdfAutolag;
  maxlag: number | null;
  statistic: number | string;
  pValue: number;
  criticalValues: { "1%": number; "5%": number; "10%": number };
  beta: number[];
  intercept: number;
  trendSlope: number | null;
  rSquared: number;
  residualsHead: number[];
  usedLag: number | null;
  nobs: number | null;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/coint.json", import.meta.url), "utf8")) as {
  series: Record<string, number[]>;
  coint: CointCase[];
};

/**
 * Tolerances, as for adfuller (same kernel on the residuals) plus the cointegrating regression:
 * - statistic 1e-8 relative, pValue 1e-8 absolute (+1e-8 relative): see adfuller.test.ts; observed ~1e-11.
 * - criticalValues 1e-10 relative: closed-form polynomial in 1/(n − 1) from identical tables.
 * - usedLag, nobs exact.
 * - beta, intercept, trendSlope, rSquared, residuals 1e-9 relative (residuals with an absolute floor of
 *   1e-9·max|y|): QR versus statsmodels' pseudo-inverse on the same regression; observed ~1e-12.
 */
function check(c: CointCase): void {
  const y = fixture.series[c.y];
  const xs = c.x.map((name) => fixture.series[name]);
  const label = `coint(${c.y} ~ ${c.x.join(" + ")}, trend ${c.trend}, autolag ${c.autolag}, maxlag ${c.maxlag})`;
  const res = coint(y, xs.length === 1 ? xs[0] : xs, {
    trend: c.trend,
    autolag: c.autolag,
    ...(c.maxlag === null ? {} : { maxlag: c.maxlag }),
  });
  const close = (field: string, actual: number, expected: number, rel: number, abs = 0) => {
    const delta = Math.abs(actual - expected);
    const tol = rel * Math.abs(expected) + abs;
    if (!(delta <= tol) && actual !== expected)
      throw new Error(`${label} ${field}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${tol}`);
  };
  const statistic = typeof c.statistic === "string" ? Number(c.statistic) : c.statistic;
  expect(res.usedLag, `${label} usedLag`).toBe(c.usedLag);
  expect(res.nobs, `${label} nobs`).toBe(c.nobs);
  close("statistic", res.statistic, statistic, 1e-8);
  close("pValue", res.pValue, c.pValue, 1e-8, 1e-8);
  for (const k of ["1%", "5%", "10%"] as const) close(`criticalValues[${k}]`, res.criticalValues[k], c.criticalValues[k], 1e-10);
  expect(res.beta.length).toBe(c.x.length);
  c.beta.forEach((b, j) => close(`beta[${j}]`, res.beta[j], b, 1e-9));
  close("intercept", res.intercept, c.intercept, 1e-9, 1e-12);
  if (c.trendSlope === null) expect(res.trendSlope).toBeNull();
  else close("trendSlope", res.trendSlope as number, c.trendSlope, 1e-9, 1e-15);
  close("rSquared", res.rSquared, c.rSquared, 1e-10);
  const yScale = Math.max(...y.map(Math.abs));
  c.residualsHead.forEach((r, i) => close(`residuals[${i}]`, res.residuals[i], r, 1e-9, 1e-9 * yScale));
  expect(res.residuals.length).toBe(y.length);
}

describe("coint reproduces statsmodels 0.13.5 coint (Engle–Granger, fixtures/coint.json)", () => {
  for (const trend of ["c", "ct"] as const) {
    for (const nVars of [2, 3, 4]) {
      const cases = fixture.coint.filter((c) => c.trend === trend && c.x.length + 1 === nVars);
      it(`trend "${trend}", ${nVars} variables (N = ${nVars} MacKinnon tables, crit at n − 1): ${cases.length} cases over all autolag modes`, () => {
        expect(cases.length).toBeGreaterThan(5);
        for (const c of cases) check(c);
      });
    }
  }
  it("collinear legs: statistic −Infinity, pValue 0, a warning, usedLag/nobs null (statsmodels CollinearityWarning)", () => {
    const y = fixture.series["collinear y n=250"];
    const x = fixture.series["rw1 n=250"];
    const res = coint(y, x);
    expect(res.statistic).toBe(-Infinity);
    expect(res.pValue).toBe(0);
    expect(res.usedLag).toBeNull();
    expect(res.warnings).toHaveLength(1);
    expect(res.warnings[0]).toMatch(/^coint: y and x are \(almost\) perfectly collinear/);
    expect(res.beta[0]).toBeCloseTo(2, 8);
  });
  it('defaults: trend "c", autolag "aic"; one series and a one-element array agree; result shape is fixed', () => {
    const y = fixture.series["log EWG"];
    const x = fixture.series["log EWQ"];
    const a = coint(y, x);
    const b = coint(y, [x], { trend: "c", autolag: "aic" });
    expect(a).toEqual(b);
    expect(Object.keys(a).sort()).toEqual(
      [
        "beta",
        "criticalValues",
        "intercept",
        "nobs",
        "pValue",
        "rSquared",
        "residuals",
        "statistic",
        "trendSlope",
        "usedLag",
        "warnings",
      ].sort(),
    );
  });
});

describe("coint rejects misuse with function, argument and requirement", () => {
  const y = fixture.series["rw1 n=250"];
  const x = fixture.series["rw2 n=250"];
  it("mismatched lengths", () => {
    expect(() => coint(y, x.slice(1))).toThrow(/^coint: y and x must have the same length, got 250 and 249$/);
    expect(() => coint(y, [x, x.slice(2)])).toThrow(/^coint: y and x\[1\] must have the same length, got 250 and 248$/);
  });
  it("constant series", () => {
    expect(() => coint(new Array(50).fill(1), x.slice(0, 50))).toThrow(/^coint: y must not be constant/);
    expect(() => coint(y, new Array(250).fill(2))).toThrow(/^coint: x must not be constant/);
  });
  it("NaN / Infinity, too short", () => {
    const bad = y.slice();
    bad[7] = NaN;
    expect(() => coint(bad, x)).toThrow(/^coint: y must contain only finite numbers, got NaN at index 7$/);
    expect(() => coint(y, [x, [...x.slice(0, 249), Infinity]])).toThrow(
      /^coint: x\[1\] must contain only finite numbers, got Infinity at index 249$/,
    );
    expect(() => coint([1, 2, 3], [3, 1, 2])).toThrow(/^coint: y must have at least 8 observations, got 3$/);
  });
  it("too short for the residual ADF's lags", () => {
    expect(() => coint(y.slice(0, 8), x.slice(0, 8), { maxlag: 3, autolag: null })).toThrow(
      /^coint: y and x must have more than 8 observations for 3 lags and regression "n" \(the test regression needs more rows than its 4 coefficients\), got 8$/,
    );
  });
  it("impossible maxlag, too many series, collinear regressors, bad options", () => {
    expect(() => coint(y, x, { maxlag: 125 })).toThrow(
      /^coint: maxlag must be <= 124 \(nobs\/2 - 1 - trend terms, nobs = 250, 0 trend terms\), got 125$/,
    );
    expect(() => coint(y, [x, x, x, x, x, x])).toThrow(/^coint: x must have at most 5 series/);
    expect(() => coint(y, [x, x])).toThrow(/^coint: x must not be collinear/);
    expect(() => coint(y, x, { trend: "n" as "c" })).toThrow(/^coint: trend must be one of "c", "ct", got "n"$/);
    expect(() => coint(y, 3 as unknown as number[])).toThrow(TypeError);
  });
});
