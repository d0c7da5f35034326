import { choleskyDecomposeUnchecked } from "../linalg/choleskyDecompose.js";
import { qrLeastSquaresKernel } from "../linalg/qrLeastSquares.js";
import {
  asFloat64ReadOnly,
  describe,
  rangeError,
  requireInteger,
  requireNonConstant,
  requireOneOf,
  requireOptions,
  toFloat64,
  typeError,
} from "../util/validate.js";
import { type AdfAutolag, type AdfullerWorkspace, adfullerKernel, createAdfullerWorkspace } from "./adfuller.js";
import { divideByScale, powerOfTwoScale } from "../util/powerOfTwoScale.js";
import { float64Prefix, growFloat64 } from "../util/growFloat64.js";
import { type CriticalValues, MACKINNON_P_MAX_N, mackinnoncritKernel, mackinnonpKernel } from "./mackinnon.js";

/** statsmodels 0.13.5: legs count as collinear when R² ≥ 1 − 100·√ε (SQRTEPS = √(2⁻⁵²)). */
const COLLINEAR_R2 = 1 - 100 * Math.sqrt(Number.EPSILON);
/** Fast step-1 guard: an equilibrated Cholesky pivot below this (R² > 1 − 1e-8) sends the fit to QR. */
const MIN_SCALED_PIVOT = 1e-8;
/** Fewest observations accepted (the residual ADF needs a few degrees of freedom). */
const MIN_LENGTH = 8;

export interface CointOptions {
  /** Deterministic terms in the cointegrating regression: "c" constant (default) or "ct" constant and linear trend. */
  trend?: "c" | "ct";
  /** Lag selection for the residual ADF: "aic" (default), "bic", "t-stat" or null (use maxlag). */
  autolag?: AdfAutolag;
  /** Largest lag for the residual ADF. Default ⌈12·(n/100)^{1/4}⌉ clamped to ⌊n/2⌋ − 1. */
  maxlag?: number;
}

/** Engle–Granger two-step cointegration test result (fixed shape). */
export interface CointResult {
  /** ADF τ of the cointegrating residuals (regression "n"); −Infinity for collinear legs. */
  readonly statistic: number;
  /** MacKinnon (1994) p-value with N = 1 + number of x series; 0 for collinear legs. */
  readonly pValue: number;
  /** MacKinnon (2010) critical values for N series at T = nobs − 1 (as statsmodels / Stata egranger). */
  readonly criticalValues: CriticalValues;
  /** Cointegrating coefficients, one per x series: y_t = α + Σ β_i·x_it (+ δ·t) + u_t. */
  readonly beta: Float64Array;
  /** α, the constant of the cointegrating regression. */
  readonly intercept: number;
  /** δ, the linear-trend coefficient when trend is "ct"; null for "c". */
  readonly trendSlope: number | null;
  /** û_t = y_t − α̂ − Σ β̂_i·x_it (− δ̂·t), the spread tested for a unit root. */
  readonly residuals: Float64Array;
  /** R² of the cointegrating regression. */
  readonly rSquared: number;
  /** Lagged differences used in the residual ADF; null for collinear legs (no ADF is run). */
  readonly usedLag: number | null;
  /** Observations in the residual ADF regression; null for collinear legs. */
  readonly nobs: number | null;
  /** Degenerate-but-legal conditions (collinear legs). */
  readonly warnings: string[];
}

/**
 * Scratch arrays of {@link cointKernel}, grown on demand and reused by every call handed the same
 * workspace (a pair scan allocates them once, not per pair): the step-1 residuals and the residual
 * ADF's workspace. A result computed with a workspace has `residuals` in workspace.residuals (a
 * view when the buffer is longer), valid until the workspace's next use; copy them to keep them.
 * Owned by one caller at a time. Create with {@link createCointWorkspace}.
 */
