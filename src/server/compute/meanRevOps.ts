/**
 * meanrev unary RPCs (and the per-matrix work of the weight streams) as pure request -> response
 * functions run in the worker pool. Naming trap: OUEstimate.theta is the SPEED, mu the MEAN.
 * Matrices are row-major T×N (rows = observations, cols = assets). See docs/compatibility.md.
 */
import {
  logReturns,
  simpleReturns,
  ols,
  pcaPortfolios as libPca,
  caraWeights,
  maxSharpeWeights,
  multiperiodWeights,
  portfolioStats,
  generateSignal,
  optimalThresholds as libOptimalThresholds,
  zScoresToLevels,
} from "../../lib/index.js";
import type {
  MultiperiodRequest,
  MultiperiodResponse,
  OptimizationInput,
  PCARequest,
  PCAResponse,
  PortfolioStatsRequest,
  PortfolioStatsResponse,
  ReturnsRequest,
  ReturnsResponse,
  SignalRequest,
  SignalResponse,
  ThresholdRequest,
  ThresholdResponse,
  WeightsOutput,
} from "../generated/meanrev.js";
import { invalidArgument, resourceExhausted } from "../errors.js";
import {
  enumOrDefault,
  finiteValue,
  metadataBoolean,
  metadataNumber,
  metadataObject,
  nonNegativeValue,
  positiveIntOrDefault,
  positiveOrDefault,
  toWireMatrix,
  wireMatrix,
  wireSeries,
} from "../wire.js";

/** Most prices ComputeLogReturns / GenerateSignals accept (RESOURCE_EXHAUSTED beyond). */
export const MAX_PRICES = 1_000_000;
/** Fewest prices for ComputeLogReturns: the sample sd (ddof 1) of the returns needs two returns. */
export const MIN_RETURNS_PRICES = 3;

/** Library argument names -> wire fields, per RPC (libraryErrors.ts). */
export const MEAN_REV_FIELDS = {
  OptimalThresholds: {
    kappa: "ou_params.theta",
    theta: "ou_params.mu",
    sigma: "ou_params.sigma",
    c: "transaction_cost",
    rf: "metadata.rf",
    objective: "optimization_objective",
  },
  ComputeLogReturns: { prices: "prices" },
  PCAPortfolios: {
    returns: "returns_matrix",
    x: "returns_matrix",
    "options.nComponents": "n_components",
    nComponents: "n_components",
    scaling: "scaling",
  },
  CARAOptimalWeights: {
    returns: "returns",
    gamma: "gamma",
    riskFree: "risk_free_rate",
    transactionCost: "transaction_cost",
    initialWeights: "the stream's previous weights",
  },
  SharpeOptimalWeights: { returns: "returns", riskFree: "risk_free_rate" },
  MultiperiodOptimize: {
    returnsSequence: "returns_sequence",
    gamma: "gamma",
    transactionCost: "transaction_cost",
    initialWeights: "metadata.initial_weights",
  },
  PortfolioStats: { returns: "returns", weights: "weights" },
  GenerateSignals: {
    prices: "price_history.prices",
    "ou.kappa": "ou_params.theta",
    "ou.theta": "ou_params.mu",
    "ou.sigma": "ou_params.sigma",
    position: "position_state",
  },
} as const;

/** Most matrices in one MultiperiodOptimize request. */
export const MAX_MULTIPERIOD_STEPS = 1_000;

/** The mean and sample standard deviation (ddof 1) of a series, as the intercept-only OLS fit. */
function meanAndSd(x: Float64Array): { mean: number; sd: number } {
  if (x.length === 0) return { mean: Number.NaN, sd: Number.NaN };
  if (x.length === 1) return { mean: x[0], sd: Number.NaN };
  const fit = ols(x, { rows: x.length, cols: 0, data: new Float64Array(0) }, { intercept: true });
  return { mean: fit.coefficients[0], sd: Math.sqrt(fit.residualVariance) };
}

