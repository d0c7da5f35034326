import { backtestPair, type BacktestResult } from "../backtest/backtestPair.js";
import { dynamicHedgeResidualKernel } from "../backtest/dynamicHedgeResidual.js";
import { KALMAN_DEFAULT_DELTA, KALMAN_DEFAULT_VE } from "../hedge/kalmanHedge.js";
import type { HedgeSpec } from "../backtest/types.js";
import { leungLi } from "../optimal/leungLi.js";
import { fitOu } from "../ou/fitOu.js";
import { type CointWorkspace, cointPairKernel, createCointWorkspace } from "../timeseries/coint.js";
import { hurst } from "../timeseries/hurst.js";
import { boxTiaoHedge } from "../hedge/boxTiaoHedge.js";
import { johansenHedge } from "../hedge/johansenHedge.js";
import { minHalfLifeHedge } from "../hedge/minHalfLifeHedge.js";
import { tlsHedge } from "../hedge/tlsHedge.js";
import {
  asFloat64ReadOnly,
  rangeError,
  requireFinite,
  requireInteger,
  requireOneOf,
  requireOptions,
  requireSameLength,
} from "../util/validate.js";

/** Fewest prices per leg (the TestPair RPC's minimum). */
export const ANALYSE_PAIR_MIN_OBSERVATIONS = 20;

/** Hurst estimators accepted by {@link analysePair}. */
export type PairHurstMethod = "variance" | "rs" | "dfa";

/**
 * Hedge estimators {@link analysePair} can trade (the cointegration test is always Engle–Granger):
 * five static ones and the dynamic "rolling" (hedgeWindow) and "kalman" (hedgeDelta, hedgeVe).
 */
export type PairHedgeMethod = "ols" | "tls" | "johansen" | "boxTiao" | "minHalfLife" | "rolling" | "kalman";

/** The hedge methods in the order of the error messages. */
export const PAIR_HEDGE_METHODS = ["ols", "tls", "johansen", "boxTiao", "minHalfLife", "rolling", "kalman"] as const;

/** Options of {@link analysePair}; the defaults are the TestPair RPC's. */
export interface AnalysePairOptions {
  /** Engle–Granger p-value below which the pair counts as cointegrated. Default 0.05. */
  significance?: number;
  /** Largest Hurst exponent of the residual spread still called mean-reverting. Default 0.45. */
  maxHurst?: number;
  /** Cost as a fraction of traded notional per leg (0.001 = 10 bps). Default 0.001. */
  transactionCost?: number;
  /** Years per bar for the OU rates (kappa, sigma per year). Default 1/252. */
  dt?: number;
  /** Discount rate per year of the Leung–Li optimal levels. Default 0.04. */
  rho?: number;
  /** Largest ADF lag of the residual test (AIC picks within it). Default: statsmodels' rule. */
  maxLag?: number;
  /** Hurst estimator for the residual spread. Default "variance". */
  hurstMethod?: PairHurstMethod;
  /**
   * Hedge of the traded spread y − intercept − β·x: "ols" (default, the Engle–Granger regression),
   * "tls" (tlsHedge), "johansen" (johansenHedge, detOrder 0, kArDiff 1), "boxTiao" (boxTiaoHedge) or
   * "minHalfLife" (minHalfLifeHedge, default bounds). The p-value is always Engle–Granger's.
   * Dynamic: "rolling" (OLS with intercept over the trailing `hedgeWindow` bars) or "kalman"
   * (kalmanHedge with `hedgeDelta`, `hedgeVe`): the spread stages run on the no-look-ahead residual
   * (dynamicHedgeResidual) and the backtest trades it (hedge.spread "residual").
   */
  hedge?: PairHedgeMethod;
  /** Trailing window of hedge "rolling", bars (integer ≥ 3, ≤ n − 20); required with it, refused otherwise. */
  hedgeWindow?: number;
  /** State noise δ of hedge "kalman" (0 < δ < 1, default 1e-4); refused with other hedges. */
  hedgeDelta?: number;
  /** Observation variance Ve of hedge "kalman" (> 0, default 1e-3); refused with other hedges. */
  hedgeVe?: number;
}

