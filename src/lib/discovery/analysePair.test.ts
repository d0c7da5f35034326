import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { boxTiaoHedge } from "../hedge/boxTiaoHedge.js";
import { johansenHedge } from "../hedge/johansenHedge.js";
import { minHalfLifeHedge } from "../hedge/minHalfLifeHedge.js";
import { tlsHedge } from "../hedge/tlsHedge.js";
import { fitOu } from "../ou/fitOu.js";
import { coint } from "../timeseries/coint.js";
import { analysePair, backtestAnalysedPair } from "./analysePair.js";

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
    expect(() => analysePair(y, x, { hedge: "kalman" as never })).toThrow(
      /analysePair: hedge must be one of "ols", "tls", "johansen", "boxTiao", "minHalfLife", got "kalman"/,
    );
    expect(() => analysePair(y.slice(0, 10), x.slice(0, 10))).toThrow(/analysePair: y must have at least 20 observations, got 10/);
    expect(() => analysePair(y, x.slice(1))).toThrow(/analysePair: y and x must have the same length/);
  });
});
