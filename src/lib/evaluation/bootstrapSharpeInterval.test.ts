import { describe, expect, it } from "vitest";
import { normalSource, randomSource } from "../util/random.js";
import { bootstrapSharpeInterval } from "./bootstrapSharpeInterval.js";
import { sharpeRatio } from "./sharpeRatio.js";
import { stationaryBootstrapIndices } from "./stationaryBootstrapIndices.js";

function noise(n: number, seed: number, drift: number): number[] {
  const normal = normalSource(randomSource(seed));
  return Array.from({ length: n }, () => drift + 0.01 * normal());
}

describe("stationaryBootstrapIndices (Politis & Romano 1994)", () => {
  it("continues blocks circularly and restarts with probability 1/L (naive re-derivation with the same draws)", () => {
    const n = 50;
    const indices = stationaryBootstrapIndices(n, { meanBlockLength: 4, rng: randomSource(5) });
    const rng = randomSource(5);
    let index = Math.floor(rng() * n);
    expect(indices[0]).toBe(index);
    for (let k = 1; k < n; k++) {
      index = rng() < 0.25 ? Math.floor(rng() * n) : (index + 1) % n;
      expect(indices[k], `index ${k}`).toBe(index);
    }
  });
  it("mean block length is close to L over many draws", () => {
    const rng = randomSource(17);
    let blocks = 0;
    let total = 0;
    for (let rep = 0; rep < 200; rep++) {
      const ix = stationaryBootstrapIndices(500, { meanBlockLength: 8, rng });
      blocks++;
      for (let k = 1; k < ix.length; k++) if (ix[k] !== (ix[k - 1] + 1) % 500) blocks++;
      total += ix.length;
    }
    // a run continuing by chance onto the same successor hides a restart (1/500): negligible
    expect(total / blocks).toBeGreaterThan(7.5);
    expect(total / blocks).toBeLessThan(8.5);
  });
});

describe("bootstrapSharpeInterval", () => {
  it("is reproducible with a seeded rng and brackets the sample Sharpe", () => {
    const r = noise(1000, 1, 0.0005);
    const a = bootstrapSharpeInterval(r, { rng: randomSource(42), resamples: 500 });
    const b = bootstrapSharpeInterval(r, { rng: randomSource(42), resamples: 500 });
    expect(a).toEqual(b);
    expect(a.sharpe).toBeCloseTo(sharpeRatio(r), 14);
    expect(a.lower).toBeLessThan(a.sharpe);
    expect(a.upper).toBeGreaterThan(a.sharpe);
    expect(a.meanBlockLength).toBe(10); // ⌈1000^{1/3}⌉
  });
  it("i.i.d. normal returns: the standard error matches Lo (2002)'s √((1 + SR²/2)/T) within 10 %", () => {
    const r = noise(2000, 2, 0.0003);
    const result = bootstrapSharpeInterval(r, { rng: randomSource(8), resamples: 2000, meanBlockLength: 1 });
    const sr = result.sharpe;
    const theory = Math.sqrt((1 + (sr * sr) / 2) / r.length);
    expect(Math.abs(result.standardError / theory - 1), `SE ${result.standardError} vs ${theory}`).toBeLessThan(0.1);
    // and the 95 % interval is about ±1.96 SE
    expect(Math.abs((result.upper - result.lower) / (2 * 1.96 * theory) - 1)).toBeLessThan(0.12);
  });
  it("a wider confidence gives a wider interval", () => {
    const r = noise(300, 3, 0);
    const narrow = bootstrapSharpeInterval(r, { rng: randomSource(1), confidence: 0.5 });
    const wide = bootstrapSharpeInterval(r, { rng: randomSource(1), confidence: 0.99 });
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
  });
  it("an aborted signal stops the resampling", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => bootstrapSharpeInterval(noise(50, 4, 0), { rng: randomSource(1), signal: controller.signal })).toThrow(/abort/i);
  });
  it("rejects bad input naming the argument and the rule", () => {
    const r = noise(50, 5, 0);
    expect(() => bootstrapSharpeInterval(r, {} as never)).toThrow(/bootstrapSharpeInterval: rng must be a function/);
    expect(() => bootstrapSharpeInterval(r, { rng: Math.random, confidence: 1 })).toThrow(/confidence must be < 1, got 1/);
    expect(() => bootstrapSharpeInterval(r, { rng: Math.random, resamples: 5 })).toThrow(/resamples must be >= 10, got 5/);
    expect(() => bootstrapSharpeInterval(r, { rng: Math.random, meanBlockLength: 0.5 })).toThrow(/meanBlockLength must be >= 1/);
    expect(() => bootstrapSharpeInterval([0.1, 0.2], { rng: Math.random })).toThrow(/returns must have at least 3 observations, got 2/);
  });
});
