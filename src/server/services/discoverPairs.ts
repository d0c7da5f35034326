/**
 * DiscoverPairs orchestration (main thread): validate, put every symbol's prices in one
 * SharedArrayBuffer, hand batches of pairs to the worker pool (BATCHES_IN_FLIGHT_PER_WORKER per
 * worker when the call may use the whole pool, so no worker idles between batches; exactly
 * `parallel_workers` when it asks for fewer threads), stream one update per pair as
 * its batch completes, respect backpressure (no new batch while MAX_BUFFERED_UPDATES updates wait
 * unsent; resume on 'drain'), and stop all work on cancel (a shared flag the workers check between
 * pairs).
 *
 * Benjamini–Hochberg q-values across every pair that produced a p-value: streamed results carry
 * an upper bound on their q-value (exact values are only known at the end); the final summary
 * update (is_final, no result) lists the exact q-values. With max_q_value > 0 a pair is found only
 * if it passes the per-pair screens AND its q-value ≤ max_q_value: pairs whose bound already
 * guarantees that are streamed at once, the undecided ones just before the summary.
 *
 * With REDIS_URL set (ServiceContext.redisUrl, issue 15) the pairs are not sent to the pool: this
 * call is the coordinator of a distributed run (src/distributed/discoverCoordinator.ts), whose
 * shards `arblab worker` processes compute; their outcomes arrive in pair order and go through the
 * same per-pair streaming, q-value and summary code below. The call's cancellation aborts the run
 * (its remaining jobs are removed); a slow client pauses the pops from Redis (backpressure); a
 * Redis failure or a run without workers ends the call with UNAVAILABLE naming Redis.
 */
import type { ServerWritableStream } from "@grpc/grpc-js";
import { type BatchDiscoveryRequest, PairDiscoveryUpdate, PairTestResponse } from "../generated/pair_discovery.js";
import { resourceExhausted, invalidArgument, WireError } from "../errors.js";
import { positiveIntOrDefault, positiveOrDefault, wireSeries } from "../wire.js";
import { MIN_PAIR_OBSERVATIONS, resolvePairOptions, type PairOptions, type PartialPairResult } from "../compute/pairPipeline.js";
import type { DiscoverBatchResult } from "../compute/discoverBatch.js";
import type { ScreenPanelPayload } from "../compute/screenBatch.js";
import { benjaminiHochberg, DISCOVER_MAX_SYMBOLS, qValueUpperBound, SortedPValues, type ScreenCounts } from "../../lib/index.js";
import { callCancellation, failStream, runPoolBatches, streamBackpressure, type ServiceContext } from "./context.js";

const RPC = "DiscoverPairs";
/** Most pairs one call may test (n(n−1)/2 or max_pairs). */
export const MAX_DISCOVERY_PAIRS = 5_000_000;
/** Most symbols one call may send. */
export const MAX_DISCOVERY_SYMBOLS = 10_000;
/** Automatic batch sizing aims at batches of about this many milliseconds of work: long enough to amortise the thread hop, short enough that a concurrent unary call waits at most this long for a worker. */
export const BATCH_TARGET_MS = 10;
/** Automatic batch size bounds (pairs). */
export const MIN_AUTO_BATCH = 1;
export const MAX_AUTO_BATCH = 256;
/**
 * Batches queued per worker: with one, a worker idles for a whole main-thread round trip (reply,
 * stream its results, dispatch) after each batch; with two the next one is already waiting in the
 * pool's queue.
 */
export const BATCHES_IN_FLIGHT_PER_WORKER = 2;
/**
 * Backpressure: no new batch is dispatched while this many updates wait unsent in the call's
 * write buffer (the client reads slower than we compute); results of batches already running are
 * still written, so the buffer is bounded by this plus the in-flight batches' pairs.
 */
export const MAX_BUFFERED_UPDATES = 512;

interface Validated {
  readonly names: string[];
  readonly series: Float64Array;
  readonly length: number;
  readonly totalPairs: number;
  readonly options: PairOptions;
  readonly workers: number;
  readonly maxQ: number;
  readonly fixedBatch: number;
  /** The screens the request turned on (null: none, every pair is tested). */
  readonly screens: ScreenPanelPayload["screens"] | null;
  /** C(n, 2) (max_pairs applies after the screens). */
  readonly candidates: number;
  readonly maxPairs: number;
}

