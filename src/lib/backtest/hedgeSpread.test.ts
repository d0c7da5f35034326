import { describe, expect, it } from "vitest";
import { backtestPair, BacktestEngine, dynamicHedgeResidual, type BacktestPairInput, type TradingRule } from "./index.js";
import { kalmanHedge } from "../hedge/kalmanHedge.js";
import { cointegratedPair } from "./cointegratedPair.test-helpers.js";

/** The shared seeded cointegrated pair (AR(1) noise sd 0.8). */
const makePair = (n: number, seed: number) => cointegratedPair(n, seed, 0.8);

/** Naive two-pass OLS (slope, intercept) of y on x with intercept over bars from..to inclusive. */
function naiveOls(y: ArrayLike<number>, x: ArrayLike<number>, from: number, to: number): { beta: number; alpha: number } {
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
  const beta = sxy / sxx;
  return { beta, alpha: my - beta * mx };
}

/** Assert |actual − expected| ≤ tol, printing everything on failure. */
function close(actual: number, expected: number, tol: number, what: string): void {
  const delta = Math.abs(actual - expected);
  if (!(delta <= tol)) throw new Error(`${what}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${tol}`);
}

const N = 1200; // > 4 blocks of 256 bars and many turns of the rolling ring
const WINDOW = 60;
const { y, x } = makePair(N, 7);
/** Levels on the residual (its sd is about 1.8): long at −1.5, out at 0, stop at −6; short mirrored about 0. */
const levels: TradingRule = { kind: "levels", entry: -1.5, exit: 0, stop: -6, side: "both", center: 0 };
const rolling = { method: "rolling" as const, window: WINDOW, spread: "residual" as const };
const kalman = { method: "kalman" as const, delta: 1e-4, ve: 0.5, spread: "residual" as const };

function run(input: Partial<BacktestPairInput> & Pick<BacktestPairInput, "hedge" | "rule">, ys = y, xs = x) {
  return backtestPair({ y: ys, x: xs, capital: 1e5, costs: { bps: 5 }, diagnostics: true, ...input });
}

describe('hedge.spread "residual" (rolling): s_t = y_t − β_{t−1}·x_t − α_{t−1}', () => {
  const r = run({ hedge: rolling, rule: levels });
  const d = r.diagnostics;
  if (d === null) throw new Error("diagnostics requested");

  it("equals OLS with intercept over the previous w bars (naive two-pass), NaN before bar w", () => {
    for (let t = 0; t < WINDOW; t++) expect(d.spread[t]).toBeNaN();
    // residual ≈ 2, prices ≈ 90: the rolling update's rounding is ~1e-13 per bar, re-anchored each ring turn
    for (let t = WINDOW; t < N; t++) {
      const { beta, alpha } = naiveOls(y, x, t - WINDOW, t - 1);
      close(d.spread[t], y[t] - beta * x[t] - alpha, 1e-9, `residual at bar ${t}`);
    }
  });

  it("β_t (the ratio a fill locks) is the default mode's, bit for bit; the levels rule reads the residual", () => {
    const base = run({ hedge: { method: "rolling", window: WINDOW }, rule: levels });
    expect(d.hedgeRatios).toEqual(base.diagnostics?.hedgeRatios);
    expect(d.signal).toEqual(d.spread);
    expect(r.metrics.trades).toBeGreaterThan(3);
    // each trade holds q of y against −q·β of its fill bar ("close" execution: β_t of the entry bar)
    for (let k = 0; k < r.trades.pnl.length; k++) expect(r.trades.hedgeRatio[k]).toBe(d.hedgeRatios[r.trades.entryIndex[k]]);
  });

  it("no look-ahead: perturbing prices after t leaves spread, signal and positions ≤ t unchanged", () => {
    for (const t of [WINDOW + 5, 300, 777]) {
      const y2 = y.slice();
      const x2 = x.slice();
      for (let k = t + 1; k < N; k++) {
        y2[k] *= 1.3;
        x2[k] *= 0.8;
      }
      const p = run({ hedge: rolling, rule: levels }, y2, x2);
      expect(p.diagnostics?.spread.subarray(0, t + 1)).toEqual(d.spread.subarray(0, t + 1));
      expect(p.diagnostics?.signal.subarray(0, t + 1)).toEqual(d.signal.subarray(0, t + 1));
      expect(p.positions.subarray(0, t + 1)).toEqual(r.positions.subarray(0, t + 1));
    }
  });

  it("streaming push gives the batch spread, signal, positions and equity", () => {
    const engine = new BacktestEngine({ hedge: rolling, rule: levels, capital: 1e5, costs: { bps: 5 } });
    for (let t = 0; t < N; t++) {
      const s = engine.push({ y: y[t], x: x[t] });
      expect(s.spread).toBe(d.spread[t]);
      expect(s.signal).toBe(d.signal[t]);
      if (t < N - 1) {
        expect(s.position).toBe(r.positions[t]);
        expect(s.equity).toBe(r.equity[t]);
      }
    }
    expect(engine.finish().equity).toBe(r.equity[N - 1]);
    expect(engine.trades).toEqual(r.trades);
  });
});

