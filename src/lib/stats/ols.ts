import type { MatrixRowMajor } from "../util/matrix.js";
import { describe, rangeError, requireOptions, toFloat64, typeError } from "../util/validate.js";
import { qrLeastSquaresKernel } from "../linalg/qrLeastSquares.js";
import { studentTTwoSidedPValue } from "./studentT.js";

/** SSR ≤ this·n·ε²·Σy² counts as a perfect fit (residuals are pure rounding). */
const PERFECT_FIT_FACTOR = 100;

/** Regressors: one series, an array of series (one per column), or a row-major matrix (nobs × k). */
export type Regressors = ArrayLike<number> | ArrayLike<ArrayLike<number>> | MatrixRowMajor;

export interface OlsOptions {
  /** Prepend a column of ones (its coefficient comes first). Default true. */
  intercept?: boolean;
}

/** Ordinary least squares fit, field names and conventions as statsmodels `OLSResults`. */
export interface OlsResult {
  /** β̂, intercept first when `intercept` is true, then one per regressor column in input order. */
  readonly coefficients: Float64Array;
  /** √diag(σ̂²·(XᵀX)⁻¹) with σ̂² = SSR / dfResid (statsmodels `bse`). */
  readonly standardErrors: Float64Array;
  /** β̂ / standard error (statsmodels `tvalues`). */
  readonly tValues: Float64Array;
  /** Two-sided p-values 2·P(T_{dfResid} > |t|) from the Student t distribution (statsmodels `pvalues`). */
  readonly pValues: Float64Array;
  /** 1 − SSR/TSS, TSS centred when `intercept` is true and uncentred otherwise (statsmodels `rsquared`). */
  readonly rSquared: number;
  /** 1 − (nobs − c)/dfResid·(1 − R²) with c = 1 if intercept else 0 (statsmodels `rsquared_adj`). */
  readonly adjRSquared: number;
  /** Sum of squared residuals. */
  readonly ssr: number;
  /** y − Xβ̂. */
  readonly residuals: Float64Array;
  /** Xβ̂. */
  readonly fittedValues: Float64Array;
  /** Number of observations. */
  readonly nobs: number;
  /** nobs − number of coefficients. */
  readonly dfResid: number;
  /** σ̂² = SSR / dfResid (statsmodels `scale`). */
  readonly residualVariance: number;
  /** Profile Gaussian log-likelihood −n/2·(ln 2π + ln(SSR/n) + 1) (statsmodels `llf`). */
  readonly logLikelihood: number;
  /** −2·llf + 2k, k = number of coefficients (statsmodels `aic`). */
  readonly aic: number;
  /** −2·llf + ln(n)·k (statsmodels `bic`). */
  readonly bic: number;
  /** Degenerate-but-legal conditions (perfect fit, constant y). */
  readonly warnings: string[];
}

/**
 * Ordinary least squares y = Xβ + ε by Householder QR (no normal equations), with classical
 * (non-robust) standard errors.
 * β̂ = R⁻¹Qᵀy, Var(β̂) = σ̂²(XᵀX)⁻¹ = σ̂²R⁻¹R⁻ᵀ, σ̂² = SSR/(n − k).
 * Matches statsmodels `OLS(y, X).fit()` (which uses a pseudo-inverse) to about 1e-10 on
 * full-rank problems. R² uses the centred total sum of squares with an intercept and the uncentred
 * one without (statsmodels additionally detects an implicit constant among the columns; we do not).
 * Degenerate: perfect fit gives zero standard errors and non-finite t-values with a warning; a
 * constant y with an intercept gives rSquared NaN with a warning.
 * @see Greene, W.H. (2012) Econometric Analysis, 7th ed., ch. 3–4; Golub & Van Loan (2013) §5.3.
 * @throws RangeError if lengths differ, values are not finite, nobs ≤ k, or X is rank-deficient
 * @throws TypeError if X is not a series, an array of series or a MatrixRowMajor
 * @example ols([1, 3, 2, 5, 4], [1, 2, 3, 4, 5]).coefficients // Float64Array [0.6, 0.8] (by hand: slope 8/10, intercept 3 − 0.8·3)
 */
export function ols(y: ArrayLike<number>, x: Regressors, options?: OlsOptions): OlsResult {
  const fn = "ols";
  const opts = requireOptions<OlsOptions>(fn, options);
  const intercept = opts.intercept ?? true;
  if (typeof intercept !== "boolean") typeError(fn, `intercept must be a boolean, got ${describe(intercept)}`);
  const yy = toFloat64(y, "y", fn, { minLength: 1 });
  const design = designMatrix(fn, x, yy.length, intercept);
  const n = design.rows;
  const k = design.cols;
  if (n <= k) rangeError(fn, `y must have more observations than coefficients (${k}), got ${n}`);
  return olsKernel(yy, design, intercept, fn);
}

