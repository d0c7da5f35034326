import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { Store, type Bar } from "../store/Store.js";
import { barCloseTime } from "./binanceIntervals.js";
import type { KlineEvent } from "./klineFormat.js";
import { startMarketDataService, type RunningMarketDataService } from "./startMarketDataService.js";
import { bundledEtfBars, syntheticBars } from "./testSupport.js";

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const BTC_BARS = 2500;

let dir: string;
let store: Store;
let service: RunningMarketDataService;
let btc: Bar[];
let eth: Bar[];

async function get(path: string): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${service.url}${path}`);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Every event of a replay, and how the socket closed (or the HTTP status when the upgrade was refused). */
function replay(path: string): Promise<{ messages: any[]; closeCode: number | null; httpStatus: number | null; httpBody: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${service.url.replace("http", "ws")}${path}`);
    const messages: any[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    socket.on("close", (code) => resolve({ messages, closeCode: code, httpStatus: null, httpBody: "" }));
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk));
      response.on("end", () => resolve({ messages, closeCode: null, httpStatus: response.statusCode ?? 0, httpBody: body }));
    });
    socket.on("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arblab-market-"));
  store = await Store.open(join(dir, "store.duckdb"));
  btc = syntheticBars("BTCUSDT", "1m", T0, BTC_BARS, { seed: 1, startPrice: 42_000 });
  eth = syntheticBars("ETHUSDT", "1m", T0 + 30 * MINUTE, 100, { seed: 2, startPrice: 2_300 });
  await store.upsertBars([...btc, ...eth], { source: "test" });
  await store.upsertBars(bundledEtfBars(["EFA", "VPL"], 60), { source: "data/stock_prices.csv" });
  service = await startMarketDataService({ store, port: 0, weightLimit: 100_000 });
});

