import { rangeError, requireFinite, requireInteger, requireOptions } from "../util/validate.js";

/** Floor on the half-spread, in basis points of the mid (1 bp: a liquid large-cap or BTCUSDT). */
export const MIN_HALF_SPREAD_BPS = 1;
/** Half-spread as a fraction of the bar's high–low range. */
export const RANGE_TO_HALF_SPREAD = 1 / 20;
/** Size at the best level as a fraction of the bar's volume (level i holds (i + 1) times this). */
export const VOLUME_TO_LEVEL_SIZE = 1 / 1000;
/** Notional (quote units) at the best level when the bar has no volume. */
export const FALLBACK_LEVEL_NOTIONAL = 10_000;
/** Most levels per side (Binance spot's depth limit). */
export const MAX_BOOK_LEVELS = 5000;

/** The bar the book is synthesised from. */
export interface SyntheticBookBar {
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface SyntheticBookOptions {
  /** Levels per side, 1 … 5000 (default 100, Binance's default depth). */
  levels?: number;
}

/** A two-sided book; index 0 is the best level on each side. */
export interface SyntheticBook {
  /** Mid price m (the bar's close). */
  readonly mid: number;
  /** Half-spread h in price units; best bid = m·e^(−h/m) ≈ m − h, best ask = m·e^(h/m) ≈ m + h. */
  readonly halfSpread: number;
  /** Bid prices, strictly decreasing. */
  readonly bidPrices: Float64Array;
  readonly bidSizes: Float64Array;
  /** Ask prices, strictly increasing. */
  readonly askPrices: Float64Array;
  readonly askSizes: Float64Array;
}

/**
 * A deterministic order book synthesised from one OHLCV bar, for the market-data service's
 * `/api/v3/depth` (a bar store has no book; this gives clients a plausible, reproducible one).
 *
 * Model, with m = close, r = (high − low)/close and levels i = 0 … L−1:
 *   half-spread  h = m · max(MIN_HALF_SPREAD_BPS · 1e−4, r / 20)
 *   prices       bid_i = m · exp(−(i + 1)·h/m),  ask_i = m · exp((i + 1)·h/m)
 *                (geometric spacing of one half-spread per level: positive at any depth)
 *   sizes        q_i = (i + 1) · q_0,  q_0 = volume / 1000, or 10 000 / m when volume = 0
 *                (depth grows linearly away from the touch; both sides symmetric)
 * The spread proportional to the bar's range is a crude stand-in for range-based spread
 * estimators such as [1]; it is a modelling convenience for paper trading, not an estimate.
 * @see [1] Corwin, S.A. & Schultz, P. (2012) "A Simple Way to Estimate Bid-Ask Spreads from Daily
 *   High and Low Prices", Journal of Finance 67(2).
 * @throws RangeError if close ≤ 0, high < low, a field is not finite, volume < 0 or levels outside 1 … 5000
 * @example syntheticBook({ high: 101, low: 99, close: 100, volume: 5000 }, { levels: 2 })
 *   // halfSpread 0.1 (r = 0.02, r/20 = 0.001 > 1 bp); bidPrices [99.90005, 99.80020], bidSizes [5, 10] (hand computation)
 */
export function syntheticBook(bar: SyntheticBookBar, options?: SyntheticBookOptions): SyntheticBook {
  const fn = "syntheticBook";
  const opts = requireOptions<SyntheticBookOptions>(fn, options);
  const levels = requireInteger(fn, "levels", opts.levels ?? 100, { min: 1, max: MAX_BOOK_LEVELS });
  const close = requireFinite(fn, "bar.close", bar.close, { minExclusive: 0 });
  const high = requireFinite(fn, "bar.high", bar.high);
  const low = requireFinite(fn, "bar.low", bar.low);
  const volume = requireFinite(fn, "bar.volume", bar.volume, { min: 0 });
  if (high < low) rangeError(fn, `bar.high must be >= bar.low, got high ${high} < low ${low}`);

  const relativeRange = (high - low) / close;
  const relativeHalfSpread = Math.max(MIN_HALF_SPREAD_BPS * 1e-4, relativeRange * RANGE_TO_HALF_SPREAD);
  const bestSize = volume > 0 ? volume * VOLUME_TO_LEVEL_SIZE : FALLBACK_LEVEL_NOTIONAL / close;
  const bidPrices = new Float64Array(levels);
  const askPrices = new Float64Array(levels);
  const bidSizes = new Float64Array(levels);
  const askSizes = new Float64Array(levels);
  for (let i = 0; i < levels; i++) {
    const offset = (i + 1) * relativeHalfSpread;
    bidPrices[i] = close * Math.exp(-offset);
    askPrices[i] = close * Math.exp(offset);
    bidSizes[i] = (i + 1) * bestSize;
    askSizes[i] = bidSizes[i];
  }
  return { mid: close, halfSpread: close * relativeHalfSpread, bidPrices, bidSizes, askPrices, askSizes };
}
