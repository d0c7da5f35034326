/**
 * Binance's kline wire formats, from stored bars. Numbers are decimal strings as Binance sends them
 * ("0.02501300": at least 8 decimals, more when the stored double needs them to round-trip).
 *
 * REST row (GET /api/v3/klines), 12 fields:
 *   [openTime, open, high, low, close, volume, closeTime, quoteAssetVolume, numberOfTrades,
 *    takerBuyBaseVolume, takerBuyQuoteVolume, "0"]
 * WebSocket event (`<symbol>@kline_<interval>`):
 *   { e: "kline", E: eventTime, s: symbol, k: { t, T, s, i, f, L, o, c, h, l, v, n, x, q, V, Q, B } }
 *
 * A bar store keeps OHLCV only, so: quoteAssetVolume (q) is volume × typical price (H+L+C)/3, an
 * estimate; a volume the store does not know (NaN) is sent as "0"; numberOfTrades (n) is 0, first/last trade ids (f, L) are -1 (Binance's value when a
 * kline has no trades); the taker-buy volumes (V, Q) are "0". Documented in README "Market-data service".
 */
import { barCloseTime, type BinanceInterval } from "./binanceIntervals.js";

/** A bar as the store returns it (structurally the store's `Bar`). */
export interface KlineBar {
  readonly symbol: string;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Binance's REST kline row. */
export type KlineRow = [number, string, string, string, string, string, number, string, number, string, string, string];

/** A Binance kline stream event. */
export interface KlineEvent {
  e: "kline";
  E: number;
  s: string;
  k: {
    t: number;
    T: number;
    s: string;
    i: string;
    f: number;
    L: number;
    o: string;
    c: string;
    h: string;
    l: string;
    v: string;
    n: number;
    x: boolean;
    q: string;
    V: string;
    Q: string;
    B: string;
  };
}

const MIN_DECIMALS = 8;

/** A finite number as a plain decimal string with ≥ 8 decimals that parses back to the same double. */
export function decimalString(value: number): string {
  const shortest = String(value);
  const exponentAt = shortest.indexOf("e");
  if (exponentAt >= 0) {
    // |value| < 1e-6 or ≥ 1e21: expand JavaScript's exponent form digit by digit (exact).
    const sign = shortest.startsWith("-") ? "-" : "";
    const digits = shortest.slice(sign.length, exponentAt).replace(".", "");
    const exponent = Number(shortest.slice(exponentAt + 1));
    if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
    return `${sign}${digits}${"0".repeat(Math.max(0, exponent + 1 - digits.length))}.00000000`;
  }
  const dot = shortest.indexOf(".");
  const decimals = dot < 0 ? 0 : shortest.length - dot - 1;
  return decimals >= MIN_DECIMALS ? shortest : value.toFixed(MIN_DECIMALS);
}

/** The bar's volume, 0 when unknown (stored as NULL, read as NaN). */
export function knownVolume(bar: KlineBar): number {
  return Number.isNaN(bar.volume) ? 0 : bar.volume;
}

function quoteVolume(bar: KlineBar): string {
  return decimalString((knownVolume(bar) * (bar.high + bar.low + bar.close)) / 3);
}

export function klineRow(bar: KlineBar, interval: BinanceInterval): KlineRow {
  return [
    bar.ts,
    decimalString(bar.open),
    decimalString(bar.high),
    decimalString(bar.low),
    decimalString(bar.close),
    decimalString(knownVolume(bar)),
    barCloseTime(bar.ts, interval),
    quoteVolume(bar),
    0,
    "0",
    "0",
    "0",
  ];
}

/** A closed-kline event (x: true) for `bar`, emitted at (simulated) time `eventTime`. */
export function klineEvent(bar: KlineBar, interval: BinanceInterval, eventTime: number): KlineEvent {
  return {
    e: "kline",
    E: eventTime,
    s: bar.symbol,
    k: {
      t: bar.ts,
      T: barCloseTime(bar.ts, interval),
      s: bar.symbol,
      i: interval,
      f: -1,
      L: -1,
      o: decimalString(bar.open),
      c: decimalString(bar.close),
      h: decimalString(bar.high),
      l: decimalString(bar.low),
      v: decimalString(knownVolume(bar)),
      n: 0,
      x: true,
      q: quoteVolume(bar),
      V: "0",
      Q: "0",
      B: "0",
    },
  };
}
