import { describe, expect, it } from "vitest";
import { sweepBacktests, sweepSize, sweepCombination, type SweepSpace } from "./index.js";
import { backtestPair } from "../backtest/index.js";
import { syntheticUniverse } from "../book/syntheticUniverse.test-helpers.js";

const [x, y] = syntheticUniverse(600, 1, 2, 17);
const SPACE: SweepSpace = {
  hedge: [
    { method: "rolling", window: 60 },
    { method: "static", window: 150 },
    { method: "static", beta: 1.4 },
  ],
  zWindow: [20, 45],
  entry: [1.5, 2.2],
  exit: [0, 0.5],
  stop: [null, 3.5],
};

describe("sweepBacktests", () => {
  it("every combination equals a separate backtestPair run (returns to 1e-12, trades exact)", () => {
    const sweep = sweepBacktests({ y, x, space: SPACE, costs: { bps: 4, slippageBps: 1 }, returns: true });
    expect(sweep.size).toBe(48);
    expect(sweep.results.length).toBe(48);
    expect(sweep.groupsComputed).toBe(6); // one precomputation per (hedge, zWindow) group
    let traded = 0;
    for (const r of sweep.results) {
      const rule = {
        kind: "zscore" as const,
        entry: r.entry,
        exit: r.exit,
        ...(r.stop === null ? {} : { stop: r.stop }),
        window: { type: "rolling" as const, length: r.zWindow },
      };
      const ref = backtestPair({ y, x, hedge: r.hedge, rule, costs: { bps: 4, slippageBps: 1 }, capital: 100_000 });
      expect(r.trades).toBe(ref.trades.pnl.length);
      for (let t = 0; t < 600; t++) {
        const d = Math.abs(r.returns![t] - ref.returns[t]);
        if (!(d <= 1e-12))
          throw new Error(
            `combination ${r.index} (${JSON.stringify(rule)}, ${JSON.stringify(r.hedge)}) bar ${t}: ${r.returns![t]} vs ${ref.returns[t]}, delta ${d}`,
          );
      }
      expect(Math.abs(r.totalReturn - (ref.equity[599] / 100_000 - 1))).toBeLessThan(1e-12);
      let mean = 0;
      for (const v of ref.returns) mean += v / 600;
      let ss = 0;
      for (const v of ref.returns) ss += (v - mean) ** 2;
      if (ss > 0) expect(Math.abs(r.sharpe - mean / Math.sqrt(ss / 599))).toBeLessThan(1e-9 * Math.max(1, Math.abs(r.sharpe)));
      traded += r.trades;
    }
    expect(traded).toBeGreaterThan(48);
  });

  it("shards by index range: the union of shards is the whole sweep, for grid and seeded random sampling", () => {
    for (const sampling of [{ kind: "grid" as const }, { kind: "random" as const, count: 40, seed: 7 }]) {
      const whole = sweepBacktests({ y, x, space: SPACE, sampling });
      const parts = [
        [0, 13],
        [13, 14],
        [14, whole.size],
      ].flatMap(([start, end]) => sweepBacktests({ y, x, space: SPACE, sampling, range: { start, end } }).results);
      expect(parts).toEqual(whole.results);
      expect(whole.results.every((r) => r.returns === null)).toBe(true);
    }
    // grid numbering: hedge most significant, stop least
    expect(sweepCombination(SPACE, { kind: "grid" }, 17)).toMatchObject({ hedgeIndex: 1, zWindowIndex: 0, entry: 1.5, exit: 0, stop: 3.5 });
    expect(sweepSize(SPACE, { kind: "random", count: 1000, seed: 1 })).toBe(1000);
    const a = sweepCombination(SPACE, { kind: "random", count: 1000, seed: 1 }, 999);
    expect(sweepCombination(SPACE, { kind: "random", count: 1000, seed: 1 }, 999)).toEqual(a);
  });

  it("is cancellable and bounded, and names bad arguments", () => {
    const controller = new AbortController();
    controller.abort(new Error("cancelled by test"));
    expect(() => sweepBacktests({ y, x, space: SPACE, signal: controller.signal })).toThrow(/cancelled by test/);
    expect(() => sweepBacktests({ y, x, space: { ...SPACE, exit: [3] } })).toThrow(
      /sweepBacktests: combination 0's rule.exit must satisfy \|exit\| < entry/,
    );
    expect(() => sweepBacktests({ y, x, space: { ...SPACE, zWindow: [] } })).toThrow(
      /sweepBacktests: space.zWindow must be a non-empty array/,
    );
    expect(() => sweepBacktests({ y, x, space: SPACE, range: { start: 5, end: 100 } })).toThrow(/range.end must be <= 48/);
    expect(() => sweepBacktests({ y, x, space: { ...SPACE, hedge: [{ method: "rolling", window: 1 }] } })).toThrow(
      /space.hedge\[0\].window must be >= 3/,
    );
    expect(() =>
      sweepSize({
        hedge: [{ method: "rolling", window: 5 }],
        zWindow: new Array(1000).fill(5),
        entry: new Array(1000).fill(1),
        exit: new Array(1000).fill(0),
      }),
    ).toThrow(/more than MAX_SWEEP_COMBINATIONS/);
  });
});
