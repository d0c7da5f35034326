import { describe, expect, it } from "vitest";
import { walkForward, selectPairs, stitchWalkForward, type WalkForwardOptions } from "./index.js";
import { syntheticUniverse } from "../book/syntheticUniverse.test-helpers.js";
import { randomSource } from "../util/random.js";

const N = 700;
const OPTIONS: WalkForwardOptions = {
  formation: 200,
  trading: 100,
  folds: 5,
  topK: 4,
  fdr: 0.05,
  screens: { nearestPartners: 3, minReturnCorrelation: 0 },
  rule: { kind: "zscore", entry: 1.5, exit: 0.25, stop: 4 },
  costs: { bps: 5 },
  allocation: "riskParity",
};

describe("walkForward", () => {
  const prices = syntheticUniverse(N, 3, 3, 21);
  const base = walkForward({ prices }, OPTIONS);

  it("rolls formation and trading windows and selects FDR-controlled pairs on formation data", () => {
    expect(base.folds.length).toBe(5);
    base.folds.forEach((f, k) => {
      expect([f.formationStart, f.formationEnd, f.tradingEnd]).toEqual([100 * k, 100 * k + 200, 100 * k + 300]);
      expect(f.candidates).toBe(36);
      const removed = f.removed.sector + f.removed.correlation + f.removed.distance + f.removed.halfLife + f.removed.crossings;
      expect(removed).toBeGreaterThan(0); // the nearest-partner screen removes pairs before the scan
      expect(f.tested).toBe(36 - removed);
      expect(f.selections.length).toBeGreaterThan(0);
      for (const s of f.selections) {
        expect(s.qValue).toBeLessThanOrEqual(0.05);
        expect(Math.floor(s.y / 3)).toBe(Math.floor(s.x / 3)); // same factor group: the truly cointegrated pairs
        expect(s.kappa).toBeGreaterThan(0);
        expect(s.rule).toMatchObject({ kind: "zscore", window: { type: "fixed", mean: s.theta, sd: s.stationarySd } });
      }
      const w = f.selections.reduce((a, s) => a + s.weight, 0);
      expect(Math.abs(w - 1)).toBeLessThan(1e-12);
    });
  });

  it("stitches the trading windows' book returns in order and compounds equity across folds", () => {
    expect(base.oos.index.length).toBe(500);
    expect(base.oos.index[0]).toBe(200);
    expect(base.oos.index[499]).toBe(699);
    let e = 1_000_000;
    for (let i = 0; i < 500; i++) {
      const fold = base.folds[Math.floor(i / 100)];
      const t = base.oos.index[i];
      expect(base.oos.returns[i]).toBe(fold.book!.returns[t - fold.formationStart]);
      e *= 1 + base.oos.returns[i];
      expect(Math.abs(base.oos.equity[i] - e)).toBeLessThanOrEqual(1e-9 * e);
    }
    expect(base.folds.reduce((n, f) => n + f.book!.trades.length, 0)).toBeGreaterThan(5);
  });

  it("perturb-the-future invariant: altering any price after a fold's formation end changes neither its selections nor its parameters", () => {
    const rng = randomSource(99);
    for (const fold of base.folds) {
      const altered = prices.map((p) => p.map((v, t) => (t >= fold.formationEnd ? v * (0.7 + 0.6 * rng()) : v)));
      const again = walkForward({ prices: altered }, OPTIONS);
      const k = fold.fold;
      expect(again.folds[k].selections).toEqual(fold.selections);
      expect(again.folds[k].dropped).toEqual(fold.dropped);
      expect([again.folds[k].tested, again.folds[k].discovered]).toEqual([fold.tested, fold.discovered]);
      // earlier folds keep their selections too; the perturbation did reach this fold's trading
      for (let j = 0; j < k; j++) expect(again.folds[j].selections).toEqual(base.folds[j].selections);
      expect(Array.from(again.folds[k].book!.equity.subarray(200))).not.toEqual(Array.from(fold.book!.equity.subarray(200)));
    }
  });

  it("Leung–Li levels: long at d* < θ, exit at b*, shorts reflected about θ", () => {
    const r = walkForward({ prices }, { ...OPTIONS, folds: 2, rule: { kind: "leungLi", discountRate: 0.0002, costBps: 5 } });
    const s = r.folds[0].selections[0];
    expect(s.rule.kind).toBe("levels");
    if (s.rule.kind === "levels") {
      expect(s.rule.entry).toBeLessThan(s.theta);
      expect(s.rule.exit).toBeGreaterThan(s.rule.entry);
      expect(s.rule.center).toBe(s.theta);
    }
  });

  it("fold ranges computed apart and stitched in order give the whole run bit for bit (also with overlapping folds)", () => {
    for (const opts of [OPTIONS, { ...OPTIONS, step: 60, folds: 7 }]) {
      const whole = walkForward({ prices }, opts);
      const parts = [
        [0, 2],
        [2, 3],
        [3, whole.foldCount],
      ].flatMap(([start, end]) => walkForward({ prices }, { ...opts, range: { start, end } }).folds);
      expect(parts.map((f) => f.fold)).toEqual(whole.folds.map((f) => f.fold));
      expect(parts).toEqual(whole.folds);
      const stitched = stitchWalkForward(parts, { capital: 1_000_000, step: opts.step ?? opts.trading, trading: opts.trading });
      expect(stitched).toEqual({ oos: whole.oos, pairPnl: whole.pairPnl, warnings: whole.warnings });
    }
    expect(walkForward({ prices }, { ...OPTIONS, range: { start: 0, end: 0 } })).toMatchObject({ foldCount: 5, folds: [] });
    expect(() => walkForward({ prices }, { ...OPTIONS, range: { start: 2, end: 6 } })).toThrow(/walkForward: range.end must be <= 5/);
  });

  it("stops when aborted and rejects bad options", () => {
    const controller = new AbortController();
    controller.abort(new Error("stop now"));
    expect(() => walkForward({ prices }, { ...OPTIONS, signal: controller.signal })).toThrow(/stop now/);
    expect(() => walkForward({ prices }, { ...OPTIONS, formation: 600, trading: 200 })).toThrow(
      /walkForward: formation \+ trading \(800\) must be <= the number of bars \(700\)/,
    );
    expect(() => walkForward({ prices: [prices[0], prices[1].map((v, t) => (t === 5 ? NaN : v))] }, OPTIONS)).toThrow(
      /walkForward: panel.prices\[1\] must contain only finite numbers/,
    );
    expect(() => walkForward({ prices }, { ...OPTIONS, rule: { kind: "zscore", entry: 1, exit: 2 } })).toThrow(/rule.exit must satisfy/);
  });
});

describe("selectPairs", () => {
  it("keeps only q ≤ fdr pairs, ranked by p-value, at most topK", () => {
    const prices = syntheticUniverse(300, 2, 3, 3);
    const r = selectPairs(prices, { fdr: 0.05, topK: 3 });
    expect(r.tested).toBe(15);
    expect(r.candidates).toBe(15);
    const screened = selectPairs(prices, { fdr: 0.05, topK: 3, screens: { sameSector: true }, sectors: ["a", "a", "a", "b", "b", "b"] });
    expect(screened.removed.sector).toBe(9);
    expect(screened.tested).toBe(6);
    expect(r.selected.length).toBe(3);
    for (let i = 1; i < r.selected.length; i++) expect(r.selected[i].pValue).toBeGreaterThanOrEqual(r.selected[i - 1].pValue);
    for (const s of r.selected) expect(s.qValue).toBeLessThanOrEqual(0.05);
    expect(() => selectPairs([prices[0]], {})).toThrow(/selectPairs: series must be an array of at least 2 series/);
  });
});
