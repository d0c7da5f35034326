/**
 * pair_discovery RPCs as pure request -> response functions (run in the worker pool). Each
 * validates its wire fields (names as on the wire), applies the contract's defaults and calls
 * src/lib; see docs/compatibility.md for every meaning we fixed.
 */
import { coint, hurst, fitOu, leungLi, solveHjb, backtestSpread } from "../../lib/index.js";
import type {
  BacktestRequest,
  BacktestResponse,
  CointegrationRequest,
  CointegrationResponse,
  HJBRequest,
  HJBResponse,
  HurstRequest,
  HurstResponse,
  OUEstimationRequest,
  OUEstimationResponse,
  PairTestRequest,
} from "../generated/pair_discovery.js";
import { invalidArgument, resourceExhausted } from "../errors.js";
import { enumOrDefault, finiteValue, positiveIntOrDefault, positiveOrDefault, wireSeries } from "../wire.js";
import { MAX_ADF_LAG, MIN_DT, MIN_PAIR_OBSERVATIONS, resolvePairOptions, testPairCore, type PartialPairResult } from "./pairPipeline.js";

/** Most points per series a unary pair_discovery RPC accepts (RESOURCE_EXHAUSTED beyond). */
export const MAX_SERIES_POINTS = 1_000_000;
/**
 * Most points for the R/S Hurst estimator (CalculateHurst method "rs", TestPair hurst_method "rs"):
 * its indirect-inference correction simulates replications of the series, ~5 s of one worker at
 * 50,000 points on the reference machine (200,000 took 30 s).
 */
export const MAX_RS_POINTS = 50_000;

/** Library argument names -> wire fields, per RPC (libraryErrors.ts). */
export const PAIR_DISCOVERY_FIELDS = {
  TestPair: { "y and x": "prices1 and prices2", y: "prices1", x: "prices2", maxlag: "max_lag" },
  SolveHJB: {
    kappa: "kappa",
    theta: "theta",
    sigma: "sigma",
    r: "rho",
    c: "transaction_cost",
    stopLoss: "stop_loss",
    "grid.points": "n_points",
    "grid.nStd": "n_std",
    scheme: "scheme",
  },
  EstimateOU: { x: "spread", "options.dt": "dt" },
  TestCointegration: { "y and x": "y and x", y: "y", x: "x", maxlag: "max_lag", trend: "trend" },
  CalculateHurst: { x: "series", "options.maxLag": "max_lag", "options.minLag": "min_lag", "options.method": "method" },
  BacktestStrategy: {
    spread: "spread",
    "rule.lower": "lower_bound",
    "rule.upper": "upper_bound",
    "rule.exit": "exit_level",
    lower: "lower_bound",
    upper: "upper_bound",
    capital: "capital",
    periodsPerYear: "periods_per_year",
  },
} as const;

/** RESOURCE_EXHAUSTED when a series is longer than `max` points. */
function requireAtMost(rpc: string, field: string, values: ArrayLike<number> | undefined, max: number, why = ""): void {
  const n = values?.length ?? 0;
  if (n > max) resourceExhausted(rpc, `${field} must have at most ${max} points${why}, got ${n}`);
}

/** HJB grid limits: the contract's minimum, and a cap beyond which the request is refused as too costly. */
export const HJB_MIN_POINTS = 50;
export const HJB_MAX_POINTS = 20_001;
export const HJB_MAX_ITERATIONS = 1_000_000;
/** Narrowest grid half-width (stationary sds) the solver accepts. */
export const HJB_MIN_N_STD = 2;
/** Fewest points for EstimateOU (two AR(1) coefficients need two transitions). */
export const MIN_OU_OBSERVATIONS = 3;
/** Largest lag / window CalculateHurst accepts. */
export const MAX_HURST_LAG = 100_000;

function requireSameLength(rpc: string, aName: string, a: ArrayLike<number>, bName: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) invalidArgument(rpc, `${aName} and ${bName} must have the same length, got ${a.length} and ${b.length}`);
}

