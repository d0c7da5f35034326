import type { MatrixRowMajor } from "../util/matrix.js";
import { choleskyDecomposeUnchecked } from "../linalg/choleskyDecompose.js";
import { symmetricEigen } from "../linalg/symmetricEigen.js";
import { describe, rangeError, requireInteger, requireNonConstant, requireOptions, toFloat64, typeError } from "../util/validate.js";
import { JOHANSEN_MAX_EIG_CRITICAL, JOHANSEN_MAX_TABULATED, JOHANSEN_TRACE_CRITICAL } from "./johansenTables.js";

export interface JohansenOptions {
  /** Deterministic terms: −1 none, 0 constant, 1 linear trend (statsmodels det_order). Required. */
  detOrder: -1 | 0 | 1;
  /** Number of lagged differences in the VECM, integer ≥ 0 (statsmodels k_ar_diff). Required. */
  kArDiff: number;
}

/** Critical values [90%, 95%, 99%] for one rank hypothesis, or null where statsmodels has no table. */
export type JohansenCriticalValues = readonly [number, number, number] | null;

export interface JohansenResult {
  /** Eigenvalues λ_1 ≥ … ≥ λ_k of S_kk⁻¹·S_k0·S_00⁻¹·S_0k (statsmodels `eig`). */
  readonly eigenvalues: Float64Array;
  /**
   * k × k row-major; column j is the eigenvector of eigenvalues[j] (statsmodels `evec`), normalised
   * so that vᵀ·S_kk·v = 1 and signed so that its first non-zero element is positive.
   */
  readonly eigenvectors: MatrixRowMajor;
  /** Trace statistics, element r tests H0: rank ≤ r: −T·Σ_{j>r} ln(1 − λ_j) (statsmodels `lr1`). */
  readonly traceStat: Float64Array;
  /** Maximum-eigenvalue statistics, element r tests H0: rank = r vs r + 1: −T·ln(1 − λ_{r+1}) (`lr2`). */
  readonly maxEigStat: Float64Array;
  /** Trace critical values per rank r (statsmodels `cvt`); null for k − r > 12. */
  readonly traceCrit: JohansenCriticalValues[];
  /** Maximum-eigenvalue critical values per rank r (statsmodels `cvm`); null for k − r > 12. */
  readonly maxEigCrit: JohansenCriticalValues[];
  /** T, the number of observations in the reduced-rank regression (n − 1 − kArDiff). */
  readonly nobs: number;
  /** The options used. */
  readonly detOrder: -1 | 0 | 1;
  readonly kArDiff: number;
  /** Missing critical values and other caveats. */
  readonly warnings: string[];
}

/**
 * Johansen cointegration rank test, reproducing statsmodels 0.13.5 `coint_johansen(endog, det_order,
 * k_ar_diff)` step by step:
 * 1. levels y_t (k series, n points) are detrended by OLS on a polynomial of order detOrder in
 *    linspace(−1, 1, n) (none for −1; demeaned for 0; constant + trend removed for 1);
 * 2. R0_t = residual of Δy_t (rows kArDiff..n−2 of the differences) and R1_t = residual of the
 *    levels y[1 .. n−kArDiff−1] (statsmodels' `lx`: the level y_{t−kArDiff} against Δy_t = y_t − y_{t−1};
 *    so kArDiff = 0 pairs Δy_t with the contemporaneous level, statsmodels' convention kept as is),
 *    each regressed on the kArDiff lagged differences
 *    Δy_{t−1}, …, Δy_{t−kArDiff}; when detOrder ≥ 0 all three blocks are demeaned first
 *    (statsmodels' f = 0);
 * 3. S_ij = R_iᵀR_j / T; the eigenvalues solve |λ S_kk − S_k0 S_00⁻¹ S_0k| = 0;
 * 4. trace_r = −T Σ_{j=r+1}^{k} ln(1 − λ_j), maxEig_r = −T ln(1 − λ_{r+1}).
 * Numerics: one Householder QR of the lagged differences, its reflections applied to the 2k
 * regressands, gives the residual moment matrices directly (statsmodels forms pinv residuals); the generalised symmetric
 * eigenproblem is solved as the symmetric A = L⁻¹ S_k0 M⁻ᵀ M⁻¹ S_0k L⁻ᵀ (S_kk = LLᵀ, S_00 = MMᵀ,
 * Cholesky) with JAMA tred2/tql2, and v = L⁻ᵀw, so vᵀS_kk v = 1 exactly as statsmodels normalises.
 * statsmodels fixes only the sign of the whole matrix (by evec[0, 0]); LAPACK's arbitrary sign of the
 * other columns is not reproducible, so here every column's first non-zero element is positive
 * (column 0 therefore matches statsmodels exactly, the others up to sign).
 * Critical values: MacKinnon–Haug–Michelis via statsmodels' tables (johansenTables.ts), available for
 * k − r ≤ 12; beyond that the entry is null and a warning says so.
 * @see [1] Johansen, S. (1991) "Estimation and hypothesis testing of cointegration vectors in
 *      Gaussian vector autoregressive models", Econometrica 59, 1551–1580.
 * @see [2] Lütkepohl, H. (2005) New Introduction to Multiple Time Series Analysis, Springer, §7–8.
 * @throws TypeError if series is not an array of numeric arrays or options are missing
 * @throws RangeError for fewer than 2 series, unequal lengths, non-finite or constant series,
 *         detOrder not in {−1, 0, 1}, kArDiff not an integer ≥ 0, too few observations
 *         (n − 1 − kArDiff must be ≥ k·(kArDiff + 1) + 2), or collinear series (singular S_kk/S_00)
 * @example johansen([logEWG, logEWQ], { detOrder: 0, kArDiff: 1 }).traceStat // ≈ [7.9501212579, 2.5888198758] (first 1000 rows of data/stock_prices.csv; statsmodels 0.13.5 coint_johansen lr1, fixtures/johansen.json)
 */
