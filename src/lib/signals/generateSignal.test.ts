import { describe, expect, it } from "vitest";
import { generateSignal, type SignalLevels } from "./index.js";
import { backtestSpread } from "../backtest/index.js";
import { normalSource, randomSource } from "../util/random.js";

/** Exact OU path (transition law), seeded. */
function ouPath(n: number, kappa: number, theta: number, sigma: number, dt: number, seed: number): Float64Array {
  const normal = normalSource(randomSource(seed));
  const b = Math.exp(-kappa * dt);
  const sd = sigma * Math.sqrt((1 - b * b) / (2 * kappa));
  const x = new Float64Array(n);
  x[0] = theta;
  for (let t = 1; t < n; t++) x[t] = theta + (x[t - 1] - theta) * b + sd * normal();
  return x;
}

describe("generateSignal: hand-worked decisions", () => {
  const ou = { kappa: 2, theta: 0, sigma: 2 }; // σ_eq = 2/√4 = 1, so z = x
  const levels: SignalLevels = { kind: "zscore", entry: 2, exit: 0, stop: 4 };
  const cases: [number[], "flat" | "long" | "short", string, string][] = [
    [[0, -2.5], "flat", "buy", "none"],
    [[0, 2.5], "flat", "sell", "none"],
    [[-3, -2.5], "flat", "hold", "none"], // no crossing
    [[-2.5], "flat", "hold", "none"], // one price
    [[-2.5, 0.1], "long", "exit", "takeProfit"],
    [[-2.5, -4.2], "long", "exit", "stopLoss"],
    [[2.5, 4.5], "short", "exit", "stopLoss"],
    [[-2.5, -1], "long", "hold", "none"],
  ];
  for (const [prices, position, signal, exitKind] of cases) {
    it(`${JSON.stringify(prices)} while ${position} → ${signal}`, () => {
      const r = generateSignal({ prices, ou, levels, position });
      expect(r.signal).toBe(signal);
      expect(r.exitKind).toBe(exitKind);
      expect(r.zscore).toBe(prices[prices.length - 1]);
      expect(r.reasoning.length).toBeGreaterThan(20);
    });
  }

  it("confidence and expectedProfit follow the half-life transition law (closed form by hand)", () => {
    const r = generateSignal({ prices: [0, -2.5], ou, levels, position: "flat" });
    // p_up = Φ((θ − x)/(√3 σ_eq)) = Φ(2.5/√3); expected P&L long = (θ − x)/2 = 1.25
    const z = 2.5 / Math.sqrt(3);
    const phi = 0.5 * (1 + erf(z / Math.SQRT2));
    expect(Math.abs(r.confidence - phi)).toBeLessThan(1e-7);
    expect(r.expectedProfit).toBe(1.25);
    expect(Math.abs(r.halfLife - Math.LN2 / 2)).toBeLessThan(1e-16);
    expect(generateSignal({ prices: [0, 0.5], ou, levels, position: "flat" }).expectedProfit).toBe(0);
  });
});

/** Abramowitz–Stegun 7.1.26 erf (|error| < 1.5e-7), an independent reference for Φ. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

describe("confidence and expectedProfit agree with Monte Carlo of the exact OU transition", () => {
  it("P(X_{t+h} > x) and E[X_{t+h} − x] over one half-life, 200 000 draws, within 4 standard errors", () => {
    const ou = { kappa: 5, theta: 1, sigma: 0.8 };
    const x = 0.4;
    const r = generateSignal({ prices: [1.2, x], ou, levels: { kind: "levels", entry: 0.5, exit: 1.1 }, position: "flat" });
    expect(r.signal).toBe("buy");
    const h = Math.LN2 / ou.kappa;
    const b = Math.exp(-ou.kappa * h);
    const sd = ou.sigma * Math.sqrt((1 - b * b) / (2 * ou.kappa));
    const normal = normalSource(randomSource(1234));
    const draws = 200_000;
    let up = 0;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < draws; i++) {
      const next = ou.theta + (x - ou.theta) * b + sd * normal();
      if (next > x) up++;
      sum += next - x;
      sumSq += (next - x) ** 2;
    }
    const p = up / draws;
    expect(Math.abs(r.confidence - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / draws));
    const mean = sum / draws;
    const se = Math.sqrt((sumSq / draws - mean * mean) / draws);
    expect(Math.abs(r.expectedProfit - mean)).toBeLessThan(4 * se);
  });
});

describe("replaying generateSignal bar by bar reproduces backtestSpread's positions", () => {
  const kappa = 8;
  const theta = 0.5;
  const sigma = 1.2;
  const dt = 1 / 252;
  const s = ouPath(3000, kappa, theta, sigma, dt, 21);
  const sdEq = sigma / Math.sqrt(2 * kappa);
  const rules: { name: string; levels: SignalLevels; backtestRule: Parameters<typeof backtestSpread>[1] }[] = [
    {
      name: "z-score vs the OU stationary law, with stop",
      levels: { kind: "zscore", entry: 1.2, exit: 0.1, stop: 2.2 },
      backtestRule: { kind: "zscore", entry: 1.2, exit: 0.1, stop: 2.2, window: { type: "fixed", mean: theta, sd: sdEq } },
    },
    {
      name: "absolute levels, both sides about θ",
      levels: { kind: "levels", entry: theta - 0.25, exit: theta, stop: theta - 0.6, side: "both", center: theta },
      backtestRule: { kind: "levels", entry: theta - 0.25, exit: theta, stop: theta - 0.6, side: "both", center: theta },
    },
  ];
  for (const rule of rules) {
    it(rule.name, () => {
      const bt = backtestSpread(s, rule.backtestRule, {}, { capital: 10 });
      expect(bt.trades.pnl.length).toBeGreaterThan(20);
      let position: "flat" | "long" | "short" = "flat";
      for (let t = 0; t < s.length - 1; t++) {
        const r = generateSignal({ prices: s.subarray(0, t + 1), ou: { kappa, theta, sigma }, levels: rule.levels, position });
        position = r.positionAfter;
        const expected = bt.positions[t] > 0 ? "long" : bt.positions[t] < 0 ? "short" : "flat";
        if (position !== expected) throw new Error(`bar ${t}: generateSignal → ${position}, backtest → ${expected} (${r.reasoning})`);
      }
    });
  }
});

describe("generateSignal validation", () => {
  const ou = { kappa: 2, theta: 0, sigma: 1 };
  const levels: SignalLevels = { kind: "zscore", entry: 2, exit: 0 };
  it("names the function, argument and requirement", () => {
    expect(() => generateSignal({ prices: [], ou, levels, position: "flat" })).toThrow(/generateSignal: prices must have at least 1/);
    expect(() => generateSignal({ prices: [1], ou: { ...ou, kappa: 0 }, levels, position: "flat" })).toThrow(
      /generateSignal: ou.kappa must be > 0/,
    );
    expect(() => generateSignal({ prices: [1], ou, levels, position: "sideways" as never })).toThrow(/position must be one of/);
    expect(() => generateSignal({ prices: [1], ou, levels: { kind: "zscore", entry: 1, exit: 2 }, position: "flat" })).toThrow(
      /levels.exit must satisfy/,
    );
  });
});