/** TestPair: see pairPipeline.ts. */
export function testPair(req: PairTestRequest): PartialPairResult {
  const rpc = "TestPair";
  requireSameLength(rpc, "prices1", req.prices1, "prices2", req.prices2);
  requireAtMost(rpc, "prices1", req.prices1, MAX_SERIES_POINTS);
  const options = resolvePairOptions(rpc, req);
  if (options.hurstMethod === "rs") requireAtMost(rpc, "prices1", req.prices1, MAX_RS_POINTS, ' with hurst_method "rs"');
  const y = wireSeries(rpc, "prices1", req.prices1, MIN_PAIR_OBSERVATIONS);
  const x = wireSeries(rpc, "prices2", req.prices2, MIN_PAIR_OBSERVATIONS);
  return testPairCore(req.symbol1, req.symbol2, y, x, options);
}

/**
 * SolveHJB: the optimal-stopping variational inequalities (Leung & Li 2015) by finite
 * differences (`solveHjb`), plus the closed-form levels (`leungLi`) as a cross-check.
 * lower_boundary = optimal entry d* (buy the spread at or below), upper_boundary = optimal exit b*
 * (sell at or above); value_function = the entry value J(x). transaction_cost is in spread units.
 * n_std is the initial half-width of the grid in stationary standard deviations; the solver widens
 * it when a level would come within 2 sd of an edge.
 */
export function solveHjbOp(req: HJBRequest): Partial<HJBResponse> {
  const rpc = "SolveHJB";
  const kappa = finiteValue(rpc, "kappa", req.kappa);
  if (!(kappa > 0)) invalidArgument(rpc, `kappa must be > 0, got ${kappa}`);
  const theta = finiteValue(rpc, "theta", req.theta);
  const sigma = finiteValue(rpc, "sigma", req.sigma);
  if (!(sigma > 0)) invalidArgument(rpc, `sigma must be > 0, got ${sigma}`);
  const r = positiveOrDefault(rpc, "rho", req.rho, 0.04, { max: 100 });
  const c = positiveOrDefault(rpc, "transaction_cost", req.transactionCost, 0.001);
  const points = positiveIntOrDefault(rpc, "n_points", req.nPoints, 200, { min: HJB_MIN_POINTS, max: HJB_MAX_POINTS, resource: true });
  const maxIter = positiveIntOrDefault(rpc, "max_iter", req.maxIter, 2000, { max: HJB_MAX_ITERATIONS, resource: true });
  const tolerance = positiveOrDefault(rpc, "tolerance", req.tolerance, 1e-6, { maxExclusive: 1 });
  const nStd = positiveOrDefault(rpc, "n_std", req.nStd, 4, { max: 50 });
  if (nStd < HJB_MIN_N_STD) invalidArgument(rpc, `n_std must be >= ${HJB_MIN_N_STD} stationary sds (or 0 for the default 4), got ${nStd}`);
  const scheme = enumOrDefault(rpc, "scheme", req.scheme, ["policy-iteration", "psor"] as const, "policy-iteration");
  // Proto3 doubles have no presence, so use_stop_loss says whether stop_loss (where 0 is a legal
  // level) applies. A stop_loss that is set but would be ignored is refused rather than dropped
  // silently: non-finite always, any non-zero value without use_stop_loss.
  const stopLossField = finiteValue(rpc, "stop_loss", req.stopLoss);
  if (!req.useStopLoss && stopLossField !== 0) {
    invalidArgument(
      rpc,
      `stop_loss = ${stopLossField} is set but use_stop_loss is false (set use_stop_loss = true to apply it, or leave stop_loss 0)`,
    );
  }
  const stopLoss = req.useStopLoss ? stopLossField : undefined;
  if (stopLoss !== undefined && !(stopLoss < theta)) invalidArgument(rpc, `stop_loss must be < theta (${theta}), got ${stopLoss}`);

  const params = { kappa, theta, sigma, r, c, ...(stopLoss === undefined ? {} : { stopLoss }) };
  // Policy iteration terminates exactly (finite, no tolerance) and PSOR runs to its own fixed
  // accuracy: max_iter and tolerance are validated for compatibility but not needed by the solver.
  void maxIter;
  void tolerance;
  const fd = solveHjb({ ...params, grid: { points, nStd }, scheme });
  const closed = leungLi(params);
  const entry = fd.entryLevel ?? Number.NaN;
  return {
    lowerBoundary: entry,
    upperBoundary: fd.exitLevel,
    residual: fd.residual,
    iterations: fd.iterations,
    xGrid: Array.from(fd.x),
    valueFunction: Array.from(fd.entryValue),
    exitValueFunction: Array.from(fd.exitValue),
    entryValueFunction: Array.from(fd.entryValue),
    exitLevel: fd.exitLevel,
    entryLevel: entry,
    entryLowerLevel: fd.entryLowerLevel ?? Number.NaN,
    hasEntryRegion: fd.entryLevel !== null,
    closedFormExitLevel: closed.exitLevel,
    closedFormEntryLevel: closed.entryLevel ?? Number.NaN,
    warnings: [...fd.warnings, ...closed.warnings],
  };
}

