/**
 * The TestPair pipeline shared by TestPair and DiscoverPairs: the library's `analysePair`
 * (Engle–Granger `coint` (ADF on the residuals, lag by AIC) -> `hurst` of the residual spread ->
 * exact OU MLE `fitOu` -> Leung–Li optimal levels `leungLi` -> `backtestPair` with costs) -> scores.
 * The server adds no mathematics: only defaults, unit mapping and the score formulas below
 * (documented in docs/compatibility.md).
 *
 * Units: the spread is the Engle–Granger residual e_t = prices1_t − intercept − beta·prices2_t;
 * theta and every level are in those units. kappa and sigma are per year with dt = 1/252 (per
 * bar with dt = 1); half_life is in bars. transaction_cost is a fraction of traded notional per
 * leg (0.001 = 10 bps, the seed's meaning); for the optimal levels it becomes Leung–Li's cost per
 * trade in spread units, c = transaction_cost · (|prices1_T| + |beta|·|prices2_T|).
 *
 * Scores: coint_score = 1 − p_value; meanrev_score = clamp(1 − 2H, 0, 1) (1 at H = 0, 0 for
 * H ≥ 0.5); profit_score = max(total_return, 0) (fraction); combined_score =
 * coint_score · meanrev_score · (1 + profit_score) (the seed's product form).
 */
import { analysePairKernel, type PairAnalysisWorkspace } from "../../lib/discovery/analysePair.js";
import type { PairTestResponse } from "../generated/pair_discovery.js";
import { enumOrDefault, positiveIntOrDefault, positiveOrDefault } from "../wire.js";
import { invalidArgument } from "../errors.js";
import { KALMAN_DEFAULT_DELTA, KALMAN_DEFAULT_VE } from "../../lib/hedge/kalmanHedge.js";

/** Fewest prices per leg (the seed required 20). */
export const MIN_PAIR_OBSERVATIONS = 20;
/** Largest ADF lag a request may ask for. */
export const MAX_ADF_LAG = 1000;
/** Hurst estimator when the request leaves hurst_method empty: the variance-scaling estimator, unbiased on random walks (the seed's R/S read ≈ 0.65 on white noise). */
export const DEFAULT_HURST_METHOD = "variance";

export type HurstMethodName = "variance" | "rs" | "dfa";

/** Hedge estimators of the pair pipeline (library analysePair's `hedge`); "ols" is the contract's. */
export const PAIR_HEDGE_METHODS = ["ols", "tls", "johansen", "boxTiao", "minHalfLife", "rolling", "kalman"] as const;
export type PairHedgeName = (typeof PAIR_HEDGE_METHODS)[number];

/**
 * The spread stages of the pair pipeline (Hurst, OU fit, Leung–Li levels) run on the residual
 * spread: their refusal names the spread of the two legs (what the client sent), not the library's
 * own argument (`hurst: x must …` read as the second leg). Refusals of the other stages (coint on
 * the legs themselves) pass through unchanged.
 */
const SPREAD_NAME = "the residual spread prices1 − beta·prices2";
const SPREAD_STAGES = /^(hurst|fitOu|leungLi): /;
function onSpread<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof RangeError && SPREAD_STAGES.test(error.message)) {
      const text = error.message.replace(SPREAD_STAGES, "");
      throw new RangeError(/^x\b/.test(text) ? text.replace(/^x\b/, SPREAD_NAME) : `${SPREAD_NAME}: ${text}`);
    }
    throw error;
  }
}

/**
 * Smallest dt (time per bar, in the unit of kappa and half_life_time; years by default): below it
 * kappa = −ln b/dt overflows for ordinary spreads (dt = 5e-324 gave kappa Infinity).
 */
export const MIN_DT = 1e-9;

function atLeast(rpc: string, field: string, value: number, min: number): number {
  if (value < min) invalidArgument(rpc, `${field} must be >= ${min} (or 0 for the default), got ${value}`);
  return value;
}

/** Resolved options of one pair test. */
export interface PairOptions {
  readonly significance: number;
  readonly minHurst: number;
  readonly transactionCost: number;
  readonly dt: number;
  readonly rho: number;
  readonly maxLag: number | undefined;
  readonly hurstMethod: HurstMethodName;
  readonly hedge: PairHedgeName;
  /** Dynamic hedges: rolling window (0 unless rolling), Kalman δ and Ve. */
  readonly hedgeWindow: number;
  readonly hedgeDelta: number;
  readonly hedgeVe: number;
}

