import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { boxTiaoHedge } from "../hedge/boxTiaoHedge.js";
import { johansenHedge } from "../hedge/johansenHedge.js";
import { minHalfLifeHedge } from "../hedge/minHalfLifeHedge.js";
import { tlsHedge } from "../hedge/tlsHedge.js";
import { fitOu } from "../ou/fitOu.js";
import { coint } from "../timeseries/coint.js";
import {
  type AnalysePairOptions,
  analysePair,
  analysePairKernel,
  backtestAnalysedPair,
  createPairAnalysisWorkspace,
  type PairAnalysisWorkspace,
  resolvePairAnalysisOptions,
} from "./analysePair.js";
import { cointegratedPair } from "../backtest/cointegratedPair.test-helpers.js";
import { normalSource, randomSource } from "../util/random.js";
import { backtestPair } from "../backtest/backtestPair.js";
import { kalmanHedge } from "../hedge/kalmanHedge.js";
import { hurst } from "../timeseries/hurst.js";
import { leungLi } from "../optimal/leungLi.js";

const fixture = JSON.parse(readFileSync(new URL("../hedge/fixtures/tlsHedge.json", import.meta.url), "utf8")) as {
  pairs: Record<string, { y: number[]; x: number[] }>;
};
const { y, x } = fixture.pairs["synthetic beta 1.5, kappa 0.1"];

describe("backtestAnalysedPair", () => {
  it("is the pipeline's backtest: its metrics are the analysis' summary, its returns compound to the total return", () => {
    for (const options of [
      { significance: 0.1, maxHurst: 0.6 },
      { significance: 0.1, maxHurst: 0.6, hedge: "tls" as const, transactionCost: 0.003 },
    ]) {
      const a = analysePair(y, x, options);
      expect(a.failedAt).toBeNull();
      const bt = backtestAnalysedPair(y, x, a, options);
      expect(bt.metrics.totalReturn / 100).toBe(a.backtest.totalReturn);
      expect([bt.metrics.sharpe, bt.metrics.maxDrawdown, bt.metrics.trades]).toEqual([
        a.backtest.sharpe,
        a.backtest.maxDrawdown,
        a.backtest.trades,
      ]);
      const growth = bt.returns.reduce((g, r) => g * (1 + r), 1) - 1;
      expect(Math.abs(growth - a.backtest.totalReturn)).toBeLessThan(1e-10);
    }
  });
  it("refuses an analysis without levels", () => {
    const failed = analysePair(y, x, { significance: 1e-12 });
    expect(() => backtestAnalysedPair(y, x, failed)).toThrow(/backtestAnalysedPair: analysis must be a pair that passed every stage/);
  });
});