/** Screen fields of the request (extensions 61–67); 0/false = off. */
function screenOptions(req: BatchDiscoveryRequest, names: readonly string[], storeSectors: Record<string, string> | null) {
  const minCorrelation = positiveOrDefault(RPC, "min_correlation", req.minCorrelation, 0, { max: 1 });
  const ssdK = positiveIntOrDefault(RPC, "ssd_k", req.ssdK, 0, { max: DISCOVER_MAX_SYMBOLS });
  const minHalfLife = positiveOrDefault(RPC, "min_half_life", req.minHalfLife, 0);
  const maxHalfLife = positiveOrDefault(RPC, "max_half_life", req.maxHalfLife, 0);
  if (maxHalfLife > 0 && maxHalfLife < minHalfLife)
    invalidArgument(RPC, `max_half_life must be >= min_half_life (${minHalfLife}) or 0 for no upper bound, got ${maxHalfLife}`);
  const minCrossings = positiveIntOrDefault(RPC, "min_crossings", req.minCrossings, 0);
  const sectorList = req.sectors ?? [];
  if (sectorList.length > 0 && req.universe)
    invalidArgument(RPC, "sectors must be empty with universe (the store's instrument tags are used)");
  if (sectorList.length > 0 && sectorList.length !== names.length)
    invalidArgument(RPC, `sectors must have one entry per symbol (${names.length}), got ${sectorList.length}`);
  if (sectorList.length > 0 && !req.sameSector)
    invalidArgument(RPC, "sectors is set but same_sector is false (set same_sector = true to apply it)");
  let sectors: Record<string, string> | undefined;
  if (req.sameSector) {
    if (storeSectors !== null) sectors = storeSectors;
    else if (sectorList.length === names.length) sectors = Object.fromEntries(names.map((name, k) => [name, sectorList[k]]));
    else invalidArgument(RPC, "same_sector needs universe (sectors from the store's instrument tags) or sectors (one per symbol)");
  }
  const screens = {
    ...(sectors === undefined ? {} : { sectors }),
    ...(minCorrelation > 0 ? { minReturnCorrelation: minCorrelation } : {}),
    ...(ssdK > 0 ? { nearestPartners: ssdK } : {}),
    ...(minHalfLife > 0 || maxHalfLife > 0 ? { halfLifeBand: { min: minHalfLife, max: maxHalfLife > 0 ? maxHalfLife : Infinity } } : {}),
    ...(minCrossings > 0 ? { minMeanCrossings: minCrossings } : {}),
  };
  if (Object.keys(screens).length === 0) return null;
  if (names.length > DISCOVER_MAX_SYMBOLS)
    resourceExhausted(RPC, `the screens take at most ${DISCOVER_MAX_SYMBOLS} symbols, got ${names.length}`);
  return screens;
}

function validate(ctx: ServiceContext, req: BatchDiscoveryRequest, storeSectors: Record<string, string> | null): Validated {
  const symbols = req.symbols ?? [];
  const n = symbols.length;
  if (n > MAX_DISCOVERY_SYMBOLS) resourceExhausted(RPC, `symbols must have at most ${MAX_DISCOVERY_SYMBOLS} entries, got ${n}`);
  const options = resolvePairOptions(RPC, req);
  const maxPairs = positiveIntOrDefault(RPC, "max_pairs", req.maxPairs, 0);
  const workers = Math.min(ctx.pool.size, positiveIntOrDefault(RPC, "parallel_workers", req.parallelWorkers, ctx.pool.size));
  const maxQ = positiveOrDefault(RPC, "max_q_value", req.maxQValue, 0, { max: 1 });
  const fixedBatch = positiveIntOrDefault(RPC, "batch_size", req.batchSize, 0, { max: 100_000 });
  const allPairs = (n * (n - 1)) / 2;
  const totalPairs = maxPairs > 0 ? Math.min(maxPairs, allPairs) : allPairs;
  if (totalPairs > MAX_DISCOVERY_PAIRS)
    resourceExhausted(RPC, `at most ${MAX_DISCOVERY_PAIRS} pairs per call (use max_pairs), got ${totalPairs}`);
  const length = n > 0 ? symbols[0].prices.length : 0;
  if (n >= 2 && length < MIN_PAIR_OBSERVATIONS) {
    invalidArgument(RPC, `symbols[0].prices must have at least ${MIN_PAIR_OBSERVATIONS} observations, got ${length}`);
  }
  const series = new Float64Array(new SharedArrayBuffer(Math.max(1, n * length) * Float64Array.BYTES_PER_ELEMENT));
  const names: string[] = [];
  for (let k = 0; k < n; k++) {
    const prices = symbols[k].prices;
    if (prices.length !== length) {
      invalidArgument(
        RPC,
        `every symbol needs the same number of prices: symbols[${k}].prices has ${prices.length}, symbols[0].prices has ${length}`,
      );
    }
    series.set(wireSeries(RPC, `symbols[${k}].prices`, prices), k * length);
    names.push(symbols[k].symbol);
  }
  const screens = screenOptions(req, names, storeSectors);
  if (screens !== null && ctx.redisUrl !== null)
    invalidArgument(
      RPC,
      "the screens (same_sector, min_correlation, ssd_k, half-life band, min_crossings) run on the server's own pool, not on a distributed (REDIS_URL) server",
    );
  return { names, series, length, totalPairs, options, workers, maxQ, fixedBatch, screens, candidates: allPairs, maxPairs };
}

