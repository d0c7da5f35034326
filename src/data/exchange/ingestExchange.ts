/**
 * Exchange connector: download OHLCV bars from an exchange through ccxt and write them into the
 * store, page by page. Paginated `fetchOHLCV` (1000 bars a page on Binance), rate-limit aware
 * (ccxt's throttler spaces requests by `exchange.rateLimit`; a 429/418 waits the venue's
 * Retry-After), retried with exponential backoff on 429/5xx/timeouts/network errors (bounded
 * attempts), resumable (starts again from the store's last bar of that symbol and interval, which
 * is fetched again so a bar that was still open is corrected; when that bar lies in
 * [since, until]), one store transaction per page,
 * cancellable with an AbortSignal, with a progress callback after every page.
 *
 * Symbols: ccxt's unified "BTC/USDT" or the venue's id "BTCUSDT"; bars are stored under the venue's
 * id ("BTCUSDT"), the name the market-data service serves them by. Only complete bars are stored:
 * `until` is capped at now − one bar. The same code reaches the real venue (default URLs) or the
 * lab's market-data service (`urls: binanceUrlsFor("http://127.0.0.1:8000")`).
 */
import ccxt, { type Exchange, type OHLCV } from "ccxt";
import { setTimeout as sleep } from "node:timers/promises";
import type { Bar } from "../store/Store.js";

/** Bars requested per page (Binance spot's maximum). */
export const DEFAULT_PAGE_LIMIT = 1000;
/** Attempts per request before giving up (1 = no retry). */
export const DEFAULT_MAX_ATTEMPTS = 6;
/** Backoff: delay before retry k (1-based) is min(maxDelayMs, baseDelayMs · 2^(k−1)), or Retry-After if longer. */
export const DEFAULT_BASE_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 30_000;
/** A Retry-After longer than this (e.g. a 418 IP ban) is not waited for: the ingest fails instead. */
export const MAX_RETRY_AFTER_MS = 120_000;
/** ccxt's per-request timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** What the connector needs from the store (src/data/store/Store satisfies it). */
export interface IngestStore {
  upsertBars(bars: readonly Bar[], options: { source: string }): Promise<{ inserted: number; updated: number; unchanged?: number }>;
  lastBarTime(symbol: string, interval: string): Promise<number | null>;
}

export interface IngestExchangeOptions {
  /** ccxt exchange id, e.g. "binance". */
  readonly exchange: string;
  /** Unified ("BTC/USDT") or venue ("BTCUSDT") symbols. */
  readonly symbols: readonly string[];
  /** ccxt timeframe, e.g. "1m", "1h", "1d" (must be in exchange.timeframes). */
  readonly interval: string;
  /** First bar open time wanted (epoch ms). */
  readonly since: number;
  /** Last bar open time wanted (epoch ms, inclusive; default and cap: now − one bar). */
  readonly until?: number;
  readonly store: IngestStore;
  /** Overrides of ccxt's `exchange.urls.api` entries (see `binanceUrlsFor`). */
  readonly urls?: Readonly<Record<string, string>>;
  /** Bars per request (default 1000). */
  readonly pageLimit?: number;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly requestTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/** Reported after every stored page (and once per symbol when it has nothing to fetch). */
export interface IngestProgress {
  readonly symbol: string;
  readonly storeSymbol: string;
  /** Index of this symbol in `symbols`, and their count. */
  readonly symbolIndex: number;
  readonly symbolCount: number;
  /** Pages stored so far for this symbol. */
  readonly pages: number;
  /** Bars stored so far for this symbol. */
  readonly bars: number;
  /** Open time the next page starts at. */
  readonly cursorMs: number;
  /** Where this symbol's download started (after resume) and where it ends. */
  readonly fromMs: number;
  readonly untilMs: number;
  /** Retries so far, all symbols. */
  readonly retries: number;
}

export interface SymbolIngestSummary {
  readonly symbol: string;
  readonly storeSymbol: string;
  /** Open time the download started from: `since`, or the store's last bar when resuming. */
  readonly fromMs: number;
  readonly resumed: boolean;
  readonly pages: number;
  readonly bars: number;
  readonly inserted: number;
  readonly updated: number;
  /** Open time of the newest bar stored by this run, or null. */
  readonly lastMs: number | null;
}

export interface IngestExchangeResult {
  readonly exchange: string;
  readonly interval: string;
  readonly untilMs: number;
  readonly symbols: readonly SymbolIngestSummary[];
  readonly requests: number;
  readonly retries: number;
}

/** `urls` for pointing ccxt's binance at a Binance-compatible base URL (e.g. the market-data service). */
export function binanceUrlsFor(baseUrl: string): Record<string, string> {
  const base = baseUrl.replace(/\/+$/, "");
  return { public: `${base}/api/v3`, private: `${base}/api/v3`, v1: `${base}/api/v1` };
}

/** Thrown when the ingest stops for a reason other than a bad argument (exhausted retries, ban, abort). */
export class IngestExchangeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IngestExchangeError";
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("ingestExchange: aborted", "AbortError");
}

