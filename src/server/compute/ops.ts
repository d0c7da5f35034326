/**
 * Every computation the worker pool can run, by name. Each op is a pure function of a
 * structured-cloneable payload (a decoded request message, or a discovery batch) returning a
 * partial response message. Op modules are imported lazily inside the worker on first use.
 */
import type * as PairOps from "./pairDiscoveryOps.js";
import type * as MeanRevOps from "./meanRevOps.js";
import type * as DiscoverOps from "./discoverBatch.js";

export interface Ops {
  testPair: typeof PairOps.testPair;
  discoverBatch: typeof DiscoverOps.discoverBatch;
  solveHjb: typeof PairOps.solveHjbOp;
  estimateOu: typeof PairOps.estimateOu;
  testCointegration: typeof PairOps.testCointegration;
  calculateHurst: typeof PairOps.calculateHurst;
  backtestStrategy: typeof PairOps.backtestStrategy;
  optimalThresholds: typeof MeanRevOps.optimalThresholds;
  computeReturns: typeof MeanRevOps.computeReturns;
  pcaPortfolios: typeof MeanRevOps.pcaPortfolios;
  optimizeWeights: typeof MeanRevOps.optimizeWeights;
  multiperiodOptimize: typeof MeanRevOps.multiperiodOptimize;
  portfolioStats: typeof MeanRevOps.portfolioStatsOp;
  generateSignals: typeof MeanRevOps.generateSignals;
}
export type OpName = keyof Ops;
export type OpPayload<K extends OpName> = Parameters<Ops[K]>[0];
export type OpResult<K extends OpName> = ReturnType<Ops[K]>;

const pairOps = () => import("./pairDiscoveryOps.js");
const meanRevOps = () => import("./meanRevOps.js");

/** How to load each op. */
export const opLoaders: { readonly [K in OpName]: () => Promise<Ops[K]> } = {
  testPair: async () => (await pairOps()).testPair,
  discoverBatch: async () => (await import("./discoverBatch.js")).discoverBatch,
  solveHjb: async () => (await pairOps()).solveHjbOp,
  estimateOu: async () => (await pairOps()).estimateOu,
  testCointegration: async () => (await pairOps()).testCointegration,
  calculateHurst: async () => (await pairOps()).calculateHurst,
  backtestStrategy: async () => (await pairOps()).backtestStrategy,
  optimalThresholds: async () => (await meanRevOps()).optimalThresholds,
  computeReturns: async () => (await meanRevOps()).computeReturns,
  pcaPortfolios: async () => (await meanRevOps()).pcaPortfolios,
  optimizeWeights: async () => (await meanRevOps()).optimizeWeights,
  multiperiodOptimize: async () => (await meanRevOps()).multiperiodOptimize,
  portfolioStats: async () => (await meanRevOps()).portfolioStatsOp,
  generateSignals: async () => (await meanRevOps()).generateSignals,
};