export function johansen(series: ArrayLike<ArrayLike<number>>, options: JohansenOptions): JohansenResult {
  const fn = "johansen";
  if (series === null || typeof series !== "object" || typeof (series as { length?: unknown }).length !== "number") {
    typeError(fn, `series must be an array of k series, got ${describe(series)}`);
  }
  const k = series.length;
  // statsmodels coint_johansen fails for one series (lagmat squeezes it); a rank test needs two.
  if (k < 2) rangeError(fn, `series must contain at least 2 series, got ${k}`);
  const opts = requireOptions<JohansenOptions>(fn, options);
  const detOrder = opts.detOrder;
  if (detOrder !== -1 && detOrder !== 0 && detOrder !== 1) {
    rangeError(fn, `options.detOrder must be one of -1 (none), 0 (constant), 1 (linear trend), got ${describe(detOrder)}`);
  }
  const kArDiff = requireInteger(fn, "options.kArDiff", opts.kArDiff, { min: 0 });
  const columns: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const col = toFloat64(series[j], `series[${j}]`, fn);
    if (j > 0 && col.length !== columns[0].length) {
      rangeError(fn, `series[${j}] must have the same length as series[0] (${columns[0].length}), got ${col.length}`);
    }
    requireNonConstant(fn, `series[${j}]`, col);
    columns.push(col);
  }
  const n = columns[0].length;
  const rows = n - 1 - kArDiff;
  const needed = k * (kArDiff + 1) + 2;
  if (rows < needed) {
    rangeError(
      fn,
      `series must have at least ${needed + 1 + kArDiff} observations for k = ${k} and kArDiff = ${kArDiff} (n - 1 - kArDiff >= k·(kArDiff + 1) + 2), got ${n}`,
    );
  }

  // 1. detrend the levels (statsmodels detrend(endog, det_order))
  const levels = columns.map((c) => detrend(c, detOrder));
  const diffs = levels.map((c) => {
    const d = new Float64Array(n - 1);
    for (let t = 0; t < n - 1; t++) d[t] = c[t + 1] - c[t];
    return d;
  });
  // 2. lagged differences z (rows t = kArDiff..n−2 of Δy), Δy[kArDiff:], levels y[1 .. n−kArDiff−1]
  // Column-major T × (p + 2k) block W = [Z | ΔY | Y_lag], p = k·kArDiff lagged differences.
  const zCols = k * kArDiff;
  const width = zCols + 2 * k;
  const w = new Float64Array(rows * width);
  for (let lag = 1; lag <= kArDiff; lag++) {
    for (let j = 0; j < k; j++) {
      const col = ((lag - 1) * k + j) * rows;
      const d = diffs[j];
      for (let i = 0; i < rows; i++) w[col + i] = d[i + kArDiff - lag];
    }
  }
  for (let j = 0; j < k; j++) {
    w.set(diffs[j].subarray(kArDiff, kArDiff + rows), (zCols + j) * rows); // Δy_t
    w.set(levels[j].subarray(1, 1 + rows), (zCols + k + j) * rows); // statsmodels lx
  }
  if (detOrder > -1) {
    // statsmodels: f = 0 whenever det_order > −1, so Z, ΔY and the levels are all demeaned
    for (let c = 0; c < width; c++) demeanInPlace(w.subarray(c * rows, (c + 1) * rows));
  }
  // 3. Householder reflections of Z applied to all columns: rows p..T−1 of the last 2k columns are
  //    then the coordinates of the residuals R0, R1 in an orthonormal basis of span(Z)^⊥, so their
  //    cross products are exactly R_aᵀR_b (no residual vectors are formed).
  if (!householderReduce(w, rows, width, zCols)) {
    rangeError(fn, "series must not be collinear (the lagged differences are rank-deficient)");
  }
  const s00 = residualMoments(w, rows, zCols, zCols, zCols, k); // S_00
  const s11 = residualMoments(w, rows, zCols, zCols + k, zCols + k, k); // S_kk
  const s10 = residualMoments(w, rows, zCols, zCols + k, zCols, k); // S_k0
  const l = choleskyDecomposeUnchecked({ rows: k, cols: k, data: s11 });
  const m = choleskyDecomposeUnchecked({ rows: k, cols: k, data: s00 });
  if (l === null || m === null) {
    rangeError(fn, "series must not be collinear (the level or difference residual covariance is singular)");
  }
  // B = M⁻¹ S_0k L⁻ᵀ (k × k); A = BᵀB = L⁻¹ S_k0 S_00⁻¹ S_0k L⁻ᵀ
  const s01 = transposeSquare(s10, k);
  const mInvS01 = forwardSolveColumns(m.data, s01, k); // M⁻¹ S_0k
  const b = transposeSquare(forwardSolveColumns(l.data, transposeSquare(mInvS01, k), k), k); // (L⁻¹ (M⁻¹S_0k)ᵀ)ᵀ
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += b[p * k + i] * b[p * k + j];
      a[i * k + j] = s;
      a[j * k + i] = s;
    }
  }
  const eig = symmetricEigen({ rows: k, cols: k, data: a });
  const eigenvalues = eig.values;
  // v = L⁻ᵀ w: back substitution with Lᵀ for each eigenvector column
  const vectors = backSolveTransposedColumns(l.data, eig.vectors.data, k);
  for (let j = 0; j < k; j++) {
    let first = 0;
    for (let i = 0; i < k && first === 0; i++) first = vectors[i * k + j];
    if (first < 0) for (let i = 0; i < k; i++) vectors[i * k + j] = -vectors[i * k + j];
  }
  // 4. statistics and critical values
  const traceStat = new Float64Array(k);
  const maxEigStat = new Float64Array(k);
  const traceCrit: JohansenCriticalValues[] = [];
  const maxEigCrit: JohansenCriticalValues[] = [];
  const warnings: string[] = [];
  let tail = 0;
  for (let r = k - 1; r >= 0; r--) {
    const term = -rows * Math.log1p(-eigenvalues[r]);
    maxEigStat[r] = term;
    tail += term;
    traceStat[r] = tail;
  }
  const key = String(detOrder) as "-1" | "0" | "1";
  for (let r = 0; r < k; r++) {
    const free = k - r;
    if (free > JOHANSEN_MAX_TABULATED) {
      traceCrit.push(null);
      maxEigCrit.push(null);
    } else {
      traceCrit.push(JOHANSEN_TRACE_CRITICAL[key][free - 1]);
      maxEigCrit.push(JOHANSEN_MAX_EIG_CRITICAL[key][free - 1]);
    }
  }
  if (k > JOHANSEN_MAX_TABULATED) {
    warnings.push(
      `johansen: critical values are tabulated for at most ${JOHANSEN_MAX_TABULATED} variables (statsmodels has no table); traceCrit/maxEigCrit are null for ranks r < ${k - JOHANSEN_MAX_TABULATED}`,
    );
  }
  return {
    eigenvalues,
    eigenvectors: { rows: k, cols: k, data: vectors },
    traceStat,
    maxEigStat,
    traceCrit,
    maxEigCrit,
    nobs: rows,
    detOrder,
    kArDiff,
    warnings,
  };
}

