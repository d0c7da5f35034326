/**
 * Shared types of the backtest domain: options, bars, snapshots, trades. The implementations
 * (BacktestEngine.ts, fillBook.ts, TradeLog.ts, the estimators) import from here and never from
 * each other's files for a type.
 */
import type { TradingRule } from "./tradingRule.js";
import type { BacktestMetrics } from "./backtestMetrics.js";

/** Transaction costs; all default to 0. */
export interface BacktestCosts {
  /** Proportional cost per leg, basis points of traded notional. */
  readonly bps?: number;
  /** Extra adverse fill, basis points of traded notional. */
  readonly slippageBps?: number;
  /** Fixed fee per order (per leg that trades), in currency. */
  readonly fixedFee?: number;
  /** Cost per unit (share) traded, in currency. */
  readonly perUnit?: number;
}

/** Risk limits; absent means no limit. */
export interface BacktestRisk {
  /** Cap on gross notional |q·y| + |q·β·x| at entry, in currency. */
  readonly maxGrossExposure?: number;
  /** Loss from the day's reference equity (previous day's close) that flattens and halts for the day. */
  readonly maxDailyLoss?: number;
}

/**
 * How the hedge ratio β_t is estimated (one estimator file each, see hedgeEstimator.ts):
 * - "static": a given `beta`, or OLS of y on x with intercept over the first `window` bars;
 * - "rolling": OLS of y on x with intercept over the trailing `window` bars ending at t;
 * - "kalman": the Kalman filter of kalmanHedge (Chan 2013 ex. 3.3; δ default 1e-4, Ve 1e-3). The
 *   rule's signal is then the standardised forecast error e_t/√Q_t (a z-score rule without a window).
 * `spread` (rolling and kalman only) chooses the series the engine forms and the rule sees:
 * - "hedgeRatio" (default): s_t = y_t − β_t·x_t with β_t known at the close of t;
 * - "residual": the no-look-ahead residual of the model fitted up to t−1. Rolling:
 *   s_t = y_t − β_{t−1}·x_t − α_{t−1}, α_t = ȳ − β_t·x̄ over the window ending at t (undefined until
 *   bar `window`, one bar later than β). Kalman: s_t = e_t = y_t − (β_{t−1}·x_t + α_{t−1}), the
 *   filter's forecast error, and the rule may be a levels rule on it (signal = s_t) besides the
 *   z-score rule on e_t/√Q_t.
 *   Positions and P&L do not change with `spread`: a trade holds q of y against −q·β_fill of x.
 *   See docs/dynamic-hedge-pipeline.md.
 */
export type HedgeSpec =
  | { readonly method: "static"; readonly beta?: number; readonly window?: number }
  | { readonly method: "rolling"; readonly window: number; readonly spread?: HedgeSpread }
  | { readonly method: "kalman"; readonly delta?: number; readonly ve?: number; readonly spread?: HedgeSpread };

/** The spread a dynamic hedge forms (see HedgeSpec). */
export type HedgeSpread = "hedgeRatio" | "residual";

export type SizingSpec = { readonly method: "capital"; readonly leverage?: number } | { readonly method: "units"; readonly units: number };

/** Options shared by BacktestEngine, backtestPair and backtestSpread. */
export interface BacktestOptions {
  readonly rule: TradingRule;
  readonly costs?: BacktestCosts;
  /** Starting equity (default 100 000 for pairs, 1 for spreads — pass the spread's notional). */
  readonly capital?: number;
  readonly sizing?: SizingSpec;
  readonly risk?: BacktestRisk;
  readonly execution?: { readonly fill?: "close" | "nextClose" };
  /** Bars per year for annualisation (default 252). */
  readonly periodsPerYear?: number;
  /** Annual risk-free rate for Sharpe/Sortino (default 0). */
  readonly riskFree?: number;
  /**
   * Batch functions only: also return the per-bar hedge ratio, spread and rule signal
   * (`result.diagnostics`; default false, null then). Off by default because they are derived
   * series (the trades table has β and the spread at every fill) and, at 1M bars, three more
   * 8 MB arrays to write: a quarter of the benchmark's time. The engine's snapshots always carry them.
   */
  readonly diagnostics?: boolean;
}

