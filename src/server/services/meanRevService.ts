/**
 * meanrev.MeanRevService. Unary RPCs run in the worker pool (compute/meanRevOps.ts). Streams:
 * - EstimateOUParams (bidi): one OUEstimate per PriceUpdate, per asset_id, from a sliding window of
 *   that asset's prices (exact OU MLE, `fitOu`, dt = 1 bar); status "warming_up" until the window
 *   holds `warmup` prices. Every update is also recorded for PortfolioHealthStream.
 * - BacktestWithCosts (bidi): a streaming `BacktestEngine` on the streamed prices; a BacktestMetric
 *   every update_frequency bars and a final one when the client half-closes.
 * - CARAOptimalWeights / SharpeOptimalWeights (bidi): one WeightsOutput per input matrix, in order.
 * - PortfolioHealthStream (server-streaming): a HealthMetric every update_frequency_ms until the
 *   client cancels (portfolioHealth.ts).
 * The per-message work of the first two is O(window) / O(1) and stays on the event loop (a pool
 * round trip would cost more than the work); matrix optimisations go to the pool.
 */
import type { ServerDuplexStream } from "@grpc/grpc-js";
import { BacktestEngine, fitOu, ols } from "../../lib/index.js";
import {
  BacktestMetric,
  MultiperiodResponse,
  OUEstimate,
  PCAResponse,
  PortfolioStatsResponse,
  ReturnsResponse,
  SignalResponse,
  ThresholdResponse,
  WeightsOutput,
  type BacktestInput,
  type MeanRevServiceServer,
  type OptimizationInput,
  type PriceUpdate,
} from "../generated/meanrev.js";
import { describeFailure, invalidArgument, resourceExhausted } from "../errors.js";
import { finiteValue, metadataNumber, metadataObject, positiveIntOrDefault, positiveOrDefault } from "../wire.js";
import { failStream, logFailure, unaryHandler, waitForDrain, type ServiceContext } from "./context.js";
import { portfolioHealthHandler } from "./portfolioHealth.js";
import { UndecodableRequest, undecodableDetail } from "../decodeGuard.js";

/** OU window defaults and limits (prices per asset). */
export const OU_DEFAULT_WINDOW = 500;
export const OU_MAX_WINDOW = 10_000;
export const OU_DEFAULT_WARMUP = 30;
/** fitOu needs three points; the AR(1) R² needs three too. */
export const OU_MIN_WARMUP = 3;
/** Most distinct asset_ids one EstimateOUParams stream may track. */
export const OU_MAX_ASSETS_PER_STREAM = 1_000;
/** Most prices one EstimateOUParams stream may hold over all its windows (8 MB). */
export const OU_MAX_POINTS_PER_STREAM = 1_000_000;
/** Rolling z-score window of BacktestWithCosts (the seed's backtest_mean_reversion used 20 bars). */
export const BACKTEST_ZSCORE_WINDOW = 20;
/** Queue depth at which a bidi stream pauses reading its input. */
const INPUT_HIGH_WATER = 64;
/** Unsent outputs at which a bidi stream stops handling input until 'drain'. */
const OUTPUT_HIGH_WATER = 256;

/** Sliding window of one asset's prices in EstimateOUParams. */
interface OuWindow {
  readonly window: number;
  readonly warmup: number;
  readonly values: Float64Array;
  count: number;
  start: number;
}

