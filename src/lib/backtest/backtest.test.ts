import { describe, expect, it } from "vitest";
import { backtestPair, backtestSpread, BacktestEngine, tradeRows, type TradingRule } from "./index.js";
import { normalSource, randomSource } from "../util/random.js";
import { MetricsAccumulator } from "./backtestMetrics.js";
import { kalmanHedge } from "../hedge/kalmanHedge.js";
import * as aq from "arquero";
import { cointegratedPair } from "./cointegratedPair.test-helpers.js";

/** Two-pass OLS slope of y on x (with intercept) over bars from..to inclusive: the reference for β_t. */
function naiveOlsSlope(y: ArrayLike<number>, x: ArrayLike<number>, from: number, to: number): number {
  const w = to - from + 1;
  let mx = 0;
  let my = 0;
  for (let k = from; k <= to; k++) {
    mx += x[k] / w;
    my += y[k] / w;
  }
  let sxy = 0;
  let sxx = 0;
  for (let k = from; k <= to; k++) {
    sxy += (x[k] - mx) * (y[k] - my);
    sxx += (x[k] - mx) ** 2;
  }
  return sxy / sxx;
}

/** Assert |actual − expected| ≤ tol·max(1, |expected|) with a message that prints everything. */
function close(actual: number, expected: number, tol: number, what: string): void {
  const delta = Math.abs(actual - expected);
  const bound = tol * Math.max(1, Math.abs(expected));
  if (!(delta <= bound) && !(Number.isNaN(actual) && Number.isNaN(expected))) {
    throw new Error(`${what}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${bound}`);
  }
}

/** The shared seeded cointegrated pair (AR(1) noise sd 0.8). */
const makePair = (n: number, seed: number) => cointegratedPair(n, seed, 0.8);

/** A mean-reverting spread (AR(1) around 0). */
function makeSpread(n: number, seed: number, phi = 0.9): Float64Array {
  const normal = normalSource(randomSource(seed));
  const s = new Float64Array(n);
  let v = 0;
  for (let t = 0; t < n; t++) {
    v = phi * v + normal();
    s[t] = v;
  }
  return s;
}

interface NaiveConfig {
  beta: number;
  window: number;
  entry: number;
  exit: number;
  stop?: number;
  capital: number;
  bps: number;
  fixedFee: number;
  nextClose: boolean;
}

/**
 * Deliberately naive reference: static β, rolling z-score recomputed from scratch each bar with
 * explicit loops, crossing entries, capital sizing, costs, fills at close or next close, and the
 * position closed at the last bar.
 */
function naivePair(y: Float64Array, x: Float64Array, c: NaiveConfig): { equity: number[]; positions: number[]; tradePnl: number[] } {
  const n = y.length;
  const z: number[] = [];
  for (let t = 0; t < n; t++) {
    if (t < c.window - 1) {
      z.push(NaN);
      continue;
    }
    const values: number[] = [];
    for (let k = t - c.window + 1; k <= t; k++) values.push(y[k] - c.beta * x[k]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1);
    z.push((values[values.length - 1] - m) / Math.sqrt(v));
  }
  let equity = c.capital;
  let qy = 0;
  let qx = 0;
  let side = 0; // held
  let target = 0; // decided
  let pending: number | null = null;
  let tradePnl = 0;
  const trades: number[] = [];
  const equityOut: number[] = [];
  const positions: number[] = [];
  const cost = (dq: number, p: number) => (dq === 0 ? 0 : Math.abs(dq) * p * (c.bps / 1e4) + c.fixedFee);
  const fill = (to: number, t: number) => {
    if (to === side) return;
    if (side !== 0) {
      const k = cost(qy, y[t]) + cost(qx, x[t]);
      equity -= k;
      tradePnl -= k;
      trades.push(tradePnl);
      qy = 0;
      qx = 0;
      side = 0;
    }
    if (to !== 0) {
      const q = equity / (y[t] + Math.abs(c.beta) * x[t]);
      qy = to * q;
      qx = -to * q * c.beta;
      const k = cost(qy, y[t]) + cost(qx, x[t]);
      equity -= k;
      tradePnl = -k;
      side = to;
    }
  };
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const pnl = qy * (y[t] - y[t - 1]) + qx * (x[t] - x[t - 1]);
      equity += pnl;
      tradePnl += pnl;
    }
    if (pending !== null) {
      fill(pending, t);
      pending = null;
    }
    let want = target;
    const zt = z[t];
    const zp = t > 0 ? z[t - 1] : NaN;
    if (!Number.isNaN(zt)) {
      const stop = c.stop ?? Infinity;
      if (target === 1) {
        if (zt <= -stop || zt >= -c.exit) want = 0;
      } else if (target === -1) {
        if (zt >= stop || zt <= c.exit) want = 0;
      } else if (!Number.isNaN(zp)) {
        if (zt <= -c.entry && zp > -c.entry && zt > -stop) want = 1;
        else if (zt >= c.entry && zp < c.entry && zt < stop) want = -1;
      }
    }
    if (want !== target) {
      target = want;
      if (c.nextClose) pending = want;
      else fill(want, t);
    }
    if (t === n - 1) fill(0, t);
    equityOut.push(equity);
    positions.push(qy);
  }
  return { equity: equityOut, positions, tradePnl: trades };
}

