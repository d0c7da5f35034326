/**
 * SweepBacktests orchestration (main thread), the DiscoverPairs machinery applied to a parameter
 * sweep: validate (compute/sweepOps.ts), put the pair's prices in SharedArrayBuffers, hand
 * contiguous index ranges of combinations to the worker pool (the library's sweepBacktests shares
 * each (hedge, z-window) group's precomputation within a range), stream one update per combination
 * as its range completes, respect backpressure (no new range while MAX_BUFFERED_UPDATES updates
 * wait unsent; resume on 'drain'), stop all work on cancel or deadline (a shared flag the library
 * polls every 16 combinations, and no new dispatch), then a final summary (`sweepSummary` on the
 * pool: best combination, deflated Sharpe, PBO over every combination's returns when
 * combinations × bars ≤ MAX_PBO_VALUES).
 */
import type { ServerWritableStream } from "@grpc/grpc-js";
import { SweepUpdate, type SweepHedge, type SweepRequest, type SweepResultMessage } from "../generated/pair_discovery.js";
import { invalidArgument, resourceExhausted } from "../errors.js";
import { wireSeries } from "../wire.js";
import type { HedgeSpec, SweepResult } from "../../lib/index.js";
import { MAX_PBO_VALUES, MAX_SWEEP_BARS, resolveSweep, SWEEP_RPC as RPC, type SweepTaskBase } from "../compute/sweepOps.js";
import { callCancellation, failStream, runPoolBatches, streamBackpressure, type ServiceContext } from "./context.js";
import { BATCHES_IN_FLIGHT_PER_WORKER, BATCH_TARGET_MS, MAX_BUFFERED_UPDATES } from "./discoverPairs.js";

/** Automatic batch size bounds (combinations). */
export const MIN_SWEEP_BATCH = 1;
export const MAX_SWEEP_BATCH = 4096;
/** Fewest bars of the pair (a z-score window of 2 plus room to trade). */
export const MIN_SWEEP_BARS = 3;

function hedgeMessage(h: HedgeSpec): SweepHedge {
  if (h.method === "rolling") return { method: "rolling", beta: 0, window: h.window };
  if (h.method === "static") return { method: "static", beta: h.beta ?? 0, window: h.window ?? 0 };
  return { method: h.method, beta: 0, window: 0 };
}

function resultMessage(r: SweepResult, withReturns: boolean): SweepResultMessage {
  return {
    index: r.index,
    hedge: hedgeMessage(r.hedge),
    zWindow: r.zWindow,
    entry: r.entry,
    exit: r.exit,
    hasStop: r.stop !== null,
    stop: r.stop ?? 0,
    sharpe: r.sharpe,
    annualizedSharpe: r.annualizedSharpe,
    totalReturn: r.totalReturn,
    maxDrawdown: r.maxDrawdown,
    trades: r.trades,
    returns: withReturns && r.returns !== null ? Array.from(r.returns) : [],
  };
}

/** The pair's prices: sent, or from the store (universe + symbol1/symbol2). */
async function pairPrices(ctx: ServiceContext, req: SweepRequest): Promise<{ y: number[] | Float64Array; x: number[] | Float64Array }> {
  if (!req.universe) return { y: req.prices1 ?? [], x: req.prices2 ?? [] };
  if ((req.prices1 ?? []).length > 0 || (req.prices2 ?? []).length > 0)
    invalidArgument(RPC, "give either universe or prices1/prices2, not both");
  if (!req.symbol1 || !req.symbol2) invalidArgument(RPC, "universe needs symbol1 and symbol2");
  const panel = await ctx.prices.panel(RPC, req, [req.symbol1, req.symbol2]);
  return { y: panel.values[0]!, x: panel.values[1]! };
}

function shared(rpc: string, field: string, values: ArrayLike<number>): Float64Array {
  if (values.length > MAX_SWEEP_BARS) resourceExhausted(rpc, `${field} must have at most ${MAX_SWEEP_BARS} points, got ${values.length}`);
  const checked = wireSeries(rpc, field, values, MIN_SWEEP_BARS);
  const out = new Float64Array(new SharedArrayBuffer(checked.length * Float64Array.BYTES_PER_ELEMENT));
  out.set(checked);
  return out;
}

/** The server-streaming handler. */
export function sweepBacktestsHandler(ctx: ServiceContext) {
  return (call: ServerWritableStream<SweepRequest, SweepUpdate>): void => {
    run(ctx, call).catch((error: unknown) => failStream(ctx, RPC, call as never, error));
  };
}

