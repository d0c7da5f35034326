import { describe, expect, it } from "vitest";
import { MAX_BOOK_LEVELS, syntheticBook } from "./syntheticBook.js";

const EPS = Number.EPSILON;

describe("syntheticBook", () => {
  it("matches the hand-computed example: h = m·max(1 bp, range/20), geometric levels, sizes (i+1)·volume/1000", () => {
    const book = syntheticBook({ high: 101, low: 99, close: 100, volume: 5000 }, { levels: 2 });
    // r = 0.02, r/20 = 0.001 > 1e-4 → h = 0.1; bid_i = 100·e^{−(i+1)·0.001}
    expect(book.mid).toBe(100);
    expect(Math.abs(book.halfSpread - 0.1)).toBeLessThanOrEqual(4 * EPS * 0.1);
    const expectedBids = [100 * Math.exp(-0.001), 100 * Math.exp(-0.002)];
    const expectedAsks = [100 * Math.exp(0.001), 100 * Math.exp(0.002)];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(book.bidPrices[i] - expectedBids[i]), `bid ${i}`).toBeLessThanOrEqual(8 * EPS * 100);
      expect(Math.abs(book.askPrices[i] - expectedAsks[i]), `ask ${i}`).toBeLessThanOrEqual(8 * EPS * 100);
    }
    expect(Array.from(book.bidSizes)).toEqual([5, 10]);
    expect(Array.from(book.askSizes)).toEqual([5, 10]);
  });

  it("uses the 1 bp floor for a flat bar and the fallback notional when volume is 0", () => {
    const book = syntheticBook({ high: 50, low: 50, close: 50, volume: 0 }, { levels: 1 });
    expect(Math.abs(book.halfSpread - 50 * 1e-4)).toBeLessThanOrEqual(4 * EPS * 50e-4);
    expect(book.bidSizes[0]).toBe(10_000 / 50);
  });

  it("is deterministic, strictly monotone and positive at the maximum depth of a wide bar", () => {
    const bar = { high: 150, low: 50, close: 100, volume: 1e6 };
    const a = syntheticBook(bar, { levels: MAX_BOOK_LEVELS });
    const b = syntheticBook(bar, { levels: MAX_BOOK_LEVELS });
    expect(a.bidPrices).toEqual(b.bidPrices);
    expect(a.bidPrices[0]).toBeLessThan(a.mid);
    expect(a.askPrices[0]).toBeGreaterThan(a.mid);
    for (let i = 1; i < MAX_BOOK_LEVELS; i++) {
      if (!(a.bidPrices[i] < a.bidPrices[i - 1] && a.bidPrices[i] > 0))
        throw new Error(`bid level ${i}: ${a.bidPrices[i]} after ${a.bidPrices[i - 1]}`);
      if (!(a.askPrices[i] > a.askPrices[i - 1])) throw new Error(`ask level ${i}: ${a.askPrices[i]} after ${a.askPrices[i - 1]}`);
      if (!(a.bidSizes[i] > a.bidSizes[i - 1])) throw new Error(`size level ${i}`);
    }
  });

  it("rejects bad bars and options, naming the field", () => {
    expect(() => syntheticBook({ high: 1, low: 1, close: 0, volume: 1 })).toThrow(/syntheticBook: bar\.close must be > 0/);
    expect(() => syntheticBook({ high: 1, low: 2, close: 1.5, volume: 1 })).toThrow(/bar\.high must be >= bar\.low/);
    expect(() => syntheticBook({ high: 2, low: 1, close: 1.5, volume: -1 })).toThrow(/bar\.volume must be >= 0/);
    expect(() => syntheticBook({ high: 2, low: 1, close: 1.5, volume: Number.NaN })).toThrow(/bar\.volume must be a finite number/);
    expect(() => syntheticBook({ high: 2, low: 1, close: 1.5, volume: 1 }, { levels: 5001 })).toThrow(/levels must be <= 5000/);
  });
});