/** Backtest metrics of an analysed pair (NaN and 0 trades when not backtested). */
export interface PairBacktestSummary {
  /** Total return as a fraction (0.05 = 5 %). */
  readonly totalReturn: number;
  readonly sharpe: number;
  readonly maxDrawdown: number;
  readonly trades: number;
  readonly winRate: number;
  readonly avgHoldingPeriod: number;
  readonly profitFactor: number;
}

/** The stage a pair failed at, in pipeline order, or null when every stage passed. */
export type PairFailure = "cointegration" | "hurst" | "ou" | "levels" | null;

/** Result of {@link analysePair}. Fields of stages not reached are NaN. */
export interface PairAnalysis {
  readonly nObservations: number;
  /** Bars of the spread the Hurst/OU/levels stages saw (n for static hedges; n − warm-up for "rolling"). */
  readonly nSpread: number;
  /** The hedge estimator of beta and intercept. */
  readonly hedge: PairHedgeMethod;
  /**
   * Hedge of the spread e_t = y_t − intercept − beta·x_t (Engle–Granger's for hedge "ols"); for
   * "rolling"/"kalman" the last β_t and α_t (the hedge held after the last bar).
   */
  readonly beta: number;
  readonly intercept: number;
  readonly pValue: number;
  readonly adfStatistic: number;
  /** ADF lag chosen by AIC (0 for collinear legs, see warnings). */
  readonly adfLag: number;
  readonly isCointegrated: boolean;
  readonly hurst: number;
  /** OU fit of the residual: kappa and sigma per year (dt), theta in spread units. */
  readonly kappa: number;
  readonly theta: number;
  readonly sigma: number;
  /** Half-life in bars (exact AR(1)), and in years. */
  readonly halfLife: number;
  readonly halfLifeTime: number;
  /** Leung–Li optimal entry and exit levels in residual units (exit set even without an entry region). */
  readonly entryLevel: number;
  readonly exitLevel: number;
  /** Entry/exit mirrored about theta for the short side: 2θ − entry, 2θ − exit. */
  readonly shortEntryLevel: number;
  readonly shortExitLevel: number;
  /** Whether the levels were backtested (needs positive prices in both legs). */
  readonly backtested: boolean;
  readonly backtest: PairBacktestSummary;
  readonly failedAt: PairFailure;
  /** Why the pair failed (empty when failedAt is null). */
  readonly reason: string;
  readonly warnings: readonly string[];
}

const NOT_BACKTESTED: PairBacktestSummary = Object.freeze({
  totalReturn: Number.NaN,
  sharpe: Number.NaN,
  maxDrawdown: Number.NaN,
  trades: 0,
  winRate: Number.NaN,
  avgHoldingPeriod: Number.NaN,
  profitFactor: Number.NaN,
});

function allPositive(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) return false;
  return true;
}

/**
 * Scratch arrays of {@link analysePairKernel}, reused across the pairs of a scan (discoverPairs
 * makes one per call): the Engle–Granger workspace (step-1 residuals, the residual ADF's
 * cross-products). A scan of 4,950 pairs then allocates them once instead of 4,950 times
 * (docs/scaling.md). Owned by one scan at a time; create with {@link createPairAnalysisWorkspace}.
 */
export interface PairAnalysisWorkspace {
  readonly coint: CointWorkspace;
}

/** An empty {@link PairAnalysisWorkspace}; its arrays grow to the sizes the first pair needs. */
export function createPairAnalysisWorkspace(): PairAnalysisWorkspace {
  return { coint: createCointWorkspace() };
}

/** Resolved options (every default applied), shared with discoverPairs. */
export interface ResolvedPairOptions {
  readonly significance: number;
  readonly maxHurst: number;
  readonly transactionCost: number;
  readonly dt: number;
  readonly rho: number;
  readonly maxLag: number | undefined;
  readonly hurstMethod: PairHurstMethod;
  readonly hedge: PairHedgeMethod;
  /** hedgeWindow (rolling; 0 otherwise), hedgeDelta and hedgeVe (kalman; the defaults otherwise). */
  readonly hedgeWindow: number;
  readonly hedgeDelta: number;
  readonly hedgeVe: number;
}

