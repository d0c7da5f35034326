/**
 * Market-data service and exchange connector (`npm run bench -- marketData`), all on loopback in
 * this process against real DuckDB stores in a temp directory:
 * 1. GET /api/v3/klines, limit 1000 (Binance's maximum page), random start times over 100,000
 *    stored 1m bars: sequential request latency p50 / p99 and bars served per second.
 * 2. ingestExchange through ccxt's binance (URLs pointed at the service) of the same 100,000 bars
 *    into a fresh store: 100 pages, wall time and bars/s. ccxt's own throttle (binance
 *    rateLimit 50 ms between requests) is part of what a real ingest costs, so it stays on.
 * 3. WebSocket replay pacing: 600 one-minute bars at ×10,000 are due over 599 × 6 ms = 3.594 s;
 *    the measured span from first to last event shows the scheduler's accuracy.
 * Sizes: BENCH_MARKET_BARS (100000), BENCH_KLINES_REQUESTS (300).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import type { BenchSection } from "./run.js";
import { median, percentile } from "./stats.js";
import { Store } from "../src/data/store/Store.js";
import { startMarketDataService } from "../src/data/market/startMarketDataService.js";
import { seededRandom, syntheticBars } from "../src/data/market/testSupport.js";
import { binanceUrlsFor, ingestExchange } from "../src/data/exchange/ingestExchange.js";

const BARS = Number(process.env.BENCH_MARKET_BARS ?? 100_000);
const KLINES_REQUESTS = Number(process.env.BENCH_KLINES_REQUESTS ?? 300);
const REPLAY_BARS = 600;
const REPLAY_SPEED = 10_000;
const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

export async function run(): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), "arblab-bench-market-"));
  const source = await Store.open(join(dir, "source.duckdb"));
  const target = await Store.open(join(dir, "target.duckdb"));
  const service = await startMarketDataService({ store: source, port: 0, weightLimit: 1_000_000_000 });
  try {
    await source.upsertBars(syntheticBars("BTCUSDT", "1m", T0, BARS, { seed: 1, startPrice: 42_000 }), { source: "bench" });

    // 1. klines pages
    const rng = seededRandom(2);
    const latencies: number[] = [];
    let served = 0;
    const klinesStart = performance.now();
    for (let i = 0; i < KLINES_REQUESTS + 20; i++) {
      const start = T0 + Math.floor(rng() * (BARS - 1000)) * MINUTE;
      const t0 = performance.now();
      const rows = (await (
        await fetch(`${service.url}/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${start}&limit=1000`)
      ).json()) as unknown[];
      if (i >= 20) {
        latencies.push(performance.now() - t0);
        served += rows.length;
      } // first 20: warm-up
      if (rows.length !== 1000) throw new Error(`klines bench: expected 1000 rows, got ${rows.length}`);
    }
    const klinesSeconds = (performance.now() - klinesStart) / 1000;
    const barsPerSecond = (served / latencies.reduce((a, b) => a + b, 0)) * 1000;

    // 2. ccxt ingest
    const ingestStart = performance.now();
    const result = await ingestExchange({
      exchange: "binance",
      symbols: ["BTC/USDT"],
      interval: "1m",
      since: T0,
      until: T0 + (BARS - 1) * MINUTE,
      store: target,
      urls: binanceUrlsFor(service.url),
    });
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    const stored = (await target.queryBars({ symbol: "BTCUSDT", interval: "1m" })).length;
    if (stored !== BARS) throw new Error(`ingest bench: stored ${stored} bars, expected ${BARS}`);

    // 3. replay pacing
    const eventTimes: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(
        `${service.url.replace("http", "ws")}/ws/btcusdt@kline_1m?startTime=${T0}&endTime=${T0 + (REPLAY_BARS - 1) * MINUTE}&speed=${REPLAY_SPEED}`,
      );
      socket.on("message", () => eventTimes.push(performance.now()));
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    if (eventTimes.length !== REPLAY_BARS) throw new Error(`replay bench: ${eventTimes.length} events, expected ${REPLAY_BARS}`);
    const dueSeconds = ((REPLAY_BARS - 1) * MINUTE) / REPLAY_SPEED / 1000;
    const spanSeconds = (eventTimes[eventTimes.length - 1] - eventTimes[0]) / 1000;
    const gaps = eventTimes.slice(1).map((t, i) => t - eventTimes[i]);

    const markdown = [
      `Stored: ${BARS.toLocaleString("en-US")} synthetic 1m bars of BTCUSDT in DuckDB; service on 127.0.0.1, same process.`,
      "",
      "| measurement | result |",
      "|---|---|",
      `| GET /api/v3/klines limit=1000, ${KLINES_REQUESTS} sequential requests | p50 ${median(latencies).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms; ${Math.round(barsPerSecond).toLocaleString("en-US")} bars/s (${klinesSeconds.toFixed(1)} s in all) |`,
      `| ccxt ingestExchange, ${result.symbols[0].pages} pages → fresh store | ${ingestSeconds.toFixed(1)} s, ${Math.round(BARS / ingestSeconds).toLocaleString("en-US")} bars/s (${result.requests} requests, ${result.retries} retries) |`,
      `| replay ${REPLAY_BARS} 1m bars at ×${REPLAY_SPEED.toLocaleString("en-US")} | first→last event ${spanSeconds.toFixed(3)} s vs ${dueSeconds.toFixed(3)} s due (${(((spanSeconds - dueSeconds) / dueSeconds) * 100).toFixed(1)} %); gap p50 ${median(gaps).toFixed(2)} ms, p99 ${percentile(gaps, 0.99).toFixed(2)} ms (6 ms due) |`,
      "",
      "No peer is named for these; the ingest includes ccxt's 50 ms request spacing (100 pages ≥ 5 s).",
    ].join("\n");
    return { title: "Market-data service and ccxt exchange connector", markdown };
  } finally {
    await service.close();
    await source.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