export interface CointWorkspace {
  /** û_t of the cointegrating regression, n entries. */
  residuals: Float64Array;
  readonly adfuller: AdfullerWorkspace;
}

/** An empty {@link CointWorkspace}; its arrays grow to the sizes the first call needs. */
export function createCointWorkspace(): CointWorkspace {
  return { residuals: new Float64Array(0), adfuller: createAdfullerWorkspace() };
}

/**
 * Engle–Granger (augmented) cointegration test, as statsmodels 0.13.5 `coint(y0, y1, trend, method="aeg")`.
 * Step 1: OLS y_t = α (+ δ·t) + Σ β_i·x_it + u_t (centred cross-products and Cholesky; Householder QR when ill-conditioned). Step 2: ADF on û_t with no
 * deterministic terms (regression "n"), lag chosen by `autolag`. H0: no cointegration (û has a unit
 * root); a small p-value rejects it. The p-value uses MacKinnon's (1994) surface for N = 1 + k series
 * and trend "c"/"ct"; critical values use MacKinnon (2010) at T = n − 1 ("nobs − 1 to match Stata
 * egranger", statsmodels' comment).
 * Degenerate: if the legs are (almost) perfectly collinear, R² ≥ 1 − 100·√ε, the residual ADF is
 * skipped and statistic = −Infinity, pValue = 0 with a warning (statsmodels raises a
 * CollinearityWarning and returns the same); usedLag and nobs are then null.
 * @see [1] Engle, R.F. & Granger, C.W.J. (1987) Econometrica 55(2), 251–276.
 * @see [2] MacKinnon (1994) JBES 12(2); MacKinnon (2010) QED WP 1227.
 * @throws RangeError if lengths differ, values are not finite, a series is constant, x has more than
 *   5 series, the x series are collinear, or maxlag is impossible; TypeError if x is not a series or an array of series
 * @example coint(logEWG, logEWQ) // statistic ≈ -1.4928374836327833, pValue ≈ 0.7639, beta ≈ [1.05289], usedLag 7 (statsmodels coint on data/stock_prices.csv log closes; fixtures/coint.json)
 */
export function coint(y: ArrayLike<number>, x: ArrayLike<number> | ArrayLike<ArrayLike<number>>, options?: CointOptions): CointResult {
  const fn = "coint";
  const opts = requireOptions<CointOptions>(fn, options);
  const trend = requireOneOf(fn, "trend", opts.trend ?? "c", ["c", "ct"] as const);
  const autolag = requireOneOf(fn, "autolag", opts.autolag === undefined ? "aic" : opts.autolag, ["aic", "bic", "t-stat", null] as const);
  const maxlag = opts.maxlag === undefined ? undefined : requireInteger(fn, "maxlag", opts.maxlag, { min: 0 });
  const yy = toFloat64(y, "y", fn, { minLength: MIN_LENGTH });
  requireNonConstant(fn, "y", yy);
  const xs = toSeriesList(fn, x, yy.length);
  if (xs.length + 1 > MACKINNON_P_MAX_N) {
    rangeError(
      fn,
      `x must have at most ${MACKINNON_P_MAX_N - 1} series (MacKinnon p-value tables cover N <= ${MACKINNON_P_MAX_N}), got ${xs.length}`,
    );
  }
  return cointKernel(yy, xs, trend, autolag, maxlag, fn);
}

/**
 * Internal: `coint(y, x, { trend: "c", autolag, maxlag })` for one x leg held in a Float64Array,
 * with coint's checks and error messages but without copying the legs (they are only read), the
 * scratch arrays taken from `workspace` (see {@link CointWorkspace}: the result's residuals live
 * there). The Engle–Granger step of analysePair, run once per pair by the pair scans.
 */
