import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { avellanedaLeeScores } from "./index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/avellanedaLeeScores.json", import.meta.url), "utf8"));
const returns: number[][] = fixture.returns;

/** Compare a per-stock output; null in the fixture means NaN here. */
function closeArray(actual: ArrayLike<number>, expected: (number | null)[], tol: number, what: string, floor: number): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (e === null) {
      if (!Number.isNaN(actual[i])) throw new Error(`${what}[${i}]: actual ${actual[i]}, expected NaN`);
      continue;
    }
    const delta = Math.abs(actual[i] - e);
    const bound = tol * Math.max(floor, Math.abs(e));
    if (!(delta <= bound)) throw new Error(`${what}[${i}]: actual ${actual[i]}, expected ${e}, delta ${delta}, tolerance ${bound}`);
  }
}

describe("avellanedaLeeScores matches numpy eigh + statsmodels OLS on 440 days × 23 ETF log returns", () => {
  for (const c of fixture.cases) {
    it(`options ${JSON.stringify(c.options)}: s-scores, κ, m, σ_eq, drift, R², eligibility`, () => {
      const r = avellanedaLeeScores(returns, c.options);
      const e = c.expected;
      // Regressions through QR vs statsmodels' pinv agree to ~1e-10 relative; the AR(1) of a
      // cumulative sum amplifies that modestly: s-scores 1e-7 relative (floor 1e-3), κ 1e-7.
      closeArray(r.kappa, e.kappa, 1e-7, "kappa", 1);
      closeArray(r.sigmaEq, e.sigmaEq, 1e-7, "sigmaEq", 1e-6);
      closeArray(r.meanLevel, e.meanLevel, 1e-6, "meanLevel", 1e-4);
      closeArray(r.drift, e.drift, 1e-7, "drift", 1e-5);
      closeArray(r.rSquared, e.rSquared, 1e-9, "rSquared", 1);
      closeArray(r.sScore, e.sScore, 1e-7, "sScore", 1e-3);
      expect(Array.from(r.eligible)).toEqual(e.eligible.map(Number));
      closeArray(r.factorEigenvalues, e.factorEigenvalues, 1e-10, "factorEigenvalues", 1);
      expect(Math.abs(r.meanOffset - e.meanOffset)).toBeLessThanOrEqual(1e-7 * Math.max(1e-4, Math.abs(e.meanOffset)));
    });
  }

  it("signals follow the thresholds: open long below −entry, open short above +entry, closes by exitLong/exitShort", () => {
    const r = avellanedaLeeScores(returns, { factors: 5, end: 300, entry: 0.5 });
    let opened = 0;
    for (let i = 0; i < r.sScore.length; i++) {
      const s = r.sScore[i];
      if (!r.eligible[i]) {
        expect(r.signal[i]).toBe(0);
        continue;
      }
      expect(r.signal[i]).toBe(s < -0.5 ? 1 : s > 0.5 ? -1 : 0);
      expect(r.closeLong[i]).toBe(s > -0.5 ? 1 : 0);
      expect(r.closeShort[i]).toBe(s < 0.75 ? 1 : 0);
      if (r.signal[i] !== 0) opened++;
    }
    expect(opened).toBeGreaterThan(0);
  });

  it("centring: the centred OU means m_i − m̄ of the eligible stocks sum to 0", () => {
    const r = avellanedaLeeScores(returns, { factors: 5, end: 300 });
    let sum = 0;
    for (let i = 0; i < r.meanLevel.length; i++) if (r.eligible[i]) sum += r.meanLevel[i] - r.meanOffset;
    expect(Math.abs(sum)).toBeLessThan(1e-12 * r.meanLevel.length);
  });

  it("the s-score ignores data after `end` (no look-ahead) and does not depend on rows before the windows", () => {
    const a = avellanedaLeeScores(returns, { factors: 5, end: 300 });
    const b = avellanedaLeeScores(returns.slice(0, 300), { factors: 5 });
    const perturbed = returns.map((row, t) => (t >= 300 || t < 48 ? row.map((v) => v * 3 + 0.01) : row));
    const c = avellanedaLeeScores(perturbed, { factors: 5, end: 300 });
    expect(Array.from(b.sScore)).toEqual(Array.from(a.sScore));
    expect(Array.from(c.sScore)).toEqual(Array.from(a.sScore));
  });

  it("rejects bad options with named errors", () => {
    expect(() => avellanedaLeeScores(returns, { factors: 23 })).toThrow(/avellanedaLeeScores: factors must be <= 22/);
    expect(() => avellanedaLeeScores(returns, { end: 100 })).toThrow(
      /avellanedaLeeScores: end must be >= max\(correlationWindow, regressionWindow\) = 252, got 100/,
    );
    expect(() => avellanedaLeeScores(returns, { factors: 10, regressionWindow: 12 })).toThrow(
      /avellanedaLeeScores: regressionWindow must be >= factors \+ 4/,
    );
    expect(() => avellanedaLeeScores(returns, { entry: 0 })).toThrow(/avellanedaLeeScores: entry must be > 0/);
    expect(() => avellanedaLeeScores([[0.1], [0.2]])).toThrow(/avellanedaLeeScores: returns must have at least 2 stocks/);
  });
});
