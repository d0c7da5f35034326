import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { deflatedSharpe, type DeflatedSharpeInput } from "./deflatedSharpe.js";

interface Case {
  name: string;
  input: Required<DeflatedSharpeInput>;
  dsr: number;
  expectedMaxSharpe: number;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/deflatedSharpe.json", import.meta.url), "utf8")) as { cases: Case[] };

// SR0 is a sum of two normal quantiles times √V: our Φ⁻¹ is within a few ulps of scipy's ppf, so
// 1e-12 relative. DSR is Φ of a z whose error is that times √(T−1) ≤ 50: 1e-10 absolute.
const SR0_RELATIVE = 1e-12;
const DSR_ABSOLUTE = 1e-10;

function close(label: string, input: unknown, actual: number, expected: number, tolerance: number): void {
  const delta = Math.abs(actual - expected);
  expect(
    delta,
    `${label} for ${JSON.stringify(input)}: got ${actual}, expected ${expected}, |Δ|=${delta} > ${tolerance}`,
  ).toBeLessThanOrEqual(tolerance);
}

describe("deflatedSharpe matches the closed form of Bailey & López de Prado (2014) computed with scipy", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const r = deflatedSharpe(c.input);
      close(
        "expectedMaxSharpe",
        c.input,
        r.expectedMaxSharpe,
        c.expectedMaxSharpe,
        SR0_RELATIVE * Math.max(Math.abs(c.expectedMaxSharpe), 1e-300),
      );
      close("dsr", c.input, r.dsr, c.dsr, DSR_ABSOLUTE);
    });
  }
});

describe("deflatedSharpe invariants", () => {
  const base = { sharpe: 0.08, trials: 50, sharpeVariance: 0.002, nObs: 1000, skewness: -0.3, kurtosis: 4 };
  it("more trials raise the expected maximum and lower the DSR", () => {
    let previous = deflatedSharpe(base);
    for (const trials of [100, 1000, 10000]) {
      const r = deflatedSharpe({ ...base, trials });
      expect(r.expectedMaxSharpe).toBeGreaterThan(previous.expectedMaxSharpe);
      expect(r.dsr).toBeLessThan(previous.dsr);
      previous = r;
    }
  });
  it("fatter tails and negative skew (kurtosis non-excess) lower a positive excess DSR", () => {
    const normal = deflatedSharpe({ ...base, trials: 2, skewness: 0, kurtosis: 3 });
    const fat = deflatedSharpe({ ...base, trials: 2, skewness: 0, kurtosis: 9 });
    const skewed = deflatedSharpe({ ...base, trials: 2, skewness: -2, kurtosis: 9 });
    expect(normal.dsr).toBeGreaterThan(fat.dsr);
    expect(fat.dsr).toBeGreaterThan(skewed.dsr);
  });
  it("SR equal to SR0 gives exactly one half", () => {
    const sr0 = deflatedSharpe(base).expectedMaxSharpe;
    expect(deflatedSharpe({ ...base, sharpe: sr0 }).dsr).toBe(0.5);
  });
  it("rejects bad input naming the argument and the rule", () => {
    expect(() => deflatedSharpe({ ...base, trials: 0 })).toThrow(/deflatedSharpe: trials must be >= 1, got 0/);
    expect(() => deflatedSharpe({ ...base, nObs: 1.5 })).toThrow(/deflatedSharpe: nObs must be an integer/);
    expect(() => deflatedSharpe({ ...base, sharpeVariance: -1 })).toThrow(/sharpeVariance must be >= 0/);
    expect(() => deflatedSharpe({ ...base, kurtosis: 0.5 })).toThrow(/kurtosis \(non-excess\) must be >= 1 \+ skewness²/);
    expect(() => deflatedSharpe({ ...base, sharpe: Number.NaN })).toThrow(RangeError);
  });
});