describe("analysePair", () => {
  it("hedge 'ols' (default) uses the Engle–Granger regression and fits the OU on its residuals", () => {
    const a = analysePair(y, x, { significance: 0.1, maxHurst: 0.6 });
    const eg = coint(y, x, { trend: "c", autolag: "aic" });
    expect(a.hedge).toBe("ols");
    expect([a.beta, a.intercept, a.pValue]).toEqual([eg.beta[0], eg.intercept, eg.pValue]);
    expect(a.failedAt).toBeNull();
    expect(a.kappa).toBe(fitOu(eg.residuals, { dt: 1 / 252 }).kappa);
    expect(a.backtested).toBe(true);
  });
  for (const [hedge, estimate] of [
    ["tls", () => tlsHedge(y, x)],
    ["johansen", () => johansenHedge(y, x)],
    ["boxTiao", () => boxTiaoHedge(y, x)],
    ["minHalfLife", () => minHalfLifeHedge(y, x)],
  ] as const) {
    it(`hedge '${hedge}' trades that estimator's spread; the p-value stays Engle–Granger's`, () => {
      const a = analysePair(y, x, { significance: 0.1, maxHurst: 0.6, hedge });
      const h = estimate();
      expect(a.hedge).toBe(hedge);
      expect([a.beta, a.intercept]).toEqual([h.beta, h.intercept]);
      expect(a.pValue).toBe(coint(y, x, { trend: "c", autolag: "aic" }).pValue);
      const spread = y.map((v, t) => v - h.intercept - h.beta * x[t]);
      expect(a.kappa).toBe(fitOu(spread, { dt: 1 / 252 }).kappa);
    });
  }
  it("stages not reached are NaN and failedAt/reason say where it stopped", () => {
    const a = analysePair(y, x, { significance: 1e-12 });
    expect(a.failedAt).toBe("cointegration");
    expect(a.reason).toMatch(/^not cointegrated: p-value .* >= significance 1e-12$/);
    expect(Number.isNaN(a.hurst) && Number.isNaN(a.kappa) && Number.isNaN(a.entryLevel)).toBe(true);
    expect(a.backtest.trades).toBe(0);
    const b = analysePair(y, x, { significance: 0.5, maxHurst: 0.01 });
    expect(b.failedAt).toBe("hurst");
    expect(Number.isNaN(b.kappa)).toBe(true);
  });
  it("rejects bad options naming them", () => {
    expect(() => analysePair(y, x, { hedge: "lasso" as never })).toThrow(
      /analysePair: hedge must be one of "ols", "tls", "johansen", "boxTiao", "minHalfLife", "rolling", "kalman", got "lasso"/,
    );
    expect(() => analysePair(y, x, { hedge: "rolling" })).toThrow(/analysePair: hedgeWindow is required with hedge "rolling"/);
    expect(() => analysePair(y, x, { hedge: "rolling", hedgeWindow: 2 })).toThrow(/analysePair: hedgeWindow must be .*3/);
    expect(() => analysePair(y, x, { hedge: "rolling", hedgeWindow: y.length - 19 })).toThrow(
      /analysePair: hedgeWindow must be ≤ n − 20 = \d+ \(the residual needs 20 bars after the warm-up\)/,
    );
    expect(() => analysePair(y, x, { hedge: "ols", hedgeWindow: 20 })).toThrow(/analysePair: hedgeWindow applies to hedge "rolling" only/);
    expect(() => analysePair(y, x, { hedge: "rolling", hedgeWindow: 20, hedgeVe: 1 })).toThrow(
      /analysePair: hedgeDelta and hedgeVe apply to hedge "kalman" only/,
    );
    expect(() => analysePair(y, x, { hedge: "kalman", hedgeDelta: 1 })).toThrow(/analysePair: hedgeDelta must be < 1/);
    expect(() => analysePair(y, x, { hedge: "kalman", hedgeVe: 0 })).toThrow(/analysePair: hedgeVe must be > 0/);
    expect(() => analysePair(y.slice(0, 10), x.slice(0, 10))).toThrow(/analysePair: y must have at least 20 observations, got 10/);
    expect(() => analysePair(y, x.slice(1))).toThrow(/analysePair: y and x must have the same length/);
  });
});