/** Naive metrics from an equity curve, written independently of backtestMetrics.ts. */
function naiveMetrics(equity: ArrayLike<number>, capital: number, periodsPerYear: number) {
  const n = equity.length;
  const r: number[] = [];
  for (let t = 0; t < n; t++) r.push(equity[t] / (t === 0 ? capital : equity[t - 1]) - 1);
  const mean = r.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const down = Math.sqrt(r.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / n);
  let peak = capital;
  let mdd = 0;
  let run = 0;
  let maxRun = 0;
  for (let t = 0; t < n; t++) {
    if (equity[t] >= peak) {
      peak = equity[t];
      run = 0;
    } else {
      mdd = Math.max(mdd, (peak - equity[t]) / peak);
      run++;
      maxRun = Math.max(maxRun, run);
    }
  }
  const cagr = Math.pow(equity[n - 1] / capital, periodsPerYear / n) - 1;
  return {
    totalReturn: (equity[n - 1] / capital - 1) * 100,
    sharpe: (mean / sd) * Math.sqrt(periodsPerYear),
    sortino: (mean / down) * Math.sqrt(periodsPerYear),
    annualVolatility: sd * Math.sqrt(periodsPerYear),
    maxDrawdown: mdd,
    maxDrawdownDuration: maxRun,
    cagr,
    calmar: cagr / mdd,
  };
}

const zRule = (entry: number, exit: number, window: number, stop?: number): TradingRule => ({
  kind: "zscore",
  entry,
  exit,
  ...(stop === undefined ? {} : { stop }),
  window: { type: "rolling", length: window },
});

describe("backtestPair: hand-worked cases", () => {
  it("sizes q = capital / (y + |β|x) and books spread P&L q·Δs (levels rule, no costs)", () => {
    const r = backtestPair({
      y: [10, 9, 10.5],
      x: [5, 5, 5],
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 4.5, exit: 5.5 },
      capital: 1000,
    });
    const q = 1000 / 14;
    expect(r.trades.pnl).toHaveLength(1);
    const tr = tradeRows(r.trades)[0];
    expect([tr.entryIndex, tr.exitIndex, tr.side, tr.exitReason, tr.holdingBars]).toEqual([1, 2, "long", "signal", 1]);
    close(tr.units, q, 1e-15, "units");
    close(tr.pnl, q * 1.5, 1e-13, "pnl");
    close(r.equity[2], 1000 + q * 1.5, 1e-13, "final equity");
    expect(Array.from(r.positions)).toEqual([0, q, 0]);
  });

  it("charges bps on each leg's notional plus a fixed fee per leg order", () => {
    const r = backtestPair({
      y: [10, 9, 10.5],
      x: [5, 5, 5],
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 4.5, exit: 5.5 },
      capital: 1000,
      costs: { bps: 10, fixedFee: 1, slippageBps: 5, perUnit: 0.01 },
    });
    const q = 1000 / 14;
    const rate = 15 / 1e4;
    const entryCost = q * 9 * rate + q * 5 * rate + 2 * q * 0.01 + 2;
    const exitCost = q * 10.5 * rate + q * 5 * rate + 2 * q * 0.01 + 2;
    close(tradeRows(r.trades)[0].costs, entryCost + exitCost, 1e-13, "costs");
    close(tradeRows(r.trades)[0].pnl, q * 1.5 - entryCost - exitCost, 1e-13, "net pnl");
    close(r.equity[1], 1000 - entryCost, 1e-13, "equity after entry");
    close(r.metrics.turnover, (q * 9 + q * 5 + q * 10.5 + q * 5) / 1000, 1e-13, "turnover");
  });

  it("short spread: sells y, buys β·x, profits when the spread falls", () => {
    const r = backtestPair({
      y: [20, 22, 20],
      x: [10, 10, 10],
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 11.5, exit: 10.5, side: "short" },
      capital: 1000,
    });
    const q = 1000 / 32;
    expect(tradeRows(r.trades)[0].side).toBe("short");
    close(r.positions[1], -q, 1e-15, "short position");
    close(tradeRows(r.trades)[0].pnl, q * 2, 1e-13, "short pnl");
  });

  it("nextClose fills one bar after the decision, at that bar's prices", () => {
    const r = backtestPair({
      y: [10, 9, 8, 10.5, 11],
      x: [5, 5, 5, 5, 5],
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 4.5, exit: 5.5 },
      capital: 1000,
      execution: { fill: "nextClose" },
    });
    const tr = tradeRows(r.trades)[0];
    expect([tr.entryIndex, tr.exitIndex]).toEqual([2, 4]);
    expect(tr.entryPrices).toEqual({ y: 8, x: 5 });
    close(tr.pnl, (1000 / 13) * 3, 1e-13, "pnl from spread 3 to 6");
  });

  it("a z-score stop-loss exits with exitReason 'stop' and needs a fresh crossing to re-enter", () => {
    // spread y − x: z falls through −1 (entry), then far beyond −3 (stop), stays low, then recovers.
    const spread = [0, 1, 0, -1, 0, 1, 0, -1.6, -8, -8.5, -9, -9.5, -3, 2, 3, 2.5, 0, -6];
    const x = spread.map(() => 50);
    const y = spread.map((s) => 50 + 20 + s);
    const r = backtestPair({ y, x, hedge: { method: "static", beta: 1 }, rule: zRule(1, 0, 6, 1.8), capital: 1000 });
    const stops = tradeRows(r.trades).filter((t) => t.exitReason === "stop");
    expect(stops.length).toBeGreaterThanOrEqual(1);
    // after the stop at bar 8 the z-score stays beyond −entry without crossing back: no re-entry
    const reentries = tradeRows(r.trades).filter((t) => t.entryIndex > stops[0].exitIndex && t.entryIndex <= 11);
    expect(reentries).toHaveLength(0);
  });
});

