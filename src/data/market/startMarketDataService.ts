/**
 * The market-data service: the original stack's mock API on port 8000, serving the store's bars
 * the way Binance spot does (REST under /api/v3, kline streams under /ws and /stream), so
 * exchange clients (ccxt, the paper-trading work) can be pointed at it unchanged. README
 * "Market-data service" documents every endpoint, the book model and the replay messages.
 *
 * REST (weights as Binance's): GET /api/v3/ping (1), /api/v3/time (1), /api/v3/exchangeInfo (20),
 * /api/v3/klines (2), /api/v3/depth (5 / 25 / 50 / 250 by limit); GET /health (not charged).
 * Every /api response carries X-MBX-USED-WEIGHT-1M; over the budget: 429, Retry-After, code -1003.
 * Bad parameters: 400 with Binance's {code, msg}, the message naming the parameter.
 */
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import websocket from "@fastify/websocket";
import type { WebSocket } from "ws";
import { syntheticBook } from "../../lib/market/syntheticBook.js";
import { BinanceApiError, invalidInterval, invalidParameterValue, invalidSymbol, illegalCharacters } from "./BinanceApiError.js";
import { BINANCE_INTERVALS, isBinanceInterval, type BinanceInterval } from "./binanceIntervals.js";
import { storedIntervals, symbolInfo } from "./exchangeInfo.js";
import { decimalString, klineRow, knownVolume } from "./klineFormat.js";
import { QueryParams, SYMBOL_SYNTAX, type RawQuery } from "./queryParams.js";
import { MAX_REPLAY_SPEED, MIN_REPLAY_SPEED, replayKlines, type ReplayStream } from "./replayKlines.js";
import { RequestWeightLimiter } from "./RequestWeightLimiter.js";
import { KLINES_DEFAULT_LIMIT, KLINES_MAX_LIMIT, selectKlines } from "./selectKlines.js";
import type { MarketDataStore } from "./types.js";
import { DEFAULT_MARKET_DATA_PORT, DEFAULT_WEIGHT_LIMIT, DEFAULT_WEIGHT_WINDOW_MS } from "./serviceDefaults.js";

/** Open replay sockets across all clients. */
export const DEFAULT_MAX_REPLAY_CONNECTIONS = 64;
/** Streams per replay connection. */
export const MAX_STREAMS_PER_CONNECTION = 64;
/** A replay whose client has not taken a message for this long is terminated. */
export const REPLAY_STALL_TIMEOUT_MS = 60_000;
/** Pending bytes on a replay socket above which sending waits for the socket to drain. */
const REPLAY_HIGH_WATER_BYTES = 1 << 20;
/** Binance spot's depth limits: default 100, max 5000. */
const DEPTH_DEFAULT_LIMIT = 100;
const DEPTH_MAX_LIMIT = 5000;
/** Binance's error for a failure that is not the client's. */
const INTERNAL_ERROR = { code: -1000, msg: "An unknown error occurred while processing the request." };

export interface MarketDataServiceOptions {
  readonly store: MarketDataStore;
  /** Bind host (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 8000; 0 = ephemeral). */
  readonly port?: number;
  /** Request weight per client and window (default 6000, Binance spot's). */
  readonly weightLimit?: number;
  /** Window of the weight budget in ms (default 60 000). */
  readonly weightWindowMs?: number;
  /** Open replay sockets (default 64). */
  readonly maxReplayConnections?: number;
  /** Clock of the weight windows (default Date.now; tests pass one whose windows start when they do). */
  readonly clock?: () => number;
  /** pino options for fastify's logger; false (default) = no logs. */
  readonly logger?: boolean | { level: string };
}

export interface RunningMarketDataService {
  readonly host: string;
  readonly port: number;
  /** "http://host:port". */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stop accepting, end the replays, close the server (the store stays open: the caller owns it). */
  close(): Promise<void>;
}

type WeightOf = (query: RawQuery) => number;

declare module "fastify" {
  interface FastifyContextConfig {
    weight?: WeightOf;
  }
}

