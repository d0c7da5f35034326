import { describe, expect, it } from "vitest";
import { sortSeriesByTs } from "./sortSeriesByTs.js";

/** Seeded uniform [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe("sortSeriesByTs (natural merge sort of ts with its values)", () => {
  it("equals a naive stable index sort for 1..7 concatenated runs, lengths 0..300", () => {
    const random = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const runs = 1 + Math.floor(random() * 7);
      const ts: number[] = [];
      for (let r = 0; r < runs; r++) {
        let t = Math.floor(random() * 50);
        const len = Math.floor(random() * 50);
        // Ascending runs with some equal timestamps (gap 0) to check stability.
        for (let i = 0; i < len; i++) ts.push((t += Math.floor(random() * 3)));
      }
      const values = ts.map((_, i) => i + 0.5);
      const order = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
      const series = { ts: Float64Array.from(ts), values: Float64Array.from(values) };
      sortSeriesByTs(series);
      expect(Array.from(series.ts), `trial ${trial}: ts ${ts.join(",")}`).toEqual(order.map((i) => ts[i]!));
      expect(Array.from(series.values), `trial ${trial}: ts ${ts.join(",")}`).toEqual(order.map((i) => values[i]!));
    }
  });

  it("leaves a sorted series untouched and rejects mismatched lengths", () => {
    const series = { ts: Float64Array.of(1, 2, 2, 5), values: Float64Array.of(4, 3, 2, 1) };
    sortSeriesByTs(series);
    expect(Array.from(series.values)).toEqual([4, 3, 2, 1]);
    expect(() => sortSeriesByTs({ ts: Float64Array.of(1, 2), values: Float64Array.of(1) })).toThrow(/2 timestamps but 1 values/);
  });
});