export interface BacktestEngineOptions extends BacktestOptions {
  /** "pair" trades y and x with a hedge; "spread" trades the spread (bar.y) as one instrument. */
  readonly mode?: "pair" | "spread";
  readonly hedge?: HedgeSpec;
}

export type ExitReason = "signal" | "stop" | "dailyLoss" | "ruin" | "end";

/** One round trip as a row object (`tradeRows(result.trades)`). Indices are the bars of the fills. */
export interface BacktestTrade {
  readonly entryIndex: number;
  readonly exitIndex: number;
  readonly side: "long" | "short";
  /** Spread units held (q > 0); leg quantities are ±q of y and ∓q·β of x. */
  readonly units: number;
  readonly hedgeRatio: number;
  /** Spread value y − β·x at the entry and exit fills (β = hedgeRatio). */
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly entryPrices: { readonly y: number; readonly x: number };
  readonly exitPrices: { readonly y: number; readonly x: number };
  /** Net P&L in currency, after costs. */
  readonly pnl: number;
  /** pnl / equity at entry (before entry costs) · 100. */
  readonly returnPct: number;
  readonly holdingBars: number;
  /** Entry plus exit costs, currency. */
  readonly costs: number;
  readonly exitReason: ExitReason;
}

/**
 * Closed round trips, one row per trade, by column (TradeLog.ts): every field is a column of the
 * same length, the number of trades (`table.pnl.length`, also `metrics.trades`), so data-frame
 * libraries take it as is (`aq.table(result.trades)` in arquero). Indices are the bars of the fills.
 */
export interface TradeTable {
  readonly entryIndex: Int32Array;
  readonly exitIndex: Int32Array;
  readonly side: readonly ("long" | "short")[];
  /** Spread units held (q > 0); leg quantities are ±q of y and ∓q·β of x. */
  readonly units: Float64Array;
  readonly hedgeRatio: Float64Array;
  /** Spread value y − β·x at the entry and exit fills (β = hedgeRatio). */
  readonly entryPrice: Float64Array;
  readonly exitPrice: Float64Array;
  /** Leg prices at the fills (backtestSpread: y is the spread, x is 0). */
  readonly entryY: Float64Array;
  readonly entryX: Float64Array;
  readonly exitY: Float64Array;
  readonly exitX: Float64Array;
  /** Net P&L in currency, after costs. */
  readonly pnl: Float64Array;
  /** pnl / equity at entry (before entry costs) · 100. */
  readonly returnPct: Float64Array;
  readonly holdingBars: Int32Array;
  /** Entry plus exit costs, currency. */
  readonly costs: Float64Array;
  readonly exitReason: readonly ExitReason[];
}

/** What `push` returns after each bar. */
export interface BacktestSnapshot {
  readonly bar: number;
  readonly equity: number;
  readonly barReturn: number;
  /** Signed spread units held after this bar's fills. */
  readonly position: number;
  readonly hedgeRatio: number;
  readonly spread: number;
  /** Value the rule saw at this bar: z-score (zscore rule; e_t/√Q_t with the Kalman hedge) or spread (levels rule); NaN in warm-up. */
  readonly signal: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly metrics: BacktestMetrics;
}

/** Input bar. In "spread" mode `y` is the spread value and `x` is ignored. */
export interface BacktestBar {
  readonly y: number;
  readonly x?: number;
  readonly day?: number;
}

/** Internal: recorded per-bar outputs for the batch functions. */
export interface BacktestRecord {
  equity: Float64Array;
  returns: Float64Array;
  positions: Float64Array;
  /** Whether the three diagnostic series below are written (zero-length when not). */
  diagnostics: boolean;
  hedgeRatios: Float64Array;
  spread: Float64Array;
  signal: Float64Array;
}
