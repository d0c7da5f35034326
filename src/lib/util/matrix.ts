/**
 * Dense row-major matrix: element (i, j) is `data[i * cols + j]`.
 * Used across src/lib for regressors, covariance matrices and eigenvectors.
 */
export interface MatrixRowMajor {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Allocate a zero matrix. */
export function zerosMatrix(rows: number, cols: number): MatrixRowMajor {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Convert nested arrays (`rows` of equal length) to a row-major matrix. */
export function matrixFromRows(rowsIn: ArrayLike<ArrayLike<number>>): MatrixRowMajor {
  const rows = rowsIn.length;
  const cols = rows === 0 ? 0 : rowsIn[0].length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = rowsIn[i];
    for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
  }
  return { rows, cols, data };
}

/** Convert a row-major matrix to nested number arrays (for display and JSON). */
export function matrixToRows(m: MatrixRowMajor): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}
