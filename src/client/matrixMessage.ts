/**
 * Build the wire `meanrev.Matrix` ({ rows, cols, values } row-major) from the library's
 * `MatrixRowMajor` ({ rows, cols, data }) or from nested rows (T rows of N columns), for the
 * matrix fields of MeanRevClient requests (returnsMatrix, returns, returnsSequence).
 * No validation of the numbers themselves: the server answers INVALID_ARGUMENT naming the field.
 * @throws TypeError if `m` is neither shape; RangeError if the rows are ragged
 * @example matrixMessage([[0.01, 0.02], [0.00, -0.01], [0.03, 0.01]]) // { rows: 3, cols: 2, values: [0.01, 0.02, 0, -0.01, 0.03, 0.01] }
 */
import type { MatrixRowMajor } from "../lib/util/matrix.js";
import type { Matrix } from "../server/generated/meanrev.js";

export function matrixMessage(m: MatrixRowMajor | ArrayLike<ArrayLike<number>>): Matrix {
  if (m !== null && typeof m === "object" && "data" in m && ArrayBuffer.isView((m as MatrixRowMajor).data)) {
    const { rows, cols, data } = m as MatrixRowMajor;
    if (data.length !== rows * cols) {
      throw new RangeError(`matrixMessage: data must have rows * cols = ${rows * cols} elements, got ${data.length}`);
    }
    return { rows, cols, values: Array.from(data) };
  }
  if (m === null || typeof m !== "object" || typeof (m as ArrayLike<unknown>).length !== "number") {
    throw new TypeError(`matrixMessage: m must be a MatrixRowMajor or an array of rows, got ${m === null ? "null" : typeof m}`);
  }
  const rowsIn = m as ArrayLike<ArrayLike<number>>;
  const rows = rowsIn.length;
  const cols = rows === 0 ? 0 : rowsIn[0].length;
  const values: number[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = rowsIn[i];
    if (row.length !== cols) throw new RangeError(`matrixMessage: every row must have ${cols} columns, row ${i} has ${row.length}`);
    for (let j = 0; j < cols; j++) values[i * cols + j] = row[j];
  }
  return { rows, cols, values };
}