function ouEstimateFor(w: OuWindow, assetId: string, timestampMs: number): Partial<OUEstimate> {
  const n = Math.min(w.count, w.window);
  const base = { assetId, nSamples: n, timestampMs };
  if (n < w.warmup) {
    return {
      ...base,
      theta: Number.NaN,
      mu: Number.NaN,
      sigma: Number.NaN,
      halfLife: Number.NaN,
      rSquared: Number.NaN,
      status: "warming_up",
    };
  }
  // Unroll the ring buffer (oldest first).
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) x[k] = w.values[(w.start + k) % w.window];
  try {
    const ou = fitOu(x, { dt: 1 });
    const ar1 = ols(x.subarray(1), x.subarray(0, n - 1), { intercept: true });
    const meanReverting = ou.kappa > 0 && Number.isFinite(ou.kappa);
    return {
      ...base,
      theta: ou.kappa,
      mu: ou.theta,
      sigma: ou.sigma,
      halfLife: ou.halfLifeSteps,
      rSquared: ar1.rSquared,
      logLikelihood: ou.logLikelihood,
      stationarySd: ou.stationarySd,
      status: meanReverting ? "ok" : "not_mean_reverting",
    };
  } catch (error) {
    // Degenerate windows (e.g. a constant price) are data, not a protocol error: report and continue.
    return {
      ...base,
      theta: Number.NaN,
      mu: Number.NaN,
      sigma: Number.NaN,
      halfLife: Number.NaN,
      rSquared: Number.NaN,
      status: `error: ${describeFailure(error).message}`,
    };
  }
}

/**
 * Run a bidi stream as an ordered message processor. Messages are handled synchronously as they
 * arrive (no promise or await per message; outputs are written at once), in input order. A
 * handler may return a promise (pool work): later messages queue behind it. Backpressure: while
 * the output buffer holds OUTPUT_HIGH_WATER unsent messages, processing waits for 'drain' and the
 * input is paused once INPUT_HIGH_WATER messages are queued; it resumes when the queue is short.
 * The call ends when the input ends and everything queued is handled. A thrown error ends the call
 * with its status; from then on (and after a cancel) the input is kept flowing and discarded, so
 * a client still writing is never left blocked on HTTP/2 flow control by a paused stream.
 */