/**
 * EstimateOU: exact OU maximum likelihood (`fitOu`). use_mle is accepted for compatibility; both
 * values give the exact MLE, which for an OU path is the closed-form AR(1) fit (the seed's
 * non-MLE path was the same regression with an Euler approximation). half_life is in bars.
 */
export function estimateOu(req: OUEstimationRequest): Partial<OUEstimationResponse> {
  const rpc = "EstimateOU";
  requireAtMost(rpc, "spread", req.spread, MAX_SERIES_POINTS);
  const spread = wireSeries(rpc, "spread", req.spread, MIN_OU_OBSERVATIONS);
  const dt = positiveOrDefault(rpc, "dt", req.dt, 1 / 252, { max: 1000 });
  if (dt < MIN_DT) invalidArgument(rpc, `dt must be >= ${MIN_DT} (or 0 for the default 1/252), got ${dt}`);
  const ou = fitOu(spread, { dt });
  return {
    kappa: ou.kappa,
    theta: ou.theta,
    sigma: ou.sigma,
    halfLife: ou.halfLifeSteps,
    halfLifeTime: ou.halfLife,
    logLikelihood: ou.logLikelihood,
    stationarySd: ou.stationarySd,
    nObservations: spread.length,
    warnings: [...ou.warnings],
  };
}

/** TestCointegration: statsmodels-style `coint(y, x)` (residual ADF, lag by AIC, MacKinnon p-value). */
export function testCointegration(req: CointegrationRequest): Partial<CointegrationResponse> {
  const rpc = "TestCointegration";
  requireSameLength(rpc, "y", req.y, "x", req.x);
  requireAtMost(rpc, "y", req.y, MAX_SERIES_POINTS);
  const y = wireSeries(rpc, "y", req.y, MIN_PAIR_OBSERVATIONS);
  const x = wireSeries(rpc, "x", req.x, MIN_PAIR_OBSERVATIONS);
  const significance = positiveOrDefault(rpc, "significance", req.significance, 0.05, { maxExclusive: 1 });
  const trend = enumOrDefault(rpc, "trend", req.trend, ["c", "ct"] as const, "c");
  const maxLag = positiveIntOrDefault(rpc, "max_lag", req.maxLag, 0, { max: MAX_ADF_LAG });
  const eg = coint(y, x, { trend, autolag: "aic", maxlag: maxLag === 0 ? undefined : maxLag });
  return {
    beta: eg.beta[0],
    adfStatistic: eg.statistic,
    pValue: eg.pValue,
    isCointegrated: eg.pValue < significance,
    spread: Array.from(eg.residuals),
    intercept: eg.intercept,
    usedLag: eg.usedLag ?? 0,
    nobs: eg.nobs ?? y.length,
    criticalValue1pct: eg.criticalValues["1%"],
    criticalValue5pct: eg.criticalValues["5%"],
    criticalValue10pct: eg.criticalValues["10%"],
    warnings: [...eg.warnings],
  };
}

