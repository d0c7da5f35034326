import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adfuller, adfullerKernel, createAdfullerWorkspace, type AdfAutolag, type AdfRegression } from "./adfuller.js";
import { normalSource, randomSource } from "../util/random.js";
import { ols } from "../stats/ols.js";

interface AdfCase {
  series: string;
  regression: AdfRegression;
  autolag: AdfAutolag;
  maxlag: number | null;
  error?: string;
  errorKind?: "maxlag" | "saturated";
  statistic: number;
  pValue: number;
  usedLag: number;
  nobs: number;
  criticalValues: { "1%": number; "5%": number; "10%": number };
  icBest: number | null;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/adfuller.json", import.meta.url), "utf8")) as {
  series: Record<string, number[]>;
  adfuller: AdfCase[];
};

/**
 * Tolerances (statsmodels fits each model with a pseudo-inverse; we use Cholesky of equilibrated
 * cross-products for the lag search and Householder QR for the final fit):
 * - statistic 1e-8 relative: both are backward-stable solves of the same regression; observed
 *   agreement is ~1e-12, so a wrong sample, lag or column would show at ≥ 1e-3.
 * - pValue 1e-8 (absolute, plus 1e-8 relative): the same closed-form surface Φ(poly(τ)) evaluated at
 *   statistics that agree to 1e-12; its slope is < 1, so p inherits τ's error.
 * - criticalValues 1e-10 relative: a polynomial in 1/nobs with identical coefficients and integer nobs.
 * - usedLag, nobs exact: the lag search must pick the same model.
 * - icBest 1e-8 relative: AIC/BIC from the same SSR (agreeing to ~1e-12).
 */
function check(c: AdfCase): void {
  const x = fixture.series[c.series];
  const label = `adfuller(${c.series}, regression ${c.regression}, autolag ${c.autolag}, maxlag ${c.maxlag})`;
  const res = adfuller(x, { regression: c.regression, autolag: c.autolag, ...(c.maxlag === null ? {} : { maxlag: c.maxlag }) });
  const close = (field: string, actual: number, expected: number, rel: number, abs = 0) => {
    const delta = Math.abs(actual - expected);
    const tol = rel * Math.abs(expected) + abs;
    if (!(delta <= tol)) throw new Error(`${label} ${field}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${tol}`);
  };
  expect(res.usedLag, `${label} usedLag`).toBe(c.usedLag);
  expect(res.nobs, `${label} nobs`).toBe(c.nobs);
  close("statistic", res.statistic, c.statistic, 1e-8);
  close("pValue", res.pValue, c.pValue, 1e-8, 1e-8);
  for (const k of ["1%", "5%", "10%"] as const) close(`criticalValues[${k}]`, res.criticalValues[k], c.criticalValues[k], 1e-10);
  if (c.icBest === null) expect(res.icBest, `${label} icBest`).toBeNull();
  else close("icBest", res.icBest as number, c.icBest, 1e-8, 1e-12);
}

const ok = fixture.adfuller.filter((c) => c.error === undefined);
const errors = fixture.adfuller.filter((c) => c.error !== undefined);