describe('hedge.spread "residual" (kalman): s_t = e_t, levels rule allowed', () => {
  const r = run({ hedge: kalman, rule: levels });
  const d = r.diagnostics;
  if (d === null) throw new Error("diagnostics requested");
  const k = kalmanHedge(y, x, { delta: 1e-4, ve: 0.5 });

  it("the spread is kalmanHedge's forecast error and β_t its filtered slope, bit for bit", () => {
    expect(d.spread).toEqual(k.forecastError);
    expect(d.hedgeRatios).toEqual(k.beta);
    expect(d.signal).toEqual(d.spread);
    expect(r.metrics.trades).toBeGreaterThan(3);
  });

  it("with the z-score rule, positions and P&L are the default mode's (only the spread series differs)", () => {
    const zRule: TradingRule = { kind: "zscore", entry: 1.5, exit: 0.2, stop: 4 };
    const a = run({ hedge: { method: "kalman", delta: 1e-4, ve: 0.5 }, rule: zRule });
    const b = run({ hedge: kalman, rule: zRule });
    expect(b.equity).toEqual(a.equity);
    expect(b.positions).toEqual(a.positions);
    expect(b.trades).toEqual(a.trades);
    expect(b.diagnostics?.signal).toEqual(a.diagnostics?.signal);
    expect(b.diagnostics?.spread).toEqual(k.forecastError);
    expect(a.metrics.trades).toBeGreaterThan(0);
  });

  it("no look-ahead: perturbing prices after t leaves spread, signal and positions ≤ t unchanged", () => {
    for (const t of [10, 300, 777]) {
      const y2 = y.slice();
      const x2 = x.slice();
      for (let j = t + 1; j < N; j++) {
        y2[j] *= 1.3;
        x2[j] *= 0.8;
      }
      const p = run({ hedge: kalman, rule: levels }, y2, x2);
      expect(p.diagnostics?.spread.subarray(0, t + 1)).toEqual(d.spread.subarray(0, t + 1));
      expect(p.diagnostics?.signal.subarray(0, t + 1)).toEqual(d.signal.subarray(0, t + 1));
      expect(p.positions.subarray(0, t + 1)).toEqual(r.positions.subarray(0, t + 1));
    }
  });

  it("streaming push gives the batch spread, signal, positions and equity", () => {
    const engine = new BacktestEngine({ hedge: kalman, rule: levels, capital: 1e5, costs: { bps: 5 } });
    for (let t = 0; t < N; t++) {
      const s = engine.push({ y: y[t], x: x[t] });
      expect(s.spread).toBe(d.spread[t]);
      expect(s.signal).toBe(d.signal[t]);
      if (t < N - 1) expect(s.position).toBe(r.positions[t]);
    }
    engine.finish();
    expect(engine.trades).toEqual(r.trades);
  });
});

describe("hedge.spread validation", () => {
  it("names the field and the rule", () => {
    expect(() => run({ hedge: { method: "rolling", window: 20, spread: "levels" as never }, rule: levels })).toThrow(
      /backtestPair: hedge.spread must be one of "hedgeRatio", "residual"/,
    );
    expect(() => run({ hedge: { method: "static", beta: 1.5, spread: "residual" } as never, rule: levels })).toThrow(
      /backtestPair: hedge.spread "residual" needs method "rolling" or "kalman"/,
    );
    expect(() => run({ hedge: { method: "kalman" }, rule: levels })).toThrow(
      /backtestPair: rule.kind must be "zscore" with hedge "kalman" .*or "levels" with hedge.spread "residual"/,
    );
  });
});

describe("dynamicHedgeResidual: the engine's residual series (for models fitted to it)", () => {
  it("is the engine's spread with hedge.spread 'residual', bit for bit, with its warm-up and last (β, α)", () => {
    const rolled = dynamicHedgeResidual(y, x, { method: "rolling", window: WINDOW });
    expect(rolled.residual).toEqual(run({ hedge: rolling, rule: levels }).diagnostics?.spread);
    expect([rolled.warmUp, rolled.undefinedAfterWarmUp]).toEqual([WINDOW, 0]);
    const last = naiveOls(y, x, N - WINDOW, N - 1);
    close(rolled.lastBeta, last.beta, 1e-9, "last β");
    close(rolled.lastIntercept, last.alpha, 1e-7, "last α");
    const k = kalmanHedge(y, x, { delta: 1e-4, ve: 0.5 });
    const filtered = dynamicHedgeResidual(y, x, { method: "kalman", delta: 1e-4, ve: 0.5 });
    expect(filtered.residual).toEqual(k.forecastError);
    expect(filtered.beta).toEqual(k.beta);
    expect([filtered.lastBeta, filtered.lastIntercept, filtered.warmUp]).toEqual([k.beta[N - 1], k.intercept[N - 1], 2]);
  });
  it("refuses a static hedge and a bad window, naming the field", () => {
    expect(() => dynamicHedgeResidual(y, x, { method: "static" } as never)).toThrow(
      /dynamicHedgeResidual: hedge.method must be one of "rolling", "kalman"/,
    );
    expect(() => dynamicHedgeResidual(y, x, { method: "rolling", window: 2 })).toThrow(/dynamicHedgeResidual: hedge.window must be/);
  });
});