function requireMs(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`ingestExchange: ${name} must be a non-negative integer epoch-ms time, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireCount(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`ingestExchange: ${name} must be an integer ${min} … ${max}, got ${value}`);
  return v;
}

/** Create the ccxt exchange, recording each response's HTTP status and headers for the retry policy. */
function createExchange(
  id: string,
  urls: Readonly<Record<string, string>> | undefined,
  timeoutMs: number,
): { exchange: Exchange; lastResponse: { status: number | null; headers: Record<string, string> } } {
  const ExchangeClass = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[id];
  if (!(ccxt.exchanges as string[]).includes(id) || typeof ExchangeClass !== "function") {
    throw new RangeError(`ingestExchange: exchange must be a ccxt exchange id such as "binance", got ${JSON.stringify(id)}`);
  }
  // Binance: spot markets only (loadMarkets would otherwise also query the futures APIs).
  const options = id === "binance" ? { fetchMarkets: { types: ["spot"] }, fetchMargins: false } : {};
  const exchange = new ExchangeClass({ enableRateLimit: true, timeout: timeoutMs, options });
  if (!exchange.has.fetchOHLCV) throw new RangeError(`ingestExchange: exchange ${id} does not offer fetchOHLCV`);
  if (urls !== undefined) {
    const api = exchange.urls.api;
    exchange.urls.api = typeof api === "object" && api !== null ? { ...(api as Record<string, string>), ...urls } : { ...urls };
  }
  const lastResponse = { status: null as number | null, headers: {} as Record<string, string> };
  const onRestResponse = exchange.onRestResponse.bind(exchange);
  exchange.onRestResponse = (statusCode, statusText, url, method, responseHeaders, responseBody, requestHeaders, requestBody) => {
    lastResponse.status = statusCode as number;
    lastResponse.headers = responseHeaders as Record<string, string>;
    return onRestResponse(statusCode, statusText, url, method, responseHeaders, responseBody, requestHeaders, requestBody);
  };
  return { exchange, lastResponse };
}

/** Run ingest; see the module comment. Resolves with per-symbol counts; rejects on abort, exhausted retries or a non-retryable exchange error. */
export async function ingestExchange(options: IngestExchangeOptions): Promise<IngestExchangeResult> {
  const fn = "ingestExchange";
  if (!Array.isArray(options.symbols) || options.symbols.length === 0)
    throw new RangeError(`${fn}: symbols must be a non-empty list, got ${JSON.stringify(options.symbols)}`);
  const since = requireMs("since", options.since);
  if (options.until !== undefined) requireMs("until", options.until);
  if (options.until !== undefined && options.until < since)
    throw new RangeError(`${fn}: until must be >= since (${since}), got ${options.until}`);
  const pageLimit = requireCount("pageLimit", options.pageLimit, DEFAULT_PAGE_LIMIT, 1, 10_000);
  const maxAttempts = requireCount("maxAttempts", options.maxAttempts, DEFAULT_MAX_ATTEMPTS, 1, 100);
  const baseDelayMs = requireCount("baseDelayMs", options.baseDelayMs, DEFAULT_BASE_DELAY_MS, 0, 600_000);
  const maxDelayMs = requireCount("maxDelayMs", options.maxDelayMs, DEFAULT_MAX_DELAY_MS, 0, 600_000);
  const timeoutMs = requireCount("requestTimeoutMs", options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 1, 600_000);
  const { store, signal, onProgress } = options;
  const { exchange, lastResponse } = createExchange(options.exchange, options.urls, timeoutMs);
  const interval = options.interval;
  if (!(interval in exchange.timeframes)) {
    throw new RangeError(
      `${fn}: interval must be one of ${options.exchange}'s timeframes (${Object.keys(exchange.timeframes).join(", ")}), got ${JSON.stringify(interval)}`,
    );
  }
  const barMs = exchange.parseTimeframe(interval) * 1000;
  const untilMs = Math.min(options.until ?? Number.MAX_SAFE_INTEGER, Date.now() - barMs);
  let requests = 0;
  let retries = 0;

  /** One exchange call with the retry policy. */
  async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortError(signal);
      lastResponse.status = null;
      lastResponse.headers = {};
      requests++;
      try {
        return await request();
      } catch (error) {
        const status = lastResponse.status;
        const rateLimited =
          status === 429 || status === 418 || error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection;
        // Network failures have no status; 4xx other than 408/418/429 are the caller's fault and not retried.
        const retryable = rateLimited || (error instanceof ccxt.NetworkError && (status === null || status >= 500 || status === 408));
        if (!retryable) throw error;
        if (attempt >= maxAttempts)
          throw new IngestExchangeError(`${fn}: ${what} failed after ${attempt} attempts: ${(error as Error).message}`, { cause: error });
        const retryAfterHeader = Number(lastResponse.headers["Retry-After"]);
        const retryAfterMs = Number.isFinite(retryAfterHeader) && retryAfterHeader >= 0 ? retryAfterHeader * 1000 : 0;
        if (retryAfterMs > MAX_RETRY_AFTER_MS) {
          throw new IngestExchangeError(
            `${fn}: ${what}: the exchange asks to wait ${retryAfterMs / 1000} s (HTTP ${status}), more than ${MAX_RETRY_AFTER_MS / 1000} s; stopping`,
            { cause: error },
          );
        }
        const delay = Math.max(retryAfterMs, Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
        retries++;
        if (signal === undefined) await sleep(delay);
        else {
          try {
            await sleep(delay, undefined, { signal });
          } catch {
            throw abortError(signal);
          }
        }
      }
    }
  }

  await call("loadMarkets", () => exchange.loadMarkets());
  const markets = options.symbols.map((symbol) => {
    try {
      return exchange.market(symbol);
    } catch {
      throw new RangeError(
        `${fn}: symbols: ${options.exchange} has no market ${JSON.stringify(symbol)} (use a unified symbol such as "BTC/USDT" or the venue's id "BTCUSDT")`,
      );
    }
  });

  const summaries: SymbolIngestSummary[] = [];
  for (let s = 0; s < markets.length; s++) {
    const market = markets[s];
    const storeSymbol = market.id as string;
    // Resume when the last stored bar lies in [since, until]. The first stored bar may be later than
    // `since` (a venue lists a pair after the requested start), so it does not stop a resume; to
    // fill history before the stored bars, ask for a range that ends before them (fetched whole).
    const last = await store.lastBarTime(storeSymbol, interval);
    const resumed = last !== null && last >= since && last <= untilMs;
    const fromMs = resumed ? (last as number) : since;
    let cursor = fromMs;
    let pages = 0;
    let bars = 0;
    let inserted = 0;
    let updated = 0;
    let lastMs: number | null = null;
    const progress = () =>
      onProgress?.({
        symbol: market.symbol,
        storeSymbol,
        symbolIndex: s,
        symbolCount: markets.length,
        pages,
        bars,
        cursorMs: cursor,
        fromMs,
        untilMs,
        retries,
      });
    // Bounded: every full page advances the cursor by ≥ pageLimit bars of barMs each.
    const maxPages = Math.ceil(Math.max(0, untilMs - fromMs + 1) / (barMs * pageLimit)) + 2;
    while (cursor <= untilMs) {
      if (pages >= maxPages)
        throw new IngestExchangeError(
          `${fn}: ${market.symbol}: more than ${maxPages} pages for ${interval} bars from ${new Date(fromMs).toISOString()}; the exchange returns more bars than the interval allows`,
        );
      const rows: OHLCV[] = await call(`fetchOHLCV ${market.symbol} ${interval} from ${new Date(cursor).toISOString()}`, () =>
        exchange.fetchOHLCV(market.symbol, interval, cursor, pageLimit, { until: untilMs }),
      );
      if (signal?.aborted) throw abortError(signal);
      const page: Bar[] = [];
      for (const row of rows) {
        const ts = Number(row[0]);
        if (ts < cursor || ts > untilMs) continue;
        page.push({
          symbol: storeSymbol,
          interval,
          ts,
          open: Number(row[1]),
          high: Number(row[2]),
          low: Number(row[3]),
          close: Number(row[4]),
          volume: row[5] === undefined || row[5] === null ? Number.NaN : Number(row[5]),
        });
      }
      if (page.length === 0) break;
      const written = await store.upsertBars(page, { source: `ccxt:${options.exchange}` });
      pages++;
      bars += page.length;
      inserted += written.inserted;
      updated += written.updated;
      lastMs = page[page.length - 1].ts;
      cursor = lastMs + 1;
      progress();
      if (rows.length < pageLimit) break;
    }
    if (pages === 0) progress();
    summaries.push({ symbol: market.symbol, storeSymbol, fromMs, resumed, pages, bars, inserted, updated, lastMs });
  }
  return { exchange: options.exchange, interval, untilMs, symbols: summaries, requests, retries };
}
