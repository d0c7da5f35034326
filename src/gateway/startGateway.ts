/**
 * The trading gateway (fastify + ws, default 127.0.0.1:8080) in front of a PaperSession.
 *
 * REST (JSON; every route but /health and /metrics needs `Authorization: Bearer <token>`):
 *   GET  /health                      {status, strategies, uptimeSeconds} (no auth: liveness probes)
 *   GET  /metrics                     Prometheus text (no auth: the scraper; bind to localhost)
 *   GET  /api/strategies              every strategy: id, status, config, bars, rejected messages, equity
 *   POST /api/strategies              start from a StrategyConfig body (JSON schema in StrategyConfig.ts) → 201
 *   POST /api/strategies/:id/stop     flatten at the last close and stop → 200
 *   GET  /api/positions | /api/orders | /api/fills | /api/pnl
 *   WS   /ws?token=…  (or the Authorization header)  pushes {type, data} for fills, orders, positions, pnl, alerts
 * Errors are 4xx JSON `{ error, message }` whose message names the field: 400 bad JSON / schema /
 * engine validation (the engine's RangeError text), 401 missing or wrong token, 404 unknown route
 * or strategy, 409 a known id with another config, 415 a body that is not JSON. No request can
 * reach the session with an unvalidated body, and an unexpected failure is a 500 that leaves the
 * session running.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import websocket from "@fastify/websocket";
import type { PaperSession, SessionEvent } from "../trading/PaperSession.js";
import { STRATEGY_CONFIG_SCHEMA, type StrategyConfig } from "../trading/StrategyConfig.js";

export const DEFAULT_GATEWAY_PORT = 8080;
/** Request bodies above this are refused (413). */
const BODY_LIMIT_BYTES = 64 * 1024;
/** A /ws client with more unsent bytes than this is dropped (slow consumer). */
const WS_HIGH_WATER_BYTES = 4 << 20;
/** Interval of the stale-data check. */
const STALE_CHECK_MS = 1000;