/** statsmodels detrend(y, order): OLS residual on vander(linspace(−1, 1, n), order + 1). */
function detrend(y: Float64Array, order: -1 | 0 | 1): Float64Array {
  const out = y.slice();
  if (order === -1) return out;
  const n = y.length;
  demeanInPlace(out);
  if (order === 1) {
    // linspace(−1, 1, n) centred (its mean is 0 up to rounding); regress the demeaned y on it
    const grid = new Float64Array(n);
    let gridMean = 0;
    for (let i = 0; i < n; i++) {
      grid[i] = n === 1 ? -1 : -1 + (2 * i) / (n - 1);
      gridMean += grid[i];
    }
    gridMean /= n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const u = grid[i] - gridMean;
      sxx += u * u;
      sxy += u * out[i];
    }
    const slope = sxy / sxx;
    for (let i = 0; i < n; i++) out[i] -= slope * (grid[i] - gridMean);
  }
  return out;
}

function demeanInPlace(y: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  for (let i = 0; i < y.length; i++) y[i] -= mean;
  return mean;
}

/** Relative rank tolerance on |R_jj| (numpy matrix_rank's max(n, p)·ε). */
const RANK_TOLERANCE_FACTOR = Number.EPSILON;

/**
 * Householder QR of the first p columns of the column-major T × width block W (JAMA
 * QRDecomposition's reflections, public domain), each reflection also applied to every later
 * column, so afterwards a trailing column holds Qᵀy. Its rows p..T−1 are the coordinates of the
 * residual y − Z(ZᵀZ)⁻¹Zᵀy in an orthonormal basis of span(Z)^⊥ (statsmodels computes the same
 * residual as y − Z·pinv(Z)·y). Returns false when Z is numerically rank-deficient.
 */