function depthWeight(query: RawQuery): number {
  const raw = typeof query.limit === "string" ? Number(query.limit) : DEPTH_DEFAULT_LIMIT;
  const limit = Number.isFinite(raw) ? raw : DEPTH_DEFAULT_LIMIT;
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

async function requireStoredSymbol(store: MarketDataStore, symbol: string): Promise<void> {
  if (!(await store.listSymbols()).includes(symbol)) throw invalidSymbol(symbol);
}

function readInterval(params: QueryParams): BinanceInterval {
  const interval = params.requiredString("interval");
  if (!isBinanceInterval(interval)) throw invalidInterval(interval);
  return interval;
}

function readTimeRange(params: QueryParams): { startTime?: number; endTime?: number } {
  const startTime = params.optionalInteger("startTime");
  const endTime = params.optionalInteger("endTime");
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw invalidParameterValue("endTime", `must be >= startTime (${startTime}), got ${endTime}`);
  }
  return { startTime, endTime };
}

/** The finest stored interval of `symbol`, or null. */
async function finestInterval(store: MarketDataStore, symbol: string): Promise<BinanceInterval | null> {
  for (const interval of BINANCE_INTERVALS) if ((await store.lastBarTime(symbol, interval)) !== null) return interval;
  return null;
}

/** Parse "btcusdt@kline_1m" into a stream over a stored symbol (matched case-insensitively). */
function parseStreamName(name: string, stored: readonly string[], parameter: string): ReplayStream {
  const match = /^([^@]+)@kline_(.+)$/.exec(name);
  if (match === null) throw invalidParameterValue(parameter, `each stream must be <symbol>@kline_<interval>, got '${name}'`);
  const [, symbolPart, interval] = match;
  if (!SYMBOL_SYNTAX.test(symbolPart)) throw illegalCharacters(parameter, `<symbol>@kline_<interval>, symbol ${SYMBOL_SYNTAX.source}`);
  if (!isBinanceInterval(interval)) throw invalidInterval(interval);
  const symbol = stored.find((s) => s.toLowerCase() === symbolPart.toLowerCase());
  if (symbol === undefined) throw invalidSymbol(symbolPart, parameter);
  return { name, symbol, interval };
}

interface ReplayRequest {
  readonly streams: readonly ReplayStream[];
  readonly combined: boolean;
  readonly startTime: number;
  readonly endTime: number;
  readonly speed: number;
}

/** Validate a replay request (before the upgrade, so errors are plain HTTP 400s). */
async function parseReplayRequest(store: MarketDataStore, request: FastifyRequest): Promise<ReplayRequest> {
  const combined = request.url.startsWith("/stream");
  const query = request.query as RawQuery;
  const params = new QueryParams(query, combined ? ["streams", "startTime", "endTime", "speed"] : ["startTime", "endTime", "speed"]);
  const streamList = combined ? params.requiredString("streams") : (request.params as { "*": string })["*"];
  const parameter = combined ? "streams" : "path";
  const names = streamList.split("/").filter((s) => s !== "");
  if (names.length === 0) throw invalidParameterValue(parameter, "name at least one stream, e.g. btcusdt@kline_1m");
  if (names.length > MAX_STREAMS_PER_CONNECTION)
    throw invalidParameterValue(parameter, `at most ${MAX_STREAMS_PER_CONNECTION} streams per connection, got ${names.length}`);
  const stored = await store.listSymbols();
  const streams = names.map((name) => parseStreamName(name, stored, parameter));
  const range = readTimeRange(params);
  const speedText = params.optionalString("speed");
  const speed = speedText === undefined ? MIN_REPLAY_SPEED : Number(speedText);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(speedText ?? "1") || !(speed >= MIN_REPLAY_SPEED && speed <= MAX_REPLAY_SPEED)) {
    throw invalidParameterValue(
      "speed",
      `must be a number from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED} (× wall clock), got '${speedText}'`,
    );
  }
  let endTime = range.endTime;
  if (endTime === undefined) {
    endTime = 0;
    for (const s of streams) endTime = Math.max(endTime, (await store.lastBarTime(s.symbol, s.interval)) ?? 0);
  }
  return { streams, combined, startTime: range.startTime ?? 0, endTime, speed };
}

/** Send with backpressure: past the high-water mark, wait until the socket has flushed this message. */
function socketSender(socket: WebSocket): (message: string) => Promise<void> {
  return (message) => {
    if (socket.readyState !== socket.OPEN) return Promise.reject(new Error("socket closed"));
    if (socket.bufferedAmount < REPLAY_HIGH_WATER_BYTES) {
      socket.send(message);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const stall = setTimeout(() => {
        socket.terminate();
        reject(new Error(`replay client took no data for ${REPLAY_STALL_TIMEOUT_MS} ms`));
      }, REPLAY_STALL_TIMEOUT_MS);
      socket.send(message, (error) => {
        clearTimeout(stall);
        if (error) reject(error);
        else resolve();
      });
    });
  };
}

