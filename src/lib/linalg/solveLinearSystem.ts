import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, toFloat64 } from "../util/validate.js";
import { requireMatrix } from "./requireMatrix.js";

/**
 * Solve the square system A·x = b by LU factorisation with partial (row) pivoting, P·A = L·U
 * (Doolittle, as LAPACK dgesv). `b` may be a vector (returns a Float64Array) or a matrix of
 * right-hand sides (returns a matrix with one solution column per column of b).
 * Singular: a pivot with |u_kk| ≤ n·ε·max|A| is treated as zero and throws.
 * @see Golub, G.H. & Van Loan, C.F. (2013) Matrix Computations, 4th ed., §3.4.
 * @throws RangeError if A is not square, is (numerically) singular, or b does not have A.rows entries/rows
 * @example solveLinearSystem(matrixFromRows([[0, 1], [2, 0]]), [3, 4]) // Float64Array [2, 3] (by hand)
 */
export function solveLinearSystem(a: MatrixRowMajor, b: MatrixRowMajor): MatrixRowMajor;
export function solveLinearSystem(a: MatrixRowMajor, b: ArrayLike<number>): Float64Array;
export function solveLinearSystem(a: MatrixRowMajor, b: ArrayLike<number> | MatrixRowMajor): Float64Array | MatrixRowMajor {
  const fn = "solveLinearSystem";
  requireMatrix(fn, "a", a, { square: true, minRows: 1 });
  const n = a.rows;
  const lu = luDecomposeUnchecked(a);
  if (lu === null) rangeError(fn, `a must be non-singular, got a zero pivot in its LU factorisation (${n} × ${n})`);
  if (isMatrix(b)) {
    requireMatrix(fn, "b", b);
    if (b.rows !== n) rangeError(fn, `b must have ${n} rows (a.rows), got ${b.rows}`);
    return luSolveMatrix(lu, b);
  }
  const x = toFloat64(b, "b", fn);
  if (x.length !== n) rangeError(fn, `b must have length ${n} (a.rows), got ${x.length}`);
  return luSolveVector(lu, x);
}

/** Internal LU factors: `lu` packs unit-lower L (below the diagonal) and U; `pivot[i]` is the original row of row i. */
export interface LuFactors {
  readonly n: number;
  readonly lu: Float64Array;
  readonly pivot: Int32Array;
}

/** Internal kernel: LU with partial pivoting; null when numerically singular. */
export function luDecomposeUnchecked(a: MatrixRowMajor): LuFactors | null {
  const n = a.rows;
  const lu = new Float64Array(a.data);
  const pivot = new Int32Array(n);
  for (let i = 0; i < n; i++) pivot[i] = i;
  let maxAbs = 0;
  for (let i = 0; i < lu.length; i++) maxAbs = Math.max(maxAbs, Math.abs(lu[i]));
  const tiny = n * Number.EPSILON * maxAbs;
  if (maxAbs === 0) return null;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best <= tiny) return null;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[p * n + j];
        lu[p * n + j] = lu[k * n + j];
        lu[k * n + j] = t;
      }
      const t = pivot[p];
      pivot[p] = pivot[k];
      pivot[k] = t;
    }
    const ukk = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const lik = (lu[i * n + k] /= ukk);
      if (lik === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= lik * lu[k * n + j];
    }
  }
  return { n, lu, pivot };
}

/** Internal: solve with LU factors for one right-hand side. */
export function luSolveVector(f: LuFactors, b: Float64Array): Float64Array {
  const { n, lu, pivot } = f;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = b[pivot[i]];
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= lu[i * n + k] * x[k];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= lu[i * n + k] * x[k];
    x[i] = s / lu[i * n + i];
  }
  return x;
}

/** Internal: solve with LU factors for every column of B. */
export function luSolveMatrix(f: LuFactors, b: MatrixRowMajor): MatrixRowMajor {
  const n = f.n;
  const m = b.cols;
  const out = new Float64Array(n * m);
  const col = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) col[i] = b.data[i * m + j];
    const x = luSolveVector(f, col);
    for (let i = 0; i < n; i++) out[i * m + j] = x[i];
  }
  return { rows: n, cols: m, data: out };
}

function isMatrix(b: unknown): b is MatrixRowMajor {
  return b !== null && typeof b === "object" && "data" in (b as object) && "rows" in (b as object);
}