afterAll(async () => {
  await service?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("market-data service REST (Binance spot format)", () => {
  it("GET /api/v3/klines: 12-field rows whose strings parse back to the stored bars; default limit 500 = the most recent bars", async () => {
    const { status, body } = await get("/api/v3/klines?symbol=BTCUSDT&interval=1m");
    expect(status).toBe(200);
    expect(body).toHaveLength(500);
    const expected = btc.slice(BTC_BARS - 500);
    body.forEach((row: unknown[], i: number) => {
      const bar = expected[i];
      expect(row).toHaveLength(12);
      expect(row[0]).toBe(bar.ts);
      expect(row.slice(1, 6).map(Number)).toEqual([bar.open, bar.high, bar.low, bar.close, bar.volume]);
      expect(row[6]).toBe(bar.ts + MINUTE - 1);
      expect(typeof row[1]).toBe("string");
    });
  });

  it("startTime selects the first `limit` bars from there; endTime alone the last ones up to it (inclusive bounds)", async () => {
    const start = btc[100].ts;
    const fromStart = (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${start}&limit=1000`)).body;
    expect(fromStart).toHaveLength(1000);
    expect(fromStart[0][0]).toBe(start);
    expect(fromStart[999][0]).toBe(btc[1099].ts);
    const both = (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${start}&endTime=${btc[109].ts}`)).body;
    expect(both.map((r: number[]) => r[0])).toEqual(btc.slice(100, 110).map((b) => b.ts));
    const upTo = (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime=${btc[1500].ts + 59_999}&limit=7`)).body;
    expect(upTo.map((r: number[]) => r[0])).toEqual(btc.slice(1494, 1501).map((b) => b.ts));
    const early = (await get(`/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime=${btc[3].ts}&limit=50`)).body;
    expect(early).toHaveLength(4);
    expect((await get(`/api/v3/klines?symbol=BTCUSDT&interval=1h`)).body).toEqual([]);
  });

  it('serves bundled equities under their own tickers, unknown volume as "0", daily closeTime', async () => {
    const rows = (await get("/api/v3/klines?symbol=EFA&interval=1d&limit=3&startTime=0")).body;
    expect(rows).toHaveLength(3);
    expect(rows[0][0]).toBe(Date.UTC(2008, 0, 2));
    expect(rows[0][5]).toBe("0.00000000");
    expect(rows[0][6]).toBe(barCloseTime(Date.UTC(2008, 0, 2), "1d"));
  });

  it("exchangeInfo lists stored symbols with base/quote split as Binance does (BTCUSDT → BTC/USDT, EFA → EFA/USD)", async () => {
    const { body } = await get("/api/v3/exchangeInfo");
    const bySymbol = Object.fromEntries(body.symbols.map((s: any) => [s.symbol, s]));
    expect(Object.keys(bySymbol).sort()).toEqual(["BTCUSDT", "EFA", "ETHUSDT", "VPL"]);
    expect([bySymbol.BTCUSDT.baseAsset, bySymbol.BTCUSDT.quoteAsset]).toEqual(["BTC", "USDT"]);
    expect([bySymbol.EFA.baseAsset, bySymbol.EFA.quoteAsset]).toEqual(["EFA", "USD"]);
    expect(bySymbol.EFA.arblabIntervals).toEqual(["1d"]);
    expect(body.rateLimits[0]).toMatchObject({ rateLimitType: "REQUEST_WEIGHT", limit: 100_000 });
    expect((await get('/api/v3/exchangeInfo?symbols=["ETHUSDT"]')).body.symbols.map((s: any) => s.symbol)).toEqual(["ETHUSDT"]);
  });

  it("depth: a deterministic book from the last bar, best bid < close < best ask, `limit` levels, weight by limit", async () => {
    const a = await get("/api/v3/depth?symbol=BTCUSDT&limit=5");
    const b = await get("/api/v3/depth?symbol=BTCUSDT&limit=5");
    expect(a.body).toEqual(b.body);
    const last = btc[BTC_BARS - 1];
    expect(a.body.lastUpdateId).toBe(last.ts);
    expect(a.body.bids).toHaveLength(5);
    expect(Number(a.body.bids[0][0])).toBeLessThan(last.close);
    expect(Number(a.body.asks[0][0])).toBeGreaterThan(last.close);
    expect(Number(a.body.bids[0][1])).toBeCloseTo(last.volume / 1000, 12);
    const before = Number(b.headers.get("x-mbx-used-weight-1m"));
    const big = await get("/api/v3/depth?symbol=BTCUSDT&limit=1000");
    const after = Number(big.headers.get("x-mbx-used-weight-1m"));
    // Weight 50 for 501–1000 levels; `after` is 50 alone if the minute window rolled over in between.
    expect(after > before ? after - before : after).toBe(50);
    const atTime = await get(`/api/v3/depth?symbol=BTCUSDT&limit=1&time=${btc[10].ts}`);
    expect(atTime.body.lastUpdateId).toBe(btc[10].ts);
  });

  it("ping, time and health", async () => {
    expect((await get("/api/v3/ping")).body).toEqual({});
    const time = (await get("/api/v3/time")).body.serverTime;
    expect(Math.abs(time - Date.now())).toBeLessThan(5000);
    expect((await get("/health")).body).toMatchObject({ status: "ok", symbols: 4 });
  });
});

describe("market-data service bad requests: HTTP 400, Binance {code, msg}, the message names the parameter", () => {
  const cases: [string, string, number, RegExp][] = [
    ["missing symbol", "/api/v3/klines?interval=1m", -1102, /'symbol'/],
    ["missing interval", "/api/v3/klines?symbol=BTCUSDT", -1102, /'interval'/],
    ["unknown interval", "/api/v3/klines?symbol=BTCUSDT&interval=2m", -1120, /'interval'.*'2m'/],
    ["unknown symbol", "/api/v3/klines?symbol=NOPE&interval=1m", -1121, /'symbol'.*'NOPE'/],
    ["symbol syntax", "/api/v3/klines?symbol=BTC%20USDT&interval=1m", -1100, /'symbol'/],
    ["non-numeric startTime", "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=yesterday", -1100, /'startTime'/],
    ["negative endTime", "/api/v3/klines?symbol=BTCUSDT&interval=1m&endTime=-5", -1100, /'endTime'/],
    ["startTime after endTime", "/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=20&endTime=10", -1130, /'endTime'/],
    ["limit 0", "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=0", -1130, /'limit'/],
    ["limit above 1000", "/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1001", -1130, /'limit'.*1000/],
    ["unknown parameter", "/api/v3/klines?symbol=BTCUSDT&interval=1m&start=1", -1104, /'start'/],
    ["repeated parameter", "/api/v3/klines?symbol=BTCUSDT&symbol=ETHUSDT&interval=1m", -1101, /'symbol'/],
    ["non-UTC timeZone", "/api/v3/klines?symbol=BTCUSDT&interval=1m&timeZone=8", -1130, /'timeZone'/],
    ["depth limit above 5000", "/api/v3/depth?symbol=BTCUSDT&limit=5001", -1130, /'limit'/],
    ["depth before the first bar", "/api/v3/depth?symbol=BTCUSDT&time=5", -1130, /'time'/],
    ["exchangeInfo symbols not JSON", "/api/v3/exchangeInfo?symbols=BTCUSDT", -1130, /'symbols'/],
    ["exchangeInfo unknown symbol", "/api/v3/exchangeInfo?symbol=NOPE", -1121, /'symbol'/],
  ];
  for (const [title, path, code, message] of cases) {
    it(title, async () => {
      const { status, body } = await get(path);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(body.code, JSON.stringify(body)).toBe(code);
      expect(body.msg).toMatch(message);
    });
  }

  it("an unknown endpoint is a 404 in the same format", async () => {
    const { status, body } = await get("/api/v3/nothing");
    expect(status).toBe(404);
    expect(body.code).toBe(-1000);
  });
});

describe("market-data service rate limit", () => {
  it("answers 429 with Retry-After and code -1003 once a client exceeds its weight budget, then recovers", async () => {
    const limited = await startMarketDataService({ store, port: 0, weightLimit: 5, weightWindowMs: 1000 });
    try {
      const statuses: number[] = [];
      let rejected: Response | null = null;
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${limited.url}/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1`);
        statuses.push(response.status);
        if (response.status === 429) rejected = response;
        else await response.json();
      }
      // Weight 2 per klines call, budget 5: two pass, then 429 until the window resets
      // (unless the 1 s window rolled over in between, which shifts but does not remove the 429).
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
      expect(rejected).not.toBeNull();
      expect(Number(rejected!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(rejected!.headers.get("x-mbx-used-weight-1m")).toBe("4");
      expect((await rejected!.json()).code).toBe(-1003);
      await new Promise((r) => setTimeout(r, 1000 * Number(rejected!.headers.get("retry-after"))));
      expect((await fetch(`${limited.url}/api/v3/ping`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("market-data service kline replay (WebSocket)", () => {
  it("replays a range as closed Binance kline events in order at ×10 000, then closes with 1000", async () => {
    const start = btc[0].ts;
    const end = btc[59].ts;
    const { messages, closeCode } = await replay(`/ws/btcusdt@kline_1m?startTime=${start}&endTime=${end}&speed=10000`);
    expect(closeCode).toBe(1000);
    expect(messages).toHaveLength(60);
    messages.forEach((event: KlineEvent, i) => {
      const bar = btc[i];
      expect(event.e).toBe("kline");
      expect(event.s).toBe("BTCUSDT");
      expect(event.E).toBe(bar.ts + MINUTE);
      expect(event.k).toMatchObject({ t: bar.ts, T: bar.ts + MINUTE - 1, i: "1m", x: true, s: "BTCUSDT" });
      expect([event.k.o, event.k.h, event.k.l, event.k.c, event.k.v].map(Number)).toEqual([
        bar.open,
        bar.high,
        bar.low,
        bar.close,
        bar.volume,
      ]);
    });
  });

  it("paces by speed: 30 one-minute bars at ×3600 take about 0.5 s", async () => {
    const began = Date.now();
    const { messages } = await replay(`/ws/btcusdt@kline_1m?startTime=${btc[0].ts}&endTime=${btc[29].ts}&speed=3600`);
    const elapsed = Date.now() - began;
    expect(messages).toHaveLength(30);
    // 29 minutes of simulated time / 3600 = 483 ms between the first and the last event.
    expect(elapsed).toBeGreaterThanOrEqual(480);
  });

  it("combined streams merge symbols by open time and wrap events as {stream, data}", async () => {
    const from = T0 + 25 * MINUTE;
    const to = T0 + 34 * MINUTE;
    const { messages } = await replay(`/stream?streams=btcusdt@kline_1m/ethusdt@kline_1m&startTime=${from}&endTime=${to}&speed=10000`);
    expect(messages).toHaveLength(10 + 5);
    const opens = messages.map((m) => m.data.k.t);
    expect([...opens].sort((a, b) => a - b)).toEqual(opens);
    expect(messages.filter((m) => m.stream === "ethusdt@kline_1m").map((m) => m.data.s)).toEqual(Array(5).fill("ETHUSDT"));
  });

  it("refuses bad replay requests with HTTP 400 naming the parameter", async () => {
    const bad: [string, RegExp][] = [
      [`/ws/btcusdt@kline_1m?speed=20000`, /'speed'/],
      [`/ws/btcusdt@kline_1m?speed=fast`, /'speed'/],
      [`/ws/nope@kline_1m`, /'path'.*'nope'/],
      [`/ws/btcusdt@kline_7m`, /'interval'/],
      [`/ws/btcusdt@trade`, /'path'/],
      [`/stream?speed=2`, /'streams'/],
      [`/ws/btcusdt@kline_1m?startTime=abc`, /'startTime'/],
    ];
    for (const [path, message] of bad) {
      const result = await replay(path);
      expect(result.httpStatus, path).toBe(400);
      expect(JSON.parse(result.httpBody).msg, path).toMatch(message);
    }
  });

  it("stops replaying when the client goes away", async () => {
    const socket = new WebSocket(`${service.url.replace("http", "ws")}/ws/btcusdt@kline_1m?startTime=${T0}&speed=1`);
    await new Promise((resolve, reject) => {
      socket.on("open", resolve);
      socket.on("error", reject);
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await get("/health")).body.replays).toBe(1);
    socket.terminate();
    let replays = 1;
    for (let i = 0; i < 250 && replays > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      replays = (await get("/health")).body.replays;
    }
    expect(replays).toBe(0);
  });
});
