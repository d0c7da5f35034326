/**
 * PortfolioHealthStream: a HealthMetric every update_frequency_ms until the client cancels.
 *
 * "The portfolio's data" is defined as follows (docs/compatibility.md):
 * - assets: HealthRequest.asset_ids (or the keys of metadata.holdings when asset_ids is empty);
 * - holdings: metadata JSON `{"holdings": {"<asset>": units, ...}}`, default 1 unit per asset;
 * - prices: the server's price memory (PortfolioStore), fed by every PriceUpdate streamed into
 *   EstimateOUParams (any client, any stream), plus optional prices in the request's metadata,
 *   `{"prices": {"<asset>": [p0, p1, ...]}, "timestamps_ms": [t0, t1, ...]}` (recorded once, when
 *   the stream starts; timestamps are required with prices and shared by every listed asset).
 * Each tick: the portfolio value path V_t = Σ_i holdings_i · price_i(t) on the union of the
 * assets' timestamps, carrying each asset's last price forward, starting once every asset has a
 * price (at most the last MAX_PATH_POINTS points). total_value = V_last; daily_return = V_last /
 * V(t_last − 24 h) − 1 (V at the last point at or before that time, or the first point);
 * volatility_24h = sample standard deviation (ddof 1) of the step-to-step simple returns of V
 * over the points of the last 24 h (not annualised; NaN with fewer than 3 points or a non-positive
 * value, with an alert saying so);
 * max_drawdown = largest peak-to-trough fall of V over the path, a positive fraction;
 * open_positions = assets with non-zero holdings. status: "ok", "no_data" (an asset has no price
 * yet) or "insufficient_data" (fewer than 2 points). alerts: missing assets, drawdown above
 * metadata.max_drawdown_alert (default 0.10), 24 h volatility above metadata.volatility_alert
 * (if given), negative total value.
 */
import type { ServerWritableStream } from "@grpc/grpc-js";
import { simpleReturns, variance, maxDrawdown as maxDrawdownOfPath } from "../../lib/index.js";
import { HealthMetric, type HealthRequest } from "../generated/meanrev.js";
import { invalidArgument, resourceExhausted } from "../errors.js";
import { metadataNumber, metadataObject, positiveIntOrDefault, wireSeries } from "../wire.js";
import { BYTES_PER_POINT, MAX_POINTS_PER_ASSET, PortfolioStore } from "../portfolioStore.js";
import { failStream, type ServiceContext } from "./context.js";

const RPC = "PortfolioHealthStream";
/** Default and bounds of update_frequency_ms. */
export const HEALTH_DEFAULT_INTERVAL_MS = 1000;
export const HEALTH_MIN_INTERVAL_MS = 10;
export const HEALTH_MAX_INTERVAL_MS = 3_600_000;
/** Most points of the value path used per tick. */
export const MAX_PATH_POINTS = 20_000;
/** Most price points read per tick over all assets (each asset gets an equal share of its latest points). */
export const MAX_EVENTS_PER_TICK = 200_000;
/** Most assets per portfolio. */
export const MAX_PORTFOLIO_ASSETS = 1_000;
const DAY_MS = 86_400_000;

interface Portfolio {
  readonly id: string;
  readonly assets: string[];
  /** Alerts repeated on every metric (e.g. prices of the request the store truncated). */
  readonly notes: string[];
  readonly holdings: Map<string, number>;
  readonly drawdownAlert: number;
  readonly volatilityAlert: number | undefined;
}

