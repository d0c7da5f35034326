import type { KlineBar } from "./klineFormat.js";

/**
 * What the market-data service reads from the store: the read side of `src/data/store/Store`
 * (which satisfies it structurally). Bars come back ascending by `ts`; `startMs` and `endMs` are
 * inclusive bounds on the bar's open time; `limit` keeps the first bars.
 */
export interface MarketDataStore {
  queryBars(q: { symbol: string; interval: string; startMs?: number; endMs?: number; limit?: number }): Promise<readonly KlineBar[]>;
  lastBarTime(symbol: string, interval: string): Promise<number | null>;
  listSymbols(interval?: string): Promise<string[]>;
}