export function cointPairKernel(
  y: Float64Array,
  x: Float64Array,
  autolag: AdfAutolag,
  maxlag: number | undefined,
  workspace: CointWorkspace,
): CointResult {
  const fn = "coint";
  asFloat64ReadOnly(y, "y", fn, { minLength: MIN_LENGTH });
  requireNonConstant(fn, "y", y);
  asFloat64ReadOnly(x, "x", fn);
  if (x.length !== y.length) rangeError(fn, `y and x must have the same length, got ${y.length} and ${x.length}`);
  requireNonConstant(fn, "x", x);
  return cointKernel(y, [x], "c", autolag, maxlag, fn, workspace);
}

/**
 * Internal kernel on validated inputs (also used by the benchmark and pair scanners). `workspace`
 * (default: a fresh one, so the result owns its arrays) holds the scratch arrays and the residuals.
 */
export function cointKernel(
  y: Float64Array,
  xs: Float64Array[],
  trend: "c" | "ct",
  autolag: AdfAutolag,
  maxlag: number | undefined,
  fn: string,
  workspace: CointWorkspace = createCointWorkspace(),
): CointResult {
  const n = y.length;
  const k = xs.length;
  const ntrend = trend === "c" ? 1 : 2;
  // The test is scale invariant in each leg: legs whose magnitude would overflow or underflow the
  // cross-products (×1e298) are divided by a power of two (exact) and β, α, δ and the residuals
  // scaled back (β_j·s_y/s_j, α·s_y, δ·s_y, e·s_y), all exact.
  // (loops, not map/some callbacks: this runs once per pair of a scan)
  const yScale = powerOfTwoScale(y);
  const xScales: number[] = [];
  const xss: Float64Array[] = [];
  let scaled = yScale !== 1;
  for (let j = 0; j < k; j++) {
    xScales.push(powerOfTwoScale(xs[j]));
    xss.push(divideByScale(xs[j], xScales[j]));
    if (xScales[j] !== 1) scaled = true;
  }
  const ys = divideByScale(y, yScale);
  workspace.residuals = growFloat64(workspace.residuals, n);
  const residualBuffer = float64Prefix(workspace.residuals, n);
  const scaledFit = cointegratingRegression(ys, xss, ntrend, residualBuffer) ?? cointegratingRegressionQr(ys, xss, ntrend, fn);
  const fit = scaled ? unscaleFit(scaledFit, yScale, xScales) : scaledFit;
  const rSquared = fit.rSquared;
  const nSeries = k + 1;
  const criticalValues = mackinnoncritKernel(nSeries, trend, n - 1); // nobs − 1 to match Stata egranger
  const beta = fit.coefficients.slice(0, k);
  const intercept = fit.coefficients[k];
  const trendSlope = ntrend === 2 ? fit.coefficients[k + 1] : null;
  if (!(rSquared < COLLINEAR_R2)) {
    return {
      statistic: -Infinity,
      pValue: mackinnonpKernel(-Infinity, trend, nSeries),
      criticalValues,
      beta,
      intercept,
      trendSlope,
      residuals: fit.residuals,
      rSquared,
      usedLag: null,
      nobs: null,
      warnings: [
        `${fn}: y and x are (almost) perfectly collinear (R² = ${rSquared}); the cointegration test is not reliable, statistic set to -Infinity and pValue to 0 (statsmodels CollinearityWarning)`,
      ],
    };
  }
  const adf = adfullerKernel(scaledFit.residuals, {
    maxlag,
    regression: "n",
    autolag,
    fn,
    name: "y and x",
    workspace: workspace.adfuller,
  });
  return {
    statistic: adf.statistic,
    pValue: mackinnonpKernel(adf.statistic, trend, nSeries),
    criticalValues,
    beta,
    intercept,
    trendSlope,
    residuals: fit.residuals,
    rSquared,
    usedLag: adf.usedLag,
    nobs: adf.nobs,
    warnings: adf.warnings,
  };
}