/** ComputeLogReturns: log (default) or simple returns, their mean and sample sd; n_periods = prices − 1. */
export function computeReturns(req: ReturnsRequest): Partial<ReturnsResponse> {
  const rpc = "ComputeLogReturns";
  if ((req.prices?.length ?? 0) > MAX_PRICES)
    resourceExhausted(rpc, `prices must have at most ${MAX_PRICES} points, got ${req.prices.length}`);
  if ((req.prices?.length ?? 0) < MIN_RETURNS_PRICES) {
    invalidArgument(
      rpc,
      `prices must have at least ${MIN_RETURNS_PRICES} observations (std_return, the sample sd with ddof 1, needs two returns), got ${req.prices?.length ?? 0}`,
    );
  }
  const prices = wireSeries(rpc, "prices", req.prices, MIN_RETURNS_PRICES);
  const type = enumOrDefault(rpc, "return_type", req.returnType, ["log", "simple"] as const, "log");
  if (type === "log")
    for (let i = 0; i < prices.length; i++)
      if (!(prices[i] > 0)) invalidArgument(rpc, `prices must be > 0 for log returns, got ${prices[i]} at index ${i}`);
  const returns = type === "log" ? logReturns(prices) : simpleReturns(prices);
  const { mean, sd } = meanAndSd(returns);
  return { logReturns: Array.from(returns), meanReturn: mean, stdReturn: sd, nPeriods: returns.length, returnType: type };
}

/** PCAPortfolios: `pcaPortfolios(returns, { nComponents, scaling })`; n_components 0 = all (min(T, N)). */
export function pcaPortfolios(req: PCARequest): Partial<PCAResponse> {
  const rpc = "PCAPortfolios";
  const x = wireMatrix(rpc, "returns_matrix", req.returnsMatrix, { minRows: 2 });
  const k = positiveIntOrDefault(rpc, "n_components", req.nComponents, 0, { max: Math.min(x.rows, x.cols) });
  const scaling = enumOrDefault(rpc, "scaling", req.scaling, ["zscore", "minmax", "none"] as const, "none");
  const r = libPca(x, { ...(k > 0 ? { nComponents: k } : {}), scaling });
  return {
    explainedVarianceRatio: Array.from(r.explainedVarianceRatio),
    components: toWireMatrix(r.components),
    transformed: toWireMatrix(r.transformed),
    totalVarianceExplained: r.totalVarianceExplained,
    eigenvalues: Array.from(r.eigenvalues),
    metadata: JSON.stringify({ scaling, warnings: r.warnings }),
  };
}

/** Constraints and shrinkage from an OptimizationInput / MultiperiodRequest metadata JSON. */
function weightOptions(rpc: string, text: string) {
  const meta = metadataObject(rpc, "metadata", text);
  return {
    meta,
    constraints: {
      budget: metadataBoolean(rpc, "metadata", meta, "budget", false),
      longOnly: metadataBoolean(rpc, "metadata", meta, "long_only", false),
    },
    shrinkage: metadataBoolean(rpc, "metadata", meta, "shrinkage", false) ? ("ledoitWolf" as const) : ("none" as const),
  };
}

export interface OptimizeWeightsPayload {
  readonly kind: "cara" | "sharpe";
  readonly input: OptimizationInput;
  /** The stream's previous weights (CARA with transaction_cost > 0 rebalances from them). */
  readonly previousWeights: number[] | null;
}

/**
 * One WeightsOutput of CARAOptimalWeights / SharpeOptimalWeights.
 * CARA: `caraWeights(returns, { gamma, constraints, shrinkage, riskFree })`; when transaction_cost > 0
 * and the stream already produced weights, the turnover-penalised step `multiperiodWeights([returns],
 * { gamma, transactionCost, initialWeights: previous })` instead (utility net of the cost, turnover
 * reported). Sharpe: `maxSharpeWeights(returns, { riskFree, constraints: { longOnly }, shrinkage })`
 * (fully invested by definition; utility is not defined for it and reported as NaN).
 */