/** The wire fields shared by PairTestRequest and BatchDiscoveryRequest. */
export interface PairOptionFields {
  significance: number;
  minHurst: number;
  transactionCost: number;
  dt: number;
  rho: number;
  maxLag: number;
  hurstMethod: string;
  /** Extension field 58 (TestPair) / 60 (DiscoverPairs); absent = "ols". */
  hedge?: string;
  /** Fields 59–61 (TestPair) / 68–70 (DiscoverPairs): dynamic-hedge parameters; 0/absent = unset. */
  hedgeWindow?: number;
  hedgeDelta?: number;
  hedgeVe?: number;
}

/** Defaults and checks for the option fields (proto3 0 = default). */
export function resolvePairOptions(rpc: string, req: PairOptionFields): PairOptions {
  const maxLag = positiveIntOrDefault(rpc, "max_lag", req.maxLag, 0, { max: MAX_ADF_LAG });
  return {
    significance: positiveOrDefault(rpc, "significance", req.significance, 0.05, { maxExclusive: 1 }),
    minHurst: positiveOrDefault(rpc, "min_hurst", req.minHurst, 0.45, { max: 1 }),
    transactionCost: positiveOrDefault(rpc, "transaction_cost", req.transactionCost, 0.001, { maxExclusive: 1 }),
    dt: atLeast(rpc, "dt", positiveOrDefault(rpc, "dt", req.dt, 1 / 252, { max: 1000 }), MIN_DT),
    rho: positiveOrDefault(rpc, "rho", req.rho, 0.04, { max: 100 }),
    maxLag: maxLag === 0 ? undefined : maxLag,
    hurstMethod: enumOrDefault(rpc, "hurst_method", req.hurstMethod, ["variance", "rs", "dfa"] as const, DEFAULT_HURST_METHOD),
    ...resolveHedge(rpc, req),
  };
}

/** Largest hedge_window (bars); the library also needs hedge_window ≤ n − 20. */
export const MAX_HEDGE_WINDOW = 1_000_000;

/**
 * The hedge fields: hedge one of PAIR_HEDGE_METHODS (default "ols"); hedge_window required with
 * "rolling" (integer ≥ 3), hedge_delta in (0, 1) and hedge_ve > 0 with "kalman" (0 = the library
 * defaults 1e-4, 1e-3); a parameter set for another hedge, or negative, is refused.
 */
function resolveHedge(rpc: string, req: PairOptionFields): Pick<PairOptions, "hedge" | "hedgeWindow" | "hedgeDelta" | "hedgeVe"> {
  const hedge = enumOrDefault(rpc, "hedge", req.hedge, PAIR_HEDGE_METHODS, "ols");
  const window = req.hedgeWindow ?? 0;
  const delta = req.hedgeDelta ?? 0;
  const ve = req.hedgeVe ?? 0;
  if (hedge !== "rolling" && window !== 0)
    invalidArgument(rpc, `hedge_window applies to hedge "rolling" only (0 otherwise), got ${window} with hedge "${hedge}"`);
  if (hedge !== "kalman" && (delta !== 0 || ve !== 0))
    invalidArgument(
      rpc,
      `hedge_delta and hedge_ve apply to hedge "kalman" only (0 otherwise), got ${delta} and ${ve} with hedge "${hedge}"`,
    );
  if (hedge === "rolling" && window === 0)
    invalidArgument(rpc, `hedge_window is required with hedge "rolling" (the trailing OLS window in bars, >= 3)`);
  if (window < 0) invalidArgument(rpc, `hedge_window must be >= 3, got ${window}`);
  if (delta < 0) invalidArgument(rpc, `hedge_delta must be in (0, 1) (or 0 for the default ${KALMAN_DEFAULT_DELTA}), got ${delta}`);
  if (ve < 0) invalidArgument(rpc, `hedge_ve must be > 0 (or 0 for the default ${KALMAN_DEFAULT_VE}), got ${ve}`);
  return {
    hedge,
    hedgeWindow: positiveIntOrDefault(rpc, "hedge_window", window, 0, { min: 3, max: MAX_HEDGE_WINDOW }),
    hedgeDelta: positiveOrDefault(rpc, "hedge_delta", delta, KALMAN_DEFAULT_DELTA, { maxExclusive: 1 }),
    hedgeVe: positiveOrDefault(rpc, "hedge_ve", ve, KALMAN_DEFAULT_VE),
  };
}