/** The fit of the legs divided by yScale and xScales[j], in the units of the original legs. */
function unscaleFit(fit: CointegratingFit, yScale: number, xScales: number[]): CointegratingFit {
  const coefficients = fit.coefficients.slice();
  for (let j = 0; j < coefficients.length; j++) coefficients[j] *= j < xScales.length ? yScale / xScales[j] : yScale;
  const residuals = new Float64Array(fit.residuals.length);
  for (let i = 0; i < residuals.length; i++) residuals[i] = fit.residuals[i] * yScale;
  return { ...fit, coefficients, residuals };
}

/** Coefficients [β_1..β_k, α, (δ)] in statsmodels' column order, residuals, SSR and R². */
interface CointegratingFit {
  coefficients: Float64Array;
  residuals: Float64Array;
  rSquared: number;
}

/**
 * Step 1 by centred cross-products: with the constant in the model, centring every column (x, t
 * and y) removes the constant exactly (Frisch–Waugh), leaving a small k (+1) system that is
 * equilibrated and solved by Cholesky. Residuals are then formed directly from the data as
 * y − Xβ̂ (statsmodels' resid). Returns null when a pivot shows near-collinearity among the
 * regressors (R² > 1 − 1e-8 of one on the others); the caller then uses Householder QR.
 * The residuals are written to `residuals` (n entries), which the fit then refers to.
 */
function cointegratingRegression(y: Float64Array, xs: Float64Array[], ntrend: number, residuals: Float64Array): CointegratingFit | null {
  const n = y.length;
  const k = xs.length;
  if (k === 1 && ntrend === 1) return simpleRegression(y, xs[0], residuals);
  const columns: Float64Array[] = xs.slice();
  if (ntrend === 2) columns.push(Float64Array.from({ length: n }, (_, t) => t + 1));
  const p = columns.length;
  const means = columns.map((c) => {
    let s = 0;
    for (let t = 0; t < n; t++) s += c[t];
    return s / n;
  });
  let yMean = 0;
  for (let t = 0; t < n; t++) yMean += y[t];
  yMean /= n;
  // Augmented centred Gram [Xc | yc]ᵀ[Xc | yc], (p + 1) × (p + 1).
  const K = p + 1;
  const g = new Float64Array(K * K);
  const cols = [...columns, y];
  const centres = [...means, yMean];
  for (let i = 0; i < K; i++) {
    const ci = cols[i];
    const mi = centres[i];
    for (let j = 0; j <= i; j++) {
      const cj = cols[j];
      const mj = centres[j];
      let sum = 0;
      for (let t = 0; t < n; t++) sum += (ci[t] - mi) * (cj[t] - mj);
      g[i * K + j] = sum;
      g[j * K + i] = sum;
    }
  }
  const scale = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    if (!(g[i * K + i] > 0)) return null;
    scale[i] = 1 / Math.sqrt(g[i * K + i]);
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) g[i * K + j] *= scale[i] * scale[j];
  const chol = choleskyDecomposeUnchecked({ rows: K, cols: K, data: g });
  if (chol === null) return null;
  const L = chol.data;
  for (let j = 0; j < p; j++) if (L[j * K + j] ** 2 < MIN_SCALED_PIVOT) return null;
  // Solve Lᵀ b = L_y (scaled), then unscale: β_j = b_j·scale_j / scale_y.
  const b = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = L[p * K + i];
    for (let j = i + 1; j < p; j++) sum -= L[j * K + i] * b[j];
    b[i] = sum / L[i * K + i];
  }
  const coefficients = new Float64Array(k + ntrend);
  let intercept = yMean;
  for (let j = 0; j < p; j++) {
    const beta = (b[j] * scale[j]) / scale[p];
    intercept -= beta * means[j];
    coefficients[j < k ? j : k + 1] = beta;
  }
  coefficients[k] = intercept;
  let ssr = 0;
  let tss = 0;
  for (let t = 0; t < n; t++) {
    let fit = intercept;
    for (let j = 0; j < k; j++) fit += coefficients[j] * xs[j][t];
    if (ntrend === 2) fit += coefficients[k + 1] * (t + 1);
    const e = y[t] - fit;
    residuals[t] = e;
    ssr += e * e;
    tss += (y[t] - yMean) ** 2;
  }
  return { coefficients, residuals, rSquared: 1 - ssr / tss };
}

