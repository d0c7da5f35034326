import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError } from "../util/validate.js";
import { requireMatrix } from "./requireMatrix.js";
import { luDecomposeUnchecked, luSolveMatrix } from "./solveLinearSystem.js";

/**
 * Inverse A⁻¹ of a square matrix by LU with partial pivoting, solving A·X = I column by column.
 * Prefer `solveLinearSystem` or `choleskySolve` when only A⁻¹·b is needed.
 * @see Golub, G.H. & Van Loan, C.F. (2013) Matrix Computations, 4th ed., §3.4.
 * @throws RangeError if A is not square or is (numerically) singular
 * @example invertMatrix(matrixFromRows([[4, 7], [2, 6]])).data // Float64Array [0.6, -0.7, -0.2, 0.4] (by hand)
 */
export function invertMatrix(a: MatrixRowMajor): MatrixRowMajor {
  const fn = "invertMatrix";
  requireMatrix(fn, "a", a, { square: true, minRows: 1 });
  const n = a.rows;
  const lu = luDecomposeUnchecked(a);
  if (lu === null) rangeError(fn, `a must be non-singular, got a zero pivot in its LU factorisation (${n} × ${n})`);
  const identity = new Float64Array(n * n);
  for (let i = 0; i < n; i++) identity[i * n + i] = 1;
  return luSolveMatrix(lu, { rows: n, cols: n, data: identity });
}
