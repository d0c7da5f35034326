import { quantileSorted } from "../stats/quantile.js";
import { rangeError, requireFinite, requireInteger, requireOptions, requireSameLength, toFloat64 } from "../util/validate.js";

/** Options of {@link tearSheet}. */
export interface TearSheetOptions {
  /** P, periods per year (252 for daily bars). Required. */
  periodsPerYear: number;
  /** Benchmark per-period simple returns aligned with `returns` (same length). */
  benchmark?: ArrayLike<number>;
  /** Time of each return, milliseconds since the Unix epoch (strictly increasing); enables the monthly table. */
  timestamps?: ArrayLike<number>;
  /** Window, in periods, of the rolling Sharpe and volatility. Default round(P/4), at least 2 (63 for daily). */
  rollingWindow?: number;
}

/** One month of the monthly returns table (UTC calendar month). */
export interface MonthlyReturn {
  readonly year: number;
  /** 1 = January. */
  readonly month: number;
  /** ∏(1 + r) − 1 over the month's periods. */
  readonly return: number;
}

/** Relative-to-benchmark metrics (all NaN without a benchmark, so the shape never changes). */
export interface TearSheetBenchmark {
  /** β = cov(r, b) / var(b). */
  readonly beta: number;
  /** α = (mean(r) − β·mean(b))·P, annualised arithmetic. */
  readonly alpha: number;
  /** Pearson correlation of r and b. */
  readonly correlation: number;
  /** sd(r − b, ddof 1)·√P. */
  readonly trackingError: number;
  /** mean(r − b) / sd(r − b, ddof 1)·√P. */
  readonly informationRatio: number;
  /** ∏(1 + b) − 1. */
  readonly totalReturn: number;
}

/** Result of {@link tearSheet}. Series are per period, length n, aligned with the returns. */
export interface TearSheet {
  readonly n: number;
  readonly periodsPerYear: number;
  readonly totalReturn: number;
  readonly cagr: number;
  readonly volatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly calmar: number;
  /** Longest run of consecutive periods with equity below its running peak. */
  readonly longestDrawdown: number;
  readonly winRate: number;
  readonly profitFactor: number;
  readonly tailRatio: number;
  readonly skewness: number;
  readonly excessKurtosis: number;
  /** Historical value at risk at 95 %, a positive loss fraction: −Q(0.05). */
  readonly valueAtRisk95: number;
  /** Conditional VaR (expected shortfall) at 95 %: −mean(r_t : r_t ≤ Q(0.05)). */
  readonly conditionalValueAtRisk95: number;
  readonly bestPeriod: number;
  readonly worstPeriod: number;
  /** equity_t = ∏_{s≤t}(1 + r_s) (equity before the first return is 1). */
  readonly equity: Float64Array;
  /** drawdown_t = 1 − equity_t / max(1, max_{s≤t} equity_s) (≥ 0). */
  readonly drawdown: Float64Array;
  readonly rollingWindow: number;
  /** Rolling Sharpe over the last `rollingWindow` periods (NaN for the first window − 1). */
  readonly rollingSharpe: Float64Array;
  /** Rolling annualised volatility, same window. */
  readonly rollingVolatility: Float64Array;
  /** Monthly returns in time order (empty without timestamps). */
  readonly monthly: readonly MonthlyReturn[];
  readonly benchmark: TearSheetBenchmark;
}

const NO_BENCHMARK: TearSheetBenchmark = Object.freeze({
  beta: Number.NaN,
  alpha: Number.NaN,
  correlation: Number.NaN,
  trackingError: Number.NaN,
  informationRatio: Number.NaN,
  totalReturn: Number.NaN,
});

