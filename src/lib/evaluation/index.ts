// Evaluation: how much to trust a backtest's Sharpe ratio after selection and resampling.
export { sharpeRatio } from "./sharpeRatio.js"; // per-period mean/sd(ddof 1), ±∞ for zero sd
export { deflatedSharpe } from "./deflatedSharpe.js"; // DSR and expected max Sharpe of N trials (Bailey & López de Prado 2014)
export type { DeflatedSharpeInput, DeflatedSharpeResult } from "./deflatedSharpe.js";
export { probabilityOfBacktestOverfitting, PBO_MAX_PARTITIONS } from "./probabilityOfBacktestOverfitting.js"; // PBO by CSCV (Bailey et al. 2015)
export type {
  ProbabilityOfBacktestOverfittingOptions,
  ProbabilityOfBacktestOverfittingResult,
} from "./probabilityOfBacktestOverfitting.js";
export { stationaryBootstrapIndices } from "./stationaryBootstrapIndices.js"; // one Politis–Romano resample of 0..n−1
export type { StationaryBootstrapOptions } from "./stationaryBootstrapIndices.js";
export { bootstrapSharpeInterval, BOOTSTRAP_MAX_RESAMPLES } from "./bootstrapSharpeInterval.js"; // stationary-bootstrap CI for a Sharpe ratio
export type { BootstrapSharpeIntervalOptions, BootstrapSharpeIntervalResult } from "./bootstrapSharpeInterval.js";
