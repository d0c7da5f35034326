import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { Store, type Bar } from "../store/Store.js";
import { startMarketDataService, type RunningMarketDataService } from "../market/startMarketDataService.js";
import { bundledEtfBars, syntheticBars } from "../market/testSupport.js";
import { binanceUrlsFor, ingestExchange, IngestExchangeError, type IngestProgress } from "./ingestExchange.js";

const T0 = Date.UTC(2024, 0, 1);
const BTC_BARS = 2500; // three pages of 1000

let dir: string;
let source: Store;
let service: RunningMarketDataService;
let btc: Bar[];
let target: Store;
let targetIndex = 0;

/** The bars of one symbol in a store as plain rows; an unknown volume (NaN) as 0, which is how the service sends it. */
async function storedBars(store: Store, symbol: string, interval: string): Promise<unknown[]> {
  return (await store.queryBars({ symbol, interval })).map((b) => [
    b.ts,
    b.open,
    b.high,
    b.low,
    b.close,
    Number.isNaN(b.volume) ? 0 : b.volume,
  ]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arblab-ingest-"));
  source = await Store.open(join(dir, "source.duckdb"));
  btc = syntheticBars("BTCUSDT", "1m", T0, BTC_BARS, { seed: 7, startPrice: 42_000 });
  await source.upsertBars(btc, { source: "test" });
  await source.upsertBars(bundledEtfBars(["EFA", "VPL"], 300), { source: "data/stock_prices.csv" });
  service = await startMarketDataService({ store: source, port: 0 });
});

afterAll(async () => {
  await service?.close();
  await source?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  target = await Store.open(join(dir, `target-${targetIndex++}.duckdb`));
});

afterEach(async () => {
  await target.close();
});