describe("analysePair with a dynamic hedge (rolling, kalman): the spread stages run on the no-look-ahead residual", () => {
  const n = y.length;
  const window = 60;
  const kalmanNoise = { delta: 1e-5, ve: 0.05 };
  const cases = [
    {
      name: "rolling",
      options: { significance: 0.1, maxHurst: 0.6, hedge: "rolling" as const, hedgeWindow: window, dt: 1 / 252, transactionCost: 0.001 },
      hedge: { method: "rolling" as const, window, spread: "residual" as const },
      // the engine's own residual series: backtestPair's diagnostics with the same hedge
      residual: (): Float64Array => {
        const d = backtestPair({ y, x, hedge: { method: "rolling", window, spread: "residual" }, rule: levelsAnyRule, diagnostics: true });
        if (d.diagnostics === null) throw new Error("diagnostics requested");
        return d.diagnostics.spread;
      },
    },
    {
      name: "kalman",
      // near-white forecast errors: Leung–Li enters only with low costs and ρ per bar (dt = 1)
      options: {
        significance: 0.1,
        maxHurst: 0.6,
        hedge: "kalman" as const,
        hedgeDelta: kalmanNoise.delta,
        hedgeVe: kalmanNoise.ve,
        dt: 1,
        transactionCost: 1e-4,
      },
      hedge: { method: "kalman" as const, ...kalmanNoise, spread: "residual" as const },
      residual: (): Float64Array => kalmanHedge(y, x, kalmanNoise).forecastError,
    },
  ];
  for (const c of cases) {
    it(`hedge '${c.name}': exact equality with the hand chain residual → hurst → fitOu → leungLi → backtestPair`, () => {
      const a = analysePair(y, x, c.options);
      const full = c.residual();
      let first = 0;
      while (Number.isNaN(full[first])) first++;
      expect(first).toBe(c.name === "rolling" ? window : 0);
      // kalman: e_0 and e_1 come from a state fitted to < 2 bars (θ₀ = 0, then one bar): skipped
      if (c.name === "kalman") first = 2;
      const spread = full.subarray(first);
      const h = hurst(spread, { method: "variance" });
      const ou = fitOu(spread, { dt: c.options.dt });
      const c0 = c.options.transactionCost * (Math.abs(y[n - 1]) + Math.abs(a.beta) * Math.abs(x[n - 1]));
      const levels = leungLi({ kappa: ou.kappa, theta: ou.theta, sigma: ou.sigma, r: 0.04, c: c0 });
      expect(a.pValue).toBe(coint(y, x, { trend: "c", autolag: "aic" }).pValue); // the static test
      expect(a.nSpread).toBe(n - first);
      expect(a.failedAt).toBeNull();
      expect([a.hurst, a.kappa, a.theta, a.sigma]).toEqual([h.H, ou.kappa, ou.theta, ou.sigma]);
      expect([a.entryLevel, a.exitLevel, a.shortEntryLevel]).toEqual([
        levels.entryLevel,
        levels.exitLevel,
        2 * ou.theta - (levels.entryLevel ?? 0),
      ]);
      const bt = backtestPair({
        y,
        x,
        hedge: c.hedge,
        rule: { kind: "levels", entry: a.entryLevel, exit: a.exitLevel, side: "both", center: a.theta },
        costs: { bps: c.options.transactionCost * 1e4 },
        periodsPerYear: 1 / c.options.dt,
      });
      expect(a.backtested).toBe(true);
      expect(a.backtest.totalReturn).toBe(bt.metrics.totalReturn / 100);
      expect([a.backtest.sharpe, a.backtest.trades, a.backtest.maxDrawdown]).toEqual([
        bt.metrics.sharpe,
        bt.metrics.trades,
        bt.metrics.maxDrawdown,
      ]);
      expect(a.backtest.trades).toBeGreaterThan(0);
      const again = backtestAnalysedPair(y, x, a, c.options);
      expect(again.metrics).toEqual(bt.metrics);
    });
  }
  it("beta/intercept are the last β_t/α_t: kalmanHedge's last state; the rolling OLS over the last window", () => {
    const k = kalmanHedge(y, x, kalmanNoise);
    const a = analysePair(y, x, cases[1].options);
    expect([a.beta, a.intercept]).toEqual([k.beta[n - 1], k.intercept[n - 1]]);
    const r = analysePair(y, x, cases[0].options);
    let mx = 0;
    let my = 0;
    for (let t = n - window; t < n; t++) {
      mx += x[t] / window;
      my += y[t] / window;
    }
    let sxy = 0;
    let sxx = 0;
    for (let t = n - window; t < n; t++) {
      sxy += (x[t] - mx) * (y[t] - my);
      sxx += (x[t] - mx) ** 2;
    }
    expect(Math.abs(r.beta - sxy / sxx)).toBeLessThan(1e-9);
    expect(Math.abs(r.intercept - (my - (sxy / sxx) * mx))).toBeLessThan(1e-7);
  });
});

/** Any levels rule: only the engine's spread diagnostics are read. */
const levelsAnyRule = { kind: "levels" as const, entry: -1, exit: 0, side: "both" as const, center: 0 };

/** Every number of a (nested) result, with its path, for bit-for-bit comparison (Object.is: NaN = NaN, +0 ≠ −0). */
function numbersOf(value: unknown, path = "", out: [string, unknown][] = []): [string, unknown][] {
  if (value !== null && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) numbersOf(v, `${path}.${key}`, out);
  } else {
    out.push([path, value]);
  }
  return out;
}

