import { intervalMs, type BinanceInterval } from "./binanceIntervals.js";
import type { KlineBar } from "./klineFormat.js";
import type { MarketDataStore } from "./types.js";

/** Binance spot's default and maximum `limit` for GET /api/v3/klines. */
export const KLINES_DEFAULT_LIMIT = 500;
export const KLINES_MAX_LIMIT = 1000;
/** Bound on the look-back widenings when serving "the last `limit` bars" (2^40 windows cover any history). */
const MAX_WINDOW_DOUBLINGS = 40;

/**
 * The bars GET /api/v3/klines returns, with Binance's selection rules:
 * - startTime given: the first `limit` bars opening at or after startTime (and at or before endTime);
 * - only endTime given: the last `limit` bars opening at or before endTime;
 * - neither: the most recent `limit` bars.
 * The last two read backwards by widening a window ending at endTime (doubling, bounded), since
 * the store reads forwards only.
 */
export async function selectKlines(
  store: MarketDataStore,
  q: { symbol: string; interval: BinanceInterval; startTime?: number; endTime?: number; limit: number },
): Promise<readonly KlineBar[]> {
  const { symbol, interval, limit } = q;
  if (q.startTime !== undefined) return store.queryBars({ symbol, interval, startMs: q.startTime, endMs: q.endTime, limit });
  const last = await store.lastBarTime(symbol, interval);
  if (last === null) return [];
  const end = q.endTime === undefined ? last : Math.min(q.endTime, last);
  const first = await store.queryBars({ symbol, interval, limit: 1 });
  if (first.length === 0 || first[0].ts > end) return [];
  let span = limit * intervalMs(interval);
  for (let attempt = 0; attempt < MAX_WINDOW_DOUBLINGS; attempt++, span *= 2) {
    const start = end - span + 1;
    if (start <= first[0].ts) break;
    const bars = await store.queryBars({ symbol, interval, startMs: start, endMs: end });
    if (bars.length >= limit) return bars.slice(bars.length - limit);
  }
  const bars = await store.queryBars({ symbol, interval, startMs: first[0].ts, endMs: end });
  return bars.slice(Math.max(0, bars.length - limit));
}
