/**
 * Every computation the worker pool can run, by name. Each op is a pure function of a
 * structured-cloneable payload (a decoded request message, or a discovery batch) returning a
 * partial response message. (Static imports: tsx's loader inside worker threads resolves the
 * `.js` -> `.ts` mapping for static imports only.)
 */
import { testPair, solveHjbOp, estimateOu, testCointegration, calculateHurst, backtestStrategy } from "./pairDiscoveryOps.js";
import { discoverBatch } from "./discoverBatch.js";
import {
  optimalThresholds,
  computeReturns,
  pcaPortfolios,
  optimizeWeights,
  multiperiodOptimize,
  portfolioStatsOp,
  generateSignals,
} from "./meanRevOps.js";

/** Warm-up / liveness probe: loading this module in a worker loads every op and the library. */
function ping(payload: null): true {
  void payload;
  return true;
}

export const ops = {
  ping,
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
