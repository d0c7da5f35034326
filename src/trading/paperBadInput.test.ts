import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { KlineIntake } from "./KlineIntake.js";
import { PaperSession } from "./PaperSession.js";
import { startGateway } from "../gateway/startGateway.js";
import { backtestOf, expectedFills, klineMessages, parityBars, parityConfigs } from "./testSupport.js";

const bars = parityBars();
const messages = klineMessages(bars);
const times = [...new Set(bars.map((b) => b.ts))];
const ys = bars.filter((b) => b.symbol === "EWG").map((b) => b.close);
const xs = bars.filter((b) => b.symbol === "EWQ").map((b) => b.close);
const config = { ...parityConfigs(times)[0], startTime: undefined, endTime: undefined };

/** The message `base` with its kline fields changed. */
function tamper(base: string, k: Record<string, unknown>): string {
  const event = JSON.parse(base);
  return JSON.stringify({ ...event, k: { ...event.k, ...k } });
}

describe("market-data intake rejects and counts malformed messages", () => {
  const first = messages[0];
  const cases: [string, string, string][] = [
    ["NaN close", tamper(first, { c: "NaN" }), "price"],
    ["negative close", tamper(first, { c: "-35.39" }), "price"],
    ["zero low", tamper(first, { l: "0" }), "price"],
    ["close not a number", tamper(first, { c: "abc" }), "price"],
    ["unknown symbol", tamper(first, { s: "BTCUSDT" }), "symbol"],
    ["truncated JSON", first.slice(0, first.length - 7), "json"],
    ["not a kline event", JSON.stringify({ e: "trade", s: "EWG" }), "shape"],
    ["open time not an integer", tamper(first, { t: "yesterday" }), "shape"],
  ];
  for (const [title, message, reason] of cases) {
    it(`${title} → rejected as "${reason}", message names the problem`, () => {
      const intake = new KlineIntake("EWG", "EWQ");
      const outcome = intake.accept(message);
      expect(outcome.kind).toBe("rejected");
      expect(outcome.kind === "rejected" && outcome.reason).toBe(reason);
      expect(intake.rejected[reason as never]).toBe(1);
    });
  }

  it("duplicate and out-of-order bars are rejected; unclosed klines ignored; legs pair by open time", () => {
    const intake = new KlineIntake("EWG", "EWQ");
    expect(intake.accept(messages[0]).kind).toBe("leg");
    expect(intake.accept(messages[0])).toMatchObject({ kind: "rejected", reason: "duplicate" });
    expect(intake.accept(messages[1]).kind).toBe("pair");
    expect(intake.accept(messages[2]).kind).toBe("leg");
    expect(intake.accept(messages[0])).toMatchObject({ kind: "rejected", reason: "outOfOrder" });
    expect(intake.accept(tamper(messages[3], { x: false })).kind).toBe("ignored");
    expect(intake.rejectedCount).toBe(2);
  });

  it("a session fed the replay with every kind of bad message interleaved trades exactly as the backtest", async () => {
    const session = await PaperSession.open({ statePath: ":memory:" });
    await session.start(config);
    let injected = 0;
    for (let i = 0; i < messages.length; i++) {
      session.ingest(config.id, messages[i]);
      if (i % 50 === 1) {
        // after a pair is complete: garbage that would change the trades if it were accepted
        const bad = [
          tamper(messages[i], { c: "NaN" }),
          tamper(messages[i], { c: "-1" }),
          tamper(messages[i], { c: "1000" }), // duplicate bar with another price
          tamper(messages[i], { t: JSON.parse(messages[i]).k.t - 120_000, c: "1" }),
          tamper(messages[i], { s: "SPY" }),
          messages[i].slice(0, 40),
        ];
        for (const m of bad) session.ingest(config.id, m);
        injected += bad.length;
      }
    }
    await session.idle();
    const fills = (await session.state.fills()).map((f) => ({ symbol: f.symbol, quantity: f.quantity, price: f.price, ts: f.ts }));
    const backtest = backtestOf(config, ys, xs);
    // the backtest closes the open trade at the end; the live strategy still holds it: compare the common part
    const expected = expectedFills(backtest, config, times);
    expect(fills).toEqual(expected.slice(0, fills.length));
    expect(fills.length).toBeGreaterThanOrEqual(expected.length - 2);
    const rejected = session.strategies()[0].rejected;
    expect(rejected.price + rejected.duplicate + rejected.outOfOrder + rejected.symbol + rejected.json).toBe(injected);
    expect(rejected.json).toBe(injected / 6);
    const metric = await session.metrics.registry.getSingleMetricAsString("arblab_paper_marketdata_rejected_total");
    expect(metric).toContain(`reason="json"} ${injected / 6}`);
    await session.close();
  });
});

