/**
 * Every computation the worker pool can run, by name. Each op is a pure function of a
 * structured-cloneable payload (a decoded request message, or a discovery batch) returning a
 * partial response message. (Static imports: tsx's loader inside worker threads resolves the
 * `.js` -> `.ts` mapping for static imports only.)
 */
import { testPair, solveHjbOp, estimateOu, testCointegration, calculateHurst, backtestStrategy } from "./pairDiscoveryOps.js";
import { discoverBatch } from "./discoverBatch.js";
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
} from "./meanRevOps.js";

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
    const options = resolvePairOptions("warm-up", { significance: 0, minHurst: 0, transactionCost: 0, dt: 0, rho: 1, maxLag: 0, hurstMethod: "" });
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
  testPair,
  discoverBatch,
  solveHjb: solveHjbOp,
  estimateOu,
  testCointegration,
  calculateHurst,
  backtestStrategy,
  optimalThresholds,
  computeReturns,
  pcaPortfolios,
  optimizeWeights,
  multiperiodOptimize,
  portfolioStats: portfolioStatsOp,
  generateSignals,
} as const;

export type Ops = typeof ops;
export type OpName = keyof Ops;
export type OpPayload<K extends OpName> = Parameters<Ops[K]>[0];
export type OpResult<K extends OpName> = ReturnType<Ops[K]>;