/** Validate and default the options of {@link analysePair} (fn names the public caller). */
export function resolvePairAnalysisOptions(fn: string, options: AnalysePairOptions | undefined): ResolvedPairOptions {
  const o = requireOptions<AnalysePairOptions>(fn, options);
  return {
    significance:
      o.significance === undefined ? 0.05 : requireFinite(fn, "significance", o.significance, { minExclusive: 0, maxExclusive: 1 }),
    maxHurst: o.maxHurst === undefined ? 0.45 : requireFinite(fn, "maxHurst", o.maxHurst),
    transactionCost:
      o.transactionCost === undefined ? 0.001 : requireFinite(fn, "transactionCost", o.transactionCost, { min: 0, maxExclusive: 1 }),
    dt: o.dt === undefined ? 1 / 252 : requireFinite(fn, "dt", o.dt, { minExclusive: 0 }),
    rho: o.rho === undefined ? 0.04 : requireFinite(fn, "rho", o.rho, { min: 0 }),
    maxLag: o.maxLag === undefined ? undefined : requireInteger(fn, "maxLag", o.maxLag, { min: 0 }),
    hurstMethod:
      o.hurstMethod === undefined ? "variance" : requireOneOf(fn, "hurstMethod", o.hurstMethod, ["variance", "rs", "dfa"] as const),
    ...resolveHedgeOptions(fn, o),
  };
}

function resolveHedgeOptions(fn: string, o: AnalysePairOptions) {
  const hedge = o.hedge === undefined ? "ols" : requireOneOf(fn, "hedge", o.hedge, PAIR_HEDGE_METHODS);
  if (hedge !== "rolling" && o.hedgeWindow !== undefined)
    rangeError(fn, `hedgeWindow applies to hedge "rolling" only, got hedge ${JSON.stringify(hedge)}`);
  if (hedge !== "kalman" && (o.hedgeDelta !== undefined || o.hedgeVe !== undefined))
    rangeError(fn, `hedgeDelta and hedgeVe apply to hedge "kalman" only, got hedge ${JSON.stringify(hedge)}`);
  let hedgeWindow = 0;
  if (hedge === "rolling") {
    if (o.hedgeWindow === undefined) rangeError(fn, `hedgeWindow is required with hedge "rolling" (the trailing OLS window, bars)`);
    hedgeWindow = requireInteger(fn, "hedgeWindow", o.hedgeWindow, { min: 3 });
  }
  const hedgeDelta = o.hedgeDelta === undefined ? KALMAN_DEFAULT_DELTA : requireFinite(fn, "hedgeDelta", o.hedgeDelta, { minExclusive: 0 });
  if (!(hedgeDelta < 1)) rangeError(fn, `hedgeDelta must be < 1 (Vw = δ/(1−δ)·I), got ${hedgeDelta}`);
  const hedgeVe = o.hedgeVe === undefined ? KALMAN_DEFAULT_VE : requireFinite(fn, "hedgeVe", o.hedgeVe, { minExclusive: 0 });
  return { hedge, hedgeWindow, hedgeDelta, hedgeVe };
}