describe("gateway: bad requests get 4xx naming the field, never 5xx; the engine keeps running", () => {
  it("auth, unknown routes, bad JSON, wrong types, engine validation; then a valid strategy still trades", async () => {
    const session = await PaperSession.open({ statePath: ":memory:" });
    const token = "gateway-test-token-0123456789";
    const gateway = await startGateway({ session, token, port: 0 });
    const auth = { authorization: `Bearer ${token}` };
    const call = async (method: string, path: string, body?: string, headers: Record<string, string> = auth) => {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        body,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      });
      return { status: response.status, body: (await response.json()) as { message: string } };
    };
    const valid = JSON.stringify(config);
    const bad: [string, string, string, string | undefined, Record<string, string> | undefined, number, RegExp][] = [
      ["missing token", "GET", "/api/strategies", undefined, {}, 401, /Authorization is missing/],
      ["wrong token", "GET", "/api/strategies", undefined, { authorization: "Bearer nope-nope-nope-nope" }, 401, /token .* wrong/],
      ["malformed header", "GET", "/api/fills", undefined, { authorization: "Basic abc" }, 401, /Bearer <token>/],
      ["unknown route", "GET", "/api/nothing", undefined, auth, 404, /no route GET \/api\/nothing/],
      ["bad JSON", "POST", "/api/strategies", '{"id": ', auth, 400, /body.*JSON/],
      ["empty body", "POST", "/api/strategies", "", auth, 400, /body/],
      ["id of the wrong type", "POST", "/api/strategies", JSON.stringify({ ...config, id: 5 }), auth, 400, /body\.id must be string/],
      ["missing hedge", "POST", "/api/strategies", JSON.stringify({ ...config, hedge: undefined }), auth, 400, /required property 'hedge'/],
      ["unknown property", "POST", "/api/strategies", JSON.stringify({ ...config, leverage: 3 }), auth, 400, /unknown property 'leverage'/],
      [
        "capital a string",
        "POST",
        "/api/strategies",
        JSON.stringify({ ...config, capital: "lots" }),
        auth,
        400,
        /body\.capital must be number/,
      ],
      [
        "rule the engine refuses",
        "POST",
        "/api/strategies",
        JSON.stringify({ ...config, rule: { kind: "zscore", entry: -1, exit: 0, window: { type: "rolling", length: 20 } } }),
        auth,
        400,
        /rule\.entry/,
      ],
      ["stop of an unknown strategy", "POST", "/api/strategies/ghost/stop", undefined, auth, 404, /params\.id: no strategy "ghost"/],
    ];
    try {
      for (const [title, method, path, body, headers, status, message] of bad) {
        const response = await call(method, path, body, headers);
        expect(response.status, `${title}: ${JSON.stringify(response.body)}`).toBe(status);
        expect(response.body.message, title).toMatch(message);
      }
      expect((await call("GET", "/health", undefined, {})).status).toBe(200);
      // the engine keeps running: a valid strategy starts, trades, is listed and stopped
      expect((await call("POST", "/api/strategies", valid)).status).toBe(201);
      expect((await call("POST", "/api/strategies", JSON.stringify({ ...config, capital: 5 }))).status).toBe(409);
      const pushed: string[] = [];
      const socket = new WebSocket(`${gateway.url.replace("http", "ws")}/ws?token=${token}`);
      await new Promise((resolve, reject) => {
        socket.on("open", resolve);
        socket.on("error", reject);
      });
      socket.on("message", (data) => pushed.push(JSON.parse(String(data)).type));
      for (const m of messages) session.ingest(config.id, m);
      await session.idle();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(pushed).toContain("fill");
      expect(pushed).toContain("pnl");
      const fills = (await call("GET", "/api/fills")).body as unknown as { fills: unknown[] };
      expect(fills.fills.length).toBeGreaterThan(0);
      expect((await call("POST", `/api/strategies/${config.id}/stop`)).status).toBe(200);
      const listed = (await call("GET", "/api/strategies")).body as unknown as { strategies: { status: string }[] };
      expect(listed.strategies[0].status).toBe("stopped");
      const refused = await new Promise<number>((resolve) => {
        const s = new WebSocket(`${gateway.url.replace("http", "ws")}/ws`);
        s.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        s.on("open", () => resolve(101));
        s.on("error", () => undefined);
      });
      expect(refused, "/ws without a token").toBe(401);
      socket.close();
    } finally {
      await gateway.close();
      await session.close();
    }
  }, 30_000);
});
