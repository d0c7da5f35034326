// Optimal mean-reversion trading rules: optimal stopping (Leung–Li), its HJB/VI solver, Bertram's bands.
export { leungLi } from "./leungLi.js"; // Leung & Li (2015) optimal entry/exit levels (with optional stop-loss) and value functions
export type { LeungLiParameters, LeungLiResult, LeungLiValueGrid } from "./leungLi.js";
export type { OuStoppingParameters } from "./ouStoppingParameters.js";
export { solveHjb } from "./solveHjb.js"; // finite-difference variational-inequality solver of the same problems (policy iteration / PSOR)
export type { SolveHjbParameters, SolveHjbResult, HjbScheme } from "./solveHjb.js";
export { bertramThresholds, bertramCycleMoments } from "./bertramThresholds.js"; // Bertram (2010) symmetric bands maximising return rate or Sharpe
export type { BertramParameters, BertramResult, BertramObjective } from "./bertramThresholds.js";
export { optimalThresholds } from "./optimalThresholds.js"; // z-score thresholds for the server's OptimalThresholds RPC (profit / sharpe / kelly)
export type { OptimalThresholdsParameters, OptimalThresholdsResult, ThresholdObjective } from "./optimalThresholds.js";
export { levelsToZScores, zScoresToLevels } from "./levelsToZScores.js"; // levels ↔ stationary z-scores (x − θ)/(σ/√(2κ))
export type { OuScale } from "./levelsToZScores.js";
export { ouHedgeRatio } from "./ouHedgeRatio.js"; // hedge ratio B maximising the OU likelihood of y − B·x (Leung & Li §5)
export type { OuHedgeRatioOptions, OuHedgeRatioResult, HedgeScale } from "./ouHedgeRatio.js";