export function optimizeWeights(payload: OptimizeWeightsPayload): Partial<WeightsOutput> {
  const { kind, input } = payload;
  const rpc = kind === "cara" ? "CARAOptimalWeights" : "SharpeOptimalWeights";
  const x = wireMatrix(rpc, "returns", input.returns, { minRows: 2 });
  const riskFree = finiteValue(rpc, "risk_free_rate", input.riskFreeRate);
  const cost = nonNegativeValue(rpc, "transaction_cost", input.transactionCost);
  const { constraints, shrinkage } = weightOptions(rpc, input.metadata);
  const timestampMs = Number.isFinite(input.timestampMs) ? input.timestampMs : 0;
  if (kind === "sharpe") {
    const r = maxSharpeWeights(x, { riskFree, constraints: { longOnly: constraints.longOnly }, shrinkage });
    return {
      weights: Array.from(r.weights),
      expectedReturn: r.expectedReturn,
      expectedVolatility: r.volatility,
      sharpeRatio: r.sharpe,
      utility: Number.NaN,
      status: "ok",
      timestampMs,
      metadata: JSON.stringify({ shrinkage_intensity: r.shrinkageIntensity, condition_number: r.conditionNumber }),
      warnings: [...r.warnings],
      turnover: Number.NaN,
    };
  }
  const gamma = positiveOrDefault(rpc, "gamma", input.gamma, 1);
  const previous = payload.previousWeights;
  if (cost > 0 && previous !== null && previous.length === x.cols) {
    const r = multiperiodWeights([x], { gamma, transactionCost: cost, constraints, shrinkage, initialWeights: previous });
    const step = r.steps[0];
    return {
      weights: Array.from(step.weights),
      expectedReturn: step.expectedReturn,
      expectedVolatility: step.volatility,
      sharpeRatio: step.volatility > 0 ? (step.expectedReturn - riskFree) / step.volatility : 0,
      utility: step.utility,
      status: "ok",
      timestampMs,
      metadata: JSON.stringify({ rebalanced_from_previous: true, cost: step.cost }),
      warnings: [...r.warnings],
      turnover: step.turnover,
    };
  }
  const r = caraWeights(x, { gamma, constraints, shrinkage, riskFree });
  return {
    weights: Array.from(r.weights),
    expectedReturn: r.expectedReturn,
    expectedVolatility: r.volatility,
    sharpeRatio: r.sharpe,
    utility: r.utility,
    status: "ok",
    timestampMs,
    metadata: JSON.stringify({ shrinkage_intensity: r.shrinkageIntensity, condition_number: r.conditionNumber }),
    warnings: [...r.warnings],
    turnover: Number.NaN,
  };
}

/**
 * MultiperiodOptimize: `multiperiodWeights` over the matrices at the rebalance steps
 * 0, f, 2f, … (f = rebalance_frequency, default 1); weights are held in between. One WeightsOutput
 * per rebalance; rebalance_times are the indices of those matrices in returns_sequence; avg_turnover
 * is the mean realised L1 turnover (the seed returned transaction_cost here). metadata JSON:
 * budget, long_only, shrinkage, initial_weights.
 */
export function multiperiodOptimize(req: MultiperiodRequest): Partial<MultiperiodResponse> {
  const rpc = "MultiperiodOptimize";
  const sequence = req.returnsSequence ?? [];
  if (sequence.length === 0) invalidArgument(rpc, "returns_sequence must contain at least one matrix");
  if (sequence.length > MAX_MULTIPERIOD_STEPS)
    invalidArgument(rpc, `returns_sequence must have at most ${MAX_MULTIPERIOD_STEPS} matrices, got ${sequence.length}`);
  const gamma = positiveOrDefault(rpc, "gamma", req.gamma, 1);
  const cost = nonNegativeValue(rpc, "transaction_cost", req.transactionCost);
  const frequency = positiveIntOrDefault(rpc, "rebalance_frequency", req.rebalanceFrequency, 1);
  const { meta, constraints, shrinkage } = weightOptions(rpc, req.metadata);
  const times: number[] = [];
  const matrices = [];
  // Every period is validated (finite values, shape, same assets), not only the rebalance steps:
  // the held periods are part of the request and a malformed one is the caller's mistake.
  for (let k = 0; k < sequence.length; k++) {
    const matrix = wireMatrix(rpc, `returns_sequence[${k}]`, sequence[k], { minRows: 2 });
    if (k > 0 && matrix.cols !== matrices[0].cols) {
      invalidArgument(
        rpc,
        `every matrix of returns_sequence needs the same number of assets: returns_sequence[${k}].cols = ${matrix.cols}, returns_sequence[0].cols = ${matrices[0].cols}`,
      );
    }
    if (k % frequency !== 0) continue;
    matrices.push(matrix);
    times.push(k);
  }
  const initial =
    meta.initial_weights === undefined ? undefined : wireSeries(rpc, "metadata.initial_weights", meta.initial_weights as number[]);
  const r = multiperiodWeights(matrices, {
    gamma,
    transactionCost: cost,
    constraints,
    shrinkage,
    ...(initial ? { initialWeights: initial } : {}),
  });
  return {
    weightsSequence: r.steps.map((s, k) => ({
      weights: Array.from(s.weights),
      expectedReturn: s.expectedReturn,
      expectedVolatility: s.volatility,
      sharpeRatio: s.volatility > 0 ? s.expectedReturn / s.volatility : 0,
      utility: s.utility,
      status: "ok",
      timestampMs: times[k],
      metadata: JSON.stringify({ cost: s.cost }),
      warnings: [],
      turnover: s.turnover,
    })),
    cumulativeUtility: r.cumulativeUtility,
    avgTurnover: r.averageTurnover,
    rebalanceTimes: times,
    turnover: r.steps.map((s) => s.turnover),
    warnings: [...r.warnings],
  };
}

