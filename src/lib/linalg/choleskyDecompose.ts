import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError } from "../util/validate.js";
import { requireMatrix } from "./requireMatrix.js";

/** Relative tolerance for the symmetry check |A_ij − A_ji| ≤ tol·max|A|. */
const SYMMETRY_TOLERANCE = 1e-10;

/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite matrix (Cholesky–Banachiewicz,
 * row by row), returning the lower-triangular factor L (zeros above the diagonal).
 * L_jj = √(A_jj − Σ_{k<j} L_jk²),  L_ij = (A_ij − Σ_{k<j} L_ik·L_jk) / L_jj  (i > j).
 * Only the lower triangle of A is read after the symmetry check.
 * @see Golub, G.H. & Van Loan, C.F. (2013) Matrix Computations, 4th ed., §4.2.
 * @throws RangeError if A is not square, not symmetric, or not positive definite (a pivot ≤ 0)
 * @example choleskyDecompose(matrixFromRows([[4, 2], [2, 3]])).data // Float64Array [2, 0, 1, √2] (by hand)
 */
export function choleskyDecompose(a: MatrixRowMajor): MatrixRowMajor {
  const fn = "choleskyDecompose";
  requireMatrix(fn, "a", a, { square: true });
  requireSymmetric(fn, "a", a);
  const l = choleskyDecomposeUnchecked(a);
  if (l === null) rangeError(fn, "a must be positive definite, got a non-positive pivot");
  return l;
}

/** Internal kernel: returns null when a pivot is not strictly positive. Reads the lower triangle. */
export function choleskyDecomposeUnchecked(a: MatrixRowMajor): MatrixRowMajor | null {
  const n = a.rows;
  const ad = a.data;
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) l[i * n + j] = ad[i * n + j];
  return choleskyDecomposeInPlace(l, n) ? { rows: n, cols: n, data: l } : null;
}

/**
 * Internal kernel: overwrite the lower triangle of the n × n row-major matrix in `data` (the first
 * n² entries; the array may be longer) with its Cholesky factor L, the same operations in the same
 * order as {@link choleskyDecompose}; the upper triangle is neither read nor written. Returns false
 * (leaving `data` partly overwritten) when a pivot is not strictly positive. For callers that
 * factor a scratch matrix per call of a hot kernel (adfuller's cross-products) without allocating.
 */
export function choleskyDecomposeInPlace(data: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let j = 0; j <= i; j++) {
      const lj = j * n;
      let s = data[li + j];
      for (let k = 0; k < j; k++) s -= data[li + k] * data[lj + k];
      if (i === j) {
        if (!(s > 0)) return false;
        data[li + i] = Math.sqrt(s);
      } else {
        data[li + j] = s / data[lj + j];
      }
    }
  }
  return true;
}

/** Internal: throw unless |A_ij − A_ji| ≤ 1e-10·max|A| for all i, j. */
export function requireSymmetric(fn: string, name: string, a: MatrixRowMajor): void {
  const n = a.rows;
  const d = a.data;
  let maxAbs = 0;
  for (let i = 0; i < d.length; i++) maxAbs = Math.max(maxAbs, Math.abs(d[i]));
  const tol = SYMMETRY_TOLERANCE * maxAbs;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const delta = Math.abs(d[i * n + j] - d[j * n + i]);
      if (delta > tol) {
        rangeError(fn, `${name} must be symmetric, got ${name}[${i}][${j}] = ${d[i * n + j]} but ${name}[${j}][${i}] = ${d[j * n + i]}`);
      }
    }
  }
}
