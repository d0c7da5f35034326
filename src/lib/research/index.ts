// Research pipeline past one pair: walk-forward books and parameter sweeps.
export { selectPairs } from "./selectPairs.js"; // screens + discoverPairs + BH FDR + top k (the walk-forward's discovery step)
export type { SelectPairsOptions, SelectPairsResult, SelectedPair, PairScreens } from "./selectPairs.js";
export { walkForward, stitchWalkForward } from "./walkForward.js"; // rolling formation/trading folds, stitched out-of-sample book returns
export type {
  WalkForwardOptions,
  WalkForwardPanel,
  WalkForwardRule,
  WalkForwardResult,
  WalkForwardFold,
  WalkForwardSelection,
} from "./walkForward.js";
export { sweepSize, sweepCombination, MAX_SWEEP_COMBINATIONS } from "./sweepSpace.js"; // a sweep's parameter space, grid or seeded random, numbered for sharding
export type { SweepSpace, SweepSampling, SweepCombination } from "./sweepSpace.js";
export { sweepBacktests, MAX_SHARD_COMBINATIONS, MAX_RETURN_VALUES } from "./sweepBacktests.js"; // one shard of a pairs-backtest sweep, sharing per-group precomputation
export type { SweepBacktestsInput, SweepBacktestsResult, SweepResult } from "./sweepBacktests.js";
export { sweepOverfitting, bestTrialIndex } from "./sweepOverfitting.js"; // DSR of a sweep's best trial and its PBO (CSCV)
export type { SweepOverfittingInput, SweepOverfittingResult } from "./sweepOverfitting.js";