/** Lexicographic (i < j) pair enumeration, the seed's order; max_pairs takes a prefix of it. */
class PairCursor {
  private i = 0;
  private j = 1;
  taken = 0;
  constructor(
    private readonly n: number,
    readonly total: number,
    /** The screens' survivors as flat (i, j) pairs in the same order; null = every pair. */
    private readonly list: Int32Array | null = null,
  ) {}
  take(count: number): Int32Array {
    const k = Math.min(count, this.total - this.taken);
    if (this.list !== null) {
      const out = this.list.slice(2 * this.taken, 2 * (this.taken + Math.max(0, k)));
      this.taken += Math.max(0, k);
      return out;
    }
    const out = new Int32Array(2 * Math.max(0, k));
    for (let m = 0; m < k; m++) {
      out[2 * m] = this.i;
      out[2 * m + 1] = this.j;
      this.j++;
      if (this.j >= this.n) {
        this.i++;
        this.j = this.i + 1;
      }
    }
    this.taken += Math.max(0, k);
    return out;
  }
  get done(): boolean {
    return this.taken >= this.total;
  }
}

/** A request naming a universe gets its symbols' prices from the store (issue 11 extension). */
async function withStorePrices(
  ctx: ServiceContext,
  req: BatchDiscoveryRequest,
): Promise<{ req: BatchDiscoveryRequest; sectors: Record<string, string> | null }> {
  if (!req.universe) return { req, sectors: null };
  if ((req.symbols ?? []).length > 0) invalidArgument(RPC, "give either universe or symbols, not both");
  const panel = await ctx.prices.panel(RPC, req, null);
  // same_sector with a universe: the sectors are the store's instrument tags (untagged = removed).
  const sectors = req.sameSector ? await ctx.prices.sectors(RPC, panel.symbols) : null;
  return { req: { ...req, symbols: panel.symbols.map((symbol, i) => ({ symbol, prices: Array.from(panel.values[i]!) })) }, sectors };
}

/** The server-streaming handler. */
export function discoverPairsHandler(ctx: ServiceContext) {
  return (call: ServerWritableStream<BatchDiscoveryRequest, PairDiscoveryUpdate>): void => {
    run(ctx, call).catch((error: unknown) => failStream(ctx, RPC, call as never, error));
  };
}