async function run(ctx: ServiceContext, call: ServerWritableStream<SweepRequest, SweepUpdate>): Promise<void> {
  const started = performance.now();
  const req = call.request;
  const setup = resolveSweep(req, ctx.pool.size);
  const prices = await pairPrices(ctx, req);
  if (prices.y.length !== prices.x.length)
    invalidArgument(RPC, `prices1 and prices2 must have the same length, got ${prices.y.length} and ${prices.x.length}`);
  const y = shared(RPC, "prices1", prices.y);
  const x = shared(RPC, "prices2", prices.x);
  const bars = y.length;
  const total = setup.size;
  const pboOn = total * bars <= MAX_PBO_VALUES;
  const trialReturns = pboOn ? new Float64Array(total * bars) : null;
  const sharpes = new Float64Array(total).fill(Number.NaN);

  const cancellation = callCancellation(call, RPC);
  ctx.metrics.sweepActiveStreams.inc();

  const base: SweepTaskBase = {
    y,
    x,
    space: setup.space,
    sampling: setup.sampling,
    costs: setup.costs,
    capital: setup.capital,
    periodsPerYear: setup.periodsPerYear,
    cancel: cancellation.flag,
  };
  let next = 0;
  let completed = 0;
  let perComboMs = Number.NaN;
  const write = (update: Partial<SweepUpdate>): void => {
    if (cancellation.cancelled()) return;
    call.write(SweepUpdate.fromPartial({ total, ...update }));
  };
  const nextBatchSize = (): number => {
    if (setup.fixedBatch > 0) return setup.fixedBatch;
    if (Number.isNaN(perComboMs)) return 4;
    return Math.max(MIN_SWEEP_BATCH, Math.min(MAX_SWEEP_BATCH, Math.round(BATCH_TARGET_MS / Math.max(perComboMs, 1e-4))));
  };

  const maxInflight = setup.parallelWorkers >= ctx.pool.size ? setup.parallelWorkers * BATCHES_IN_FLIGHT_PER_WORKER : setup.parallelWorkers;
  const backpressure = streamBackpressure(call as never, MAX_BUFFERED_UPDATES);

  try {
    await runPoolBatches(cancellation, backpressure, {
      maxInflight,
      hasMore: () => next < total,
      take: () => {
        const start = next;
        next = Math.min(total, start + nextBatchSize());
        return { start, end: next };
      },
      run: ({ start, end }) => ctx.pool.run("sweepBatch", { ...base, start, end, returns: pboOn || setup.includeReturns }),
      onReply: (_batch, reply) => {
        const ms = reply.elapsedMs / Math.max(1, reply.results.length);
        perComboMs = Number.isNaN(perComboMs) ? ms : 0.7 * perComboMs + 0.3 * ms;
        ctx.metrics.sweepCombinations.inc(reply.results.length);
        for (const r of reply.results) {
          sharpes[r.index] = r.sharpe;
          if (trialReturns !== null && r.returns !== null) trialReturns.set(r.returns, r.index * bars);
          completed++;
          write({
            result: resultMessage(r, setup.includeReturns),
            completed,
            progress: total === 0 ? 1 : completed / total,
            isFinal: false,
            elapsedSeconds: (performance.now() - started) / 1000,
          });
        }
      },
    });
    if (cancellation.cancelled()) {
      ctx.logger.info({ rpc: RPC, completed, total }, "sweep cancelled by the client");
      return;
    }
    const summary = await ctx.pool.run(
      "sweepSummary",
      { ...base, sharpes, trialReturns, partitions: setup.partitions },
      trialReturns === null ? [sharpes.buffer] : [sharpes.buffer, trialReturns.buffer],
      cancellation.signal,
    );
    const warnings = [...summary.warnings];
    if (!pboOn)
      warnings.unshift(
        `PBO not computed: it needs every combination's returns, ${total} × ${bars} = ${total * bars} values > MAX_PBO_VALUES (${MAX_PBO_VALUES}); sweep fewer combinations or bars`,
      );
    let best: SweepResultMessage | undefined;
    if (summary.bestIndex >= 0) {
      const one = await ctx.pool.run(
        "sweepBatch",
        { ...base, start: summary.bestIndex, end: summary.bestIndex + 1, returns: setup.includeReturns },
        undefined,
        cancellation.signal,
      );
      best = resultMessage(one.results[0], setup.includeReturns);
    }
    write({
      completed,
      progress: 1,
      isFinal: true,
      elapsedSeconds: (performance.now() - started) / 1000,
      summary: {
        combinations: total,
        best,
        deflatedSharpe: summary.dsr,
        expectedMaxSharpe: summary.expectedMaxSharpe,
        sharpeVariance: summary.sharpeVariance,
        bestSkewness: summary.skewness,
        bestKurtosis: summary.kurtosis,
        pbo: pboOn ? summary.pbo : Number.NaN,
        pboPartitions: pboOn ? summary.partitions : 0,
        nObservations: bars,
        warnings: pboOn ? warnings : warnings.filter((w) => !/^PBO not computed: no trial returns/.test(w)),
      },
    });
    if (!cancellation.cancelled()) call.end();
    ctx.logger.info({ rpc: RPC, total, seconds: (performance.now() - started) / 1000 }, "sweep finished");
  } finally {
    cancellation.release();
    ctx.metrics.sweepActiveStreams.dec();
  }
}