function parseRequest(req: HealthRequest, store: PortfolioStore): Portfolio {
  const meta = metadataObject(RPC, "metadata", req.metadata);
  const holdings = new Map<string, number>();
  const rawHoldings = meta.holdings;
  if (rawHoldings !== undefined) {
    if (rawHoldings === null || typeof rawHoldings !== "object" || Array.isArray(rawHoldings))
      invalidArgument(RPC, "metadata.holdings must be an object of asset -> units");
    for (const [asset, units] of Object.entries(rawHoldings as Record<string, unknown>)) {
      if (typeof units !== "number" || !Number.isFinite(units))
        invalidArgument(RPC, `metadata.holdings.${asset} must be a finite number, got ${JSON.stringify(units)}`);
      holdings.set(asset, units);
    }
  }
  // Old clients (the seed's Python client) send only portfolio_id and update_frequency_ms: no
  // assets is not an error, the stream answers "no_data" with an alert saying what to send.
  const assets = req.assetIds.length > 0 ? [...new Set(req.assetIds)] : [...holdings.keys()];
  if (assets.length > MAX_PORTFOLIO_ASSETS)
    invalidArgument(RPC, `asset_ids must have at most ${MAX_PORTFOLIO_ASSETS} entries, got ${assets.length}`);
  for (const a of assets) if (!holdings.has(a)) holdings.set(a, 1);
  const notes: string[] = [];
  if (meta.prices !== undefined) {
    if (meta.prices === null || typeof meta.prices !== "object" || Array.isArray(meta.prices))
      invalidArgument(RPC, "metadata.prices must be an object of asset -> price array");
    const timestamps = wireSeries(RPC, "metadata.timestamps_ms", meta.timestamps_ms as number[] | undefined, 1);
    const entries = Object.entries(meta.prices as Record<string, unknown>);
    if (entries.length > MAX_PORTFOLIO_ASSETS)
      invalidArgument(RPC, `metadata.prices must have at most ${MAX_PORTFOLIO_ASSETS} assets, got ${entries.length}`);
    const parsed = entries.map(([asset, series]) => {
      const prices = wireSeries(RPC, `metadata.prices.${asset}`, series as number[]);
      if (prices.length !== timestamps.length)
        invalidArgument(
          RPC,
          `metadata.prices.${asset} must have one price per metadata.timestamps_ms entry (${timestamps.length}), got ${prices.length}`,
        );
      return { asset, prices };
    });
    const counts = parsed.map((p) => p.prices.length);
    if (!store.canHold(counts)) {
      resourceExhausted(
        RPC,
        `metadata.prices needs ${PortfolioStore.bytesFor(counts)} bytes of price store (${BYTES_PER_POINT} B per point, at most ${MAX_POINTS_PER_ASSET} points per asset kept), more than its cap of ${store.maxBytes} bytes (PRICE_STORE_MAX_BYTES)`,
      );
    }
    const protect = new Set(parsed.map((p) => p.asset));
    for (const { asset, prices } of parsed) {
      const from = Math.max(0, prices.length - MAX_POINTS_PER_ASSET);
      if (from > 0)
        notes.push(
          `metadata.prices.${asset}: only the latest ${MAX_POINTS_PER_ASSET} of ${prices.length} prices are kept (price store limit per asset)`,
        );
      let refused = 0;
      for (let k = from; k < prices.length; k++) if (!store.record(asset, prices[k], timestamps[k], protect)) refused++;
      if (refused > 0)
        notes.push(`metadata.prices.${asset}: ${refused} prices were not recorded (price store full at ${store.maxBytes} bytes)`);
    }
  }
  const drawdownAlert = metadataNumber(RPC, "metadata", meta, "max_drawdown_alert") ?? 0.1;
  const volatilityAlert = metadataNumber(RPC, "metadata", meta, "volatility_alert");
  return { id: req.portfolioId, assets, notes, holdings, drawdownAlert, volatilityAlert };
}

/** V_t on the union of timestamps with last-observation-carried-forward prices. */
function valuePath(p: Portfolio, store: PortfolioStore): { times: number[]; values: number[]; missing: string[] } {
  const perAsset = Math.max(2, Math.floor(MAX_EVENTS_PER_TICK / p.assets.length));
  const histories = p.assets.map((a) => store.history(a).slice(-perAsset));
  const missing = p.assets.filter((_, k) => histories[k].length === 0);
  if (missing.length > 0) return { times: [], values: [], missing };
  const events: Array<{ t: number; asset: number; price: number }> = [];
  histories.forEach((h, asset) => h.forEach((pt) => events.push({ t: pt.timestampMs, asset, price: pt.price })));
  events.sort((a, b) => a.t - b.t);
  const last = new Float64Array(p.assets.length).fill(Number.NaN);
  let known = 0;
  const times: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    if (Number.isNaN(last[e.asset])) known++;
    last[e.asset] = e.price;
    if (known < p.assets.length) continue;
    if (k + 1 < events.length && events[k + 1].t === e.t) continue; // one point per timestamp
    let v = 0;
    for (let a = 0; a < p.assets.length; a++) v += p.holdings.get(p.assets[a])! * last[a];
    times.push(e.t);
    values.push(v);
  }
  const from = Math.max(0, values.length - MAX_PATH_POINTS);
  return { times: times.slice(from), values: values.slice(from), missing };
}