async function run(ctx: ServiceContext, call: ServerWritableStream<BatchDiscoveryRequest, PairDiscoveryUpdate>): Promise<void> {
  const started = performance.now();
  const stored = await withStorePrices(ctx, call.request);
  const v = validate(ctx, stored.req, stored.sectors);
  const cancellation = callCancellation(call, RPC);
  // The screens (if any) run once on a pool thread; only their survivors go to the pair batches.
  let removed: ScreenCounts | undefined;
  let survivors: Int32Array | null = null;
  let totalPairs = v.totalPairs;
  if (v.screens !== null && v.names.length >= 2) {
    const screened = await ctx.pool.run(
      "screenPanel",
      { series: v.series, length: v.length, symbols: v.names, screens: v.screens, cancel: cancellation.flag },
      undefined,
      cancellation.signal,
    );
    removed = screened.removed;
    survivors = screened.pairs;
    const surviving = survivors.length / 2;
    totalPairs = v.maxPairs > 0 ? Math.min(v.maxPairs, surviving) : surviving;
  } else if (v.screens !== null) {
    removed = { sector: 0, correlation: 0, distance: 0, halfLife: 0, crossings: 0 };
  }
  ctx.metrics.discoveryActiveStreams.inc();

  const cursor = new PairCursor(v.names.length, totalPairs, survivors);
  const seen = new SortedPValues();
  const pValues: number[] = [];
  const pValuePairs: Array<[string, string]> = [];
  const held: PartialPairResult[] = [];
  /** Position of each p-value carrier in pValues (for its exact q-value at the end). */
  const pIndex = new Map<PartialPairResult, number>();
  let tested = 0;
  let found = 0;
  let perPairMs = Number.NaN;
  /** Σ worker time inside batches (ms): busy / (wall × threads) shows whether workers idled between batches. */
  let workerMs = 0;

  const write = (update: Partial<PairDiscoveryUpdate>): void => {
    if (cancellation.cancelled()) return;
    call.write(PairDiscoveryUpdate.fromPartial({ pairsTotal: totalPairs, ...update }));
  };
  const emit = (result: PartialPairResult, testedSoFar: number): void => {
    if (result.success) found++;
    write({
      pairsTested: testedSoFar,
      pairsFound: found,
      progress: totalPairs === 0 ? 1 : testedSoFar / totalPairs,
      result: PairTestResponse.fromPartial(result),
      isFinal: false,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
  };
  const boundFor = (p: number): number => qValueUpperBound(p, seen.countAtOrBelow(p), totalPairs);

  const onBatch = (pairs: Int32Array, reply: DiscoverBatchResult): void => {
    workerMs += reply.elapsedMs;
    if (reply.results.length > 0) {
      const ms = reply.elapsedMs / reply.results.length;
      perPairMs = Number.isNaN(perPairMs) ? ms : 0.7 * perPairMs + 0.3 * ms;
    }
    onResults(pairs, reply.results);
  };

  /** Stream one batch's (or shard's) results; `pairs` holds their (i, j) symbol indices. */
  const onResults = (pairs: Int32Array, results: PartialPairResult[]): void => {
    for (let k = 0; k < results.length; k++) {
      const r = results[k];
      r.symbol1 = v.names[pairs[2 * k]];
      r.symbol2 = v.names[pairs[2 * k + 1]];
      const p = r.pValue;
      if (typeof p === "number" && Number.isFinite(p)) {
        seen.add(p);
        pValues.push(p);
        pValuePairs.push([r.symbol1, r.symbol2]);
        if (v.maxQ > 0 && r.success) pIndex.set(r, pValues.length - 1);
      }
    }
    ctx.metrics.discoveryPairsTested.inc(results.length);
    for (const r of results) {
      tested++;
      const p = r.pValue;
      if (typeof p === "number" && Number.isFinite(p)) r.qValue = boundFor(p);
      if (v.maxQ > 0 && r.success && !(r.qValue! <= v.maxQ)) {
        held.push(r);
        continue;
      }
      emit(r, tested);
    }
    if (v.maxQ > 0 && held.length > 0) {
      // More p-values can only lower the bound: release held pairs that are now certain.
      for (let k = held.length - 1; k >= 0; k--) {
        const bound = boundFor(held[k].pValue!);
        if (bound <= v.maxQ) {
          held[k].qValue = bound;
          emit(held[k], tested);
          held.splice(k, 1);
        }
      }
    }
  };

  const nextBatchSize = (): number => {
    if (v.fixedBatch > 0) return v.fixedBatch;
    if (Number.isNaN(perPairMs)) return 2;
    return Math.max(MIN_AUTO_BATCH, Math.min(MAX_AUTO_BATCH, Math.round(BATCH_TARGET_MS / Math.max(perPairMs, 1e-3))));
  };

  // Queued batches only help when this call may use every pool thread: with parallel_workers below
  // the pool size an extra batch would start on another thread and break that limit.
  const maxInflight = v.workers >= ctx.pool.size ? v.workers * BATCHES_IN_FLIGHT_PER_WORKER : v.workers;
  const backpressure = streamBackpressure(call as never, MAX_BUFFERED_UPDATES);
  const { backlogged, drainWait } = backpressure;

  /** REDIS_URL: the shards run on `arblab worker` processes; outcomes arrive in pair order. */
  const runDistributed = async (redisUrl: string): Promise<void> => {
    if (totalPairs === 0) return;
    const { discoverPairsDistributed } = await import("../../distributed/discoverCoordinator.js");
    const values = v.names.map((_, k) => v.series.subarray(k * v.length, (k + 1) * v.length));
    let remote: Awaited<ReturnType<typeof discoverPairsDistributed>>;
    try {
      remote = await discoverPairsDistributed(
        { symbols: v.names, values },
        {
          redisUrl,
          options: v.options,
          maxPairs: totalPairs,
          shardPairs: v.fixedBatch > 0 ? v.fixedBatch : undefined,
          signal: cancellation.signal,
          // Bounded: every wait ends on 'drain', 'close', 'cancelled' or 'finish'.
          beforeNext: async () => {
            while (!cancellation.cancelled() && backlogged()) {
              await drainWait();
              if (backlogged()) await new Promise((resolve) => setTimeout(resolve, 10));
            }
          },
          onOutcomes: (start, outcomes) => {
            if (cancellation.cancelled()) return;
            if (start !== cursor.taken)
              throw new Error(`${RPC}: distributed outcomes for pair ${start} arrived, expected pair ${cursor.taken}`);
            const pairs = cursor.take(outcomes.length);
            // A pair whose pipeline threw: the same result as the pool path's (discoverBatch).
            const results = outcomes.map(
              (o): PartialPairResult =>
                o.result ?? {
                  success: false,
                  nObservations: v.length,
                  error: `pair test failed: ${o.thrown}`,
                  pValue: Number.NaN,
                  qValue: Number.NaN,
                },
            );
            onResults(pairs, results);
          },
        },
      );
    } catch (error) {
      if (cancellation.cancelled()) return;
      const message = error instanceof Error ? error.message : String(error);
      // Redis unreachable or lost, or no worker serving the queue: the backend is unavailable.
      if (!(error instanceof RangeError) && /Redis at|arblab worker/.test(message))
        throw new WireError("UNAVAILABLE", `${RPC}: ${message}`);
      throw error;
    }
    workerMs += remote.computeMs;
    ctx.logger.debug(
      { rpc: RPC, shards: remote.shards, duplicateReports: remote.duplicateReports, shardsByWorker: remote.shardsByWorker },
      "distributed discovery done",
    );
  };

  try {
    if (ctx.redisUrl !== null) await runDistributed(ctx.redisUrl);
    else
      await runPoolBatches(cancellation, backpressure, {
        maxInflight,
        hasMore: () => !cursor.done,
        take: () => cursor.take(nextBatchSize()),
        run: (pairs) =>
          ctx.pool.run("discoverBatch", { series: v.series, length: v.length, pairs, options: v.options, cancel: cancellation.flag }),
        onReply: onBatch,
      });
    if (cancellation.cancelled()) {
      ctx.logger.info({ rpc: RPC, tested, totalPairs: totalPairs }, "discovery cancelled by the client");
      return;
    }
    const q = benjaminiHochberg(pValues);
    if (held.length > 0) {
      for (const r of held) {
        const qValue = q[pIndex.get(r)!];
        r.qValue = qValue;
        if (!(qValue <= v.maxQ)) {
          r.success = false;
          r.error = `q_value ${qValue.toPrecision(4)} > max_q_value ${v.maxQ} (Benjamini–Hochberg over ${pValues.length} tested pairs)`;
        }
        emit(r, tested);
      }
    }
    write({
      pairsTested: tested,
      pairsFound: found,
      progress: 1,
      isFinal: true,
      qValues: pValuePairs.map(([symbol1, symbol2], k) => ({ symbol1, symbol2, pValue: pValues[k], qValue: q[k] })),
      elapsedSeconds: (performance.now() - started) / 1000,
      pairsCandidates: v.candidates,
      ...(removed === undefined ? {} : { screenRemoved: removed }),
    });
    if (!cancellation.cancelled()) call.end();
    const seconds = (performance.now() - started) / 1000;
    ctx.logger.info(
      { rpc: RPC, tested, found, seconds, workerBusyFraction: workerMs / (1000 * seconds * v.workers) },
      "discovery finished",
    );
  } finally {
    cancellation.release();
    ctx.metrics.discoveryActiveStreams.dec();
  }
}
