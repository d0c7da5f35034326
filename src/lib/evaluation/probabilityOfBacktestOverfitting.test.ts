import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalSource, randomSource } from "../util/random.js";
import { probabilityOfBacktestOverfitting } from "./probabilityOfBacktestOverfitting.js";

interface Case {
  name: string;
  partitions: number;
  trials: number[][];
  pbo: number;
  logits: number[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/probabilityOfBacktestOverfitting.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

// Logits are ln of rational ranks: exact unless two Sharpes tie only up to rounding, which the
// fixture avoids, so 1e-12 absolute; PBO is a count ratio and must match exactly.
const LOGIT_ABSOLUTE = 1e-12;

describe("probabilityOfBacktestOverfitting matches a NumPy CSCV (Bailey et al. 2015)", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: PBO ${c.pbo}`, () => {
      const r = probabilityOfBacktestOverfitting(c.trials, { partitions: c.partitions });
      expect(r.splits).toBe(c.logits.length);
      expect(r.pbo, `${c.name}: got PBO ${r.pbo}, expected ${c.pbo}`).toBe(c.pbo);
      for (let i = 0; i < c.logits.length; i++) {
        const delta = Math.abs(r.logits[i] - c.logits[i]);
        expect(delta, `split ${i}: got λ=${r.logits[i]}, expected ${c.logits[i]}, |Δ|=${delta}`).toBeLessThanOrEqual(LOGIT_ABSOLUTE);
      }
    });
  }
});

describe("probabilityOfBacktestOverfitting invariants", () => {
  it("a dominant trial is never overfit, and every logit lies in [−ln N, ln N]", () => {
    const normal = normalSource(randomSource(3));
    const trials = Array.from({ length: 8 }, (_, i) => Array.from({ length: 320 }, () => 0.01 * normal() + (i === 5 ? 0.01 : 0)));
    const r = probabilityOfBacktestOverfitting(trials, { partitions: 8 });
    expect(r.pbo).toBe(0);
    const bound = Math.log(8) + 1e-12; // ω ∈ [1/(N+1), N/(N+1)] so |λ| ≤ ln N
    for (const l of r.logits) expect(Math.abs(l)).toBeLessThanOrEqual(bound);
  });
  it("the pooled block moments give the same Sharpe as a direct pass (S = 2 halves)", () => {
    const rng = randomSource(9);
    const trials = [Array.from({ length: 40 }, () => rng() - 0.5), Array.from({ length: 40 }, () => rng() - 0.45)];
    const r = probabilityOfBacktestOverfitting(trials, { partitions: 2 });
    // naive: split 0 takes the first half in sample
    const sr = (a: number[]) => {
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      const v = a.reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1);
      return m / Math.sqrt(v);
    };
    for (const [split, isHalf] of [
      [0, [0, 20]],
      [1, [20, 40]],
    ] as const) {
      const isSr = trials.map((t) => sr(t.slice(isHalf[0], isHalf[1])));
      const oos = trials.map((t) => sr(isHalf[0] === 0 ? t.slice(20) : t.slice(0, 20)));
      const best = isSr[1] > isSr[0] ? 1 : 0;
      const rank = oos[best] > oos[1 - best] ? 2 : 1;
      expect(r.logits[split]).toBeCloseTo(Math.log(rank / 3 / (1 - rank / 3)), 14);
    }
  });
  it("an aborted signal stops the scan", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() =>
      probabilityOfBacktestOverfitting(
        [
          [1, 2, 3, 4],
          [4, 3, 2, 1],
        ],
        { partitions: 2, signal: controller.signal },
      ),
    ).toThrow(/abort/i);
  });
  it("rejects bad input naming the argument and the rule", () => {
    const t = [Array(40).fill(0.01), Array(40).fill(0.02)];
    expect(() => probabilityOfBacktestOverfitting(t, { partitions: 3 })).toThrow(/partitions must be even, got 3/);
    expect(() => probabilityOfBacktestOverfitting(t, { partitions: 22 })).toThrow(/partitions must be <= 20/);
    expect(() => probabilityOfBacktestOverfitting([t[0]])).toThrow(/trials must hold at least 2 series, got 1/);
    expect(() => probabilityOfBacktestOverfitting([t[0], t[1].slice(1)])).toThrow(/trials\[0\] has 40 and trials\[1\] has 39/);
    expect(() => probabilityOfBacktestOverfitting([t[0].slice(0, 10), t[1].slice(0, 10)], { partitions: 8 })).toThrow(
      /needs at least 2·partitions = 16 periods, got 10/,
    );
    expect(() =>
      probabilityOfBacktestOverfitting(
        [
          [1, Number.NaN, 2, 3],
          [1, 2, 3, 4],
        ],
        { partitions: 2 },
      ),
    ).toThrow(/trials\[0\] must contain only finite numbers/);
  });
});