/** A PairTestResponse before ts-proto's fromPartial fills the unset fields with zeros. */
export type PartialPairResult = Partial<PairTestResponse>;

/**
 * Run the pipeline on two validated, equal-length series. Stops at the first failed screen
 * (not cointegrated, Hurst above min_hurst, no mean reversion, no entry region) with
 * success = false and `error` saying why; the fields computed so far are filled in.
 * Loops over many pairs pass one `workspace` (createPairAnalysisWorkspace) for all of them: the
 * library's scratch arrays are then allocated once, not per pair (docs/scaling.md).
 * @throws RangeError/TypeError from the library for degenerate input (e.g. a constant leg)
 */
export function testPairCore(
  symbol1: string,
  symbol2: string,
  y: Float64Array,
  x: Float64Array,
  o: PairOptions,
  workspace?: PairAnalysisWorkspace,
): PartialPairResult {
  const a = onSpread(() =>
    analysePairKernel(
      y,
      x,
      {
        significance: o.significance,
        maxHurst: o.minHurst,
        transactionCost: o.transactionCost,
        dt: o.dt,
        rho: o.rho,
        maxLag: o.maxLag,
        hurstMethod: o.hurstMethod,
        hedge: o.hedge,
        hedgeWindow: o.hedgeWindow,
        hedgeDelta: o.hedgeDelta,
        hedgeVe: o.hedgeVe,
      },
      workspace,
    ),
  );
  const out: PartialPairResult = {
    symbol1,
    symbol2,
    nObservations: a.nObservations,
    hurstMethod: o.hurstMethod,
    hedge: a.hedge,
    warnings: [...a.warnings],
  };
  out.beta = a.beta;
  out.intercept = a.intercept;
  out.pValue = a.pValue;
  out.qValue = a.pValue;
  out.adfStatistic = a.adfStatistic;
  out.adfLag = a.adfLag;
  out.isCointegrated = a.isCointegrated;
  out.cointScore = 1 - a.pValue;
  if (a.failedAt === "cointegration") {
    out.success = false;
    out.error = a.isCointegrated
      ? `${a.reason} (hedge ${o.hedge})`
      : `not cointegrated: p_value ${a.pValue.toPrecision(4)} >= significance ${o.significance}`;
    return out;
  }
  out.hurst = a.hurst;
  out.meanrevScore = Math.min(1, Math.max(0, 1 - 2 * a.hurst));
  if (a.failedAt === "hurst") {
    out.success = false;
    out.error = `not mean-reverting: Hurst ${a.hurst.toFixed(4)} > min_hurst ${o.minHurst} (min_hurst is the maximum allowed H)`;
    return out;
  }
  out.kappa = a.kappa;
  out.theta = a.theta;
  out.sigma = a.sigma;
  out.halfLife = a.halfLife;
  out.halfLifeTime = a.halfLifeTime;
  if (a.failedAt === "ou") {
    out.success = false;
    out.error = a.reason;
    return out;
  }
  if (a.failedAt === "levels") {
    out.success = false;
    out.error = a.reason;
    out.longExitLevel = a.exitLevel;
    return out;
  }
  out.lowerBoundary = a.entryLevel;
  out.upperBoundary = a.shortEntryLevel;
  out.longExitLevel = a.exitLevel;
  out.shortExitLevel = a.shortExitLevel;
  const bt = a.backtest;
  out.totalReturn = bt.totalReturn;
  out.sharpeRatio = bt.sharpe;
  out.maxDrawdown = bt.maxDrawdown;
  out.numTrades = bt.trades;
  out.winRate = bt.winRate;
  out.avgHoldingPeriod = bt.avgHoldingPeriod;
  out.profitFactor = bt.profitFactor;
  out.profitScore = a.backtested ? Math.max(0, bt.totalReturn) : 0;
  out.combinedScore = out.cointScore * out.meanrevScore * (1 + out.profitScore);
  out.success = true;
  out.error = "";
  return out;
}