/** Internal: OLS on a prepared design matrix (intercept column, if any, already first). */
export function olsKernel(y: Float64Array, design: MatrixRowMajor, intercept: boolean, fn: string): OlsResult {
  const n = design.rows;
  const k = design.cols;
  const fit = qrLeastSquaresKernel(design, y);
  if (fit.rank < k) {
    rangeError(
      fn,
      `x must have full column rank (${k} coefficients${intercept ? " incl. intercept" : ""}), got numerical rank ${fit.rank}`,
    );
  }
  const warnings: string[] = [];
  const dfResid = n - k;
  const ssr = fit.ssr;
  const scale = ssr / dfResid;
  const standardErrors = new Float64Array(k);
  const tValues = new Float64Array(k);
  const pValues = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    standardErrors[j] = Math.sqrt(scale * fit.xtxInverse.data[j * k + j]);
    tValues[j] = fit.coefficients[j] / standardErrors[j];
    pValues[j] = studentTTwoSidedPValue(tValues[j], dfResid);
  }
  let tss = 0;
  if (intercept) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i];
    mean /= n;
    for (let i = 0; i < n; i++) tss += (y[i] - mean) ** 2;
  } else {
    for (let i = 0; i < n; i++) tss += y[i] * y[i];
  }
  const rSquared = 1 - ssr / tss;
  const adjRSquared = 1 - ((n - (intercept ? 1 : 0)) / dfResid) * (1 - rSquared);
  let sumSquaresY = 0;
  for (let i = 0; i < n; i++) sumSquaresY += y[i] * y[i];
  if (ssr <= PERFECT_FIT_FACTOR * n * Number.EPSILON ** 2 * sumSquaresY) {
    warnings.push(`${fn}: perfect fit (SSR = ${ssr} is at rounding level); standard errors and t-values are meaningless`);
  }
  if (tss === 0) warnings.push(`${fn}: y has zero ${intercept ? "centred" : "uncentred"} sum of squares; rSquared is NaN`);
  const fittedValues = new Float64Array(n);
  for (let i = 0; i < n; i++) fittedValues[i] = y[i] - fit.residuals[i];
  const logLikelihood = -(n / 2) * Math.log(2 * Math.PI) - (n / 2) * Math.log(ssr / n) - n / 2;
  return {
    coefficients: fit.coefficients,
    standardErrors,
    tValues,
    pValues,
    rSquared,
    adjRSquared,
    ssr,
    residuals: fit.residuals,
    fittedValues,
    nobs: n,
    dfResid,
    residualVariance: scale,
    logLikelihood,
    aic: -2 * logLikelihood + 2 * k,
    bic: -2 * logLikelihood + Math.log(n) * k,
    warnings,
  };
}

function isMatrix(x: unknown): x is MatrixRowMajor {
  return x !== null && typeof x === "object" && "data" in (x as object) && "rows" in (x as object) && "cols" in (x as object);
}

/** Internal: build the n × k design matrix [1 | X] (or X) from any accepted regressor form. */
export function designMatrix(fn: string, x: Regressors, n: number, intercept: boolean): MatrixRowMajor {
  let columns: Float64Array[];
  if (isMatrix(x)) {
    if (!(x.data instanceof Float64Array) || x.data.length !== x.rows * x.cols) {
      typeError(fn, `x must be a MatrixRowMajor with data of length rows × cols, got ${describe(x.data)}`);
    }
    if (x.rows !== n) rangeError(fn, `y and x must have the same number of observations, got ${n} and ${x.rows}`);
    columns = [];
    for (let j = 0; j < x.cols; j++) {
      const c = new Float64Array(n);
      for (let i = 0; i < n; i++) c[i] = x.data[i * x.cols + j];
      columns.push(toFloat64(c, `x column ${j}`, fn));
    }
  } else if (x !== null && typeof x === "object" && typeof (x as ArrayLike<unknown>).length === "number") {
    const arr = x as ArrayLike<unknown>;
    const first = arr.length > 0 ? arr[0] : undefined;
    if (first !== null && typeof first === "object") {
      columns = [];
      for (let j = 0; j < arr.length; j++) {
        const c = toFloat64(arr[j], `x[${j}]`, fn);
        if (c.length !== n) rangeError(fn, `y and x[${j}] must have the same length, got ${n} and ${c.length}`);
        columns.push(c);
      }
    } else {
      const c = toFloat64(arr, "x", fn);
      if (c.length !== n) rangeError(fn, `y and x must have the same length, got ${n} and ${c.length}`);
      columns = [c];
    }
  } else {
    typeError(fn, `x must be a series, an array of series or a MatrixRowMajor, got ${describe(x)}`);
  }
  const k = columns.length + (intercept ? 1 : 0);
  if (k === 0) rangeError(fn, "x must have at least one column when intercept is false, got 0");
  const data = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let j = 0;
    if (intercept) data[i * k + j++] = 1;
    for (const c of columns) data[i * k + j++] = c[i];
  }
  return { rows: n, cols: k, data };
}
