import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tearSheet, type MonthlyReturn } from "./tearSheet.js";

interface Case {
  name: string;
  periodsPerYear: number;
  rollingWindow: number;
  returns: number[];
  benchmark?: number[];
  timestamps?: number[];
  expected: Record<string, number> & {
    equity: number[];
    drawdown: number[];
    rollingSharpe: (number | null)[];
    rollingVolatility: (number | null)[];
    monthly?: MonthlyReturn[];
    benchmark?: Record<string, number>;
  };
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/tearSheet.json", import.meta.url), "utf8")) as { cases: Case[] };

// Tolerances (relative, or absolute where the value can be near 0):
// - sums and products over ≤ 800 terms: ∏ by log1p/expm1 vs pandas' cumprod differ by O(n·ε): 1e-12;
// - quantile-based metrics are exact interpolations: 1e-13;
// - higher moments (skew, kurt) amplify rounding of m2: 1e-10;
// - rolling windows by running sums vs pandas' own rolling kernel: 1e-9.
const SCALAR_TOLERANCE: Record<string, number> = {
  totalReturn: 1e-12,
  cagr: 1e-12,
  volatility: 1e-12,
  sharpe: 1e-12,
  sortino: 1e-12,
  maxDrawdown: 1e-12,
  calmar: 1e-12,
  longestDrawdown: 0,
  winRate: 0,
  profitFactor: 1e-12,
  tailRatio: 1e-13,
  skewness: 1e-10,
  excessKurtosis: 1e-10,
  valueAtRisk95: 1e-13,
  conditionalValueAtRisk95: 1e-13,
  bestPeriod: 0,
  worstPeriod: 0,
};

function close(label: string, actual: number, expected: number, relative: number): void {
  const tolerance = relative * Math.max(1, Math.abs(expected));
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: got ${actual}, expected ${expected}, |Δ|=${delta} > ${tolerance}`).toBeLessThanOrEqual(tolerance);
}

describe("tearSheet matches pandas computations of the documented definitions", () => {
  for (const c of fixture.cases) {
    describe(c.name, () => {
      const sheet = tearSheet(c.returns, {
        periodsPerYear: c.periodsPerYear,
        rollingWindow: c.rollingWindow,
        ...(c.benchmark ? { benchmark: c.benchmark } : {}),
        ...(c.timestamps ? { timestamps: c.timestamps } : {}),
      });
      it("scalar metrics", () => {
        for (const [key, tolerance] of Object.entries(SCALAR_TOLERANCE)) {
          close(key, (sheet as unknown as Record<string, number>)[key], c.expected[key], tolerance);
        }
      });
      it("equity and drawdown series (equity starts at 1 before the first return)", () => {
        for (let t = 0; t < c.returns.length; t++) {
          close(`equity[${t}]`, sheet.equity[t], c.expected.equity[t], 1e-12);
          close(`drawdown[${t}]`, sheet.drawdown[t], c.expected.drawdown[t], 1e-12);
        }
      });
      it("rolling Sharpe and volatility (NaN before the first full window)", () => {
        for (let t = 0; t < c.returns.length; t++) {
          const s = c.expected.rollingSharpe[t];
          const v = c.expected.rollingVolatility[t];
          if (s === null) expect(Number.isNaN(sheet.rollingSharpe[t]), `rollingSharpe[${t}]`).toBe(true);
          else close(`rollingSharpe[${t}]`, sheet.rollingSharpe[t], s, 1e-9);
          if (v === null) expect(Number.isNaN(sheet.rollingVolatility[t]), `rollingVolatility[${t}]`).toBe(true);
          else close(`rollingVolatility[${t}]`, sheet.rollingVolatility[t], v, 1e-9);
        }
      });
      it("monthly table and benchmark metrics", () => {
        if (c.expected.monthly) {
          expect(sheet.monthly.length).toBe(c.expected.monthly.length);
          c.expected.monthly.forEach((m, k) => {
            expect([sheet.monthly[k].year, sheet.monthly[k].month]).toEqual([m.year, m.month]);
            close(`monthly ${m.year}-${m.month}`, sheet.monthly[k].return, m.return, 1e-12);
          });
        } else {
          expect(sheet.monthly).toEqual([]);
        }
        if (c.expected.benchmark) {
          for (const [key, value] of Object.entries(c.expected.benchmark)) {
            close(`benchmark.${key}`, (sheet.benchmark as unknown as Record<string, number>)[key], value, 1e-11);
          }
        } else {
          expect(Number.isNaN(sheet.benchmark.beta)).toBe(true);
        }
      });
    });
  }
});

describe("tearSheet invariants and validation", () => {
  it("monthly returns compound to the total return; drawdown is 0 exactly at new highs", () => {
    const c = fixture.cases[0];
    const sheet = tearSheet(c.returns, { periodsPerYear: 252, timestamps: c.timestamps });
    const compounded = sheet.monthly.reduce((g, m) => g * (1 + m.return), 1) - 1;
    close("∏ monthly", compounded, sheet.totalReturn, 1e-12);
    let peak = 1;
    for (let t = 0; t < sheet.n; t++) {
      if (sheet.equity[t] >= peak) {
        peak = sheet.equity[t];
        expect(sheet.drawdown[t]).toBe(0);
      }
    }
    expect(sheet.rollingWindow).toBe(63);
  });
  it("rejects bad input naming the argument and the rule", () => {
    expect(() => tearSheet([0.1, -1], { periodsPerYear: 252 })).toThrow(
      /tearSheet: returns must be > −1 \(equity stays positive\), got -1 at index 1/,
    );
    expect(() => tearSheet([0.1, 0.2], { periodsPerYear: 0 })).toThrow(/tearSheet: periodsPerYear must be > 0, got 0/);
    expect(() => tearSheet([0.1, 0.2], { periodsPerYear: 12, benchmark: [0.1] })).toThrow(
      /returns and benchmark must have the same length, got 2 and 1/,
    );
    expect(() => tearSheet([0.1, 0.2], { periodsPerYear: 12, timestamps: [5, 5] })).toThrow(
      /timestamps must be strictly increasing, got 5 after 5 at index 1/,
    );
    expect(() => tearSheet([0.1, 0.2, 0.3], { periodsPerYear: 12, rollingWindow: 4 })).toThrow(/rollingWindow must be <= 3, got 4/);
  });
});