/**
 * Step 1 for one x and a constant (the pair-trading case), two-pass: means, then centred sums
 * Sxx, Sxy in one pass; β = Sxy/Sxx, α = ȳ − β·x̄. Returns null only if Sxx is not positive.
 * The residuals are written to `residuals` (n entries), which the fit then refers to.
 */
function simpleRegression(y: Float64Array, x: Float64Array, residuals: Float64Array): CointegratingFit | null {
  const n = y.length;
  let xMean = 0;
  let yMean = 0;
  for (let t = 0; t < n; t++) {
    xMean += x[t];
    yMean += y[t];
  }
  xMean /= n;
  yMean /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let t = 0; t < n; t++) {
    const dx = x[t] - xMean;
    const dy = y[t] - yMean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) return null;
  const beta = sxy / sxx;
  const intercept = yMean - beta * xMean;
  let ssr = 0;
  for (let t = 0; t < n; t++) {
    const e = y[t] - intercept - beta * x[t];
    residuals[t] = e;
    ssr += e * e;
  }
  const coefficients = new Float64Array(2);
  coefficients[0] = beta;
  coefficients[1] = intercept;
  return { coefficients, residuals, rSquared: 1 - ssr / syy };
}

/** Step 1, careful path: Householder QR on the explicit design [x_1..x_k, 1, (t)] (statsmodels add_trend(prepend=False)). */
function cointegratingRegressionQr(y: Float64Array, xs: Float64Array[], ntrend: number, fn: string): CointegratingFit {
  const n = y.length;
  const k = xs.length;
  const cols = k + ntrend;
  const data = new Float64Array(n * cols);
  for (let t = 0; t < n; t++) {
    const row = t * cols;
    for (let j = 0; j < k; j++) data[row + j] = xs[j][t];
    data[row + k] = 1;
    if (ntrend === 2) data[row + k + 1] = t + 1;
  }
  const fit = qrLeastSquaresKernel({ rows: n, cols, data }, y);
  if (fit.rank < cols) {
    rangeError(
      fn,
      `x must not be collinear with each other or with the ${ntrend === 1 ? "constant" : "constant and trend"} (cointegrating regression has rank ${fit.rank} < ${cols})`,
    );
  }
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t];
  mean /= n;
  let tss = 0;
  for (let t = 0; t < n; t++) tss += (y[t] - mean) ** 2;
  return { coefficients: fit.coefficients, residuals: fit.residuals, rSquared: 1 - fit.ssr / tss };
}

/** Internal: x as one series or an array of series, each validated and of length n. */
function toSeriesList(fn: string, x: unknown, n: number): Float64Array[] {
  if (x === null || typeof x !== "object" || typeof (x as ArrayLike<unknown>).length !== "number") {
    typeError(fn, `x must be a series or an array of series, got ${describe(x)}`);
  }
  const arr = x as ArrayLike<unknown>;
  const first = arr.length > 0 ? arr[0] : undefined;
  const list: Float64Array[] = [];
  if (first !== null && typeof first === "object") {
    for (let j = 0; j < arr.length; j++) list.push(toFloat64(arr[j], `x[${j}]`, fn));
  } else {
    list.push(toFloat64(arr, "x", fn));
  }
  if (list.length === 0) rangeError(fn, "x must contain at least one series, got 0");
  list.forEach((s, j) => {
    const name = list.length === 1 && !(first !== null && typeof first === "object") ? "x" : `x[${j}]`;
    if (s.length !== n) rangeError(fn, `y and ${name} must have the same length, got ${n} and ${s.length}`);
    requireNonConstant(fn, name, s);
  });
  return list;
}