/** PortfolioStats: `portfolioStats(returns, weights)`; kurtosis is EXCESS kurtosis (scipy default, biased). */
export function portfolioStatsOp(req: PortfolioStatsRequest): Partial<PortfolioStatsResponse> {
  const rpc = "PortfolioStats";
  const x = wireMatrix(rpc, "returns", req.returns, { minRows: 3 });
  const weights = wireSeries(rpc, "weights", req.weights);
  if (weights.length !== x.cols)
    invalidArgument(rpc, `weights must have one entry per asset (returns.cols = ${x.cols}), got ${weights.length}`);
  const r = portfolioStats(x, weights);
  return {
    meanReturn: r.mean,
    stdReturn: r.std,
    skewness: r.skewness,
    kurtosis: r.kurtosis,
    correlation: toWireMatrix(r.correlation),
    covariance: toWireMatrix(r.covariance),
    marginalContrib: Array.from(r.marginalRiskContributions),
    percentContrib: Array.from(r.percentRiskContributions),
    metadata: JSON.stringify({ component_contrib: Array.from(r.componentRiskContributions) }),
    warnings: [...r.warnings],
  };
}

/** Objectives of OptimalThresholds. */
export const THRESHOLD_OBJECTIVES = ["profit", "sharpe", "kelly"] as const;

/**
 * OptimalThresholds: the library's `optimalThresholds` (Bertram 2010 symmetric band: buy at
 * mu − m, sell at mu + m, and the mirror short) for ou_params (theta = SPEED > 0, mu = MEAN,
 * sigma > 0, per bar), round-trip transaction_cost c in spread units (> 0; 0 = default 0.001),
 * objective "profit" (default) | "sharpe" | "kelly", metadata JSON `{"rf": r}` (risk-free rate per
 * bar for "sharpe"/"kelly", default 0).
 * Reported in the convention of this package's inputs (BacktestInput, SignalRequest.thresholds):
 * entry_zscore = m/s > 0 (enter long at z ≤ −entry, short at z ≥ +entry) and exit_zscore = −m/s
 * (a long exits at z ≥ −exit_zscore = +m/s: Bertram closes at the opposite band), s = sigma/√(2·theta).
 * expected_holding_periods in bars, expected_return_per_trade = 2m − c (spread units).
 */
export function optimalThresholds(req: ThresholdRequest): Partial<ThresholdResponse> {
  const rpc = "OptimalThresholds";
  const ou = req.ouParams;
  if (!ou) invalidArgument(rpc, "ou_params is required (theta = speed, mu = mean, sigma)");
  const speed = finiteValue(rpc, "ou_params.theta", ou.theta);
  if (!(speed > 0)) invalidArgument(rpc, `ou_params.theta (the mean-reversion speed) must be > 0, got ${speed}`);
  const mean = finiteValue(rpc, "ou_params.mu", ou.mu);
  const sigma = finiteValue(rpc, "ou_params.sigma", ou.sigma);
  if (!(sigma > 0)) invalidArgument(rpc, `ou_params.sigma must be > 0, got ${sigma}`);
  const cost = positiveOrDefault(rpc, "transaction_cost", req.transactionCost, 0.001);
  const objective = enumOrDefault(rpc, "optimization_objective", req.optimizationObjective, THRESHOLD_OBJECTIVES, "profit");
  const meta = metadataObject(rpc, "metadata", req.metadata);
  const rf = metadataNumber(rpc, "metadata", meta, "rf") ?? 0;
  if (rf < 0) invalidArgument(rpc, `metadata.rf must be >= 0, got ${rf}`);
  const scale = { kappa: speed, theta: mean, sigma };
  const r = libOptimalThresholds({ ...scale, c: cost, objective, rf });
  const [entryLevel, exitLevel] = zScoresToLevels(scale, [r.entryZScore, r.exitZScore]);
  return {
    entryZscore: -r.entryZScore,
    exitZscore: -r.exitZScore,
    expectedHoldingPeriods: r.expectedHoldingTime,
    expectedReturnPerTrade: r.expectedReturnPerTrade,
    winRateEstimate: r.winRateEstimate,
    metadata: JSON.stringify({ sharpe: r.sharpe, expected_return_rate: r.expectedReturnRate, kelly_fraction: r.kellyFraction, rf }),
    entryLevel,
    exitLevel,
    objective: r.objective,
    warnings: [...r.warnings],
  };
}

