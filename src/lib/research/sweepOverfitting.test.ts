import { describe, expect, it } from "vitest";
import { deflatedSharpe, probabilityOfBacktestOverfitting, sharpeRatio } from "../index.js";
import { normalSource, randomSource } from "../util/random.js";
import { bestTrialIndex, sweepOverfitting } from "./sweepOverfitting.js";

function trialsOf(n: number, t: number, seed: number): Float64Array[] {
  const normal = normalSource(randomSource(seed));
  return Array.from({ length: n }, (_, k) =>
    Float64Array.from({ length: t }, () => 0.0002 * k + 0.01 * normal() + (0.004 * normal() ** 3) / 3),
  );
}

describe("sweepOverfitting composes deflatedSharpe and PBO on a sweep's trials", () => {
  const trials = trialsOf(12, 400, 5);
  const sharpes = trials.map((r) => sharpeRatio(r));
  const best = bestTrialIndex(sharpes);

  it("DSR from population moments of the best trial (naive loop) and the ddof-1 variance of the Sharpes", () => {
    const r = trials[best];
    const n = r.length;
    const m = r.reduce((a, b) => a + b, 0) / n;
    const m2 = r.reduce((a, b) => a + (b - m) ** 2, 0) / n;
    const m3 = r.reduce((a, b) => a + (b - m) ** 3, 0) / n;
    const m4 = r.reduce((a, b) => a + (b - m) ** 4, 0) / n;
    const sm = sharpes.reduce((a, b) => a + b, 0) / sharpes.length;
    const v = sharpes.reduce((a, b) => a + (b - sm) ** 2, 0) / (sharpes.length - 1);
    const expected = deflatedSharpe({
      sharpe: sharpes[best],
      trials: 12,
      sharpeVariance: v,
      nObs: n,
      skewness: m3 / m2 ** 1.5,
      kurtosis: m4 / m2 ** 2,
    });
    const got = sweepOverfitting({ sharpes, bestReturns: r, trialReturns: trials, partitions: 8 });
    expect(got.bestIndex).toBe(best);
    expect(got.skewness).toBeCloseTo(m3 / m2 ** 1.5, 10);
    expect(got.kurtosis).toBeCloseTo(m4 / m2 ** 2, 10);
    expect(got.sharpeVariance).toBeCloseTo(v, 14);
    expect(Math.abs(got.dsr - expected.dsr)).toBeLessThan(1e-10);
    expect(Math.abs(got.expectedMaxSharpe - expected.expectedMaxSharpe)).toBeLessThan(1e-12);
    expect(got.pbo).toBe(probabilityOfBacktestOverfitting(trials, { partitions: 8 }).pbo);
    expect(got.partitions).toBe(8);
  });

  it("best is the first maximum of the finite Sharpes; PBO skipped without trial returns; S shrinks for short series", () => {
    expect(bestTrialIndex([1, Number.NaN, 3, 3, Infinity])).toBe(2);
    expect(bestTrialIndex([Number.NaN])).toBe(-1);
    const skipped = sweepOverfitting({ sharpes, bestReturns: trials[best] });
    expect(Number.isNaN(skipped.pbo)).toBe(true);
    expect(skipped.warnings.join()).toMatch(/PBO not computed/);
    const short = trialsOf(4, 20, 9);
    const s = sweepOverfitting({ sharpes: short.map((r) => sharpeRatio(r)), bestReturns: short[0], trialReturns: short, partitions: 16 });
    expect(s.partitions).toBe(10);
    expect(s.warnings.join()).toMatch(/PBO uses 10 partitions instead of 16/);
  });

  it("refuses mismatched inputs naming the argument", () => {
    expect(() => sweepOverfitting({ sharpes, bestReturns: trials[0], trialReturns: trials.slice(1) })).toThrow(
      /sweepOverfitting: trialReturns must hold one series per trial \(12\), got 11/,
    );
    expect(() => sweepOverfitting({ sharpes, bestReturns: trials[0], partitions: 3 })).toThrow(/sweepOverfitting: partitions must be even/);
  });
});
