/**
 * Test data for the market-data service and the exchange connector: synthetic crypto-like bars
 * (a seeded geometric random walk) and bundled ETF closes from data/stock_prices.csv, both as
 * store `Bar`s. Used by tests only.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Bar } from "../store/Store.js";
import { intervalMs, type BinanceInterval } from "./binanceIntervals.js";

/** Mulberry32: a small seeded generator (tests need reproducible bars, not quality randomness). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` consecutive bars from `startMs`, a random walk around `startPrice`, prices rounded to cents. */
export function syntheticBars(
  symbol: string,
  interval: BinanceInterval,
  startMs: number,
  count: number,
  options: { seed: number; startPrice: number },
): Bar[] {
  const rng = seededRandom(options.seed);
  const step = intervalMs(interval);
  const bars: Bar[] = [];
  let price = options.startPrice;
  const cents = (x: number) => Math.round(x * 100) / 100;
  for (let i = 0; i < count; i++) {
    const open = cents(price);
    price *= Math.exp(0.002 * (rng() - 0.5));
    const close = cents(price);
    const high = cents(Math.max(open, close) * (1 + 0.001 * rng()));
    const low = cents(Math.min(open, close) * (1 - 0.001 * rng()));
    bars.push({ symbol, interval, ts: startMs + i * step, open, high, low, close, volume: Math.round(rng() * 1e6) / 1e3 });
  }
  return bars;
}

/** The first `days` daily closes of `symbols` from data/stock_prices.csv (OHLC all the close, volume unknown). */
export function bundledEtfBars(symbols: readonly string[], days: number): Bar[] {
  const path = fileURLToPath(new URL("../../../data/stock_prices.csv", import.meta.url));
  const lines = readFileSync(path, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const bars: Bar[] = [];
  for (const symbol of symbols) {
    const column = header.indexOf(symbol);
    if (column < 1) throw new Error(`bundledEtfBars: ${symbol} is not a column of ${path}`);
    for (const line of lines.slice(1, 1 + days)) {
      const cells = line.split(",");
      const close = Number(cells[column]);
      bars.push({
        symbol,
        interval: "1d",
        ts: Date.parse(`${cells[0]}T00:00:00Z`),
        open: close,
        high: close,
        low: close,
        close,
        volume: Number.NaN,
      });
    }
  }
  return bars;
}