describe("backtestPair matches a naive loop implementation", () => {
  const { y, x } = makePair(1500, 7);
  for (const nextClose of [false, true]) {
    it(`rolling z-score, stop, costs, fill ${nextClose ? "nextClose" : "close"}: equity and positions to 1e-9`, () => {
      const cfg: NaiveConfig = { beta: 1.5, window: 30, entry: 1.5, exit: 0.2, stop: 3, capital: 1e5, bps: 5, fixedFee: 2, nextClose };
      const ref = naivePair(y, x, cfg);
      const r = backtestPair({
        y,
        x,
        hedge: { method: "static", beta: 1.5 },
        rule: zRule(1.5, 0.2, 30, 3),
        capital: 1e5,
        costs: { bps: 5, fixedFee: 2 },
        execution: { fill: nextClose ? "nextClose" : "close" },
      });
      expect(r.trades.pnl.length).toBeGreaterThan(10);
      expect(r.trades.pnl.length).toBe(ref.tradePnl.length);
      for (let t = 0; t < y.length; t++) {
        close(r.equity[t], ref.equity[t], 1e-9, `equity[${t}]`);
        close(r.positions[t], ref.positions[t], 1e-9, `positions[${t}]`);
      }
      tradeRows(r.trades).forEach((tr, i) => close(tr.pnl, ref.tradePnl[i], 1e-7, `trade ${i} pnl`));
    });
  }

  it("metrics follow the stated conventions (naive recomputation from the equity curve)", () => {
    const r = backtestPair({ y, x, hedge: { method: "static", beta: 1.5 }, rule: zRule(1.5, 0, 30), capital: 1e5, costs: { bps: 5 } });
    const m = naiveMetrics(r.equity, 1e5, 252);
    for (const key of Object.keys(m) as (keyof typeof m)[]) close(r.metrics[key], m[key], 1e-9, `metrics.${key}`);
    const wins = tradeRows(r.trades).filter((t) => t.pnl > 0);
    const losses = tradeRows(r.trades).filter((t) => t.pnl <= 0);
    close(r.metrics.winRate, wins.length / r.trades.pnl.length, 1e-15, "winRate");
    close(r.metrics.profitFactor, wins.reduce((a, t) => a + t.pnl, 0) / -losses.reduce((a, t) => a + t.pnl, 0), 1e-12, "profitFactor");
    close(r.metrics.avgTradePnl, tradeRows(r.trades).reduce((a, t) => a + t.pnl, 0) / r.trades.pnl.length, 1e-9, "avgTradePnl");
    close(
      r.metrics.avgHoldingPeriod,
      tradeRows(r.trades).reduce((a, t) => a + t.holdingBars, 0) / r.trades.pnl.length,
      1e-15,
      "avgHoldingPeriod",
    );
    close(r.metrics.exposure, Array.from(r.positions).filter((p) => p !== 0).length / y.length, 1e-15, "exposure");
  });

  it("static hedge over a formation window where x is constant: undefined β, no trades, a warning that says so", () => {
    const n = 120;
    const r = backtestPair({
      y: Float64Array.from({ length: n }, (_, t) => 50 + Math.sin(t)),
      x: new Float64Array(n).fill(20),
      hedge: { method: "static", window: 30 },
      rule: zRule(1, 0, 10),
    });
    expect(r.trades.pnl.length).toBe(0);
    expect(r.warnings).toContain("static hedge: x is constant over the formation window; hedge ratio undefined, no trades");
  });

  it("static hedge with a formation window: β from OLS on the first `window` bars only, no trade before it", () => {
    const w = 200;
    const r = backtestPair({ diagnostics: true, y, x, hedge: { method: "static", window: w }, rule: zRule(1.5, 0, 30), capital: 1e5 });
    expect(Number.isNaN(r.diagnostics!.hedgeRatios[w - 2])).toBe(true);
    close(r.diagnostics!.hedgeRatios[w - 1], naiveOlsSlope(y, x, 0, w - 1), 1e-12, "formation beta");
    expect(r.diagnostics!.hedgeRatios[1499]).toBe(r.diagnostics!.hedgeRatios[w - 1]);
    expect(r.trades.pnl.length).toBeGreaterThan(0);
    expect(Math.min(...tradeRows(r.trades).map((t) => t.entryIndex))).toBeGreaterThanOrEqual(w - 1);
  });

  it("rolling hedge β_t equals OLS slope of y on x (with intercept) over the trailing window", () => {
    const w = 40;
    const r = backtestPair({ diagnostics: true, y, x, hedge: { method: "rolling", window: w }, rule: zRule(2, 0, 20), capital: 1e5 });
    expect(Number.isNaN(r.diagnostics!.hedgeRatios[w - 2])).toBe(true);
    for (const t of [w - 1, w, 500, 999, 1499]) close(r.diagnostics!.hedgeRatios[t], naiveOlsSlope(y, x, t - w + 1, t), 1e-9, `beta[${t}]`);
  });
});

