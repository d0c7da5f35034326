// Discovery: which pairs of a panel to trade: screens, then the per-pair research pipeline.
export { analysePair, ANALYSE_PAIR_MIN_OBSERVATIONS } from "./analysePair.js"; // Engle–Granger → Hurst → OU → Leung–Li → backtest (the TestPair pipeline)
export { backtestAnalysedPair } from "./analysePair.js"; // the pipeline's backtest in full (equity, returns, trades) for reports
export type {
  AnalysePairOptions,
  PairAnalysis,
  PairBacktestSummary,
  PairFailure,
  PairHedgeMethod,
  PairHurstMethod,
} from "./analysePair.js";
export { discoverPairs, DISCOVER_MAX_SYMBOLS } from "./discoverPairs.js"; // all pairs of a panel, screens, BH q-values
export type { DiscoverPairsOptions, DiscoverPairsResult, DiscoveredPair, DiscoveryPanel, ScreenCounts } from "./discoverPairs.js";
export { screenPairs } from "./screenPairs.js"; // the screens alone: surviving pairs and how many each screen removed
export type { PairScreenOptions, ScreenPairsResult } from "./screenPairs.js";
export { sumOfSquaredDistances } from "./sumOfSquaredDistances.js"; // SSD of paths normalised to 1 (Gatev et al. 2006)
export { meanCrossings } from "./meanCrossings.js"; // crossings of a spread's sample mean (Sarmento & Horta 2020)
