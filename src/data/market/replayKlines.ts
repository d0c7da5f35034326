/**
 * Replay of stored bars as Binance kline stream events, for the market-data service's WebSocket
 * endpoints (message format: README "Market-data service"; klineFormat.ts has the fields).
 *
 * Several streams are merged by bar open time (ties in the order the streams were named). Each bar
 * is sent once, as a closed kline (k.x = true), with event time E = the bar's closeTime + 1 on the
 * simulated clock. The simulated clock runs `speed` times faster than the wall clock from the first
 * event: the event of a bar closing Δ ms (simulated) after the first one is sent Δ / speed ms
 * (wall) after it. When the client reads slower than that, sending waits for the socket (backpressure)
 * and the schedule slips rather than buffering without bound. The replay is bounded by endTime
 * (default: the store's last bar when the replay starts) and stops as soon as `signal` aborts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { barCloseTime, type BinanceInterval } from "./binanceIntervals.js";
import { klineEvent, type KlineBar } from "./klineFormat.js";
import type { MarketDataStore } from "./types.js";

/** Bars read from the store per stream and query. */
export const REPLAY_PAGE_BARS = 1000;
/** Replay speeds accepted (× wall clock). */
export const MIN_REPLAY_SPEED = 1;
export const MAX_REPLAY_SPEED = 10_000;
/** Wall-clock lag below which the replay does not sleep (timer granularity). */
const MIN_SLEEP_MS = 2;

export interface ReplayStream {
  /** Stream name as the client wrote it, e.g. "btcusdt@kline_1m". */
  readonly name: string;
  /** Stored symbol, e.g. "BTCUSDT". */
  readonly symbol: string;
  readonly interval: BinanceInterval;
}

export interface ReplayOptions {
  readonly streams: readonly ReplayStream[];
  /** First bar open time replayed (inclusive, epoch ms). */
  readonly startTime: number;
  /** Last bar open time replayed (inclusive, epoch ms). */
  readonly endTime: number;
  /** × wall clock, MIN_REPLAY_SPEED … MAX_REPLAY_SPEED. */
  readonly speed: number;
  /** Wrap each event as { stream, data } (Binance's combined-stream format). */
  readonly combined: boolean;
  /** Sends one text message, resolving when the transport can take more (backpressure). */
  readonly send: (message: string) => Promise<void>;
  readonly signal: AbortSignal;
  /** Wall clock, injectable for tests. */
  readonly now?: () => number;
}

/** How a replay ended. */
export interface ReplaySummary {
  readonly eventsSent: number;
  /** True when every bar up to endTime was sent; false when aborted. */
  readonly completed: boolean;
}

/** One stream's read cursor over the store. */
class StreamCursor {
  #buffer: readonly KlineBar[] = [];
  #index = 0;
  #nextStart: number;
  #exhausted = false;

  constructor(
    readonly stream: ReplayStream,
    startTime: number,
    readonly endTime: number,
    readonly store: MarketDataStore,
  ) {
    this.#nextStart = startTime;
  }

  /** The next bar, reading a page when the buffer is empty; null at the end. */
  async peek(): Promise<KlineBar | null> {
    if (this.#index < this.#buffer.length) return this.#buffer[this.#index];
    if (this.#exhausted) return null;
    const page = await this.store.queryBars({
      symbol: this.stream.symbol,
      interval: this.stream.interval,
      startMs: this.#nextStart,
      endMs: this.endTime,
      limit: REPLAY_PAGE_BARS,
    });
    this.#buffer = page;
    this.#index = 0;
    if (page.length < REPLAY_PAGE_BARS) this.#exhausted = true;
    if (page.length === 0) return null;
    this.#nextStart = page[page.length - 1].ts + 1;
    return page[0];
  }

  advance(): void {
    this.#index++;
  }
}

export async function replayKlines(store: MarketDataStore, options: ReplayOptions): Promise<ReplaySummary> {
  const { streams, speed, signal, send, combined } = options;
  const now = options.now ?? Date.now;
  const cursors = streams.map((stream) => new StreamCursor(stream, options.startTime, options.endTime, store));
  let eventsSent = 0;
  let firstEventTime: number | null = null;
  let wallStart = 0;
  // Bounded: each pass consumes one bar, and every stream's bars end at endTime.
  while (!signal.aborted) {
    let best: StreamCursor | null = null;
    let bestBar: KlineBar | null = null;
    for (const cursor of cursors) {
      const bar = await cursor.peek();
      if (bar !== null && (bestBar === null || bar.ts < bestBar.ts)) {
        best = cursor;
        bestBar = bar;
      }
    }
    if (best === null || bestBar === null) return { eventsSent, completed: true };
    if (signal.aborted) break;
    const eventTime = barCloseTime(bestBar.ts, best.stream.interval) + 1;
    if (firstEventTime === null) {
      firstEventTime = eventTime;
      wallStart = now();
    }
    const due = wallStart + (eventTime - firstEventTime) / speed;
    const wait = due - now();
    if (wait >= MIN_SLEEP_MS) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        break; // aborted while waiting
      }
    }
    const event = klineEvent(bestBar, best.stream.interval, eventTime);
    await send(JSON.stringify(combined ? { stream: best.stream.name, data: event } : event));
    eventsSent++;
    best.advance();
  }
  return { eventsSent, completed: false };
}