describe("signal windows: z-score over rolling (pandas rolling, ddof 1), expanding and fixed windows", () => {
  const s = makeSpread(400, 13);
  const naiveZ = (t: number, from: number) => {
    const values = Array.from(s.subarray(from, t + 1));
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
    return (s[t] - m) / sd;
  };
  it("rolling window of 25 includes the current bar; NaN during warm-up", () => {
    const r = backtestSpread(s, zRule(2, 0, 25), {}, { diagnostics: true });
    expect(Number.isNaN(r.diagnostics!.signal[23])).toBe(true);
    for (let t = 24; t < 400; t++) close(r.diagnostics!.signal[t], naiveZ(t, t - 24), 1e-10, `z[${t}]`);
  });
  it("expanding window with minPeriods 10", () => {
    const r = backtestSpread(
      s,
      { kind: "zscore", entry: 2, exit: 0, window: { type: "expanding", minPeriods: 10 } },
      {},
      { diagnostics: true },
    );
    expect(Number.isNaN(r.diagnostics!.signal[8])).toBe(true);
    for (let t = 9; t < 400; t++) close(r.diagnostics!.signal[t], naiveZ(t, 0), 1e-10, `z[${t}]`);
  });
  it("fixed mean and sd (the OU stationary law used by generateSignal)", () => {
    const r = backtestSpread(
      s,
      { kind: "zscore", entry: 2, exit: 0, window: { type: "fixed", mean: 0.5, sd: 2 } },
      {},
      { diagnostics: true },
    );
    for (let t = 0; t < 400; t++) close(r.diagnostics!.signal[t], (s[t] - 0.5) / 2, 1e-15, `z[${t}]`);
  });
  it("a constant window gives an undefined z (NaN) and no trades, not a division by zero", () => {
    const flat = new Float64Array(60).fill(3);
    flat[59] = 10;
    const r = backtestSpread(flat, zRule(1, 0, 20), {}, { diagnostics: true });
    expect(Number.isNaN(r.diagnostics!.signal[40])).toBe(true);
    expect(r.trades.pnl).toHaveLength(0);
  });
});

describe("backtest invariants", () => {
  const { y, x } = makePair(800, 11);
  const base = { y, x, hedge: { method: "rolling" as const, window: 60 }, rule: zRule(1.5, 0, 25, 3.5) };

  it("a zero-cost round trip at an unchanged price earns exactly 0", () => {
    const r = backtestPair({
      diagnostics: true,
      y: [10, 9, 9, 9],
      x: [5, 5, 5, 5],
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 4.5, exit: 5.5 },
      capital: 1000,
    });
    expect(r.trades.pnl).toHaveLength(1);
    expect(tradeRows(r.trades)[0].exitReason).toBe("end");
    expect(tradeRows(r.trades)[0].pnl).toBe(0);
    expect(r.equity[3]).toBe(1000);
  });

  it("doubling capital doubles every trade's P&L (proportional costs, no caps)", () => {
    const a = backtestPair({ diagnostics: true, ...base, capital: 1e5, costs: { bps: 7, slippageBps: 2 } });
    const b = backtestPair({ diagnostics: true, ...base, capital: 2e5, costs: { bps: 7, slippageBps: 2 } });
    expect(a.trades.pnl.length).toBeGreaterThan(3);
    tradeRows(a.trades).forEach((t, i) => close(tradeRows(b.trades)[i].pnl, 2 * t.pnl, 1e-10, `trade ${i}`));
    close(b.equity[799] - 2e5, 2 * (a.equity[799] - 1e5), 1e-9, "total P&L");
  });

  it("costs only lower P&L: same trades, each trade's P&L lower by exactly its costs", () => {
    const free = backtestPair({ diagnostics: true, ...base, capital: 1e5 });
    const paid = backtestPair({ diagnostics: true, ...base, capital: 1e5, costs: { bps: 10, fixedFee: 5 } });
    expect(paid.trades.pnl.length).toBe(free.trades.pnl.length);
    expect(paid.equity[799]).toBeLessThan(free.equity[799]);
    tradeRows(paid.trades).forEach((t, i) => {
      expect(t.costs).toBeGreaterThan(0);
      expect(t.pnl).toBeLessThan(tradeRows(free.trades)[i].pnl);
    });
  });

  it("the trades' P&L sums to the equity change", () => {
    const r = backtestPair({ diagnostics: true, ...base, capital: 1e5, costs: { bps: 10, fixedFee: 5 }, execution: { fill: "nextClose" } });
    const sum = tradeRows(r.trades).reduce((a, t) => a + t.pnl, 0);
    close(sum, r.equity[799] - 1e5, 1e-9, "sum of trade pnl");
  });

  it("no look-ahead: perturbing data after t leaves every output up to t unchanged", () => {
    for (const fill of ["close", "nextClose"] as const) {
      const ref = backtestPair({ diagnostics: true, ...base, capital: 1e5, costs: { bps: 5 }, execution: { fill } });
      for (const t of [100, 333, 600]) {
        const y2 = Float64Array.from(y);
        const x2 = Float64Array.from(x);
        const normal = normalSource(randomSource(t));
        for (let k = t + 1; k < y.length; k++) {
          y2[k] *= 1 + 0.05 * normal();
          x2[k] *= 1 + 0.05 * normal();
        }
        const r = backtestPair({ diagnostics: true, ...base, y: y2, x: x2, capital: 1e5, costs: { bps: 5 }, execution: { fill } });
        for (let k = 0; k <= t; k++) {
          expect(r.positions[k]).toBe(ref.positions[k]);
          expect(r.equity[k]).toBe(ref.equity[k]);
          expect(r.diagnostics!.signal[k]).toBe(ref.diagnostics!.signal[k]);
        }
      }
    }
  });

  it("max gross exposure caps the entry notional", () => {
    const r = backtestPair({ ...base, capital: 1e5, risk: { maxGrossExposure: 25_000 } });
    expect(r.trades.pnl.length).toBeGreaterThan(0);
    for (const t of tradeRows(r.trades)) {
      const gross = t.units * (t.entryPrices.y + Math.abs(t.hedgeRatio) * t.entryPrices.x);
      expect(gross).toBeLessThanOrEqual(25_000 * (1 + 1e-12));
    }
  });

  it("max daily loss flattens and halts trading until the day label changes", () => {
    // long entry at bar 2, then the spread collapses on day 1: the loss limit fires and no trade reopens that day
    const spread = [0, 0, -2.5, -6, -6.5, -7, -7, -7.5, -3, -2.9, -3.2, 0];
    const y = spread.map((s) => 100 + s);
    const x = spread.map(() => 50);
    const dayIndex = [0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2];
    const r = backtestPair({
      y,
      x,
      dayIndex,
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 48, exit: 50, stop: 30 },
      capital: 1000,
      risk: { maxDailyLoss: 20 },
    });
    const rows = tradeRows(r.trades);
    const first = rows[0];
    expect(first.exitReason).toBe("dailyLoss");
    expect(first.exitIndex).toBe(3);
    // nothing opens again on day 1 (bars 3..8) even though the spread crosses 48 at bar 8
    expect(rows.every((t) => t === first || t.entryIndex >= 9)).toBe(true);
    for (let k = 4; k <= 8; k++) expect(r.positions[k]).toBe(0);
  });

  it("stops trading for good when equity is wiped out (ruin)", () => {
    const r = backtestPair({
      y: [10, 9, 1, 0.5, 9, 12],
      x: [5, 5, 5, 5, 5, 5],
      hedge: { method: "static", beta: 1 },
      rule: { kind: "levels", entry: 4.5, exit: 5.5 },
      capital: 1000,
      sizing: { method: "capital", leverage: 3 },
    });
    expect(tradeRows(r.trades)[0].exitReason).toBe("ruin");
    expect(r.warnings.some((w) => w.includes("ruin"))).toBe(true);
    expect(r.positions[4]).toBe(0);
  });
});

