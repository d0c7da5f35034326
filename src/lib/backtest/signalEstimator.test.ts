import { describe, expect, it } from "vitest";
import { RollingZScore } from "./signalEstimator.js";
import { StaticHedge } from "./staticHedge.js";
import { RollingMoments } from "./rollingMoments.js";
import { cointegratedPair } from "./cointegratedPair.test-helpers.js";

/** Index of the first element where a and b differ as bits (Object.is), or −1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe("RollingZScore.updateFromLegs (the constant-β fast path)", () => {
  it("gives StaticHedge.update then RollingZScore.update bit for bit, spread and signal, in blocks of any size", () => {
    const n = 5000;
    const { y, x } = cointegratedPair(n, 7, 0.8);
    const window = 37; // not a divisor of the block sizes: ring turns end inside blocks
    for (const block of [1, 19, 256]) {
      const hedge = new StaticHedge(1.5);
      const twoPass = new RollingZScore(window);
      const fused = new RollingZScore(window);
      const spreadA = new Float64Array(n);
      const signalA = new Float64Array(n);
      const spreadB = new Float64Array(n);
      const signalB = new Float64Array(n);
      const beta = new Float64Array(block);
      const blockSpread = new Float64Array(block);
      const blockSignal = new Float64Array(block);
      for (let from = 0; from < n; from += block) {
        const count = Math.min(block, n - from);
        hedge.update(y, x, from, from + count, beta, blockSpread);
        twoPass.update(blockSpread, count, blockSignal);
        spreadA.set(blockSpread.subarray(0, count), from);
        signalA.set(blockSignal.subarray(0, count), from);
        expect(hedge.constantBeta()).toBe(1.5);
        fused.updateFromLegs(y, x, from, 1.5, count, blockSpread, blockSignal);
        spreadB.set(blockSpread.subarray(0, count), from);
        signalB.set(blockSignal.subarray(0, count), from);
      }
      expect(firstDifference(spreadA, spreadB), `block ${block}: spread`).toBe(-1);
      expect(firstDifference(signalA, signalB), `block ${block}: signal`).toBe(-1);
      // the warm-up is NaN, the rest defined (the pair is not constant)
      expect(Number.isNaN(signalB[window - 2])).toBe(true);
      expect(Number.isFinite(signalB[window - 1])).toBe(true);
    }
  });

  it("a static hedge has no constant β during its formation window (NaN), then the fitted one", () => {
    const { y, x } = cointegratedPair(100, 3, 0.5);
    const hedge = StaticHedge.formation(30, []);
    const beta = new Float64Array(20);
    const spread = new Float64Array(20);
    hedge.update(y, x, 0, 20, beta, spread);
    expect(hedge.constantBeta()).toBeNaN();
    hedge.update(y, x, 20, 40, beta, spread);
    expect(hedge.constantBeta()).toBe(beta[19]);
    expect(Number.isFinite(hedge.constantBeta())).toBe(true);
  });
});

describe("RollingMoments: the window sum kept as values arrive (turnSum)", () => {
  it("recompute gives the naive two-pass mean and M2 of the window bit for bit at every turn", () => {
    const { y } = cointegratedPair(1000, 11, 0.8);
    const w = 25;
    const m = new RollingMoments(w);
    let turns = 0;
    for (let t = 0; t < y.length; t++) {
      if (m.count < w) m.fill(y[t]);
      else {
        m.buffer[m.slot] = y[t];
        m.turnSum += y[t];
        m.slot = m.slot + 1 === w ? 0 : m.slot + 1;
        if (m.slot === 0) m.recompute();
      }
      if (m.count === w && m.slot === 0) {
        // naive two-pass over the last w values, oldest first (the ring is in slot order here)
        let sum = 0;
        for (let k = t - w + 1; k <= t; k++) sum += y[k];
        const mean = sum / w;
        let m2 = 0;
        for (let k = t - w + 1; k <= t; k++) m2 += (y[k] - mean) * (y[k] - mean);
        expect(Object.is(m.mean, mean), `turn ending at ${t}: mean ${m.mean} vs ${mean}`).toBe(true);
        expect(Object.is(m.m2, m2), `turn ending at ${t}: M2 ${m.m2} vs ${m2}`).toBe(true);
        expect(m.turnSum).toBe(0);
        turns++;
      }
    }
    expect(turns).toBe(Math.floor(y.length / w));
  });
});