export function healthMetricFor(p: Portfolio, store: PortfolioStore, nowMs: number): HealthMetric {
  const alerts: string[] = [...p.notes];
  const openPositions = p.assets.filter((a) => p.holdings.get(a) !== 0).length;
  if (p.assets.length === 0) {
    alerts.push(
      `portfolio ${JSON.stringify(p.id)} names no assets: pass asset_ids (or metadata.holdings) and prices (stream them into EstimateOUParams or pass metadata.prices)`,
    );
    return HealthMetric.fromPartial({
      portfolioId: p.id,
      timestampMs: nowMs,
      openPositions: 0,
      nObservations: 0,
      totalValue: Number.NaN,
      dailyReturn: Number.NaN,
      volatility24h: Number.NaN,
      maxDrawdown: Number.NaN,
      status: "no_data",
      alerts,
    });
  }
  const { times, values, missing } = valuePath(p, store);
  const base = { portfolioId: p.id, timestampMs: nowMs, openPositions, nObservations: values.length };
  if (missing.length > 0) {
    const evicted = missing.filter((a) => store.wasEvicted(a));
    const never = missing.filter((a) => !store.wasEvicted(a));
    if (never.length > 0)
      alerts.push(`no price data for ${never.join(", ")} (stream prices into EstimateOUParams or pass metadata.prices)`);
    if (evicted.length > 0) {
      alerts.push(
        `price data for ${evicted.join(", ")} was evicted from the server's price store (least recently used first; cap ${store.maxBytes} bytes): send the prices again`,
      );
    }
    return HealthMetric.fromPartial({
      ...base,
      totalValue: Number.NaN,
      dailyReturn: Number.NaN,
      volatility24h: Number.NaN,
      maxDrawdown: Number.NaN,
      status: "no_data",
      alerts,
    });
  }
  const n = values.length;
  const total = values[n - 1];
  if (n < 2) {
    return HealthMetric.fromPartial({
      ...base,
      totalValue: total,
      dailyReturn: Number.NaN,
      volatility24h: Number.NaN,
      maxDrawdown: 0,
      status: "insufficient_data",
      alerts,
    });
  }
  const tLast = times[n - 1];
  let ref = 0;
  for (let k = 0; k < n && times[k] <= tLast - DAY_MS; k++) ref = k;
  const dailyReturn = total / values[ref] - 1;
  let first24 = n - 1;
  while (first24 > 0 && times[first24 - 1] >= tLast - DAY_MS) first24--;
  let volatility = Number.NaN;
  const window = values.slice(first24);
  if (window.length >= 3 && window.every((v) => v > 0)) {
    const r = simpleReturns(window);
    volatility = Math.sqrt(variance(r));
  }
  if (Number.isNaN(volatility)) {
    alerts.push(
      `volatility_24h is NaN: it needs at least 3 points in the last 24 h with a positive value (got ${window.length}${window.every((v) => v > 0) ? "" : ", some not positive"})`,
    );
  }
  const maxDrawdown = maxDrawdownOfPath(values).maxDrawdown;
  if (maxDrawdown > p.drawdownAlert)
    alerts.push(`max drawdown ${(100 * maxDrawdown).toFixed(2)}% exceeds ${(100 * p.drawdownAlert).toFixed(2)}%`);
  if (p.volatilityAlert !== undefined && volatility > p.volatilityAlert)
    alerts.push(`24h volatility ${volatility.toPrecision(4)} exceeds ${p.volatilityAlert}`);
  if (total <= 0) alerts.push(`total value is ${total} (non-positive)`);
  return HealthMetric.fromPartial({
    ...base,
    totalValue: total,
    dailyReturn,
    volatility24h: volatility,
    maxDrawdown,
    status: "ok",
    alerts,
    metadata: JSON.stringify({ assets: p.assets.length, points: n, first_timestamp_ms: times[0], last_timestamp_ms: tLast }),
  });
}

export function portfolioHealthHandler(ctx: ServiceContext) {
  return (call: ServerWritableStream<HealthRequest, HealthMetric>): void => {
    let portfolio: Portfolio;
    let interval: number;
    try {
      interval = positiveIntOrDefault(RPC, "update_frequency_ms", call.request.updateFrequencyMs, HEALTH_DEFAULT_INTERVAL_MS, {
        min: HEALTH_MIN_INTERVAL_MS,
        max: HEALTH_MAX_INTERVAL_MS,
      });
      portfolio = parseRequest(call.request, ctx.store);
    } catch (error) {
      failStream(ctx, RPC, call as never, error);
      return;
    }
    let waitingForDrain = false;
    const tick = (): void => {
      if (call.cancelled || call.destroyed) {
        stop();
        return;
      }
      if (waitingForDrain) return; // a slow reader skips ticks instead of buffering them
      try {
        if (!call.write(healthMetricFor(portfolio, ctx.store, Date.now()))) {
          waitingForDrain = true;
          call.once("drain", () => (waitingForDrain = false));
        }
      } catch (error) {
        stop();
        failStream(ctx, RPC, call as never, error);
      }
    };
    const timer = setInterval(tick, interval);
    const stop = (): void => clearInterval(timer);
    call.on("cancelled", stop);
    call.on("close", stop);
    call.on("error", stop);
    tick();
  };
}