describe("BacktestEngine (streaming) reproduces the batch backtest bar by bar", () => {
  it("pair mode, rolling hedge, nextClose, costs, daily-loss limit", () => {
    const { y, x } = makePair(700, 3);
    const dayIndex = Array.from({ length: 700 }, (_, i) => Math.floor(i / 5));
    const options = {
      hedge: { method: "rolling" as const, window: 50 },
      rule: zRule(1.2, 0, 20, 3),
      capital: 5e4,
      costs: { bps: 3, fixedFee: 1 },
      risk: { maxDailyLoss: 500 },
      execution: { fill: "nextClose" as const },
    };
    const batch = backtestPair({ y, x, dayIndex, ...options });
    const engine = new BacktestEngine(options);
    for (let t = 0; t < 700; t++) {
      const snap = engine.push({ y: y[t], x: x[t], day: dayIndex[t] });
      expect(snap.bar).toBe(t);
      if (t < 699) {
        expect(snap.equity).toBe(batch.equity[t]);
        expect(snap.position).toBe(batch.positions[t]);
        expect(snap.barReturn).toBe(batch.returns[t]);
      }
    }
    const last = engine.finish();
    expect(last.equity).toBe(batch.equity[699]);
    expect(last.metrics).toEqual(batch.metrics);
    expect(engine.trades).toEqual(batch.trades);
    expect(engine.warnings).toEqual(batch.warnings);
  });

  it("spread mode with the bands rule", () => {
    const s = makeSpread(500, 5);
    const batch = backtestSpread(s, { kind: "bands", lower: -1.5, upper: 1.5 }, { bps: 10 }, { capital: 20 });
    const engine = new BacktestEngine({
      mode: "spread",
      rule: { kind: "levels", entry: -1.5, exit: 0, side: "both", center: 0 },
      costs: { bps: 10 },
      capital: 20,
    });
    for (let t = 0; t < 500; t++) engine.push({ y: s[t] });
    const last = engine.finish();
    expect(last.metrics).toEqual(batch.metrics);
    expect(engine.trades).toEqual(batch.trades);
  });

  it("push validates its bar and refuses bars after finish", () => {
    const engine = new BacktestEngine({ hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 10) });
    expect(() => engine.push({ y: NaN, x: 1 })).toThrow(/BacktestEngine.push: bar.y must be a finite number/);
    expect(() => engine.push({ y: 1 } as never)).toThrow(/bar.x must be a number/);
    engine.push({ y: 2, x: 1 });
    engine.finish();
    expect(() => engine.push({ y: 2, x: 1 })).toThrow(/finished/);
  });
});

