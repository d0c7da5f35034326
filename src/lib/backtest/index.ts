// Backtesting: rules, the bar-by-bar engine, batch backtests and their metrics.
export type { TradingRule, ZScoreRule, LevelsRule, ZScoreWindow } from "./tradingRule.js"; // z-score and absolute-level rules
export { BacktestEngine } from "./BacktestEngine.js"; // streaming bar-by-bar backtest (push → snapshot)
export type { OrderGate } from "./BacktestEngine.js"; // pre-trade check of live trading (setOrderGate)
export type {
  BacktestEngineOptions,
  BacktestOptions,
  BacktestCosts,
  BacktestRisk,
  HedgeSpec,
  HedgeSpread,
  SizingSpec,
  BacktestTrade,
  BacktestSnapshot,
  BacktestBar,
  ExitReason,
} from "./types.js"; // engine options and outputs
export { backtestPair } from "./backtestPair.js"; // two-leg pairs backtest with hedge, costs, sizing, risk
export type { BacktestPairInput, BacktestResult, BacktestDiagnostics } from "./backtestPair.js"; // its input and result
export type { TradeTable } from "./types.js"; // the trades table, by column
export { tradeRows } from "./tradeRows.js"; // the trades table's rows as objects
export { backtestSpread } from "./backtestSpread.js"; // spread traded as one instrument (the meanrev contract's BacktestStrategy)
export type { BandsRule, BacktestSpreadOptions } from "./backtestSpread.js"; // its bands rule (the Rust server's) and options
export type { BacktestMetrics } from "./backtestMetrics.js"; // metric conventions (see backtestMetrics.ts)
export { dynamicHedgeResidual } from "./dynamicHedgeResidual.js"; // the residual a rolling/Kalman hedge trades (hedge.spread "residual")
export type { DynamicHedgeSpec, DynamicHedgeResidual } from "./dynamicHedgeResidual.js";
export { maxDrawdown } from "./maxDrawdown.js"; // peak-to-trough fall of a value path (positive fraction)
export { drawdownSeries } from "./drawdownSeries.js"; // underwater curve V_t / running peak − 1
export type { MaxDrawdownResult } from "./maxDrawdown.js";
