import { describe, expect, it } from "vitest";
import { qrLeastSquares } from "./qrLeastSquares.js";
import { matMul } from "./matMul.js";
import { transpose } from "./transpose.js";
import { invertMatrix } from "./invertMatrix.js";
import { solveLinearSystem } from "./solveLinearSystem.js";
import { matrixFromRows, type MatrixRowMajor } from "../util/matrix.js";
import { normalSource, randomSource } from "../util/random.js";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("qrLeastSquares (Householder QR)", () => {
  it("fits an exact line y = 1 + 2t with zero residuals", () => {
    const fit = qrLeastSquares(
      matrixFromRows([
        [1, 0],
        [1, 1],
        [1, 2],
      ]),
      [1, 3, 5],
    );
    expect(maxAbsDiff(fit.coefficients, [1, 2])).toBeLessThan(8 * Number.EPSILON);
    expect(fit.ssr).toBeLessThan(1e-28);
    expect(fit.rank).toBe(2);
  });
  it("agrees with the normal equations (XᵀX)β = Xᵀy on a well-conditioned problem; Xᵀe = 0; RᵀR = XᵀX", () => {
    const z = normalSource(randomSource(9));
    const n = 200;
    const p = 4;
    const x: MatrixRowMajor = { rows: n, cols: p, data: Float64Array.from({ length: n * p }, () => z()) };
    const y = Float64Array.from({ length: n }, () => z());
    const fit = qrLeastSquares(x, y);
    const xt = transpose(x);
    const xtx = matMul(xt, x);
    const xty = matMul(xt, { rows: n, cols: 1, data: y });
    expect(maxAbsDiff(fit.coefficients, solveLinearSystem(xtx, xty.data))).toBeLessThan(1e-12);
    const xte = matMul(xt, { rows: n, cols: 1, data: fit.residuals });
    expect(Math.max(...Array.from(xte.data, Math.abs))).toBeLessThan(1e-12);
    expect(maxAbsDiff(matMul(transpose(fit.r), fit.r).data, xtx.data)).toBeLessThan(1e-11);
    expect(maxAbsDiff(fit.xtxInverse.data, invertMatrix(xtx).data)).toBeLessThan(1e-14);
    expect(fit.ssr).toBeCloseTo(
      fit.residuals.reduce((s, e) => s + e * e, 0),
      12,
    );
  });
  it("rejects rank-deficient X, short X and mismatched y", () => {
    expect(() =>
      qrLeastSquares(
        matrixFromRows([
          [1, 2],
          [2, 4],
          [3, 6],
        ]),
        [1, 2, 3],
      ),
    ).toThrow(/^qrLeastSquares: x must have full column rank 2, got numerical rank 1$/);
    expect(() => qrLeastSquares(matrixFromRows([[1, 2]]), [1])).toThrow(/at least as many rows as columns/);
    expect(() => qrLeastSquares(matrixFromRows([[1], [2]]), [1])).toThrow(/qrLeastSquares: y must have length x.rows = 2, got 1/);
  });
});

describe("matMul and transpose", () => {
  it("[[1, 2], [3, 4]]·[5, 6]ᵀ = [17, 39]; (AB)ᵀ = BᵀAᵀ", () => {
    const a = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(matMul(a, matrixFromRows([[5], [6]])).data)).toEqual([17, 39]);
    const b = matrixFromRows([
      [1, 0, 2],
      [-1, 3, 1],
    ]);
    expect(Array.from(transpose(matMul(a, b)).data)).toEqual(Array.from(matMul(transpose(b), transpose(a)).data));
    expect(() => matMul(a, matrixFromRows([[1, 2, 3]]))).toThrow(/^matMul: a.cols must equal b.rows, got 2 × 2 and 1 × 3$/);
  });
});
