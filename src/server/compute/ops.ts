/**
 * Every computation the worker pool can run, by name. Each op is a pure function of a
 * structured-cloneable payload (a decoded request message, or a discovery batch) returning a
 * partial response message. (Static imports: tsx's loader inside worker threads resolves the
 * `.js` -> `.ts` mapping for static imports only.)
 */
import {
  testPair,
  solveHjbOp,
  estimateOu,
  testCointegration,
  calculateHurst,
  backtestStrategy,
  PAIR_DISCOVERY_FIELDS,
} from "./pairDiscoveryOps.js";
import { withWireFields, type WireFieldNames } from "../libraryErrors.js";
import { requireFiniteResult } from "../finiteResult.js";
import { discoverBatch } from "./discoverBatch.js";
import { screenPanel } from "./screenBatch.js";
import { SWEEP_FIELDS, SWEEP_RPC, sweepBatch, sweepSummary } from "./sweepOps.js";
import { heapNumbers, type HeapNumbers } from "../heapNumbers.js";
import { resolvePairOptions, testPairCore } from "./pairPipeline.js";
import { normalSource, randomSource, simulateOu } from "../../lib/index.js";
import {
  optimalThresholds,
  computeReturns,
  pcaPortfolios,
  optimizeWeights,
  multiperiodOptimize,
  portfolioStatsOp,
  generateSignals,
  MEAN_REV_FIELDS,
  type OptimizeWeightsPayload,
} from "./meanRevOps.js";

/**
 * An op as the worker runs it: library refusals reworded in wire terms (libraryErrors.ts) and the
 * response checked for unexplained non-finite numbers (finiteResult.ts).
 */
function guarded<P, R>(
  rpc: string,
  names: WireFieldNames,
  fn: (payload: P) => R,
  documentedNaN: readonly string[] = [],
): (payload: P) => R {
  return (payload) =>
    requireFiniteResult(
      rpc,
      withWireFields(rpc, names, () => fn(payload)),
      documentedNaN,
    );
}

/** The weight streams: the RPC depends on the objective; utility (Sharpe) and turnover (no rebalance) are NaN by contract. */
function guardedWeights(payload: OptimizeWeightsPayload): ReturnType<typeof optimizeWeights> {
  const rpc = payload.kind === "cara" ? "CARAOptimalWeights" : "SharpeOptimalWeights";
  return guarded(rpc, MEAN_REV_FIELDS[rpc], optimizeWeights, ["utility", "turnover"])(payload);
}

/** screenPairs' option names -> DiscoverPairs' wire fields. */
const SCREEN_FIELDS = {
  minReturnCorrelation: "min_correlation",
  nearestPartners: "ssd_k",
  "halfLifeBand.min": "min_half_life",
  "halfLifeBand.max": "max_half_life",
  minMeanCrossings: "min_crossings",
  sectors: "sectors",
  "panel.prices": "symbols",
} as const;

type OpPayloadOf<F> = F extends (payload: infer P) => unknown ? P : never;

/** Pipeline runs per worker at start-up so the JIT has compiled the hot paths before real calls. */
const WARM_UP_RUNS = 8;

/**
 * Liveness probe and warm-up: loading this module loads every op and the library; with "warm" it
 * also runs the TestPair pipeline a few times on a seeded synthetic cointegrated pair.
 */
function ping(payload: null | "warm"): true {
  if (payload === "warm") {
    const normal = normalSource(randomSource(1));
    const n = 500;
    const x = new Float64Array(n);
    x[0] = 100;
    for (let i = 1; i < n; i++) x[i] = x[i - 1] + normal();
    const spread = simulateOu({ kappa: 0.2, theta: 0, sigma: 0.5 }, n, { rng: randomSource(2) });
    const y = x.map((v, i) => 10 + 1.5 * v + spread[i]);
    const options = resolvePairOptions("warm-up", {
      significance: 0,
      minHurst: 0,
      transactionCost: 0,
      dt: 0,
      rho: 1,
      maxLag: 0,
      hurstMethod: "",
    });
    for (let k = 0; k < WARM_UP_RUNS; k++) testPairCore("", "", y, x, options);
  }
  return true;
}

/**
 * Diagnostics, not an RPC: a full garbage collection of this worker's heap when the process runs
 * with --expose-gc (the load test's RSS measurement), then a short pause so that the pool's other
 * threads take the other copies of this task (ComputePool.collectGarbage). Returns this worker's
 * heap numbers afterwards and whether gc was exposed.
 */
function collectGarbage(): HeapNumbers & { readonly collected: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  return { ...heapNumbers(), collected: gc !== undefined };
}

export const ops = {
  ping,
  collectGarbage,
  testPair: guarded("TestPair", PAIR_DISCOVERY_FIELDS.TestPair, testPair),
  discoverBatch,
  // Library refusals of the screen options, reworded with the wire field names.
  screenPanel: guarded("DiscoverPairs", SCREEN_FIELDS, screenPanel),
  // Not finite-checked: a combination's non-finite Sharpe is its result (streamed as is), not a failure of the call.
  sweepBatch: (payload: OpPayloadOf<typeof sweepBatch>) => withWireFields(SWEEP_RPC, SWEEP_FIELDS, () => sweepBatch(payload)),
  // NaN by contract when a statistic cannot be computed (explained in warnings).
  sweepSummary: guarded(SWEEP_RPC, SWEEP_FIELDS, sweepSummary, ["dsr", "expectedMaxSharpe", "pbo", "bestSharpe"]),
  // NaN by contract when there is no entry region / no lower entry level (has_entry_region says which).
  solveHjb: guarded("SolveHJB", PAIR_DISCOVERY_FIELDS.SolveHJB, solveHjbOp, [
    "lowerBoundary",
    "entryLevel",
    "entryLowerLevel",
    "closedFormEntryLevel",
  ]),
  estimateOu: guarded("EstimateOU", PAIR_DISCOVERY_FIELDS.EstimateOU, estimateOu),
  testCointegration: guarded("TestCointegration", PAIR_DISCOVERY_FIELDS.TestCointegration, testCointegration),
  calculateHurst: guarded("CalculateHurst", PAIR_DISCOVERY_FIELDS.CalculateHurst, calculateHurst),
  backtestStrategy: guarded("BacktestStrategy", PAIR_DISCOVERY_FIELDS.BacktestStrategy, backtestStrategy),
  optimalThresholds: guarded("OptimalThresholds", MEAN_REV_FIELDS.OptimalThresholds, optimalThresholds),
  computeReturns: guarded("ComputeLogReturns", MEAN_REV_FIELDS.ComputeLogReturns, computeReturns),
  pcaPortfolios: guarded("PCAPortfolios", MEAN_REV_FIELDS.PCAPortfolios, pcaPortfolios),
  optimizeWeights: guardedWeights,
  multiperiodOptimize: guarded("MultiperiodOptimize", MEAN_REV_FIELDS.MultiperiodOptimize, multiperiodOptimize),
  portfolioStats: guarded("PortfolioStats", MEAN_REV_FIELDS.PortfolioStats, portfolioStatsOp),
  generateSignals: guarded("GenerateSignals", MEAN_REV_FIELDS.GenerateSignals, generateSignals),
} as const;

export type Ops = typeof ops;
export type OpName = keyof Ops;
export type OpPayload<K extends OpName> = Parameters<Ops[K]>[0];
export type OpResult<K extends OpName> = ReturnType<Ops[K]>;