describe("adfuller reproduces statsmodels 0.13.5 adfuller (fixtures/adfuller.json)", () => {
  for (const regression of ["n", "c", "ct"] as const) {
    for (const autolag of ["aic", "bic", "t-stat", null] as const) {
      const cases = ok.filter((c) => c.regression === regression && c.autolag === autolag);
      it(`regression "${regression}", autolag ${autolag}: ${cases.length} series (macro, ETFs, synthetic, short), common-sample lag search then refit`, () => {
        expect(cases.length).toBeGreaterThan(15);
        for (const c of cases) check(c);
      });
    }
  }
  it("cases where statsmodels raises (maxlag above ⌊n/2⌋ − trend terms − 1) throw RangeError naming maxlag", () => {
    const maxlagErrors = errors.filter((c) => c.errorKind === "maxlag");
    expect(maxlagErrors.length).toBeGreaterThan(10);
    for (const c of maxlagErrors) {
      const x = fixture.series[c.series];
      expect(
        () => adfuller(x, { regression: c.regression, autolag: c.autolag, maxlag: c.maxlag ?? undefined }),
        `${c.series} ${c.regression} maxlag ${c.maxlag}`,
      ).toThrow(/^adfuller: maxlag must be <= -?\d+ \(nobs\/2 - 1 - trend terms/);
    }
  });
  it('saturated test regressions (no residual degrees of freedom), where statsmodels returns a meaningless 0, throw "x must have more than … observations"', () => {
    const saturated = errors.filter((c) => c.errorKind === "saturated");
    expect(saturated.length).toBeGreaterThan(3);
    for (const c of saturated) {
      const x = fixture.series[c.series];
      expect(() => adfuller(x, { regression: c.regression, autolag: c.autolag, maxlag: c.maxlag ?? undefined }), c.error).toThrow(
        /^adfuller: x must have more than \d+ observations for \d+ lags and regression "\w+" \(the test regression needs more rows than its \d+ coefficients\), got \d+$/,
      );
    }
  });
  it('default options are regression "c", autolag "aic", and the result shape is fixed (icBest null without autolag)', () => {
    const x = fixture.series["macro log realgdp"];
    const a = adfuller(x);
    const b = adfuller(x, { regression: "c", autolag: "aic" });
    expect(a).toEqual(b);
    const fixed = adfuller(x, { autolag: null, maxlag: 2 });
    expect(Object.keys(fixed).sort()).toEqual(Object.keys(a).sort());
    expect(fixed.icBest).toBeNull();
    expect(fixed.usedLag).toBe(2);
    expect(a.maxlag).toBe(Math.ceil(12 * Math.pow(203 / 100, 0.25)));
  });
});

/**
 * Deliberately naive reference: fit every lag with `ols` on explicitly built columns over the common
 * sample (rows t = maxlag+1..n−1 of x), take the smallest AIC/BIC, then refit on the full sample.
 */
function naiveAdf(x: number[], regression: AdfRegression, maxlag: number, method: "aic" | "bic") {
  const n = x.length;
  const dx = x.slice(1).map((v, i) => v - x[i]);
  const fitFor = (lags: number, start: number) => {
    const rows = dx.length - start;
    const y = dx.slice(start);
    const cols: number[][] = [Array.from({ length: rows }, (_, r) => x[start + r])];
    for (let j = 1; j <= lags; j++) cols.push(Array.from({ length: rows }, (_, r) => dx[start + r - j]));
    if (regression === "ct") cols.push(Array.from({ length: rows }, (_, r) => r + 1));
    return ols(y, cols, { intercept: regression !== "n" });
  };
  let best = { lag: -1, ic: Infinity };
  for (let p = 0; p <= maxlag; p++) {
    const fit = fitFor(p, maxlag);
    const ic = method === "aic" ? fit.aic : fit.bic;
    if (ic < best.ic) best = { lag: p, ic };
  }
  const final = fitFor(best.lag, best.lag);
  return { usedLag: best.lag, icBest: best.ic, statistic: final.tValues[regression === "n" ? 0 : 1], nobs: n - 1 - best.lag };
}

describe("adfuller lag selection minimises AIC/BIC over a common sample, then refits (naive ols loop)", () => {
  for (const [name, regression, method] of [
    ["AR(2)+MA n=600", "c", "aic"],
    ["macro infl", "ct", "bic"],
    ["stock_prices log SPY", "n", "aic"],
    ["OU kappa=5 n=756", "c", "bic"],
  ] as const) {
    it(`${name}, regression "${regression}", ${method}: same lag, icBest and statistic as fitting each lag separately`, () => {
      const x = fixture.series[name];
      const res = adfuller(x, { regression, autolag: method });
      const ref = naiveAdf(x, regression, res.maxlag, method);
      expect(res.usedLag).toBe(ref.usedLag);
      expect(res.nobs).toBe(ref.nobs);
      expect(Math.abs((res.icBest as number) - ref.icBest)).toBeLessThan(1e-9 * Math.abs(ref.icBest));
      expect(Math.abs(res.statistic - ref.statistic)).toBeLessThan(1e-9 * Math.abs(ref.statistic));
    });
  }
});

describe("adfuller rejects misuse with function, argument and requirement", () => {
  it("constant series", () => {
    expect(() => adfuller([3, 3, 3, 3, 3, 3, 3, 3])).toThrow(/^adfuller: x must not be constant \(all 8 values equal 3\)$/);
  });
  it("too short", () => {
    expect(() => adfuller([1, 2, 4])).toThrow(/^adfuller: x must have at least 4 observations, got 3$/);
    expect(() => adfuller([1, 2, 4, 3], { regression: "ct" })).toThrow(
      /^adfuller: x must have at least 6 observations for regression "ct", got 4$/,
    );
  });
  it("NaN / Infinity", () => {
    expect(() => adfuller([1, 2, NaN, 4, 5, 6])).toThrow(/^adfuller: x must contain only finite numbers, got NaN at index 2$/);
    expect(() => adfuller([1, 2, Infinity, 4, 5, 6])).toThrow(RangeError);
  });
  it("impossible maxlag, bad options", () => {
    const x = fixture.series["random walk n=250"];
    expect(() => adfuller(x, { maxlag: 124 })).toThrow(
      /^adfuller: maxlag must be <= 123 \(nobs\/2 - 1 - trend terms, nobs = 250, 1 trend terms\), got 124$/,
    );
    expect(() => adfuller(x, { maxlag: -1 })).toThrow(/^adfuller: maxlag must be >= 0, got -1$/);
    expect(() => adfuller(x, { maxlag: 2.5 })).toThrow(/^adfuller: maxlag must be an integer, got 2.5$/);
    expect(() => adfuller(x, { regression: "ctt" as AdfRegression })).toThrow(
      /^adfuller: regression must be one of "n", "c", "ct", got "ctt"$/,
    );
    expect(() => adfuller(x, { autolag: "AIC" as AdfAutolag })).toThrow(
      /^adfuller: autolag must be one of "aic", "bic", "t-stat", null, got "AIC"$/,
    );
    expect(() => adfuller("abc" as unknown as number[])).toThrow(TypeError);
  });
  it("an exact linear trend makes the test regression singular and throws", () => {
    const x = Array.from({ length: 50 }, (_, t) => 2 + 0.5 * t);
    expect(() => adfuller(x, { regression: "ct", autolag: null, maxlag: 1 })).toThrow(/^adfuller: x must not be degenerate/);
  });
});

describe("adfullerKernel with a reused workspace", () => {
  it("gives bit-identical results to adfuller over seeded series of different lengths, every regression and autolag", () => {
    const workspace = createAdfullerWorkspace();
    const normal = normalSource(randomSource(20261205));
    let compared = 0;
    // consecutive calls differ in length (and so in every sum): a stale entry would show
    const series = [300, 30, 252, 24, 500, 64, 252].map((n) => {
      // an AR(1) with drift: stationary enough that the lag searches pick different lags
      const x = new Float64Array(n);
      for (let t = 1; t < n; t++) x[t] = 0.05 + 0.8 * x[t - 1] + normal();
      return x;
    });
    for (const regression of ["n", "c", "ct"] as const) {
      for (const autolag of ["aic", "bic", "t-stat", null] as const) {
        for (const x of series) {
          const n = x.length;
          const want = adfuller(x, { regression, autolag });
          const got = adfullerKernel(x, { maxlag: undefined, regression, autolag, fn: "adfuller", name: "x", workspace });
          const fields = [
            ["statistic", got.statistic, want.statistic],
            ["pValue", got.pValue, want.pValue],
            ["usedLag", got.usedLag, want.usedLag],
            ["icBest", got.icBest, want.icBest],
            ["criticalValues 5%", got.criticalValues["5%"], want.criticalValues["5%"]],
          ] as const;
          for (const [name, a, b] of fields) {
            if (!Object.is(a, b))
              throw new Error(`n = ${n}, regression ${regression}, autolag ${autolag}: ${name} ${a} (workspace) vs ${b}`);
          }
          compared++;
        }
      }
    }
    expect(compared).toBe(7 * 3 * 4);
  });
});
