/**
 * Binance kline intervals and their lengths. One table shared by the market-data service (which
 * validates `interval` and computes `closeTime`) and the exchange connector (which pages by bar
 * length). Source: Binance spot API, "Kline/Candlestick chart intervals"
 * (https://developers.binance.com/docs/binance-spot-api-docs/enums#kline-intervals).
 */

/** Every interval Binance spot accepts, shortest first. */
export const BINANCE_INTERVALS = [
  "1s",
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
] as const;

export type BinanceInterval = (typeof BINANCE_INTERVALS)[number];

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Fixed bar length in ms; "1M" is a calendar month and has no fixed length (see `barCloseTime`). */
const FIXED_MS: Readonly<Record<Exclude<BinanceInterval, "1M">, number>> = {
  "1s": SECOND_MS,
  "1m": MINUTE_MS,
  "3m": 3 * MINUTE_MS,
  "5m": 5 * MINUTE_MS,
  "15m": 15 * MINUTE_MS,
  "30m": 30 * MINUTE_MS,
  "1h": HOUR_MS,
  "2h": 2 * HOUR_MS,
  "4h": 4 * HOUR_MS,
  "6h": 6 * HOUR_MS,
  "8h": 8 * HOUR_MS,
  "12h": 12 * HOUR_MS,
  "1d": DAY_MS,
  "3d": 3 * DAY_MS,
  "1w": 7 * DAY_MS,
};

/** Nominal month length (30 days) used where only an order of magnitude is needed (page bounds). */
const NOMINAL_MONTH_MS = 30 * DAY_MS;

/** True when `value` is one of Binance's interval names (case-sensitive: "1m" is a minute, "1M" a month). */
export function isBinanceInterval(value: string): value is BinanceInterval {
  return (BINANCE_INTERVALS as readonly string[]).includes(value);
}

/** Bar length in ms; for "1M" the nominal 30 days. */
export function intervalMs(interval: BinanceInterval): number {
  return interval === "1M" ? NOMINAL_MONTH_MS : FIXED_MS[interval];
}

/**
 * Binance's `closeTime` of a bar: the last millisecond the bar covers, openTime + length − 1
 * (Binance rows show e.g. open 1591478520000, close 1591478579999 for "1m"). For "1M" the bar ends
 * one millisecond before the first day of the next calendar month (UTC).
 */
export function barCloseTime(openTime: number, interval: BinanceInterval): number {
  if (interval !== "1M") return openTime + FIXED_MS[interval] - 1;
  const open = new Date(openTime);
  return Date.UTC(open.getUTCFullYear(), open.getUTCMonth() + 1, 1) - 1;
}