/**
 * The per-pair research pipeline, every stage a library function:
 *   1. Engle–Granger `coint(y, x)` (constant, ADF lag by AIC): p-value, and the hedge β and
 *      intercept unless `hedge` picks another estimator (src/lib/hedge; its warnings are added);
 *      fails unless p < significance.
 *   2. `hurst` of the spread e_t = y_t − intercept − β·x_t; fails unless H ≤ maxHurst.
 *      Dynamic hedges ("rolling", "kalman"): stages 2–4 run on the no-look-ahead residual of
 *      `dynamicHedgeResidual` after its warm-up (rolling: s_t = y_t − β_{t−1}·x_t − α_{t−1},
 *      defined from bar hedgeWindow; kalman: the forecast error e_t from bar 2), the very series
 *      the backtest's rule reads; beta/intercept are the last β_t/α_t. A rolling hedge undefined
 *      after its warm-up (x constant over a window) fails stage 1. The p-value stays the static
 *      Engle–Granger test: cointegration is a property of the two legs, and a dynamic residual is
 *      a one-step forecast error of an adaptive fit, close to stationary whether or not the legs
 *      are cointegrated (an adaptive β absorbs a random-walk spread), so MacKinnon's critical
 *      values, made for a static OLS residual, do not apply to it (docs/dynamic-hedge-pipeline.md).
 *   3. exact OU MLE `fitOu(e, { dt })`; fails unless κ > 0 and σ > 0 (finite).
 *   4. Leung–Li optimal levels with r = rho and cost per trade in spread units
 *      c = transactionCost·(|y_T| + |β|·|x_T|); fails when there is no entry region.
 *   5. `backtestPair` of the legs y and −β·x with those levels (shifted by the intercept, as
 *      backtestPair trades y − β·x) and costs of transactionCost per leg; skipped with a warning
 *      unless both legs are positive. Dynamic hedges: the same hedge with spread "residual" and
 *      the levels unshifted (the rule reads the residual; each trade locks β_t of its fill).
 * Stops at the first failure: failedAt names the stage, reason says why, and the fields of the
 * stages not reached are NaN. Warnings of every stage run are concatenated in order.
 * This is the TestPair RPC's computation; the server maps it to the wire (scores, field names).
 * @see docs/compatibility.md for the TestPair units.
 * @throws RangeError/TypeError for unequal lengths, fewer than 20 prices, non-finite prices or bad
 *   options; also what coint throws for degenerate legs (e.g. a constant x)
 * @example analysePair(y, x).beta // Engle–Granger hedge, equal to coint(y, x).beta[0]
 */
export function analysePair(y: ArrayLike<number>, x: ArrayLike<number>, options?: AnalysePairOptions): PairAnalysis {
  const fn = "analysePair";
  const resolved = resolvePairAnalysisOptions(fn, options);
  requireSameLength(fn, "y", y, "x", x);
  const yv = asFloat64ReadOnly(y, "y", fn, { minLength: ANALYSE_PAIR_MIN_OBSERVATIONS });
  const xv = asFloat64ReadOnly(x, "x", fn, { minLength: ANALYSE_PAIR_MIN_OBSERVATIONS });
  return analysePairKernel(yv, xv, resolved);
}

/**
 * {@link analysePair} on validated, equal-length series with resolved options. `workspace`
 * (default: a fresh one) holds the scratch arrays; the result never refers to it, so one
 * workspace serves every pair of a scan, whatever their lengths, with bit-identical results.
 */
