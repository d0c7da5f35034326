import { describe, expect, it } from "vitest";
import { BacktestEngine } from "./BacktestEngine.js";
import { backtestPair } from "./backtestPair.js";
import type { BacktestEngineOptions } from "./types.js";

// a seeded cointegrated pair: x a random walk, y = 1.5·x + AR(1) noise
function pair(n: number): { y: number[]; x: number[] } {
  let state = 7;
  const rng = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x: number[] = [];
  const y: number[] = [];
  let px = 50;
  let e = 0;
  for (let i = 0; i < n; i++) {
    px += rng() - 0.5;
    e = 0.8 * e + (rng() - 0.5);
    x.push(px);
    y.push(1.5 * px + 10 + e);
  }
  return { y, x };
}

const { y, x } = pair(600);
const options: BacktestEngineOptions = {
  mode: "pair",
  hedge: { method: "rolling", window: 40 },
  capital: 10_000,
  costs: { bps: 3 },
  rule: { kind: "zscore", entry: 1.5, exit: 0, window: { type: "rolling", length: 20 } },
};

describe("BacktestEngine order gate (live trading hook)", () => {
  it("a gate that approves everything changes nothing: the same trades and equity as backtestPair", () => {
    const engine = new BacktestEngine(options);
    let asked = 0;
    engine.setOrderGate(() => {
      asked++;
      return true;
    });
    const equity = y.map((_, i) => engine.push({ y: y[i], x: x[i] }).equity);
    const last = engine.finish();
    const batch = backtestPair({ y, x, hedge: options.hedge as never, rule: options.rule, capital: options.capital, costs: options.costs });
    equity[equity.length - 1] = last.equity;
    expect(asked).toBeGreaterThan(4);
    expect(equity).toEqual(Array.from(batch.equity));
    expect(engine.trades).toEqual(batch.trades);
  });

  it("a gate that refuses entries: no trade, flat equity; each refused entry is asked again on later bars", () => {
    const engine = new BacktestEngine(options);
    const asked: number[] = [];
    engine.setOrderGate((target, _reason, t) => {
      asked.push(t);
      return target === 0;
    });
    for (let i = 0; i < y.length; i++) expect(engine.push({ y: y[i], x: x[i] }).position).toBe(0);
    expect(engine.finish().equity).toBe(10_000);
    expect(engine.trades.pnl.length).toBe(0);
    expect(asked.length).toBeGreaterThan(4);
  });

  it("previewLegs inside the gate is the position the fill then takes", () => {
    const engine = new BacktestEngine(options);
    let preview: { y: number; x: number } | null = null;
    engine.setOrderGate((target) => {
      if (target !== 0) preview = engine.previewLegs(target);
      return true;
    });
    for (let i = 0; i < y.length; i++) {
      preview = null;
      engine.push({ y: y[i], x: x[i] });
      if (preview !== null) {
        expect(engine.legs).toEqual(preview);
        return;
      }
    }
    throw new Error("no entry in the test series");
  });
});
