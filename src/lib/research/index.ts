// Research pipeline past one pair: walk-forward books and parameter sweeps.
export { selectPairs } from "./selectPairs.js"; // coint on every pair + BH FDR + top k (the walk-forward's discovery step)
export type { SelectPairsOptions, SelectPairsResult, SelectedPair } from "./selectPairs.js";
export { walkForward } from "./walkForward.js"; // rolling formation/trading folds, stitched out-of-sample book returns
export type { WalkForwardOptions, WalkForwardPanel, WalkForwardRule, WalkForwardResult, WalkForwardFold, WalkForwardSelection } from "./walkForward.js";