export function analysePairKernel(
  y: Float64Array,
  x: Float64Array,
  o: ResolvedPairOptions,
  workspace: PairAnalysisWorkspace = createPairAnalysisWorkspace(),
): PairAnalysis {
  const n = y.length;
  if (x.length !== n) rangeError("analysePair", `y and x must have the same length, got ${n} and ${x.length}`);
  const warnings: string[] = [];
  // coint(y, x, { trend: "c", autolag: "aic", maxlag }) without copying the legs; eg.residuals lives in the workspace
  const eg = cointPairKernel(y, x, "aic", o.maxLag, workspace.coint);
  warnings.push(...eg.warnings);
  let beta = eg.beta[0];
  let intercept = eg.intercept;
  let residuals = eg.residuals;
  let undefinedHedge = o.hedge !== "ols" && o.hedge !== "rolling" && o.hedge !== "kalman";
  if (o.hedge === "rolling" || o.hedge === "kalman") {
    if (o.hedge === "rolling" && o.hedgeWindow > n - ANALYSE_PAIR_MIN_OBSERVATIONS)
      rangeError(
        "analysePair",
        `hedgeWindow must be ≤ n − ${ANALYSE_PAIR_MIN_OBSERVATIONS} = ${n - ANALYSE_PAIR_MIN_OBSERVATIONS} (the residual needs ${ANALYSE_PAIR_MIN_OBSERVATIONS} bars after the warm-up), got ${o.hedgeWindow}`,
      );
    const d = dynamicHedgeResidualKernel("analysePair", y, x, dynamicHedge(o));
    warnings.push(...d.warnings);
    beta = d.lastBeta;
    intercept = d.lastIntercept;
    residuals = d.residual.subarray(d.warmUp);
    undefinedHedge = d.undefinedAfterWarmUp > 0 || !Number.isFinite(beta);
  }
  if (o.hedge !== "ols" && o.hedge !== "rolling" && o.hedge !== "kalman") {
    const h =
      o.hedge === "tls"
        ? tlsHedge(y, x)
        : o.hedge === "johansen"
          ? johansenHedge(y, x)
          : o.hedge === "boxTiao"
            ? boxTiaoHedge(y, x)
            : minHalfLifeHedge(y, x);
    warnings.push(...h.warnings);
    beta = h.beta;
    intercept = h.intercept;
    residuals = new Float64Array(n);
    for (let t = 0; t < n; t++) residuals[t] = y[t] - intercept - beta * x[t];
    undefinedHedge = !Number.isFinite(beta);
  }
  const isCointegrated = eg.pValue < o.significance;
  const result = {
    nObservations: n,
    nSpread: residuals.length,
    hedge: o.hedge,
    beta,
    intercept,
    pValue: eg.pValue,
    adfStatistic: eg.statistic,
    adfLag: eg.usedLag ?? 0, // null only for collinear legs (see warnings)
    isCointegrated,
    hurst: Number.NaN,
    kappa: Number.NaN,
    theta: Number.NaN,
    sigma: Number.NaN,
    halfLife: Number.NaN,
    halfLifeTime: Number.NaN,
    entryLevel: Number.NaN,
    exitLevel: Number.NaN,
    shortEntryLevel: Number.NaN,
    shortExitLevel: Number.NaN,
    backtested: false,
    backtest: NOT_BACKTESTED,
    failedAt: null as PairFailure,
    reason: "",
    warnings,
  };
  if (!isCointegrated || undefinedHedge) {
    result.failedAt = "cointegration";
    result.reason = isCointegrated
      ? `no finite ${o.hedge} hedge ratio (see warnings)`
      : `not cointegrated: p-value ${eg.pValue.toPrecision(4)} >= significance ${o.significance}`;
    return result;
  }

  const h = hurst(residuals, { method: o.hurstMethod });
  result.hurst = h.H;
  warnings.push(...h.warnings);
  if (!(h.H <= o.maxHurst)) {
    result.failedAt = "hurst";
    result.reason = `not mean-reverting: Hurst ${h.H.toFixed(4)} > maxHurst ${o.maxHurst}`;
    return result;
  }

  const ou = fitOu(residuals, { dt: o.dt });
  result.kappa = ou.kappa;
  result.theta = ou.theta;
  result.sigma = ou.sigma;
  result.halfLife = ou.halfLifeSteps;
  result.halfLifeTime = ou.halfLife;
  warnings.push(...ou.warnings);
  if (!(ou.kappa > 0 && Number.isFinite(ou.kappa) && ou.sigma > 0 && Number.isFinite(ou.sigma))) {
    result.failedAt = "ou";
    result.reason = `OU fit is not mean-reverting (kappa ${ou.kappa}, sigma ${ou.sigma})`;
    return result;
  }

  const costPerTrade = o.transactionCost * (Math.abs(y[n - 1]) + Math.abs(beta) * Math.abs(x[n - 1]));
  const levels = leungLi({ kappa: ou.kappa, theta: ou.theta, sigma: ou.sigma, r: o.rho, c: costPerTrade });
  warnings.push(...levels.warnings);
  result.exitLevel = levels.exitLevel;
  if (levels.entryLevel === null) {
    result.failedAt = "levels";
    result.reason = "no optimal entry region for these OU parameters and costs (Leung–Li)";
    return result;
  }
  const entry = levels.entryLevel;
  const exit = levels.exitLevel;
  result.entryLevel = entry;
  result.shortEntryLevel = 2 * ou.theta - entry;
  result.shortExitLevel = 2 * ou.theta - exit;

  if (!allPositive(y) || !allPositive(x)) {
    warnings.push("backtest skipped: the pairs backtest needs positive prices in both legs (send prices or log prices > 0)");
    return result;
  }
  const bt = backtestLevelsKernel(y, x, result, o);
  const m = bt.metrics;
  warnings.push(...bt.warnings);
  result.backtested = true;
  result.backtest = {
    totalReturn: m.totalReturn / 100,
    sharpe: m.sharpe,
    maxDrawdown: m.maxDrawdown,
    trades: m.trades,
    winRate: m.winRate,
    avgHoldingPeriod: m.avgHoldingPeriod,
    profitFactor: m.profitFactor,
  };
  return result;
}