/** Default entry z-score when `thresholds` is absent or its entry_zscore is 0 (exit defaults to the mean, 0). */
export const DEFAULT_SIGNAL_ENTRY_ZSCORE = 2;

/**
 * GenerateSignals: `generateSignal` on price_history.prices (the spread; last value = now) with the
 * OU model from ou_params (theta = SPEED, mu = MEAN, sigma; same time unit) and the z-score band of
 * `thresholds` (entry_zscore default 2; exit_zscore as given, 0 = exit at the mean, must be <
 * entry_zscore; a long exits at z ≥ −exit_zscore), z measured against the OU stationary law
 * (x − mu)/(sigma/√(2·theta)). position_state "flat" (default), "long" or "short". The response's
 * metadata JSON adds position_after, half_life and exit_kind.
 */
export function generateSignals(req: SignalRequest): Partial<SignalResponse> {
  const rpc = "GenerateSignals";
  if (!req.priceHistory) invalidArgument(rpc, "price_history is required");
  if (req.priceHistory.prices.length > MAX_PRICES)
    resourceExhausted(rpc, `price_history.prices must have at most ${MAX_PRICES} points, got ${req.priceHistory.prices.length}`);
  const prices = wireSeries(rpc, "price_history.prices", req.priceHistory.prices, 1);
  const ou = req.ouParams;
  if (!ou) invalidArgument(rpc, "ou_params is required (theta = speed, mu = mean, sigma)");
  const speed = finiteValue(rpc, "ou_params.theta", ou.theta);
  if (!(speed > 0)) invalidArgument(rpc, `ou_params.theta (the mean-reversion speed) must be > 0, got ${speed}`);
  const mean = finiteValue(rpc, "ou_params.mu", ou.mu);
  const sigma = finiteValue(rpc, "ou_params.sigma", ou.sigma);
  if (!(sigma > 0)) invalidArgument(rpc, `ou_params.sigma must be > 0, got ${sigma}`);
  const entry = positiveOrDefault(rpc, "thresholds.entry_zscore", req.thresholds?.entryZscore, DEFAULT_SIGNAL_ENTRY_ZSCORE);
  const exit = finiteValue(rpc, "thresholds.exit_zscore", req.thresholds?.exitZscore ?? 0);
  const position = enumOrDefault(rpc, "position_state", req.positionState, ["flat", "long", "short"] as const, "flat");
  // The z-score band as absolute levels (long entry mu − entry·s, long exit mu − exit·s, shorts
  // reflected about mu): the same rule as { kind: "zscore" } on the OU stationary scale, and it also
  // accepts Bertram's exit at the opposite band (exit = −entry) that OptimalThresholds returns.
  if (!(exit < entry)) invalidArgument(rpc, `thresholds.exit_zscore must be < entry_zscore (${entry}), got ${exit}`);
  const scale = { kappa: speed, theta: mean, sigma };
  const [entryLevel, exitLevel] = zScoresToLevels(scale, [-entry, -exit]);
  const r = generateSignal({
    prices,
    ou: scale,
    levels: { kind: "levels", entry: entryLevel, exit: exitLevel, side: "both", center: mean },
    position,
  });
  const stamps = req.priceHistory.timestampsMs ?? [];
  return {
    signal: r.signal,
    confidence: r.confidence,
    zscore: r.zscore,
    expectedProfit: r.expectedProfit,
    timestampMs: stamps.length > 0 && Number.isFinite(stamps[stamps.length - 1]) ? stamps[stamps.length - 1] : 0,
    reasoning: r.reasoning,
    metadata: JSON.stringify({ position_after: r.positionAfter, half_life: r.halfLife, exit_kind: r.exitKind }),
  };
}