describe("analysePairKernel with a reused workspace", () => {
  // Seeded pairs of several lengths in an order that shrinks and grows the scratch arrays between
  // pairs (a stale value read from a longer earlier pair would change a result): cointegrated
  // pairs (every stage runs, including the backtest), independent random walks (most fail
  // cointegration), a fixed maxLag, and a constant leg (coint throws) in the middle.
  const lengths = [252, 40, 500, 25, 252, 120, 61, 500, 20, 300];
  const cases: { y: Float64Array; x: Float64Array; options: AnalysePairOptions }[] = [];
  lengths.forEach((n, k) => {
    for (const noiseSd of [0.3, 1.5]) {
      const pair = cointegratedPair(n, 1000 + 17 * k + (noiseSd > 1 ? 1 : 0), noiseSd);
      cases.push({ ...pair, options: { significance: 0.2, maxHurst: 0.6 } });
    }
    const normal = normalSource(randomSource(5000 + k));
    const walkY = new Float64Array(n);
    const walkX = new Float64Array(n);
    for (let t = 0, a = 100, b = 80; t < n; t++) {
      a += normal();
      b += normal();
      walkY[t] = a;
      walkX[t] = b;
    }
    cases.push({ y: walkY, x: walkX, options: {} });
    if (n >= 40) cases.push({ y: walkY, x: walkX, options: { maxLag: 3, significance: 0.9, maxHurst: 1 } });
    if (k === 4) cases.push({ y: walkY, x: new Float64Array(n).fill(3), options: {} });
  });

  it("gives bit-identical results to a fresh workspace per pair, over many seeded pairs of different lengths", () => {
    const workspace = createPairAnalysisWorkspace();
    let compared = 0;
    let backtested = 0;
    const errors: string[] = [];
    for (const { y, x, options } of cases) {
      const resolved = resolvePairAnalysisOptions("analysePair", options);
      const run = (ws?: PairAnalysisWorkspace) => {
        try {
          return analysePairKernel(y, x, resolved, ws);
        } catch (e) {
          return { error: (e as Error).message };
        }
      };
      const shared = run(workspace);
      const fresh = run();
      const publicResult = (() => {
        try {
          return analysePair(y, x, options);
        } catch (e) {
          return { error: (e as Error).message };
        }
      })();
      const got = numbersOf(shared);
      const want = numbersOf(fresh);
      expect(
        got.map(([p]) => p),
        `fields of n = ${y.length}`,
      ).toEqual(want.map(([p]) => p));
      got.forEach(([p, v], i) => {
        if (!Object.is(v, want[i][1]))
          throw new Error(
            `n = ${y.length} ${JSON.stringify(options)}: ${p} = ${v} with the reused workspace, ${want[i][1]} with a fresh one`,
          );
      });
      expect(numbersOf(publicResult)).toEqual(want);
      compared++;
      if ("backtested" in shared && shared.backtested) backtested++;
      if ("error" in shared) errors.push(`n = ${y.length}: ${shared.error}`);
    }
    // the cases exercise what they claim: every stage, failures and a thrown error
    expect(compared).toBe(cases.length);
    expect(backtested).toBeGreaterThan(5);
    expect(
      errors.some((e) => e.includes("coint: x must not be constant")),
      errors.join("\n"),
    ).toBe(true);
    // the constant leg, and the three n = 20 pairs (AIC picks 9 lags, too many for 20 bars): the
    // same errors with either workspace, and the workspace still serves the next pair
    expect(errors.length, errors.join("\n")).toBe(4);
  });

  it("leaves the workspace usable after a pair that throws", () => {
    const workspace = createPairAnalysisWorkspace();
    const { y, x } = cointegratedPair(252, 7, 0.3);
    const o = resolvePairAnalysisOptions("analysePair", {});
    const before = analysePairKernel(y, x, o, workspace);
    expect(() => analysePairKernel(y, new Float64Array(252).fill(1), o, workspace)).toThrow(/coint: x must not be constant/);
    expect(numbersOf(analysePairKernel(y, x, o, workspace))).toEqual(numbersOf(before));
  });
});
