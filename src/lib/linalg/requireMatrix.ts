/**
 * Internal (not in the barrel): the matrix counterpart of util/validate's `toFloat64`. Checks that
 * a value is a `MatrixRowMajor` whose data length matches rows × cols and whose entries are finite,
 * throwing with the library's message format ("fn: name must …, got …").
 */
import type { MatrixRowMajor } from "../util/matrix.js";
import { describe, rangeError, typeError } from "../util/validate.js";

export function requireMatrix(
  fn: string,
  name: string,
  value: unknown,
  shape: { square?: boolean; minRows?: number; minCols?: number } = {},
): MatrixRowMajor {
  const m = value as MatrixRowMajor;
  if (
    m === null ||
    typeof m !== "object" ||
    typeof m.rows !== "number" ||
    typeof m.cols !== "number" ||
    !(m.data instanceof Float64Array)
  ) {
    typeError(fn, `${name} must be a MatrixRowMajor { rows, cols, data: Float64Array }, got ${describe(value)}`);
  }
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
    rangeError(fn, `${name} must have non-negative integer rows and cols, got ${m.rows} × ${m.cols}`);
  }
  if (m.data.length !== m.rows * m.cols) {
    rangeError(fn, `${name}.data must have rows × cols = ${m.rows * m.cols} entries, got ${m.data.length}`);
  }
  if (shape.square && m.rows !== m.cols) rangeError(fn, `${name} must be square, got ${m.rows} × ${m.cols}`);
  if (shape.minRows !== undefined && m.rows < shape.minRows) {
    rangeError(fn, `${name} must have at least ${shape.minRows} rows, got ${m.rows}`);
  }
  if (shape.minCols !== undefined && m.cols < shape.minCols) {
    rangeError(fn, `${name} must have at least ${shape.minCols} columns, got ${m.cols}`);
  }
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      const r = Math.floor(i / Math.max(m.cols, 1));
      rangeError(fn, `${name} must contain only finite numbers, got ${describe(m.data[i])} at (${r}, ${i - r * m.cols})`);
    }
  }
  return m;
}
