import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, toFloat64 } from "../util/validate.js";
import { requireMatrix } from "./requireMatrix.js";

/**
 * Solve A·x = b given the Cholesky factor L of A (A = L·Lᵀ, from `choleskyDecompose`):
 * forward substitution L·z = b, then back substitution Lᵀ·x = z. Only the lower triangle of L is read.
 * `b` may be a vector (returns a Float64Array) or a matrix of right-hand sides (returns a matrix).
 * @throws RangeError if L is not square, has a zero diagonal, or b's length/rows ≠ L.rows
 * @example choleskySolve(choleskyDecompose(matrixFromRows([[4, 2], [2, 3]])), [2, 1]) // Float64Array [0.5, 0] (by hand)
 */
export function choleskySolve(l: MatrixRowMajor, b: MatrixRowMajor): MatrixRowMajor;
export function choleskySolve(l: MatrixRowMajor, b: ArrayLike<number>): Float64Array;
export function choleskySolve(l: MatrixRowMajor, b: ArrayLike<number> | MatrixRowMajor): Float64Array | MatrixRowMajor {
  const fn = "choleskySolve";
  requireMatrix(fn, "l", l, { square: true });
  const n = l.rows;
  for (let i = 0; i < n; i++) {
    if (l.data[i * n + i] === 0) rangeError(fn, `l must have a non-zero diagonal, got l[${i}][${i}] = 0`);
  }
  if (isMatrix(b)) {
    requireMatrix(fn, "b", b);
    if (b.rows !== n) rangeError(fn, `b must have ${n} rows (l.rows), got ${b.rows}`);
    const out = new Float64Array(b.data);
    const col = new Float64Array(n);
    for (let j = 0; j < b.cols; j++) {
      for (let i = 0; i < n; i++) col[i] = out[i * b.cols + j];
      choleskySolveInPlace(l, col);
      for (let i = 0; i < n; i++) out[i * b.cols + j] = col[i];
    }
    return { rows: n, cols: b.cols, data: out };
  }
  const x = toFloat64(b, "b", fn);
  if (x.length !== n) rangeError(fn, `b must have length ${n} (l.rows), got ${x.length}`);
  choleskySolveInPlace(l, x);
  return x;
}

/** Internal kernel: overwrite x (holding b) with the solution of L·Lᵀ·x = b. */
export function choleskySolveInPlace(l: MatrixRowMajor, x: Float64Array): void {
  const n = l.rows;
  const d = l.data;
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= d[i * n + k] * x[k];
    x[i] = s / d[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= d[k * n + i] * x[k];
    x[i] = s / d[i * n + i];
  }
}

function isMatrix(b: unknown): b is MatrixRowMajor {
  return b !== null && typeof b === "object" && "data" in (b as object) && "rows" in (b as object);
}