/**
 * Performance summary of a return series, with these definitions (r = per-period simple returns,
 * n = count, P = periodsPerYear, equity starts at 1 before the first return, sd with ddof 1):
 *   totalReturn  = ∏(1 + r) − 1
 *   cagr         = (∏(1 + r))^(P/n) − 1
 *   volatility   = sd(r)·√P
 *   sharpe       = mean(r) / sd(r)·√P                     (no risk-free rate: pass excess returns)
 *   sortino      = mean(r) / √(Σ min(r, 0)² / n)·√P       (downside deviation over all n periods)
 *   maxDrawdown  = max_t 1 − equity_t / max_{s≤t} equity_s (positive fraction; the peak includes the start at 1)
 *   calmar       = cagr / maxDrawdown
 *   longestDrawdown = longest run of consecutive periods with equity_t below its running peak
 *   winRate      = #(r > 0) / #(r ≠ 0)                   (flat periods do not count)
 *   profitFactor = Σ max(r, 0) / Σ max(−r, 0)
 *   tailRatio    = |Q(0.95)| / |Q(0.05)|                  (Q: linear-interpolation quantile, numpy default)
 *   skewness     = G1, the adjusted Fisher–Pearson coefficient √(n(n−1))/(n−2)·m3/m2^{3/2} (pandas skew)
 *   excessKurtosis = G2 = ((n+1)·m4/m2² − 3(n−1))·(n−1)/((n−2)(n−3)) (pandas kurt), m_k central moments /n
 *   valueAtRisk95 = −Q(0.05);  conditionalValueAtRisk95 = −mean(r_t : r_t ≤ Q(0.05))
 *   bestPeriod / worstPeriod = max r / min r
 *   monthly      = ∏(1 + r) − 1 per UTC calendar month of the timestamps
 *   rolling Sharpe / volatility = the sharpe / volatility formulas over the last w periods
 *   benchmark b: β = cov(r, b)/var(b), α = (mean r − β·mean b)·P, correlation, tracking error
 *     sd(r − b)·√P, information ratio mean(r − b)/sd(r − b)·√P.
 * Degenerate values follow IEEE division: a zero sd gives ±Infinity or NaN Sharpe, no losses an
 * Infinity profit factor and sortino, no drawdown an Infinity (or NaN) calmar; skewness needs
 * n ≥ 3 and kurtosis n ≥ 4 (NaN otherwise), as in pandas. A return ≤ −1 (equity ≤ 0) is refused.
 * @see Bacon, C. (2008) Practical Portfolio Performance Measurement and Attribution, Wiley (definitions).
 * @throws RangeError if returns has fewer than 2 values, a non-finite value or a value ≤ −1,
 *   periodsPerYear is not positive, benchmark/timestamps differ in length, or timestamps are not increasing
 * @example tearSheet(monthlyReturns, { periodsPerYear: 12 }).sharpe // ≈ −0.054818753659688975 (fixtures/tearSheet.json "monthly, losing", pandas)
 */
export function tearSheet(returns: ArrayLike<number>, options: TearSheetOptions): TearSheet {
  const fn = "tearSheet";
  const o = requireOptions<TearSheetOptions>(fn, options);
  const periodsPerYear = requireFinite(fn, "periodsPerYear", o.periodsPerYear, { minExclusive: 0 });
  const r = toFloat64(returns, "returns", fn, { minLength: 2 });
  const n = r.length;
  for (let t = 0; t < n; t++) if (!(r[t] > -1)) rangeError(fn, `returns must be > −1 (equity stays positive), got ${r[t]} at index ${t}`);
  const rollingWindow =
    o.rollingWindow === undefined
      ? Math.min(n, Math.max(2, Math.round(periodsPerYear / 4)))
      : requireInteger(fn, "rollingWindow", o.rollingWindow, { min: 2, max: n });
  let benchmarkReturns: Float64Array | undefined;
  if (o.benchmark !== undefined) {
    requireSameLength(fn, "returns", r, "benchmark", o.benchmark);
    benchmarkReturns = toFloat64(o.benchmark, "benchmark", fn);
  }
  let timestamps: Float64Array | undefined;
  if (o.timestamps !== undefined) {
    requireSameLength(fn, "returns", r, "timestamps", o.timestamps);
    timestamps = toFloat64(o.timestamps, "timestamps", fn);
    for (let t = 1; t < n; t++) {
      if (!(timestamps[t] > timestamps[t - 1])) {
        rangeError(fn, `timestamps must be strictly increasing, got ${timestamps[t]} after ${timestamps[t - 1]} at index ${t}`);
      }
    }
  }
  const sqrtP = Math.sqrt(periodsPerYear);

  // Moments by Welford (mean, M2) and a second pass for m3, m4.
  let mean = 0;
  let m2 = 0;
  for (let t = 0; t < n; t++) {
    const delta = r[t] - mean;
    mean += delta / (t + 1);
    m2 += delta * (r[t] - mean);
  }
  let m3 = 0;
  let m4 = 0;
  let downside = 0;
  let gains = 0;
  let losses = 0;
  let wins = 0;
  let nonZero = 0;
  let best = -Infinity;
  let worst = Infinity;
  for (let t = 0; t < n; t++) {
    const d = r[t] - mean;
    m3 += d * d * d;
    m4 += d * d * d * d;
    if (r[t] < 0) {
      downside += r[t] * r[t];
      losses -= r[t];
      nonZero++;
    } else if (r[t] > 0) {
      gains += r[t];
      wins++;
      nonZero++;
    }
    if (r[t] > best) best = r[t];
    if (r[t] < worst) worst = r[t];
  }
  const sd = Math.sqrt(m2 / (n - 1));
  const cm2 = m2 / n;
  const cm3 = m3 / n;
  const cm4 = m4 / n;
  const skewness = n >= 3 && cm2 > 0 ? ((Math.sqrt(n * (n - 1)) / (n - 2)) * cm3) / cm2 ** 1.5 : Number.NaN;
  const excessKurtosis = n >= 4 && cm2 > 0 ? (((n + 1) * cm4) / (cm2 * cm2) - 3 * (n - 1)) * ((n - 1) / ((n - 2) * (n - 3))) : Number.NaN;

  // Equity, drawdown and the longest drawdown spell. log-sum keeps ∏ accurate over long series.
  const equity = new Float64Array(n);
  const drawdown = new Float64Array(n);
  let logGrowth = 0;
  let peak = 1;
  let maxDrawdown = 0;
  let spell = 0;
  let longestDrawdown = 0;
  for (let t = 0; t < n; t++) {
    logGrowth += Math.log1p(r[t]);
    const e = Math.exp(logGrowth);
    equity[t] = e;
    if (e > peak) peak = e;
    const dd = 1 - e / peak;
    drawdown[t] = dd;
    if (dd > maxDrawdown) maxDrawdown = dd;
    spell = e < peak ? spell + 1 : 0;
    if (spell > longestDrawdown) longestDrawdown = spell;
  }
  const totalReturn = Math.expm1(logGrowth);
  const cagr = Math.expm1((logGrowth * periodsPerYear) / n);

  const sorted = r.slice().sort();
  const q05 = quantileSorted(sorted, 0.05);
  const q95 = quantileSorted(sorted, 0.95);
  let tailSum = 0;
  let tailCount = 0;
  for (let t = 0; t < n && sorted[t] <= q05; t++) {
    tailSum += sorted[t];
    tailCount++;
  }

  // Rolling window by Welford over each window would be O(n·w); use running sums of deviations
  // from the full-sample mean (shift-invariant, so the cancellation stays small).
  const rollingSharpe = new Float64Array(n).fill(Number.NaN);
  const rollingVolatility = new Float64Array(n).fill(Number.NaN);
  let sum = 0;
  let sumSquares = 0;
  for (let t = 0; t < n; t++) {
    const d = r[t] - mean;
    sum += d;
    sumSquares += d * d;
    if (t >= rollingWindow) {
      const old = r[t - rollingWindow] - mean;
      sum -= old;
      sumSquares -= old * old;
    }
    if (t >= rollingWindow - 1) {
      const windowMean = sum / rollingWindow;
      const variance = Math.max(0, (sumSquares - rollingWindow * windowMean * windowMean) / (rollingWindow - 1));
      const windowSd = Math.sqrt(variance);
      rollingVolatility[t] = windowSd * sqrtP;
      rollingSharpe[t] = ((windowMean + mean) / windowSd) * sqrtP;
    }
  }

  return {
    n,
    periodsPerYear,
    totalReturn,
    cagr,
    volatility: sd * sqrtP,
    sharpe: (mean / sd) * sqrtP,
    sortino: (mean / Math.sqrt(downside / n)) * sqrtP,
    maxDrawdown,
    calmar: cagr / maxDrawdown,
    longestDrawdown,
    winRate: nonZero > 0 ? wins / nonZero : Number.NaN,
    profitFactor: gains / losses,
    tailRatio: Math.abs(q95) / Math.abs(q05),
    skewness,
    excessKurtosis,
    valueAtRisk95: -q05,
    conditionalValueAtRisk95: -tailSum / tailCount,
    bestPeriod: best,
    worstPeriod: worst,
    equity,
    drawdown,
    rollingWindow,
    rollingSharpe,
    rollingVolatility,
    monthly: timestamps === undefined ? [] : monthlyReturns(r, timestamps),
    benchmark: benchmarkReturns === undefined ? NO_BENCHMARK : benchmarkMetrics(r, benchmarkReturns, periodsPerYear),
  };
}

