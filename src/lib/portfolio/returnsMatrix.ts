/**
 * Internal (not in the barrel): returns panels and their first two moments, shared by the
 * portfolio functions. A panel is T × N (rows = periods, columns = assets), given as a
 * `MatrixRowMajor` or an array of rows; it is validated and copied once.
 */
import { matrixFromRows, type MatrixRowMajor } from "../util/matrix.js";
import { describe, rangeError, typeError } from "../util/validate.js";

/** A returns panel: a row-major T × N matrix or T rows of N numbers. */
export type ReturnsInput = MatrixRowMajor | ArrayLike<ArrayLike<number>>;

/** Validate and copy a returns panel. */
export function toReturnsMatrix(fn: string, name: string, value: unknown, minRows = 2): MatrixRowMajor {
  let m: MatrixRowMajor;
  if (value !== null && typeof value === "object" && (value as MatrixRowMajor).data instanceof Float64Array) {
    const v = value as MatrixRowMajor;
    if (!Number.isInteger(v.rows) || !Number.isInteger(v.cols) || v.data.length !== v.rows * v.cols) {
      rangeError(
        fn,
        `${name} must be a MatrixRowMajor with data.length = rows × cols, got ${v.rows} × ${v.cols} and ${v.data.length} values`,
      );
    }
    m = { rows: v.rows, cols: v.cols, data: Float64Array.from(v.data) };
  } else if (value !== null && typeof value === "object" && typeof (value as ArrayLike<unknown>).length === "number") {
    const rows = value as ArrayLike<unknown>;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as ArrayLike<unknown>;
      if (r === null || typeof r !== "object" || typeof r.length !== "number") {
        typeError(fn, `${name}[${i}] must be an array of numbers, got ${describe(r)}`);
      }
      if (r.length !== (rows[0] as ArrayLike<unknown>).length) {
        rangeError(
          fn,
          `${name} rows must all have the same length, got ${(rows[0] as ArrayLike<unknown>).length} and ${r.length} (row ${i})`,
        );
      }
      for (let j = 0; j < r.length; j++) {
        if (typeof r[j] !== "number") typeError(fn, `${name}[${i}][${j}] must be a number, got ${describe(r[j])}`);
      }
    }
    m = matrixFromRows(rows as ArrayLike<ArrayLike<number>>);
  } else {
    typeError(fn, `${name} must be a T × N MatrixRowMajor or an array of rows, got ${describe(value)}`);
  }
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      const r = Math.floor(i / m.cols);
      rangeError(fn, `${name} must contain only finite numbers, got ${describe(m.data[i])} at (${r}, ${i - r * m.cols})`);
    }
  }
  if (m.cols < 1) rangeError(fn, `${name} must have at least 1 asset (column), got ${m.cols}`);
  if (m.rows < minRows) rangeError(fn, `${name} must have at least ${minRows} periods (rows), got ${m.rows}`);
  return m;
}

/** Column means. */
export function columnMeans(x: MatrixRowMajor): Float64Array {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    const o = t * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  return mean;
}

/**
 * Covariance Σ = (X − x̄)ᵀ(X − x̄)/(T − ddof), two-pass: centre into a column-major copy, then
 * each upper-triangle entry is a dot product of two contiguous columns with four independent
 * accumulators (register sums, no read-modify-write of Σ in the inner loop), then mirrored.
 * Entries (i, j) and (i, j + 1) are computed together so column i is loaded once for both; each
 * entry keeps its own four accumulators, so the rounding is the same as one entry at a time.
 */
export function covarianceMatrix(x: MatrixRowMajor, ddof: number, mean: Float64Array = columnMeans(x)): MatrixRowMajor {
  const { rows, cols, data } = x;
  const columns = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    const o = t * cols;
    for (let j = 0; j < cols; j++) columns[j * rows + t] = data[o + j] - mean[j];
  }
  const c = new Float64Array(cols * cols);
  const scale = 1 / (rows - ddof);
  const tail = rows - (rows % 4);
  for (let i = 0; i < cols; i++) {
    const ci = i * rows;
    let j = i;
    for (; j + 1 < cols; j += 2) {
      const cj = j * rows;
      const ck = cj + rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      let t = 0;
      for (; t < tail; t += 4) {
        const a0 = columns[ci + t];
        const a1 = columns[ci + t + 1];
        const a2 = columns[ci + t + 2];
        const a3 = columns[ci + t + 3];
        s0 += a0 * columns[cj + t];
        s1 += a1 * columns[cj + t + 1];
        s2 += a2 * columns[cj + t + 2];
        s3 += a3 * columns[cj + t + 3];
        u0 += a0 * columns[ck + t];
        u1 += a1 * columns[ck + t + 1];
        u2 += a2 * columns[ck + t + 2];
        u3 += a3 * columns[ck + t + 3];
      }
      for (; t < rows; t++) {
        s0 += columns[ci + t] * columns[cj + t];
        u0 += columns[ci + t] * columns[ck + t];
      }
      const v = (s0 + s1 + (s2 + s3)) * scale;
      const w = (u0 + u1 + (u2 + u3)) * scale;
      c[i * cols + j] = v;
      c[j * cols + i] = v;
      c[i * cols + j + 1] = w;
      c[(j + 1) * cols + i] = w;
    }
    if (j < cols) {
      const cj = j * rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t < tail; t += 4) {
        s0 += columns[ci + t] * columns[cj + t];
        s1 += columns[ci + t + 1] * columns[cj + t + 1];
        s2 += columns[ci + t + 2] * columns[cj + t + 2];
        s3 += columns[ci + t + 3] * columns[cj + t + 3];
      }
      for (; t < rows; t++) s0 += columns[ci + t] * columns[cj + t];
      const v = (s0 + s1 + (s2 + s3)) * scale;
      c[i * cols + j] = v;
      c[j * cols + i] = v;
    }
  }
  return { rows: cols, cols, data: c };
}

/** Σ·w for a square row-major Σ. */
export function matVec(s: MatrixRowMajor, w: Float64Array): Float64Array {
  const n = s.rows;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += s.data[i * n + j] * w[j];
    out[i] = acc;
  }
  return out;
}

/** aᵀb. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i] * b[i];
  return acc;
}
