import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../store/Store.js";
import { replayKlines } from "./replayKlines.js";
import { syntheticBars } from "./testSupport.js";

const T0 = Date.UTC(2024, 0, 1);
let store: Store;

beforeAll(async () => {
  store = await Store.open(":memory:");
  await store.upsertBars(syntheticBars("BTCUSDT", "1m", T0, 2500, { seed: 5, startPrice: 42_000 }), { source: "test" });
});

afterAll(async () => {
  await store.close();
});

/** A wall clock that jumps a day per reading, so the replay never has to wait. */
function racingClock(): () => number {
  let t = 0;
  return () => (t += 86_400_000);
}

const stream = { name: "btcusdt@kline_1m", symbol: "BTCUSDT", interval: "1m" as const };

describe("replayKlines", () => {
  it("pages through the store (2500 bars > one 1000-bar page) and sends every bar once, in order", async () => {
    const opens: number[] = [];
    const summary = await replayKlines(store, {
      streams: [stream],
      startTime: T0,
      endTime: T0 + 2499 * 60_000,
      speed: 10_000,
      combined: false,
      send: async (message) => {
        opens.push(JSON.parse(message).k.t);
      },
      signal: new AbortController().signal,
      now: racingClock(), // every event is already due: no sleeping
    });
    expect(summary).toEqual({ eventsSent: 2500, completed: true });
    expect(opens).toEqual(Array.from({ length: 2500 }, (_, i) => T0 + i * 60_000));
  });

  it("waits for a slow client (backpressure): never more than one send in flight", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const summary = await replayKlines(store, {
      streams: [stream],
      startTime: T0,
      endTime: T0 + 19 * 60_000,
      speed: 10_000,
      combined: false,
      now: racingClock(),
      send: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
      signal: new AbortController().signal,
    });
    expect(summary.eventsSent).toBe(20);
    expect(maxInFlight).toBe(1);
  });

  it("stops when the signal aborts, also while waiting for the next bar's time", async () => {
    const controller = new AbortController();
    let sent = 0;
    const began = Date.now();
    const pending = replayKlines(store, {
      streams: [stream],
      startTime: T0,
      endTime: T0 + 2499 * 60_000,
      speed: 1,
      combined: false, // one bar a minute
      send: async () => {
        sent++;
      },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toEqual({ eventsSent: 1, completed: false });
    expect(sent).toBe(1);
    expect(Date.now() - began).toBeLessThan(10_000);
  });
});