function monthlyReturns(r: Float64Array, timestamps: Float64Array): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  let key = -1;
  let year = 0;
  let month = 0;
  let logGrowth = 0;
  for (let t = 0; t < r.length; t++) {
    const date = new Date(timestamps[t]);
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth() + 1;
    const k = y * 12 + m;
    if (k !== key) {
      if (key >= 0) out.push({ year, month, return: Math.expm1(logGrowth) });
      key = k;
      year = y;
      month = m;
      logGrowth = 0;
    }
    logGrowth += Math.log1p(r[t]);
  }
  out.push({ year, month, return: Math.expm1(logGrowth) });
  return out;
}

function benchmarkMetrics(r: Float64Array, b: Float64Array, periodsPerYear: number): TearSheetBenchmark {
  const n = r.length;
  let meanR = 0;
  let meanB = 0;
  let meanD = 0;
  for (let t = 0; t < n; t++) {
    meanR += (r[t] - meanR) / (t + 1);
    meanB += (b[t] - meanB) / (t + 1);
    meanD += (r[t] - b[t] - meanD) / (t + 1);
  }
  let srr = 0;
  let sbb = 0;
  let srb = 0;
  let sdd = 0;
  let logGrowth = 0;
  for (let t = 0; t < n; t++) {
    const dr = r[t] - meanR;
    const db = b[t] - meanB;
    const dd = r[t] - b[t] - meanD;
    srr += dr * dr;
    sbb += db * db;
    srb += dr * db;
    sdd += dd * dd;
    logGrowth += Math.log1p(b[t]);
  }
  const beta = srb / sbb;
  const trackingSd = Math.sqrt(sdd / (n - 1));
  return {
    beta,
    alpha: (meanR - beta * meanB) * periodsPerYear,
    correlation: srb / Math.sqrt(srr * sbb),
    trackingError: trackingSd * Math.sqrt(periodsPerYear),
    informationRatio: (meanD / trackingSd) * Math.sqrt(periodsPerYear),
    totalReturn: Math.expm1(logGrowth),
  };
}