describe("ingestExchange through ccxt against the local market-data service", () => {
  it("paginates across 3 pages, stores every bar exactly once under the venue id, and a second run adds nothing", async () => {
    const progress: IngestProgress[] = [];
    const first = await ingestExchange({
      exchange: "binance",
      symbols: ["BTC/USDT"],
      interval: "1m",
      since: T0,
      until: btc[BTC_BARS - 1].ts,
      store: target,
      urls: binanceUrlsFor(service.url),
      onProgress: (p) => progress.push(p),
    });
    expect(first.symbols[0]).toMatchObject({
      symbol: "BTC/USDT",
      storeSymbol: "BTCUSDT",
      pages: 3,
      bars: BTC_BARS,
      inserted: BTC_BARS,
      updated: 0,
      resumed: false,
    });
    expect(progress.map((p) => p.bars)).toEqual([1000, 2000, 2500]);
    expect(await storedBars(target, "BTCUSDT", "1m")).toEqual(await storedBars(source, "BTCUSDT", "1m"));

    const again = await ingestExchange({
      exchange: "binance",
      symbols: ["BTCUSDT"],
      interval: "1m",
      since: T0,
      until: btc[BTC_BARS - 1].ts,
      store: target,
      urls: binanceUrlsFor(service.url),
    });
    // Resumes from the last stored bar (fetched again, unchanged): nothing new, no duplicates.
    expect(again.symbols[0]).toMatchObject({ resumed: true, fromMs: btc[BTC_BARS - 1].ts, bars: 1, inserted: 0, updated: 0 });
    expect(await target.queryBars({ symbol: "BTCUSDT", interval: "1m" })).toHaveLength(BTC_BARS);
  });

  it("ingests bundled equities served under their own tickers (EFA/USD → EFA), daily bars", async () => {
    const result = await ingestExchange({
      exchange: "binance",
      symbols: ["EFA/USD", "VPL"],
      interval: "1d",
      since: 0,
      store: target,
      urls: binanceUrlsFor(service.url),
      pageLimit: 120,
    });
    expect(result.symbols.map((s) => [s.storeSymbol, s.pages, s.bars])).toEqual([
      ["EFA", 3, 300],
      ["VPL", 3, 300],
    ]);
    expect(await storedBars(target, "EFA", "1d")).toEqual(await storedBars(source, "EFA", "1d"));
  });

  it("resumes after an interruption (abort after the first page) from the last stored bar, without duplicates", async () => {
    const controller = new AbortController();
    const options = {
      exchange: "binance",
      symbols: ["BTC/USDT"],
      interval: "1m",
      since: T0,
      until: btc[BTC_BARS - 1].ts,
      store: target,
      urls: binanceUrlsFor(service.url),
    };
    await expect(
      ingestExchange({
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.pages === 1) controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(await target.queryBars({ symbol: "BTCUSDT", interval: "1m" })).toHaveLength(1000);
    const resumed = await ingestExchange(options);
    expect(resumed.symbols[0]).toMatchObject({ resumed: true, fromMs: btc[999].ts, inserted: BTC_BARS - 1000, updated: 0 });
    expect(await storedBars(target, "BTCUSDT", "1m")).toEqual(await storedBars(source, "BTCUSDT", "1m"));
  });

  it("fills history before the stored bars when asked for a range that ends before them (no resume)", async () => {
    const options = { exchange: "binance", symbols: ["BTC/USDT"], interval: "1m", store: target, urls: binanceUrlsFor(service.url) };
    await ingestExchange({ ...options, since: btc[2000].ts, until: btc[BTC_BARS - 1].ts });
    const backfill = await ingestExchange({ ...options, since: T0, until: btc[1999].ts });
    expect(backfill.symbols[0]).toMatchObject({ resumed: false, fromMs: T0, inserted: 2000, updated: 0 });
    expect(await storedBars(target, "BTCUSDT", "1m")).toEqual(await storedBars(source, "BTCUSDT", "1m"));
  });

  it("answers a 429 (request-weight budget exceeded) by waiting Retry-After and retrying once", async () => {
    // Budget 25 per 5 s window: exchangeInfo (20) + two klines pages (2 each) fit, the third page gets 429.
    // The service's window clock starts a window now, so the four requests share it.
    const windowMs = 5000;
    const clockStart = Date.now();
    const clock = () => 1_000 * windowMs + (Date.now() - clockStart);
    const limited = await startMarketDataService({ store: source, port: 0, weightLimit: 25, weightWindowMs: windowMs, clock });
    try {
      const began = Date.now();
      const result = await ingestExchange({
        exchange: "binance",
        symbols: ["BTC/USDT"],
        interval: "1m",
        since: T0,
        until: btc[BTC_BARS - 1].ts,
        store: target,
        urls: binanceUrlsFor(limited.url),
        baseDelayMs: 10,
      });
      expect(result.retries).toBe(1);
      expect(result.requests).toBe(5); // loadMarkets, pages 1–3, the retried page 3
      expect(Date.now() - began).toBeGreaterThanOrEqual(1000); // waited Retry-After (whole seconds), not the 10 ms backoff
      expect(await storedBars(target, "BTCUSDT", "1m")).toEqual(await storedBars(source, "BTCUSDT", "1m"));
    } finally {
      await limited.close();
    }
  });

  it("gives up after maxAttempts on network errors (nothing listening), bounded", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
      });
    });
    const error = await ingestExchange({
      exchange: "binance",
      symbols: ["BTC/USDT"],
      interval: "1m",
      since: T0,
      store: target,
      urls: binanceUrlsFor(`http://127.0.0.1:${port}`),
      maxAttempts: 3,
      baseDelayMs: 5,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(IngestExchangeError);
    expect(error.message).toMatch(/loadMarkets failed after 3 attempts/);
  });

  it("rejects bad arguments naming them", async () => {
    const base = {
      exchange: "binance",
      symbols: ["BTC/USDT"],
      interval: "1m",
      since: T0,
      store: target,
      urls: binanceUrlsFor(service.url),
    };
    await expect(ingestExchange({ ...base, exchange: "nosuchvenue" })).rejects.toThrow(/exchange must be a ccxt exchange id/);
    await expect(ingestExchange({ ...base, interval: "7m" })).rejects.toThrow(/interval must be one of binance's timeframes.*"7m"/);
    await expect(ingestExchange({ ...base, symbols: ["DOGE/USDT"] })).rejects.toThrow(/symbols: binance has no market "DOGE\/USDT"/);
    await expect(ingestExchange({ ...base, symbols: [] })).rejects.toThrow(/symbols must be a non-empty list/);
    await expect(ingestExchange({ ...base, since: -1 })).rejects.toThrow(/since must be a non-negative integer/);
    await expect(ingestExchange({ ...base, until: T0 - 1 })).rejects.toThrow(/until must be >= since/);
  });
});
