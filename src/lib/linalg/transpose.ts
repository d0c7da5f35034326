import type { MatrixRowMajor } from "../util/matrix.js";
import { requireMatrix } from "./requireMatrix.js";

/**
 * Transpose Aᵀ of a row-major matrix: (Aᵀ)_ij = A_ji.
 * @example transpose(matrixFromRows([[1, 2, 3]])).rows // 3 (by hand)
 */
export function transpose(a: MatrixRowMajor): MatrixRowMajor {
  requireMatrix("transpose", "a", a);
  return transposeUnchecked(a);
}

/** Internal kernel without validation. */
export function transposeUnchecked(a: MatrixRowMajor): MatrixRowMajor {
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  }
  return { rows: cols, cols: rows, data: out };
}