function processStream<I, O>(
  ctx: ServiceContext,
  rpc: string,
  call: ServerDuplexStream<I, O>,
  handle: (message: I, write: (out: O) => void, signal: AbortSignal) => Promise<void> | void,
  onEnd?: (write: (out: O) => void) => void,
): void {
  /** Aborted when the call stops (error, cancel, deadline): pending pool work is cancelled. */
  const abort = new AbortController();
  /** Received, not yet handled: queue[head..]. */
  let queue: I[] = [];
  let head = 0;
  let inputEnded = false;
  let stopped = false;
  /** An async handler or a 'drain' wait is pending: new messages queue behind it. */
  let busy = false;
  const write = (out: O): void => {
    if (stopped || call.cancelled) return;
    call.write(out);
  };
  const stop = (error?: unknown): void => {
    if (stopped) return;
    stopped = true;
    abort.abort("stream stopped");
    queue = [];
    head = 0;
    if (error !== undefined) failStream(ctx, rpc, call as never, error);
    if (call.isPaused()) call.resume();
  };
  const resume = (): void => {
    busy = false;
    run();
  };
  const fail = (error: unknown): void => {
    busy = false;
    stop(error);
  };
  /** Handle queued messages until the queue is empty, a handler is async, or the output is full. */
  const run = (): void => {
    while (!stopped && head < queue.length) {
      if (call.writableLength >= OUTPUT_HIGH_WATER && call.writableNeedDrain) {
        busy = true;
        waitForDrain(call as never).then(resume, fail);
        return;
      }
      const message = queue[head];
      queue[head++] = undefined as never;
      let pending: Promise<void> | void;
      try {
        if (message instanceof UndecodableRequest)
          invalidArgument(rpc, undecodableDetail(rpc, message.index, message.reason).slice(rpc.length + 2));
        pending = handle(message, write, abort.signal);
      } catch (error) {
        stop(error);
        return;
      }
      if (pending !== undefined) {
        busy = true;
        pending.then(resume, fail);
        return;
      }
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    if (stopped) return;
    if (call.isPaused() && queue.length - head < INPUT_HIGH_WATER / 2) call.resume();
    if (inputEnded && queue.length === 0) {
      try {
        onEnd?.(write);
      } catch (error) {
        stop(error);
        return;
      }
      stopped = true;
      if (!call.cancelled) call.end();
    }
  };
  call.on("data", (message: I) => {
    if (stopped) return;
    queue.push(message);
    if (busy) {
      if (queue.length - head >= INPUT_HIGH_WATER && !call.isPaused()) call.pause();
      return;
    }
    run();
  });
  call.on("end", () => {
    inputEnded = true;
    if (!busy) run();
  });
  call.on("cancelled", () => {
    stop();
  });
  call.on("error", (error: Error) => {
    logFailure(ctx, rpc, { code: "CANCELLED", message: error.message });
    stop();
  });
}

function estimateOuParamsHandler(ctx: ServiceContext) {
  const rpc = "EstimateOUParams";
  return (call: ServerDuplexStream<PriceUpdate, OUEstimate>): void => {
    const windows = new Map<string, OuWindow>();
    let heldPoints = 0;
    processStream(ctx, rpc, call, (update, write) => {
      const price = finiteValue(rpc, "price", update.price);
      const assetId = update.assetId;
      let w = windows.get(assetId);
      if (w === undefined) {
        if (windows.size >= OU_MAX_ASSETS_PER_STREAM)
          invalidArgument(rpc, `at most ${OU_MAX_ASSETS_PER_STREAM} distinct asset_id values per stream`);
        const meta = metadataObject(rpc, "metadata", update.metadata);
        const window = positiveIntOrDefault(rpc, "metadata.window", metadataNumber(rpc, "metadata", meta, "window"), OU_DEFAULT_WINDOW, {
          min: OU_MIN_WARMUP,
          max: OU_MAX_WINDOW,
          resource: true,
        });
        const warmup = positiveIntOrDefault(
          rpc,
          "metadata.warmup",
          metadataNumber(rpc, "metadata", meta, "warmup"),
          Math.min(OU_DEFAULT_WARMUP, window),
          { min: OU_MIN_WARMUP, max: window },
        );
        if (heldPoints + window > OU_MAX_POINTS_PER_STREAM) {
          resourceExhausted(
            rpc,
            `the windows of one stream may hold at most ${OU_MAX_POINTS_PER_STREAM} prices in total; asset_id ${JSON.stringify(assetId)} would exceed it`,
          );
        }
        heldPoints += window;
        w = { window, warmup, values: new Float64Array(window), count: 0, start: 0 };
        windows.set(assetId, w);
      }
      if (w.count < w.window) w.values[w.count] = price;
      else {
        w.values[w.start] = price;
        w.start = (w.start + 1) % w.window;
      }
      w.count++;
      const timestampMs = Number.isFinite(update.timestampMs) ? update.timestampMs : 0;
      ctx.store.record(assetId, price, timestampMs);
      write(OUEstimate.fromPartial(ouEstimateFor(w, assetId, timestampMs)));
    });
  };
}

function backtestWithCostsHandler(ctx: ServiceContext) {
  const rpc = "BacktestWithCosts";
  return (call: ServerDuplexStream<BacktestInput, BacktestMetric>): void => {
    let engine: BacktestEngine | null = null;
    let capital = 1;
    let frequency = 1;
    let bars = 0;
    let lastTimestamp = 0;
    const metricFrom = (snapshot: ReturnType<BacktestEngine["push"]>, status: string): BacktestMetric => {
      const m = snapshot.metrics;
      return BacktestMetric.fromPartial({
        barNumber: bars,
        cumulativeReturn: snapshot.equity / capital - 1,
        dailyReturn: snapshot.barReturn,
        openPositions: snapshot.position !== 0 ? 1 : 0,
        unrealizedPnl: snapshot.unrealizedPnl,
        realizedPnl: snapshot.realizedPnl,
        maxDrawdown: m.maxDrawdown,
        sharpeRatio: m.sharpe,
        numTrades: m.trades,
        winRate: m.winRate,
        avgProfitPerTrade: m.trades > 0 ? snapshot.realizedPnl / m.trades : 0,
        status,
        timestampMs: lastTimestamp,
        position: Math.sign(snapshot.position),
        zscore: snapshot.signal,
      });
    };
    processStream(
      ctx,
      rpc,
      call,
      (input, write) => {
        const price = finiteValue(rpc, "price", input.price);
        if (engine === null) {
          const entry = positiveOrDefault(rpc, "entry_zscore", input.entryZscore, 2, { max: 100 });
          const exit = finiteValue(rpc, "exit_zscore", input.exitZscore);
          const cost = positiveOrDefault(rpc, "transaction_cost", input.transactionCost, 0.001, { maxExclusive: 1 });
          frequency = positiveIntOrDefault(rpc, "update_frequency", input.updateFrequency, 1);
          capital = Math.abs(price) > 0 ? Math.abs(price) : 1;
          engine = new BacktestEngine(
            {
              mode: "spread",
              rule: { kind: "zscore", entry, exit, window: { type: "rolling", length: BACKTEST_ZSCORE_WINDOW } },
              costs: { bps: cost * 1e4 },
              capital,
            },
            rpc,
          );
        }
        lastTimestamp = Number.isFinite(input.timestampMs) ? input.timestampMs : 0;
        const snapshot = engine.push({ y: price });
        bars++;
        if (bars % frequency === 0) write(metricFrom(snapshot, "running"));
      },
      (write) => {
        if (engine !== null) write(metricFrom(engine.finish(), "final"));
      },
    );
  };
}

function weightsHandler(ctx: ServiceContext, rpc: "CARAOptimalWeights" | "SharpeOptimalWeights") {
  const kind = rpc === "CARAOptimalWeights" ? "cara" : "sharpe";
  return (call: ServerDuplexStream<OptimizationInput, WeightsOutput>): void => {
    let previous: number[] | null = null;
    processStream(ctx, rpc, call, async (input, write, signal) => {
      const out = await ctx.pool.run("optimizeWeights", { kind, input, previousWeights: previous }, undefined, signal);
      previous = out.weights ?? null;
      write(WeightsOutput.fromPartial(out));
    });
  };
}

export function meanRevService(ctx: ServiceContext): MeanRevServiceServer {
  return {
    estimateOuParams: estimateOuParamsHandler(ctx),
    optimalThresholds: unaryHandler(ctx, "OptimalThresholds", async (req, signal) =>
      ThresholdResponse.fromPartial(await ctx.pool.run("optimalThresholds", req, undefined, signal)),
    ),
    backtestWithCosts: backtestWithCostsHandler(ctx),
    computeLogReturns: unaryHandler(ctx, "ComputeLogReturns", async (req, signal) =>
      ReturnsResponse.fromPartial(await ctx.pool.run("computeReturns", req, undefined, signal)),
    ),
    pcaPortfolios: unaryHandler(ctx, "PCAPortfolios", async (req, signal) =>
      PCAResponse.fromPartial(await ctx.pool.run("pcaPortfolios", req, undefined, signal)),
    ),
    caraOptimalWeights: weightsHandler(ctx, "CARAOptimalWeights"),
    sharpeOptimalWeights: weightsHandler(ctx, "SharpeOptimalWeights"),
    multiperiodOptimize: unaryHandler(ctx, "MultiperiodOptimize", async (req, signal) =>
      MultiperiodResponse.fromPartial(await ctx.pool.run("multiperiodOptimize", req, undefined, signal)),
    ),
    portfolioStats: unaryHandler(ctx, "PortfolioStats", async (req, signal) =>
      PortfolioStatsResponse.fromPartial(await ctx.pool.run("portfolioStats", req, undefined, signal)),
    ),
    generateSignals: unaryHandler(ctx, "GenerateSignals", async (req, signal) =>
      SignalResponse.fromPartial(await ctx.pool.run("generateSignals", req, undefined, signal)),
    ),
    portfolioHealthStream: portfolioHealthHandler(ctx),
  };
}
