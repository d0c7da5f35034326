import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, requireFinite, requireOptions, toFloat64 } from "../util/validate.js";
import { requireMatrix } from "./requireMatrix.js";

/** Least-squares fit of y on the columns of X by Householder QR. */
export interface QrLeastSquaresResult {
  /** β̂ minimising ‖y − Xβ‖², one per column of X. */
  readonly coefficients: Float64Array;
  /** y − Xβ̂, computed directly from the coefficients. */
  readonly residuals: Float64Array;
  /** Sum of squared residuals Σ e_t². */
  readonly ssr: number;
  /** Numerical rank of X (always X.cols on return; deficient X throws). */
  readonly rank: number;
  /** Upper-triangular R (p × p, row-major) with X = Q·R; standard errors use (XᵀX)⁻¹ = R⁻¹R⁻ᵀ. */
  readonly r: MatrixRowMajor;
  /** (XᵀX)⁻¹ = R⁻¹·R⁻ᵀ (p × p, row-major). */
  readonly xtxInverse: MatrixRowMajor;
}

export interface QrLeastSquaresOptions {
  /**
   * Column j is rank-deficient when |R_jj| ≤ rankTolerance·max_k |R_kk|.
   * Default max(n, p)·ε, the threshold numpy's matrix_rank applies to singular values.
   */
  rankTolerance?: number;
}

/**
 * Ordinary least squares β̂ = argmin ‖y − Xβ‖² by Householder QR (X = Q·R, R·β̂ = Qᵀy), which
 * avoids squaring the condition number as the normal equations XᵀXβ = Xᵀy would.
 * Reflections follow JAMA's QRDecomposition (public domain); X is copied to column-major internally
 * so each reflection walks memory sequentially.
 * @see Golub, G.H. & Van Loan, C.F. (2013) Matrix Computations, 4th ed., §5.2–5.3.
 * @throws RangeError if X has fewer rows than columns, y's length ≠ X.rows, or X is rank-deficient
 * @example qrLeastSquares(matrixFromRows([[1, 0], [1, 1], [1, 2]]), [1, 3, 5]).coefficients // Float64Array [1, 2] (exact line, by hand)
 */
export function qrLeastSquares(x: MatrixRowMajor, y: ArrayLike<number>, options?: QrLeastSquaresOptions): QrLeastSquaresResult {
  const fn = "qrLeastSquares";
  const opts = requireOptions<QrLeastSquaresOptions>(fn, options);
  requireMatrix(fn, "x", x, { minCols: 1 });
  const yy = toFloat64(y, "y", fn);
  if (yy.length !== x.rows) rangeError(fn, `y must have length x.rows = ${x.rows}, got ${yy.length}`);
  if (x.rows < x.cols) rangeError(fn, `x must have at least as many rows as columns, got ${x.rows} × ${x.cols}`);
  const tol = opts.rankTolerance === undefined ? undefined : requireFinite(fn, "rankTolerance", opts.rankTolerance, { min: 0 });
  const result = qrLeastSquaresKernel(x, yy, tol);
  if (result.rank < x.cols) {
    rangeError(fn, `x must have full column rank ${x.cols}, got numerical rank ${result.rank}`);
  }
  return result;
}

/**
 * Internal kernel: no input validation. Returns rank < p (with NaN coefficients) instead of
 * throwing, so callers (ols, adfuller) can phrase the error in their own name.
 */
export function qrLeastSquaresKernel(x: MatrixRowMajor, y: Float64Array, rankTolerance?: number): QrLeastSquaresResult {
  const n = x.rows;
  const p = x.cols;
  // Column-major copy: qr[j * n + i] = X_ij.
  const qr = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const row = i * p;
    for (let j = 0; j < p; j++) qr[j * n + i] = x.data[row + j];
  }
  const rdiag = new Float64Array(p);
  const qty = new Float64Array(y);
  for (let k = 0; k < p; k++) {
    const ck = k * n;
    let scale = 0;
    for (let i = k; i < n; i++) scale = Math.max(scale, Math.abs(qr[ck + i]));
    let nrm = 0;
    if (scale > 0) {
      let ss = 0;
      for (let i = k; i < n; i++) {
        const t = qr[ck + i] / scale;
        ss += t * t;
      }
      nrm = scale * Math.sqrt(ss);
    }
    if (nrm !== 0) {
      if (qr[ck + k] < 0) nrm = -nrm;
      for (let i = k; i < n; i++) qr[ck + i] /= nrm;
      qr[ck + k] += 1;
      const vkk = qr[ck + k];
      for (let j = k + 1; j < p; j++) {
        const cj = j * n;
        let s = 0;
        for (let i = k; i < n; i++) s += qr[ck + i] * qr[cj + i];
        s = -s / vkk;
        for (let i = k; i < n; i++) qr[cj + i] += s * qr[ck + i];
      }
      let s = 0;
      for (let i = k; i < n; i++) s += qr[ck + i] * qty[i];
      s = -s / vkk;
      for (let i = k; i < n; i++) qty[i] += s * qr[ck + i];
    }
    rdiag[k] = -nrm;
  }
  // R (upper triangle, row-major).
  const r = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    r[i * p + i] = rdiag[i];
    for (let j = i + 1; j < p; j++) r[i * p + j] = qr[j * n + i];
  }
  let maxDiag = 0;
  for (let k = 0; k < p; k++) maxDiag = Math.max(maxDiag, Math.abs(rdiag[k]));
  const tol = (rankTolerance ?? Math.max(n, p) * Number.EPSILON) * maxDiag;
  let rank = 0;
  for (let k = 0; k < p; k++) if (Math.abs(rdiag[k]) > tol) rank++;
  const coefficients = new Float64Array(p);
  const rinv = new Float64Array(p * p);
  if (rank < p) {
    coefficients.fill(NaN);
    rinv.fill(NaN);
  } else {
    for (let k = p - 1; k >= 0; k--) {
      let s = qty[k];
      for (let j = k + 1; j < p; j++) s -= r[k * p + j] * coefficients[j];
      coefficients[k] = s / r[k * p + k];
    }
    // R⁻¹ (upper triangular) by back substitution, column by column.
    for (let j = 0; j < p; j++) {
      rinv[j * p + j] = 1 / r[j * p + j];
      for (let i = j - 1; i >= 0; i--) {
        let s = 0;
        for (let k = i + 1; k <= j; k++) s += r[i * p + k] * rinv[k * p + j];
        rinv[i * p + j] = -s / r[i * p + i];
      }
    }
  }
  // (XᵀX)⁻¹ = R⁻¹·R⁻ᵀ.
  const xtxInverse = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = j; k < p; k++) s += rinv[i * p + k] * rinv[j * p + k];
      xtxInverse[i * p + j] = s;
      xtxInverse[j * p + i] = s;
    }
  }
  const residuals = new Float64Array(n);
  let ssr = 0;
  for (let i = 0; i < n; i++) {
    let fit = 0;
    const row = i * p;
    for (let j = 0; j < p; j++) fit += x.data[row + j] * coefficients[j];
    const e = y[i] - fit;
    residuals[i] = e;
    ssr += e * e;
  }
  return {
    coefficients,
    residuals,
    ssr,
    rank,
    r: { rows: p, cols: p, data: r },
    xtxInverse: { rows: p, cols: p, data: xtxInverse },
  };
}
