import { rangeError, toFloat64 } from "../util/validate.js";

/**
 * Solve a tridiagonal system with the Thomas algorithm (Gaussian elimination without pivoting):
 *   lower[i]·x[i−1] + diag[i]·x[i] + upper[i]·x[i+1] = rhs[i],  i = 0..n−1
 * (lower[0] and upper[n−1] are ignored). O(n) time, one forward sweep and one back substitution.
 * Stable without pivoting when the matrix is diagonally dominant or an M-matrix, which is the case
 * for the monotone finite-difference operators in this library; a zero pivot throws.
 * @see [1] Thomas, L.H. (1949) "Elliptic problems in linear difference equations over a network",
 *      Watson Sci. Comput. Lab. Report; [2] Higham (2002) "Accuracy and Stability of Numerical
 *      Algorithms", §9.6 (no pivoting needed for diagonally dominant tridiagonal matrices).
 * @throws RangeError if the arrays differ in length or a pivot vanishes (singular system)
 * @example solveTridiagonalThomas([0, -1, -1], [2, 2, 2], [-1, -1, 0], [1, 0, 1]) // ≈ [1, 1, 1] (exact solution; within 4 ulp)
 */
export function solveTridiagonalThomas(
  lower: ArrayLike<number>,
  diag: ArrayLike<number>,
  upper: ArrayLike<number>,
  rhs: ArrayLike<number>,
): Float64Array {
  const fn = "solveTridiagonalThomas";
  const a = toFloat64(lower, "lower", fn);
  const b = toFloat64(diag, "diag", fn, { minLength: 1 });
  const c = toFloat64(upper, "upper", fn);
  const d = toFloat64(rhs, "rhs", fn);
  const n = b.length;
  if (a.length !== n || c.length !== n || d.length !== n) {
    rangeError(fn, `lower, diag, upper and rhs must have the same length, got ${a.length}, ${n}, ${c.length}, ${d.length}`);
  }
  const out = new Float64Array(n);
  if (!thomasInPlace(a, b, c, d, out, new Float64Array(n))) {
    rangeError(fn, "zero pivot: the system is singular or needs pivoting");
  }
  return out;
}

/**
 * Kernel: solve into `out` using `scratch` (length n) for the modified upper diagonal; inputs are
 * not modified. Returns false on a zero pivot. Internal (no validation).
 */
export function thomasInPlace(
  lower: Float64Array,
  diag: Float64Array,
  upper: Float64Array,
  rhs: Float64Array,
  out: Float64Array,
  scratch: Float64Array,
): boolean {
  const n = diag.length;
  let pivot = diag[0];
  if (pivot === 0) return false;
  scratch[0] = upper[0] / pivot;
  out[0] = rhs[0] / pivot;
  for (let i = 1; i < n; i++) {
    pivot = diag[i] - lower[i] * scratch[i - 1];
    if (pivot === 0) return false;
    scratch[i] = upper[i] / pivot;
    out[i] = (rhs[i] - lower[i] * out[i - 1]) / pivot;
  }
  for (let i = n - 2; i >= 0; i--) out[i] -= scratch[i] * out[i + 1];
  return true;
}
