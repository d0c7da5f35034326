import { describe, expect, it } from "vitest";
import { shardBounds, type ShardSchedule } from "./shardPlan.js";

/** Sizes of the shards between consecutive bounds. */
const sizes = (bounds: readonly number[]): number[] => bounds.slice(1).map((b, s) => b - bounds[s]!);

describe("shardBounds", () => {
  it("fixed: shards of `items`, the last one shorter; no shard for no items", () => {
    expect(shardBounds(10, { kind: "fixed", items: 4 }, 1)).toEqual([0, 4, 8, 10]);
    expect(shardBounds(8, { kind: "fixed", items: 4 }, 3)).toEqual([0, 4, 8]);
    expect(shardBounds(4950, { kind: "fixed", items: 128 }, 2).length - 1).toBe(Math.ceil(4950 / 128));
    expect(shardBounds(0, { kind: "fixed", items: 4 }, 1)).toEqual([0]);
  });

  it("factoring: batches of W shards of ⌈remaining / 2W⌉ (Hummel et al. 1992), the doc comment's example", () => {
    // Hand check: 4950/4 → 1238 ×2, 2474/4 → 619 ×2, 1236/4 → 309 ×2, 618/4 → 155 ×2, 308/4 → 77 ×2,
    // 154/4 → 39 ×2, then the 32-pair floor for the last 76.
    expect(shardBounds(4950, { kind: "factoring", minItems: 32, unit: 1 }, 2)).toEqual([
      0, 1238, 2476, 3095, 3714, 4023, 4332, 4487, 4642, 4719, 4796, 4835, 4874, 4906, 4938, 4950,
    ]);
    expect(shardBounds(0, { kind: "factoring", minItems: 32, unit: 1 }, 2)).toEqual([0]);
    expect(shardBounds(5, { kind: "factoring", minItems: 32, unit: 1 }, 2)).toEqual([0, 5]);
  });

  it("factoring invariants: covers [0, total) in order, sizes non-increasing, whole units, ≥ minItems but the last, bounded count", () => {
    let seed = 7;
    const next = (m: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 1 + (seed % m);
    };
    for (let trial = 0; trial < 200; trial++) {
      const total = next(20_000) - 1;
      const workers = next(64);
      const unit = next(40);
      const minItems = next(500);
      const schedule: ShardSchedule = { kind: "factoring", minItems, unit };
      const bounds = shardBounds(total, schedule, workers);
      const label = `total ${total} workers ${workers} unit ${unit} minItems ${minItems}: ${JSON.stringify(bounds.slice(0, 12))}…`;
      expect(bounds[0], label).toBe(0);
      expect(bounds.at(-1), label).toBe(total);
      const s = sizes(bounds);
      const floor = Math.ceil(minItems / unit) * unit;
      for (let k = 0; k < s.length; k++) {
        expect(s[k], label).toBeGreaterThan(0);
        if (k < s.length - 1) {
          expect(s[k]! % unit, label).toBe(0);
          expect(s[k], label).toBeGreaterThanOrEqual(floor);
          expect(s[k + 1], label).toBeLessThanOrEqual(s[k]!);
        }
      }
      expect(s.length, label).toBeLessThanOrEqual(Math.ceil(total / floor) + workers);
      // The tail: no shard after the first batch is larger than half of what was left for its batch per worker.
      if (total > 0) expect(s[0], label).toBeLessThanOrEqual(Math.max(floor, Math.ceil(total / (2 * workers) / unit) * unit));
    }
  });

  it("refuses a bad total, worker count or schedule field by name", () => {
    expect(() => shardBounds(-1, { kind: "fixed", items: 4 }, 1)).toThrow("shardBounds: total must be a non-negative integer, got -1");
    expect(() => shardBounds(1.5, { kind: "fixed", items: 4 }, 1)).toThrow("shardBounds: total must be a non-negative integer, got 1.5");
    expect(() => shardBounds(10, { kind: "fixed", items: 0 }, 1)).toThrow("shardBounds: items must be a positive integer, got 0");
    expect(() => shardBounds(10, { kind: "factoring", minItems: 4, unit: 1 }, 0)).toThrow(
      "shardBounds: workers must be a positive integer, got 0",
    );
    expect(() => shardBounds(10, { kind: "factoring", minItems: Number.NaN, unit: 1 }, 2)).toThrow(
      "shardBounds: minItems must be a positive integer, got NaN",
    );
    expect(() => shardBounds(10, { kind: "factoring", minItems: 4, unit: 2.5 }, 2)).toThrow(
      "shardBounds: unit must be a positive integer, got 2.5",
    );
  });
});