describe("backtestSpread (the meanrev contract's spread backtest)", () => {
  it("bands exit at the midpoint known in advance (hand-worked)", () => {
    const r = backtestSpread([0, -2, -1, 0.5], { kind: "bands", lower: -1.5, upper: 1.5 });
    expect(r.trades.pnl).toHaveLength(1);
    expect(tradeRows(r.trades)[0].pnl).toBe(2.5);
    expect(Array.from(r.equity)).toEqual([1, 1, 2, 3.5]);
  });

  it("short above upper; proportional cost is bps of |spread| traded", () => {
    const r = backtestSpread([0, 2, 1, -0.5], { kind: "bands", lower: -1.5, upper: 1.5 }, { bps: 10 }, { capital: 10 });
    expect(tradeRows(r.trades)[0].side).toBe("short");
    close(tradeRows(r.trades)[0].pnl, 2.5 - 0.001 * 2 - 0.001 * 0.5, 1e-15, "short pnl net of costs");
  });

  it("has no look-ahead (the Rust server exited at the full-sample mean): outputs up to t do not depend on later spread values", () => {
    const s = makeSpread(400, 9);
    const ref = backtestSpread(s, zRule(1, 0, 20), { bps: 5 }, { capital: 10 });
    const s2 = Float64Array.from(s);
    for (let k = 201; k < 400; k++) s2[k] += 5;
    const r = backtestSpread(s2, zRule(1, 0, 20), { bps: 5 }, { capital: 10 });
    for (let k = 0; k <= 200; k++) expect(r.positions[k]).toBe(ref.positions[k]);
  });

  it("degenerate: a warm-up longer than the data is reported, not silent", () => {
    const r = backtestSpread([0, 1, -1, 0.5], zRule(1, 0, 10));
    expect(r.warnings.join("\n")).toMatch(/signal was never defined in 4 bars/);
  });

  it("degenerate: a rule that never fires gives zero metrics and says so", () => {
    const r = backtestSpread([0, 0.1, -0.1, 0.05], { kind: "bands", lower: -5, upper: 5 });
    expect(r.metrics.trades).toBe(0);
    expect(r.metrics.sharpe).toBe(0);
    expect(r.metrics.maxDrawdown).toBe(0);
    expect(r.warnings.join("\n")).toMatch(/sharpe: per-bar return sd is zero/);
    expect(r.warnings.join("\n")).toMatch(/no closed trades/);
  });
});

describe("validation errors name the function, the argument and the requirement", () => {
  const y = [10, 11, 12];
  const x = [5, 6, 7];
  const cases: [string, () => unknown, RegExp][] = [
    [
      "length mismatch",
      () => backtestPair({ y, x: [1, 2], hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5) }),
      /backtestPair: y and x must have the same length/,
    ],
    [
      "negative price",
      () => backtestPair({ y: [1, -1, 2], x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5) }),
      /backtestPair: prices must be > 0/,
    ],
    [
      "NaN price",
      () => backtestPair({ y: [1, NaN, 2], x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5) }),
      /backtestPair: y must contain only finite numbers, got NaN at index 1/,
    ],
    [
      "infinite price",
      () => backtestPair({ y, x: Float64Array.from([5, Infinity, 7]), hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5) }),
      /backtestPair: x must contain only finite numbers, got Infinity at index 1/,
    ],
    [
      "bad exit",
      () => backtestPair({ y, x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 2.5, 5) }),
      /rule.exit must satisfy \|exit\| < entry/,
    ],
    ["bad stop", () => backtestPair({ y, x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5, 1) }), /rule.stop must be > entry/],
    [
      "rolling needs window",
      () => backtestPair({ y, x, hedge: { method: "rolling" } as never, rule: zRule(2, 0, 5) }),
      /hedge.window is required/,
    ],
    [
      "negative cost",
      () => backtestPair({ y, x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5), costs: { bps: -1 } }),
      /costs.bps must be >= 0/,
    ],
    [
      "bad fill",
      () => backtestPair({ y, x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5), execution: { fill: "open" as never } }),
      /execution.fill must be one of/,
    ],
    ["levels order", () => backtestSpread([1, 2, 3], { kind: "levels", entry: 2, exit: 1 }), /long levels need entry < exit/],
    ["both needs center", () => backtestSpread([1, 2, 3], { kind: "levels", entry: 1, exit: 2, side: "both" }), /center is required/],
    [
      "bands order",
      () => backtestSpread([1, 2, 3], { kind: "bands", lower: 1, upper: -1 }),
      /backtestSpread: rule.lower must be < rule.upper/,
    ],
    ["decreasing days", () => backtestSpread([1, 2, 3], zRule(1, 0, 2), {}, { dayIndex: [0, 2, 1] }), /dayIndex must be non-decreasing/],
    ["NaN spread", () => backtestSpread([1, NaN, 3], zRule(1, 0, 2)), /backtestSpread: spread must contain only finite numbers/],
    [
      "diagnostics flag",
      () => backtestPair({ y, x, hedge: { method: "static", beta: 1 }, rule: zRule(2, 0, 5), diagnostics: "yes" as never }),
      /backtestPair: diagnostics must be true or false/,
    ],
    ["tradeRows of a non-table", () => tradeRows([] as never), /tradeRows: table must be a backtest's trades table/],
  ];
  for (const [name, call, message] of cases) it(name, () => expect(call).toThrow(message));
});

