import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError } from "../util/validate.js";
import { requireMatrix } from "./requireMatrix.js";

/**
 * Matrix product C = A·B of row-major matrices, C_ij = Σ_k A_ik·B_kj.
 * Loop order i-k-j so the inner loop walks rows of B and C sequentially (cache friendly).
 * @throws RangeError if A.cols ≠ B.rows or an entry is not finite
 * @example matMul(matrixFromRows([[1, 2], [3, 4]]), matrixFromRows([[5], [6]])).data // Float64Array [17, 39] (by hand)
 */
export function matMul(a: MatrixRowMajor, b: MatrixRowMajor): MatrixRowMajor {
  requireMatrix("matMul", "a", a);
  requireMatrix("matMul", "b", b);
  if (a.cols !== b.rows) {
    rangeError("matMul", `a.cols must equal b.rows, got ${a.rows} × ${a.cols} and ${b.rows} × ${b.cols}`);
  }
  return matMulUnchecked(a, b);
}

/** Internal kernel without validation. */
export function matMulUnchecked(a: MatrixRowMajor, b: MatrixRowMajor): MatrixRowMajor {
  const n = a.rows;
  const inner = a.cols;
  const m = b.cols;
  const out = new Float64Array(n * m);
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < n; i++) {
    const ci = i * m;
    for (let k = 0; k < inner; k++) {
      const aik = ad[i * inner + k];
      if (aik === 0) continue;
      const bk = k * m;
      for (let j = 0; j < m; j++) out[ci + j] += aik * bd[bk + j];
    }
  }
  return { rows: n, cols: m, data: out };
}