function householderReduce(w: Float64Array, rows: number, width: number, p: number): boolean {
  const rdiag = new Float64Array(p);
  for (let c = 0; c < p; c++) {
    const col = c * rows;
    // ‖column‖ by a scaled sum of squares (Math.hypot per element is slow; scaling avoids overflow)
    let scale = 0;
    for (let i = c; i < rows; i++) scale = Math.max(scale, Math.abs(w[col + i]));
    let norm = 0;
    if (scale > 0) {
      let sumSquares = 0;
      for (let i = c; i < rows; i++) {
        const v = w[col + i] / scale;
        sumSquares += v * v;
      }
      norm = scale * Math.sqrt(sumSquares);
    }
    if (norm !== 0) {
      if (w[col + c] < 0) norm = -norm;
      for (let i = c; i < rows; i++) w[col + i] /= norm;
      w[col + c] += 1;
      const pivot = w[col + c];
      for (let j = c + 1; j < width; j++) {
        const other = j * rows;
        let s = 0;
        for (let i = c; i < rows; i++) s += w[col + i] * w[other + i];
        s = -s / pivot;
        for (let i = c; i < rows; i++) w[other + i] += s * w[col + i];
      }
    }
    rdiag[c] = -norm;
  }
  let largest = 0;
  for (let c = 0; c < p; c++) largest = Math.max(largest, Math.abs(rdiag[c]));
  for (let c = 0; c < p; c++) {
    if (!(Math.abs(rdiag[c]) > RANK_TOLERANCE_FACTOR * Math.max(rows, p) * largest)) return false;
  }
  return true;
}

/** k × k block (1/T)·Σ_{i ≥ p} W[i, a0 + r]·W[i, b0 + s] of the reduced column-major W. */
function residualMoments(w: Float64Array, rows: number, p: number, a0: number, b0: number, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    const ca = (a0 + r) * rows;
    for (let c = 0; c < k; c++) {
      const cb = (b0 + c) * rows;
      let s = 0;
      for (let i = p; i < rows; i++) s += w[ca + i] * w[cb + i];
      out[r * k + c] = s / rows;
    }
  }
  return out;
}

function transposeSquare(a: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[j * k + i] = a[i * k + j];
  return out;
}

/** Solve L·X = B column by column (L lower triangular, k × k row-major). */
function forwardSolveColumns(l: Float64Array, b: Float64Array, k: number): Float64Array {
  const x = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < k; i++) {
      let s = b[i * k + c];
      for (let p = 0; p < i; p++) s -= l[i * k + p] * x[p * k + c];
      x[i * k + c] = s / l[i * k + i];
    }
  }
  return x;
}

/** Solve Lᵀ·X = B column by column (L lower triangular, k × k row-major). */
function backSolveTransposedColumns(l: Float64Array, b: Float64Array, k: number): Float64Array {
  const x = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    for (let i = k - 1; i >= 0; i--) {
      let s = b[i * k + c];
      for (let p = i + 1; p < k; p++) s -= l[p * k + i] * x[p * k + c];
      x[i * k + c] = s / l[i * k + i];
    }
  }
  return x;
}