/**
 * Stage 5 of {@link analysePair} on its own, with the whole backtest (equity, per-bar returns,
 * trades): `backtestPair` of the legs y and −β·x with the analysis' Leung–Li levels shifted by the
 * intercept (backtestPair trades y − β·x), long and short, costs of transactionCost per leg,
 * periodsPerYear = 1/dt. Its metrics are the analysis' `backtest` (test). For reports that need
 * the per-bar series the pipeline summarises.
 * @throws RangeError if the analysis has no levels (failedAt not null) or a leg is not positive;
 *   what analysePair throws for bad series or options
 * @example backtestAnalysedPair(y, x, analysePair(y, x)).returns // per-bar returns of the TestPair backtest
 */
export function backtestAnalysedPair(
  y: ArrayLike<number>,
  x: ArrayLike<number>,
  analysis: PairAnalysis,
  options?: AnalysePairOptions,
): BacktestResult {
  const fn = "backtestAnalysedPair";
  const o = resolvePairAnalysisOptions(fn, options);
  requireSameLength(fn, "y", y, "x", x);
  const yv = asFloat64ReadOnly(y, "y", fn, { minLength: ANALYSE_PAIR_MIN_OBSERVATIONS });
  const xv = asFloat64ReadOnly(x, "x", fn, { minLength: ANALYSE_PAIR_MIN_OBSERVATIONS });
  if (analysis === null || typeof analysis !== "object" || analysis.failedAt !== null)
    rangeError(fn, `analysis must be a pair that passed every stage (failedAt null), got failedAt ${JSON.stringify(analysis?.failedAt)}`);
  if (!allPositive(yv) || !allPositive(xv)) rangeError(fn, "y and x must be positive prices (the pairs backtest trades both legs)");
  return backtestLevelsKernel(yv, xv, analysis, o);
}

/** backtestPair of the analysis' levels (see backtestAnalysedPair). */
function backtestLevelsKernel(
  y: Float64Array,
  x: Float64Array,
  a: { readonly beta: number; readonly intercept: number; readonly entryLevel: number; readonly exitLevel: number; readonly theta: number },
  o: ResolvedPairOptions,
): BacktestResult {
  if (o.hedge === "rolling" || o.hedge === "kalman") {
    // the rule reads the residual the levels were fitted to: no shift
    return backtestPair({
      y,
      x,
      hedge: { ...dynamicHedge(o), spread: "residual" } as HedgeSpec,
      rule: { kind: "levels", entry: a.entryLevel, exit: a.exitLevel, side: "both", center: a.theta },
      costs: { bps: o.transactionCost * 1e4 },
      periodsPerYear: 1 / o.dt,
    });
  }
  // backtestPair trades y − beta·x (no intercept): shift the residual-space levels by the intercept.
  return backtestPair({
    y,
    x,
    hedge: { method: "static", beta: a.beta },
    rule: {
      kind: "levels",
      entry: a.entryLevel + a.intercept,
      exit: a.exitLevel + a.intercept,
      side: "both",
      center: a.theta + a.intercept,
    },
    costs: { bps: o.transactionCost * 1e4 },
    periodsPerYear: 1 / o.dt,
  });
}

/** The backtester's hedge option of a dynamic analysePair hedge. */
function dynamicHedge(o: ResolvedPairOptions): { method: "rolling"; window: number } | { method: "kalman"; delta: number; ve: number } {
  return o.hedge === "rolling" ? { method: "rolling", window: o.hedgeWindow } : { method: "kalman", delta: o.hedgeDelta, ve: o.hedgeVe };
}