/** Build the fastify app (not listening); `startMarketDataService` listens. */
export async function buildMarketDataApp(options: MarketDataServiceOptions): Promise<{ app: FastifyInstance; endReplays: () => void }> {
  const { store } = options;
  const limiter = new RequestWeightLimiter({
    limit: options.weightLimit ?? DEFAULT_WEIGHT_LIMIT,
    windowMs: options.weightWindowMs ?? DEFAULT_WEIGHT_WINDOW_MS,
    now: options.clock,
  });
  const maxReplays = options.maxReplayConnections ?? DEFAULT_MAX_REPLAY_CONNECTIONS;
  const replays = new Set<AbortController>();
  const app = fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const weightOf = request.routeOptions.config.weight;
    if (weightOf === undefined) return;
    const decision = limiter.charge(request.ip, weightOf(request.query as RawQuery));
    reply.header("X-MBX-USED-WEIGHT-1M", String(decision.usedWeight));
    reply.header("X-MBX-USED-WEIGHT", String(decision.usedWeight));
    if (!decision.allowed) {
      reply.header("Retry-After", String(decision.retryAfterSeconds));
      return reply.code(429).send({
        code: -1003,
        msg: `Too much request weight used; current limit is ${limiter.limit} request weight per ${limiter.windowMs} ms. Please use WebSocket Streams for live updates to avoid polling the API.`,
      });
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof BinanceApiError) return reply.code(error.httpStatus).send(error.body());
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ code: -1000, msg: error.message });
    }
    request.log.error({ err: error }, "market-data request failed");
    return reply.code(500).send(INTERNAL_ERROR);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: -1000, msg: `Unknown endpoint ${request.method} ${request.url.split("?")[0]}` }),
  );

  app.get("/health", async () => ({ status: "ok", symbols: (await store.listSymbols()).length, replays: replays.size }));

  app.get("/api/v3/ping", { config: { weight: () => 1 } }, async (request) => {
    new QueryParams(request.query as RawQuery, []);
    return {};
  });

  app.get("/api/v3/time", { config: { weight: () => 1 } }, async (request) => {
    new QueryParams(request.query as RawQuery, []);
    return { serverTime: Date.now() };
  });

  app.get("/api/v3/exchangeInfo", { config: { weight: () => 20 } }, async (request) => {
    const params = new QueryParams(request.query as RawQuery, ["symbol", "symbols", "permissions", "showPermissionSets", "symbolStatus"]);
    const intervals = await storedIntervals(store);
    let symbols = [...intervals.keys()].sort();
    const one = params.optionalString("symbol");
    const many = params.optionalString("symbols");
    if (one !== undefined && many !== undefined) throw invalidParameterValue("symbols", "send either 'symbol' or 'symbols', not both");
    if (one !== undefined) {
      if (!intervals.has(one)) throw invalidSymbol(one);
      symbols = [one];
    } else if (many !== undefined) {
      let list: unknown;
      try {
        list = JSON.parse(many);
      } catch {
        list = null;
      }
      if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === "string")) {
        throw invalidParameterValue("symbols", `must be a JSON array of symbols such as ["BTCUSDT","ETHUSDT"], got '${many}'`);
      }
      for (const s of list as string[]) if (!intervals.has(s)) throw invalidSymbol(s, "symbols");
      symbols = list as string[];
    }
    const status = params.optionalString("symbolStatus");
    if (status !== undefined && status !== "TRADING") symbols = [];
    return {
      timezone: "UTC",
      serverTime: Date.now(),
      rateLimits: [
        {
          rateLimitType: "REQUEST_WEIGHT",
          interval: "MINUTE",
          intervalNum: Math.max(1, Math.round(limiter.windowMs / 60_000)),
          limit: limiter.limit,
        },
      ],
      exchangeFilters: [],
      symbols: symbols.map((s) => symbolInfo(s, intervals.get(s) ?? [])),
    };
  });

  app.get("/api/v3/klines", { config: { weight: () => 2 } }, async (request) => {
    const params = new QueryParams(request.query as RawQuery, ["symbol", "interval", "startTime", "endTime", "timeZone", "limit"]);
    const symbol = params.requiredSymbol("symbol");
    const interval = readInterval(params);
    const range = readTimeRange(params);
    const limit = params.optionalInteger("limit") ?? KLINES_DEFAULT_LIMIT;
    if (limit < 1 || limit > KLINES_MAX_LIMIT) throw invalidParameterValue("limit", `must be 1 … ${KLINES_MAX_LIMIT}, got ${limit}`);
    const timeZone = params.optionalString("timeZone");
    if (timeZone !== undefined && timeZone !== "0" && timeZone !== "+00:00" && timeZone !== "0:00") {
      throw invalidParameterValue("timeZone", `only UTC ("0") is served: bars are stored by UTC open time, got '${timeZone}'`);
    }
    await requireStoredSymbol(store, symbol);
    const bars = await selectKlines(store, { symbol, interval, ...range, limit });
    return bars.map((bar) => klineRow(bar, interval));
  });

  app.get("/api/v3/depth", { config: { weight: depthWeight } }, async (request) => {
    const params = new QueryParams(request.query as RawQuery, ["symbol", "limit", "time"]);
    const symbol = params.requiredSymbol("symbol");
    const limit = params.optionalInteger("limit") ?? DEPTH_DEFAULT_LIMIT;
    if (limit < 1 || limit > DEPTH_MAX_LIMIT) throw invalidParameterValue("limit", `must be 1 … ${DEPTH_MAX_LIMIT}, got ${limit}`);
    const time = params.optionalInteger("time");
    await requireStoredSymbol(store, symbol);
    const interval = await finestInterval(store, symbol);
    if (interval === null) throw invalidSymbol(symbol);
    const bars = await selectKlines(store, { symbol, interval, endTime: time, limit: 1 });
    if (bars.length === 0) throw invalidParameterValue("time", `no bar of ${symbol} opens at or before ${time}`);
    const bar = bars[0];
    const book = syntheticBook({ high: bar.high, low: bar.low, close: bar.close, volume: knownVolume(bar) }, { levels: limit });
    const side = (prices: Float64Array, sizes: Float64Array) => Array.from(prices, (p, i) => [decimalString(p), decimalString(sizes[i])]);
    return { lastUpdateId: bar.ts, bids: side(book.bidPrices, book.bidSizes), asks: side(book.askPrices, book.askSizes) };
  });

  const replayRoute = {
    websocket: true as const,
    preValidation: async (request: FastifyRequest, reply: FastifyReply) => {
      if (replays.size >= maxReplays) {
        return reply
          .code(429)
          .header("Retry-After", "1")
          .send({ code: -1003, msg: `Too many replay connections: at most ${maxReplays} at once.` });
      }
      (request as FastifyRequest & { replay?: ReplayRequest }).replay = await parseReplayRequest(store, request);
    },
  };
  const replayHandler = (socket: WebSocket, request: FastifyRequest) => {
    const replay = (request as FastifyRequest & { replay?: ReplayRequest }).replay;
    if (replay === undefined) {
      socket.close(1011, "replay request missing");
      return;
    }
    const controller = new AbortController();
    replays.add(controller);
    socket.on("close", () => controller.abort());
    socket.on("error", () => controller.abort());
    replayKlines(store, { ...replay, send: socketSender(socket), signal: controller.signal })
      .then(
        (summary) => {
          if (summary.completed && socket.readyState === socket.OPEN) socket.close(1000, `replay complete: ${summary.eventsSent} events`);
        },
        (error: Error) => {
          if (!controller.signal.aborted) request.log.error({ err: error }, "replay failed");
          if (socket.readyState === socket.OPEN) socket.close(1011, "replay failed");
        },
      )
      .finally(() => replays.delete(controller));
  };
  app.get("/ws/*", replayRoute, replayHandler);
  app.get("/stream", replayRoute, replayHandler);

  const endReplays = () => {
    for (const controller of replays) controller.abort();
  };
  app.addHook("preClose", async () => endReplays());
  return { app, endReplays };
}

/** Start the service; resolves once it listens. */
export async function startMarketDataService(options: MarketDataServiceOptions): Promise<RunningMarketDataService> {
  const { app } = await buildMarketDataApp(options);
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_MARKET_DATA_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`startMarketDataService: port must be an integer 0 … 65535, got ${port}`);
  await app.listen({ host, port });
  const address = app.server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  return {
    host,
    port: boundPort,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`,
    app,
    close: () => app.close(),
  };
}
