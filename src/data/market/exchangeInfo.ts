/**
 * GET /api/v3/exchangeInfo for the stored symbols, in Binance spot's shape, complete enough for
 * ccxt's `loadMarkets` (binance.parseMarket reads symbol, status, baseAsset, quoteAsset, the
 * precisions and the PRICE_FILTER / LOT_SIZE filters).
 *
 * Base and quote come from the symbol: a known quote-asset suffix (USDT, BTC, …, longest first)
 * splits "BTCUSDT" into BTC / USDT as Binance does, so ccxt's unified symbol is "BTC/USDT". A
 * symbol without one (a bundled equity such as "AAPL") is listed with itself as base and USD as
 * quote: ccxt calls it "AAPL/USD" and requests it as "AAPL".
 */
import { BINANCE_INTERVALS } from "./binanceIntervals.js";
import type { MarketDataStore } from "./types.js";

/** Quote assets recognised as symbol suffixes, longest first so "FDUSD" wins over "USD". */
export const QUOTE_ASSETS = [
  "FDUSD",
  "USDT",
  "USDC",
  "BUSD",
  "TUSD",
  "EUR",
  "TRY",
  "BRL",
  "GBP",
  "JPY",
  "DAI",
  "BTC",
  "ETH",
  "BNB",
  "USD",
] as const;
/** Quote asset of symbols that end in none of QUOTE_ASSETS (the bundled US equities and ETFs). */
export const DEFAULT_QUOTE_ASSET = "USD";
/** Price and quantity precision advertised for every symbol (the kline strings carry ≥ 8 decimals). */
const PRECISION = 8;
const TICK = "0.00000001";

/** Base and quote asset of a stored symbol (see the module comment). */
export function splitSymbol(symbol: string): { baseAsset: string; quoteAsset: string } {
  const upper = symbol.toUpperCase();
  for (const quote of QUOTE_ASSETS) {
    if (upper.length >= quote.length + 2 && upper.endsWith(quote)) return { baseAsset: upper.slice(0, -quote.length), quoteAsset: quote };
  }
  return { baseAsset: upper, quoteAsset: DEFAULT_QUOTE_ASSET };
}

/** The stored intervals of every symbol: one listSymbols query per Binance interval. */
export async function storedIntervals(store: MarketDataStore): Promise<Map<string, string[]>> {
  const bySymbol = new Map<string, string[]>();
  for (const interval of BINANCE_INTERVALS) {
    for (const symbol of await store.listSymbols(interval)) {
      const list = bySymbol.get(symbol);
      if (list === undefined) bySymbol.set(symbol, [interval]);
      else list.push(interval);
    }
  }
  return bySymbol;
}

/** One entry of `symbols`; `arblabIntervals` (not in Binance's format) lists the stored intervals. */
export function symbolInfo(symbol: string, intervals: readonly string[]): Record<string, unknown> {
  const { baseAsset, quoteAsset } = splitSymbol(symbol);
  return {
    symbol,
    status: "TRADING",
    baseAsset,
    baseAssetPrecision: PRECISION,
    quoteAsset,
    quotePrecision: PRECISION,
    quoteAssetPrecision: PRECISION,
    baseCommissionPrecision: PRECISION,
    quoteCommissionPrecision: PRECISION,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET"],
    icebergAllowed: false,
    ocoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: TICK, maxPrice: "1000000000.00000000", tickSize: TICK },
      { filterType: "LOT_SIZE", minQty: TICK, maxQty: "9000000000.00000000", stepSize: TICK },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "NONE",
    allowedSelfTradePreventionModes: ["NONE"],
    arblabIntervals: intervals,
  };
}