/**
 * CalculateHurst: `hurst(series, { method, minLag, maxLag })`. method: the extension field, else
 * "dfa" when use_dfa, else "rs" (rescaled range, now with the Anis–Lloyd correction). max_lag
 * defaults to 20 for "variance" and to the library's default (a quarter of the series) for
 * "rs"/"dfa", whose windows need more room.
 */
export function calculateHurst(req: HurstRequest): Partial<HurstResponse> {
  const rpc = "CalculateHurst";
  requireAtMost(rpc, "series", req.series, MAX_SERIES_POINTS);
  const method = enumOrDefault(rpc, "method", req.method, ["variance", "rs", "dfa"] as const, req.useDfa ? "dfa" : "rs");
  if (method === "rs")
    requireAtMost(rpc, "series", req.series, MAX_RS_POINTS, ' for method "rs" (use "dfa" or "variance" for longer series)');
  const series = wireSeries(rpc, "series", req.series);
  const maxLag = positiveIntOrDefault(rpc, "max_lag", req.maxLag, method === "variance" ? 20 : 0, { max: MAX_HURST_LAG });
  const minLag = positiveIntOrDefault(rpc, "min_lag", req.minLag, 0, { max: MAX_HURST_LAG });
  const h = hurst(series, { method, ...(maxLag > 0 ? { maxLag } : {}), ...(minLag > 0 ? { minLag } : {}) });
  return { hurst: h.H, method: h.method, warnings: [...h.warnings] };
}

/**
 * BacktestStrategy: the seed's bands on a spread (`backtestSpread` with a bands rule): enter long
 * when the spread crosses down to <= lower_bound, short when it crosses up to >= upper_bound, exit
 * at the band midpoint (or exit_level) decided bar by bar with no look-ahead.
 */
export function backtestStrategy(req: BacktestRequest): Partial<BacktestResponse> {
  const rpc = "BacktestStrategy";
  requireAtMost(rpc, "spread", req.spread, MAX_SERIES_POINTS);
  const spread = wireSeries(rpc, "spread", req.spread, 2);
  const lower = finiteValue(rpc, "lower_bound", req.lowerBound);
  const upper = finiteValue(rpc, "upper_bound", req.upperBound);
  if (!(lower < upper)) invalidArgument(rpc, `lower_bound must be < upper_bound, got ${lower} and ${upper}`);
  const cost = positiveOrDefault(rpc, "transaction_cost", req.transactionCost, 0.001, { maxExclusive: 1 });
  const periodsPerYear = positiveOrDefault(rpc, "periods_per_year", req.periodsPerYear, 252, { max: 1e8 });
  let maxAbs = 0;
  for (let i = 0; i < spread.length; i++) maxAbs = Math.max(maxAbs, Math.abs(spread[i]));
  const capital = positiveOrDefault(rpc, "capital", req.capital, maxAbs > 0 ? maxAbs : 1);
  const exit = req.useExitLevel ? finiteValue(rpc, "exit_level", req.exitLevel) : undefined;
  const bt = backtestSpread(
    spread,
    { kind: "bands", lower, upper, ...(exit === undefined ? {} : { exit }) },
    { bps: cost * 1e4 },
    { capital, periodsPerYear },
  );
  const m = bt.metrics;
  const pnl = new Array<number>(bt.equity.length);
  for (let i = 0; i < pnl.length; i++) pnl[i] = bt.equity[i] - capital;
  const positions = new Array<number>(bt.positions.length);
  for (let i = 0; i < positions.length; i++) positions[i] = Math.sign(bt.positions[i]);
  return {
    totalReturn: m.totalReturn / 100,
    sharpeRatio: m.sharpe,
    maxDrawdown: m.maxDrawdown,
    numTrades: m.trades,
    winRate: m.winRate,
    pnl,
    avgHoldingPeriod: m.avgHoldingPeriod,
    profitFactor: m.profitFactor,
    sortinoRatio: m.sortino,
    maxDrawdownDuration: m.maxDrawdownDuration,
    positions,
    warnings: [...bt.warnings],
    totalPnl: pnl.length > 0 ? pnl[pnl.length - 1] : 0,
    capital,
  };
}