export interface GatewayOptions {
  readonly session: PaperSession;
  /** Bearer token; default $ARBLAB_PAPER_TOKEN, else random (see `token` of the result). */
  readonly token?: string;
  readonly host?: string;
  /** Default 8080; 0 = ephemeral. */
  readonly port?: number;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** The token from options, the environment, or a fresh random one (`generated` true: print it once). */
export function gatewayToken(explicit?: string, env: NodeJS.ProcessEnv = process.env): { token: string; generated: boolean } {
  const token = explicit ?? env.ARBLAB_PAPER_TOKEN;
  if (token !== undefined && token !== "") {
    if (token.length < 16)
      throw new RangeError(`gateway: the token (ARBLAB_PAPER_TOKEN) must have at least 16 characters, got ${token.length}`);
    return { token, generated: false };
  }
  return { token: randomBytes(24).toString("base64url"), generated: true };
}

function tokenMatches(presented: string, token: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send4xx(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}

export async function buildGateway(options: GatewayOptions & { token: string }): Promise<FastifyInstance> {
  const { session, token } = options;
  const app = fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false } },
  });
  await app.register(websocket, { options: { maxPayload: 4096 } });

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?")[0];
    if (path === "/health" || path === "/metrics") return;
    if (request.routeOptions.url === undefined) return; // unknown route: 404 from the not-found handler
    const header = request.headers.authorization;
    let presented: string | undefined;
    if (typeof header === "string") {
      const match = /^Bearer (\S+)$/.exec(header);
      if (match === null) return send4xx(reply, 401, "unauthorized", "header Authorization must be 'Bearer <token>'");
      presented = match[1];
    } else if (path === "/ws") {
      const query = request.query as Record<string, unknown>;
      if (typeof query.token === "string") presented = query.token;
    }
    if (presented === undefined)
      return send4xx(reply, 401, "unauthorized", "header Authorization is missing: send 'Authorization: Bearer <token>'");
    if (!tokenMatches(presented, token)) return send4xx(reply, 401, "unauthorized", "the bearer token in Authorization is wrong");
  });

  app.setNotFoundHandler((request, reply) => send4xx(reply, 404, "notFound", `no route ${request.method} ${request.url.split("?")[0]}`));
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.validation !== undefined) {
      const first = error.validation[0];
      const field = `body${first?.instancePath ?? ""}`.replace(/\//g, ".");
      const detail =
        first?.keyword === "additionalProperties"
          ? `has an unknown property '${(first.params as { additionalProperty: string }).additionalProperty}'`
          : (first?.message ?? error.message);
      return send4xx(reply, 400, "badRequest", `${field} ${detail}`);
    }
    if (error instanceof RangeError || error instanceof TypeError) return send4xx(reply, 400, "badRequest", error.message);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? "header Content-Type must be application/json"
          : error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
            ? "body must be a JSON object, got an empty body"
            : `body: ${error.message}`;
      return send4xx(reply, status, "badRequest", message);
    }
    return reply.code(500).send({ error: "internal", message: "the gateway failed on this request; the session keeps running" });
  });

  app.get("/health", async () => ({ status: "ok", strategies: session.strategies().length, uptimeSeconds: process.uptime() }));
  app.get("/metrics", async (_request, reply) =>
    reply.header("content-type", session.metrics.registry.contentType).send(await session.metrics.registry.metrics()),
  );

  app.get("/api/strategies", async () => ({ strategies: session.strategies() }));
  app.post("/api/strategies", { schema: { body: STRATEGY_CONFIG_SCHEMA } }, async (request, reply) => {
    const config = request.body as StrategyConfig;
    try {
      const started = await session.start(config);
      return reply.code(started.resumed ? 200 : 201).send(started);
    } catch (error) {
      if (error instanceof RangeError && /exists with a different config/.test(error.message))
        return send4xx(reply, 409, "conflict", `body.id: ${error.message}`);
      throw error;
    }
  });
  app.post(
    "/api/strategies/:id/stop",
    { schema: { params: { type: "object", properties: { id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } } } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!session.strategies().some((s) => s.id === id))
        return send4xx(reply, 404, "notFound", `params.id: no strategy ${JSON.stringify(id)}`);
      await session.stop(id, "stop");
      return { id, status: "stopped" };
    },
  );
  app.get("/api/positions", async () => ({
    positions: [...session.broker.accounts].map(([strategyId, account]) => ({
      strategyId,
      positions: Object.fromEntries(account.positions),
      marks: Object.fromEntries(account.marks),
    })),
  }));
  app.get("/api/orders", async () => ({ orders: await session.state.orders() }));
  app.get("/api/fills", async () => ({ fills: await session.state.fills() }));
  app.get("/api/pnl", async () => ({
    pnl: session.strategies().map((s) => ({ strategyId: s.id, equity: s.equity, pnl: s.equity - (s.config.capital ?? 100_000) })),
    total: session.totalEquity(),
  }));

  const clients = new Set<import("ws").WebSocket>();
  app.get("/ws", { websocket: true }, (socket) => {
    clients.add(socket);
    socket.on("close", () => clients.delete(socket));
    socket.on("message", () => socket.send(JSON.stringify({ type: "error", data: { message: "/ws is push-only" } })));
  });
  const push = (event: SessionEvent) => {
    if (clients.size === 0) return;
    const text = JSON.stringify(event);
    for (const socket of clients) {
      if (socket.bufferedAmount > WS_HIGH_WATER_BYTES) socket.terminate();
      else socket.send(text);
    }
  };
  session.on("event", push);
  const staleTimer = setInterval(() => session.checkStale(), STALE_CHECK_MS);
  staleTimer.unref();
  app.addHook("onClose", async () => {
    clearInterval(staleTimer);
    session.off("event", push);
    for (const socket of clients) socket.terminate();
  });
  return app;
}

/** Start the gateway; resolves once it listens. The session stays open (the caller owns it). */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { token } = options.token !== undefined ? { token: options.token } : gatewayToken();
  const app = await buildGateway({ ...options, token });
  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? DEFAULT_GATEWAY_PORT });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? DEFAULT_GATEWAY_PORT);
  return { url: `http://${host}:${port}`, port, token, app, close: () => app.close() };
}
