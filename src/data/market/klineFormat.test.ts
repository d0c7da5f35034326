import { describe, expect, it } from "vitest";
import { seededRandom } from "./testSupport.js";
import { decimalString, klineEvent, klineRow } from "./klineFormat.js";

describe("decimalString (Binance's decimal strings)", () => {
  it("pads to 8 decimals like Binance and keeps more when the double needs them", () => {
    expect(decimalString(0.025013)).toBe("0.02501300");
    expect(decimalString(42000)).toBe("42000.00000000");
    expect(decimalString(0)).toBe("0.00000000");
    expect(decimalString(123.456789123)).toBe("123.456789123");
    expect(decimalString(1.2345678901234e-9)).toBe("0.0000000012345678901234");
    expect(decimalString(3.5e22)).toBe("35000000000000000000000.00000000");
  });

  it("parses back to the same double for values across 30 decades (plain notation only)", () => {
    const rng = seededRandom(11);
    for (let i = 0; i < 20_000; i++) {
      const value = (rng() + 1e-3) * 10 ** Math.floor(rng() * 30 - 15);
      const text = decimalString(value);
      if (Number(text) !== value || /e/i.test(text)) throw new Error(`decimalString(${value}) = ${text} parses to ${Number(text)}`);
    }
  });
});

describe("kline formats", () => {
  const bar = { symbol: "BTCUSDT", ts: 1704067200000, open: 42000, high: 42012, low: 41998.2, close: 42010.5, volume: 12.345 };

  it("REST row: 12 fields, closeTime = open + 1m − 1, quote volume = volume × (H+L+C)/3", () => {
    const row = klineRow(bar, "1m");
    expect(row).toHaveLength(12);
    expect(row[6]).toBe(1704067259999);
    expect(Number(row[7])).toBeCloseTo((12.345 * (42012 + 41998.2 + 42010.5)) / 3, 6);
    expect(row.slice(8)).toEqual([0, "0", "0", "0"]);
  });

  it("a calendar-month bar closes before the next month starts (UTC)", () => {
    expect(klineRow({ ...bar, ts: Date.UTC(2024, 1, 1) }, "1M")[6]).toBe(Date.UTC(2024, 2, 1) - 1);
  });

  it('stream event: closed kline with Binance\'s field names; unknown volume is "0"', () => {
    const event = klineEvent({ ...bar, volume: Number.NaN }, "1m", 1704067260000);
    expect(event).toMatchObject({ e: "kline", E: 1704067260000, s: "BTCUSDT" });
    expect(event.k).toMatchObject({ t: 1704067200000, T: 1704067259999, i: "1m", x: true, v: "0.00000000", q: "0.00000000", n: 0 });
  });
});