describe("trades table and diagnostics", () => {
  const { y, x } = makePair(3000, 77);
  const options = {
    y,
    x,
    hedge: { method: "rolling" as const, window: 60 },
    rule: zRule(1.5, 0.2, 30, 3.5),
    capital: 1e5,
    costs: { bps: 4, fixedFee: 1 },
    risk: { maxDailyLoss: 800 },
  };

  it("every column has one row per trade, and the rows agree with the columns", () => {
    const r = backtestPair(options);
    const t = r.trades;
    const count = r.metrics.trades;
    expect(count).toBeGreaterThan(20);
    for (const [name, column] of Object.entries(t)) expect(column.length, `column ${name}`).toBe(count);
    const rows = tradeRows(t);
    rows.forEach((row, i) => {
      expect(row.entryIndex).toBe(t.entryIndex[i]);
      expect(row.holdingBars).toBe(row.exitIndex - row.entryIndex);
      expect(row.entryPrices.y).toBe(t.entryY[i]);
      expect(row.exitPrice).toBe(row.exitPrices.y - row.hedgeRatio * row.exitPrices.x);
      expect(["long", "short"]).toContain(row.side);
      if (i > 0) expect(row.entryIndex).toBeGreaterThanOrEqual(rows[i - 1].exitIndex);
    });
  });

  it("the trades table grows past its initial capacity without losing rows (many short trades)", () => {
    const s = Float64Array.from({ length: 2000 }, (_, k) => (k % 2 === 0 ? -2 : 2));
    const r = backtestSpread(s, { kind: "bands", lower: -1.5, upper: 1.5, exit: 0 });
    // a short at 2 (crossed up through 1.5) exits at −2 (≤ 0) one bar later; a long likewise: 999
    // round trips of P&L 4 each, then the last entry (bar 1999) closed at the end for 0
    expect(r.trades.pnl.length).toBe(1000);
    expect(Array.from(r.trades.entryIndex)).toEqual(Array.from({ length: 1000 }, (_, i) => 2 * i + 1));
    expect(Array.from(r.trades.pnl.subarray(0, 999)).every((p) => p === 4)).toBe(true);
    expect(r.trades.exitReason[999]).toBe("end");
    expect(r.trades.pnl[999]).toBe(0);
  });

  it("diagnostics are null by default; with diagnostics: true the other outputs are identical", () => {
    const plain = backtestPair(options);
    const withDiagnostics = backtestPair({ ...options, diagnostics: true });
    expect(plain.diagnostics).toBeNull();
    const d = withDiagnostics.diagnostics!;
    expect(d.hedgeRatios.length).toBe(y.length);
    expect(d.spread.length).toBe(y.length);
    expect(d.signal.length).toBe(y.length);
    for (let t = 59; t < y.length; t += 97) expect(d.spread[t]).toBe(y[t] - d.hedgeRatios[t] * x[t]);
    expect(withDiagnostics.equity).toEqual(plain.equity);
    expect(withDiagnostics.trades).toEqual(plain.trades);
    expect(withDiagnostics.metrics).toEqual(plain.metrics);
  });
});

describe("MetricsAccumulator: blocked return moments", () => {
  it("match a two-pass mean and variance where the mean dwarfs the spread (no cancellation)", () => {
    const normal = normalSource(randomSource(5));
    const n = 10_007; // not a multiple of the 64-bar block
    const r = Float64Array.from({ length: n }, () => 0.01 + 1e-7 * normal());
    const acc = new MetricsAccumulator(1, 0);
    let equity = 1;
    for (const v of r) acc.add(v, (equity *= 1 + v), true);
    let sum = 0;
    for (const v of r) sum += v;
    const mean = sum / n;
    let m2 = 0;
    for (const v of r) m2 += (v - mean) ** 2;
    const { mean: gotMean, m2: gotM2 } = acc.moments();
    close(gotMean, mean, 1e-15, "mean");
    // relative (M2 ≈ 1e-10 while the values are ≈ 1e-2: a plain Σr² − (Σr)²/n would lose every digit)
    expect(Math.abs(gotM2 - m2) / m2).toBeLessThan(1e-11);
  });
});

describe("rolling sums stay exact over long series (O(1) up/downdates, exact recomputation once per turn of each window)", () => {
  it("β_t and z_t over 30,000 bars of high-level, low-variance prices match two-pass recomputations", () => {
    // Worst case for centred up/downdates: prices near 1000 moving by ~0.01, so the co-moments are
    // tiny next to the squared levels; a drifting sum would show as a relative error far above 1e-9.
    const n = 30_000;
    const normal = normalSource(randomSource(31));
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let level = 1000;
    let noise = 0;
    for (let t = 0; t < n; t++) {
      level += 0.01 * normal();
      noise = 0.9 * noise + 0.003 * normal();
      x[t] = level;
      y[t] = 2 * level + 5 + noise;
    }
    const hw = 50;
    const zw = 30;
    const r = backtestPair({ y, x, hedge: { method: "rolling", window: hw }, rule: zRule(2, 0.5, zw), diagnostics: true });
    const d = r.diagnostics!;
    const naiveBeta = (t: number): number => naiveOlsSlope(y, x, t - hw + 1, t);
    const naiveZ = (t: number): number => {
      const values = Array.from(d.spread.subarray(t - zw + 1, t + 1));
      const m = values.reduce((a, b) => a + b, 0) / zw;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (zw - 1));
      return (d.spread[t] - m) / sd;
    };
    for (const t of [hw - 1, 1023, 1024, 5000, 12_345, 20_479, 29_999]) {
      const beta = naiveBeta(t);
      expect(Math.abs(d.hedgeRatios[t] - beta) / Math.abs(beta)).toBeLessThan(1e-9);
    }
    for (const t of [hw + zw - 2 + 10, 1500, 7777, 16_383, 29_999]) {
      const z = naiveZ(t);
      expect(Math.abs(d.signal[t] - z)).toBeLessThan(1e-9 * Math.max(1, Math.abs(z)));
    }
  });
});

