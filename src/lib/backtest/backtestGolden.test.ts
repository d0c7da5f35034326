/**
 * Bit-identity guard for refactors of the backtester: SHA-256 hashes of every output (per-bar
 * series, trades table, metrics, warnings) of a set of configurations, recorded from the engine
 * before it was split into loop, estimators and fill bookkeeping (commit d78fa25). A refactor that
 * changes any bit of any output changes a hash. When a change of results is intended, update the
 * hashes in the same commit and say why in its body.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BacktestEngine, backtestPair, backtestSpread, type BacktestResult, type TradingRule } from "./index.js";
import { cointegratedPair } from "./cointegratedPair.test-helpers.js";

/** The shared seeded cointegrated pair (AR(1) noise sd 0.8). */
const makePair = (n: number, seed: number) => cointegratedPair(n, seed, 0.8);

/** Hash of a backtest result: the bytes of every typed array and the JSON of everything else, in key order. */
function hashResult(r: BacktestResult): string {
  const h = createHash("sha256");
  const feed = (value: unknown): void => {
    if (ArrayBuffer.isView(value)) {
      h.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const key of Object.keys(value).sort()) {
        h.update(key);
        feed((value as Record<string, unknown>)[key]);
      }
      return;
    }
    // JSON keeps NaN/Infinity apart only as strings: encode numbers by their bits
    if (typeof value === "number") {
      h.update(new Uint8Array(Float64Array.of(value).buffer));
      return;
    }
    h.update(JSON.stringify(value) ?? "undefined");
  };
  const trades = r.trades as unknown as Record<string, unknown>;
  const columns: Record<string, unknown> = {};
  // the row count is hashed as a number whatever the table calls it (length before, count after)
  for (const key of Object.keys(trades)) if (typeof trades[key] !== "number") columns[key] = trades[key];
  feed({
    equity: r.equity,
    returns: r.returns,
    positions: r.positions,
    trades: columns,
    rows: r.trades.entryIndex.length,
    metrics: r.metrics,
    warnings: r.warnings,
    diagnostics: r.diagnostics,
  });
  return h.digest("hex").slice(0, 24);
}

const zRule = (entry: number, exit: number, length: number, stop?: number): TradingRule => ({
  kind: "zscore",
  entry,
  exit,
  ...(stop === undefined ? {} : { stop }),
  window: { type: "rolling", length },
});

const { y, x } = makePair(5000, 101);
const days = Float64Array.from({ length: 5000 }, (_, i) => Math.floor(i / 7));
const spread = Float64Array.from(y, (v, i) => v - 1.5 * x[i] - 10);

const cases: [string, () => BacktestResult, string][] = [
  [
    "pair, static β, rolling z, costs",
    () =>
      backtestPair({
        y,
        x,
        hedge: { method: "static", beta: 1.5 },
        rule: zRule(1.5, 0.2, 30, 3),
        costs: { bps: 5, slippageBps: 2, fixedFee: 1 },
      }),
    "f1f087ed64d3b9d9dbc5e46c",
  ],
  [
    "pair, static β, diagnostics",
    () => backtestPair({ y, x, hedge: { method: "static", beta: 1.5 }, rule: zRule(2, 0, 60), diagnostics: true }),
    "6e72229266c78f6ecd0d7a3c",
  ],
  [
    "pair, static formation window, nextClose",
    () =>
      backtestPair({
        y,
        x,
        hedge: { method: "static", window: 250 },
        rule: zRule(1.5, 0, 40, 3.5),
        execution: { fill: "nextClose" },
        diagnostics: true,
      }),
    "4d4e95a5740b974503601412",
  ],
  [
    "pair, rolling β, daily loss, nextClose",
    () =>
      backtestPair({
        y,
        x,
        dayIndex: days,
        hedge: { method: "rolling", window: 120 },
        rule: zRule(1.2, 0, 25, 3),
        costs: { bps: 3, fixedFee: 1 },
        risk: { maxDailyLoss: 500 },
        execution: { fill: "nextClose" },
        diagnostics: true,
      }),
    "9d2b175313ed249b28aeca3c",
  ],
  [
    "pair, rolling β, gross cap, units sizing",
    () =>
      backtestPair({
        y,
        x,
        hedge: { method: "rolling", window: 60 },
        rule: zRule(2, 0.5, 30),
        sizing: { method: "units", units: 100 },
        risk: { maxGrossExposure: 8000 },
        costs: { perUnit: 0.01 },
        diagnostics: true,
      }),
    "236782f7b4e8b5483c88914e",
  ],
  [
    "pair, expanding window, leverage 2",
    () =>
      backtestPair({
        y,
        x,
        hedge: { method: "static", beta: 1.5 },
        rule: { kind: "zscore", entry: 1.5, exit: 0, window: { type: "expanding", minPeriods: 50 } },
        sizing: { method: "capital", leverage: 2 },
        diagnostics: true,
      }),
    "06ff79ffd509da4f8c9ab9a5",
  ],
  [
    "pair, levels both sides",
    () =>
      backtestPair({
        y,
        x,
        hedge: { method: "static", beta: 1.5 },
        rule: { kind: "levels", entry: 8, exit: 10, stop: 5, side: "both", center: 10 },
        costs: { bps: 2 },
        diagnostics: true,
      }),
    "8b6a82801e41d0b764e7b480",
  ],
  [
    "spread, bands",
    () => backtestSpread(spread, { kind: "bands", lower: -1.5, upper: 1.5 }, { bps: 10 }, { capital: 20 }),
    "24fc6ff70f880d8a4f7ae85e",
  ],
  [
    "spread, fixed window, nextClose",
    () =>
      backtestSpread(
        spread,
        { kind: "zscore", entry: 1.5, exit: 0, window: { type: "fixed", mean: 0, sd: 1.8 } },
        { bps: 5 },
        { capital: 10, execution: { fill: "nextClose" }, diagnostics: true },
      ),
    "a2b8865663554e8f18624498",
  ],
];

describe("backtest outputs are bit-identical to the recorded hashes (refactor guard)", () => {
  for (const [name, run, expected] of cases) {
    it(name, () => {
      const result = run();
      expect(result.trades.entryIndex.length, "the case must trade to guard anything").toBeGreaterThan(5);
      expect(hashResult(result)).toBe(expected);
    });
  }

  it("streaming engine, rolling β, nextClose: snapshots hash as recorded", () => {
    const engine = new BacktestEngine({
      hedge: { method: "rolling", window: 80 },
      rule: zRule(1.5, 0, 30, 3),
      costs: { bps: 4 },
      risk: { maxDailyLoss: 800 },
      execution: { fill: "nextClose" },
    });
    const h = createHash("sha256");
    for (let t = 0; t < 2000; t++) {
      const s = engine.push({ y: y[t], x: x[t], day: days[t] });
      h.update(
        new Uint8Array(
          Float64Array.of(
            s.equity,
            s.barReturn,
            s.position,
            s.hedgeRatio,
            s.spread,
            s.signal,
            s.realizedPnl,
            s.unrealizedPnl,
            s.metrics.sharpe,
          ).buffer,
        ),
      );
    }
    const last = engine.finish();
    h.update(JSON.stringify(last.metrics));
    h.update(JSON.stringify(engine.warnings));
    expect(h.digest("hex").slice(0, 24)).toBe("3cd8de11474f1e9895d6b2e8");
  });
});
