/**
 * The TestPair pipeline shared by TestPair and DiscoverPairs, each stage from src/lib:
 * Engle–Granger `coint` (ADF on the residuals, lag by AIC) -> `hurst` of the residual spread ->
 * exact OU MLE `fitOu` -> Leung–Li optimal levels `leungLi` -> `backtestPair` with costs -> scores.
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
import { coint, hurst, fitOu, leungLi, backtestPair } from "../../lib/index.js";
import type { PairTestResponse } from "../generated/pair_discovery.js";
import { enumOrDefault, positiveIntOrDefault, positiveOrDefault } from "../wire.js";
import { invalidArgument } from "../errors.js";

/** Fewest prices per leg (the seed required 20). */
export const MIN_PAIR_OBSERVATIONS = 20;
/** Largest ADF lag a request may ask for. */
export const MAX_ADF_LAG = 1000;
/** Hurst estimator when the request leaves hurst_method empty: the variance-scaling estimator, unbiased on random walks (the seed's R/S read ≈ 0.65 on white noise). */
export const DEFAULT_HURST_METHOD = "variance";

export type HurstMethodName = "variance" | "rs" | "dfa";

function allPositive(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) return false;
  return true;
}

/**
 * Run a library step on the residual spread: its refusal names the spread of the two legs (what
 * the client sent), not the library's own argument (`hurst: x must …` read as the second leg).
 */
const SPREAD_NAME = "the residual spread prices1 − beta·prices2";
function onSpread<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof RangeError) {
      const text = error.message.replace(/^[A-Za-z]+: /, "");
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
  };
}

/** A PairTestResponse before ts-proto's fromPartial fills the unset fields with zeros. */
export type PartialPairResult = Partial<PairTestResponse>;

/**
 * Run the pipeline on two validated, equal-length series. Stops at the first failed screen
 * (not cointegrated, Hurst above min_hurst, no mean reversion, no entry region) with
 * success = false and `error` saying why; the fields computed so far are filled in.
 * @throws RangeError/TypeError from the library for degenerate input (e.g. a constant leg)
 */
export function testPairCore(symbol1: string, symbol2: string, y: Float64Array, x: Float64Array, o: PairOptions): PartialPairResult {
  const n = y.length;
  const out: PartialPairResult = { symbol1, symbol2, nObservations: n, hurstMethod: o.hurstMethod, warnings: [] };
  const eg = coint(y, x, { trend: "c", autolag: "aic", maxlag: o.maxLag });
  const beta = eg.beta[0];
  out.beta = beta;
  out.intercept = eg.intercept;
  out.pValue = eg.pValue;
  out.qValue = eg.pValue;
  out.adfStatistic = eg.statistic;
  out.adfLag = eg.usedLag ?? 0; // null only for collinear legs (see warnings)
  out.isCointegrated = eg.pValue < o.significance;
  out.warnings!.push(...eg.warnings);
  out.cointScore = 1 - eg.pValue;
  if (!out.isCointegrated) {
    out.success = false;
    out.error = `not cointegrated: p_value ${eg.pValue.toPrecision(4)} >= significance ${o.significance}`;
    return out;
  }

  const h = onSpread(() => hurst(eg.residuals, { method: o.hurstMethod }));
  out.hurst = h.H;
  out.meanrevScore = Math.min(1, Math.max(0, 1 - 2 * h.H));
  out.warnings!.push(...h.warnings);
  if (!(h.H <= o.minHurst)) {
    out.success = false;
    out.error = `not mean-reverting: Hurst ${h.H.toFixed(4)} > min_hurst ${o.minHurst} (min_hurst is the maximum allowed H)`;
    return out;
  }

  const ou = onSpread(() => fitOu(eg.residuals, { dt: o.dt }));
  out.kappa = ou.kappa;
  out.theta = ou.theta;
  out.sigma = ou.sigma;
  out.halfLife = ou.halfLifeSteps;
  out.halfLifeTime = ou.halfLife;
  out.warnings!.push(...ou.warnings);
  if (!(ou.kappa > 0 && Number.isFinite(ou.kappa) && ou.sigma > 0 && Number.isFinite(ou.sigma))) {
    out.success = false;
    out.error = `OU fit is not mean-reverting (kappa ${ou.kappa}, sigma ${ou.sigma})`;
    return out;
  }

  const costPerTrade = o.transactionCost * (Math.abs(y[n - 1]) + Math.abs(beta) * Math.abs(x[n - 1]));
  const levels = onSpread(() => leungLi({ kappa: ou.kappa, theta: ou.theta, sigma: ou.sigma, r: o.rho, c: costPerTrade }));
  out.warnings!.push(...levels.warnings);
  if (levels.entryLevel === null) {
    out.success = false;
    out.error = "no optimal entry region for these OU parameters and costs (Leung–Li)";
    out.longExitLevel = levels.exitLevel;
    return out;
  }
  const entry = levels.entryLevel;
  const exit = levels.exitLevel;
  out.lowerBoundary = entry;
  out.upperBoundary = 2 * ou.theta - entry;
  out.longExitLevel = exit;
  out.shortExitLevel = 2 * ou.theta - exit;

  // backtestPair trades the legs y and −beta·x and sizes positions from their notional, so it
  // needs positive prices; with a non-positive price (e.g. log prices below 1) it is skipped.
  if (!allPositive(y) || !allPositive(x)) {
    out.warnings!.push("backtest skipped: the pairs backtest needs positive prices in both legs (send prices or log prices > 0)");
    out.totalReturn = Number.NaN;
    out.sharpeRatio = Number.NaN;
    out.maxDrawdown = Number.NaN;
    out.winRate = Number.NaN;
    out.avgHoldingPeriod = Number.NaN;
    out.profitFactor = Number.NaN;
    out.numTrades = 0;
    out.profitScore = 0;
  } else {
    // backtestPair trades y − beta·x (no intercept): shift the residual-space levels by the intercept.
    const bt = backtestPair({
      y,
      x,
      hedge: { method: "static", beta },
      rule: { kind: "levels", entry: entry + eg.intercept, exit: exit + eg.intercept, side: "both", center: ou.theta + eg.intercept },
      costs: { bps: o.transactionCost * 1e4 },
      periodsPerYear: 1 / o.dt,
    });
    const m = bt.metrics;
    out.totalReturn = m.totalReturn / 100;
    out.sharpeRatio = m.sharpe;
    out.maxDrawdown = m.maxDrawdown;
    out.numTrades = m.trades;
    out.winRate = m.winRate;
    out.avgHoldingPeriod = m.avgHoldingPeriod;
    out.profitFactor = m.profitFactor;
    out.warnings!.push(...bt.warnings);
    out.profitScore = Math.max(0, out.totalReturn);
  }
  out.combinedScore = out.cointScore * out.meanrevScore * (1 + out.profitScore);
  out.success = true;
  out.error = "";
  return out;
}