describe("Kalman hedge in the backtester (hedge: { method: 'kalman' })", () => {
  const { y, x } = makePair(1200, 21);
  const kalmanRule: TradingRule = { kind: "zscore", entry: 1.5, exit: 0.2, stop: 4 };
  const base = { y, x, hedge: { method: "kalman" as const, delta: 1e-4, ve: 0.5 }, rule: kalmanRule, capital: 1e5, costs: { bps: 5 } };

  it("β_t and the signal e_t/√Q_t are kalmanHedge's, bit for bit (one filter step for both)", () => {
    const r = backtestPair({ ...base, diagnostics: true });
    const k = kalmanHedge(y, x, { delta: 1e-4, ve: 0.5 });
    for (let t = 0; t < y.length; t++) {
      expect(r.diagnostics!.hedgeRatios[t]).toBe(k.beta[t]);
      expect(r.diagnostics!.signal[t]).toBe(k.forecastError[t] / Math.sqrt(k.forecastVariance[t]));
    }
    expect(r.trades.pnl.length).toBeGreaterThan(10);
    // each trade's hedge is the β known at its fill (close execution: β of the entry bar)
    for (const tr of tradeRows(r.trades)) expect(tr.hedgeRatio).toBe(k.beta[tr.entryIndex]);
  });

  it("no look-ahead: perturbing prices after t leaves every output up to t unchanged", () => {
    for (const fill of ["close", "nextClose"] as const) {
      const ref = backtestPair({ ...base, diagnostics: true, execution: { fill } });
      for (const t of [150, 600, 1000]) {
        const y2 = Float64Array.from(y);
        const x2 = Float64Array.from(x);
        const normal = normalSource(randomSource(t));
        for (let k = t + 1; k < y.length; k++) {
          y2[k] *= 1 + 0.05 * normal();
          x2[k] *= 1 + 0.05 * normal();
        }
        const r = backtestPair({ ...base, y: y2, x: x2, diagnostics: true, execution: { fill } });
        for (let k = 0; k <= t; k++) {
          expect(r.positions[k]).toBe(ref.positions[k]);
          expect(r.equity[k]).toBe(ref.equity[k]);
          expect(r.diagnostics!.signal[k]).toBe(ref.diagnostics!.signal[k]);
          expect(r.diagnostics!.hedgeRatios[k]).toBe(ref.diagnostics!.hedgeRatios[k]);
        }
      }
    }
  });

  it("streaming = batch: BacktestEngine.push reproduces backtestPair bar by bar (nextClose)", () => {
    const options = { hedge: base.hedge, rule: kalmanRule, capital: 1e5, costs: { bps: 5 }, execution: { fill: "nextClose" as const } };
    const batch = backtestPair({ y, x, ...options });
    const engine = new BacktestEngine(options);
    for (let t = 0; t < y.length; t++) {
      const snap = engine.push({ y: y[t], x: x[t] });
      if (t < y.length - 1) {
        expect(snap.equity).toBe(batch.equity[t]);
        expect(snap.position).toBe(batch.positions[t]);
      }
    }
    const last = engine.finish();
    expect(last.metrics).toEqual(batch.metrics);
    expect(engine.trades).toEqual(batch.trades);
    expect(engine.warnings).toEqual(batch.warnings);
  });

  it("refuses a levels rule, a rule window, and bad δ / Ve, naming the argument", () => {
    expect(() => backtestPair({ ...base, rule: { kind: "levels", entry: 1, exit: 2 } })).toThrow(
      /backtestPair: rule.kind must be "zscore" with hedge "kalman"/,
    );
    expect(() => backtestPair({ ...base, rule: zRule(2, 0, 20) })).toThrow(/backtestPair: rule.window must be omitted with hedge "kalman"/);
    expect(() => backtestPair({ ...base, hedge: { method: "kalman", delta: 1 } })).toThrow(/backtestPair: hedge.delta must be < 1/);
    expect(() => backtestPair({ ...base, hedge: { method: "kalman", ve: -1 } })).toThrow(/backtestPair: hedge.ve must be > 0/);
  });
});

describe("trades table goes into arquero as is", () => {
  it("aq.table(result.trades) has one row per trade and every column", () => {
    const { y, x } = makePair(1500, 7);
    const r = backtestPair({ y, x, hedge: { method: "static", beta: 1.5 }, rule: zRule(1.5, 0.2, 30, 3), capital: 1e5 });
    const table = aq.table(r.trades as unknown as Record<string, ArrayLike<unknown>>);
    expect(r.metrics.trades).toBeGreaterThan(10);
    expect(table.numRows()).toBe(r.metrics.trades);
    expect(table.columnNames().sort()).toEqual(Object.keys(r.trades).sort());
    expect(table.get("pnl", 3)).toBe(r.trades.pnl[3]);
    expect(table.get("exitReason", 0)).toBe(r.trades.exitReason[0]);
  });
});
