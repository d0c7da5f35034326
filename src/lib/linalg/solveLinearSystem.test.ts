import { describe, expect, it } from "vitest";
import { solveLinearSystem } from "./solveLinearSystem.js";
import { invertMatrix } from "./invertMatrix.js";
import { matMul } from "./matMul.js";
import { transpose } from "./transpose.js";
import { matrixFromRows, type MatrixRowMajor } from "../util/matrix.js";
import { normalSource, randomSource } from "../util/random.js";

function randomMatrix(rows: number, cols: number, seed: number): MatrixRowMajor {
  const z = normalSource(randomSource(seed));
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => z()) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deliberately naive reference: Gauss–Jordan without pivoting on a well-conditioned (diagonally dominant) matrix. */
function naiveSolve(a: MatrixRowMajor, b: Float64Array): Float64Array {
  const n = a.rows;
  const m = Array.from({ length: n }, (_, i) => [...Array.from(a.data.subarray(i * n, i * n + n)), b[i]]);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = m[i][k] / m[k][k];
      for (let j = k; j <= n; j++) m[i][j] -= f * m[k][j];
    }
  }
  return Float64Array.from(m, (row, i) => row[n] / row[i]);
}

describe("solveLinearSystem uses LU with partial pivoting", () => {
  it("needs pivoting: [[0, 1], [2, 0]]·x = [3, 4] -> [2, 3] exactly", () => {
    expect(
      Array.from(
        solveLinearSystem(
          matrixFromRows([
            [0, 1],
            [2, 0],
          ]),
          [3, 4],
        ),
      ),
    ).toEqual([2, 3]);
  });
  it("matches a naive Gauss–Jordan solve on a diagonally dominant 10 × 10 system to 1e-12", () => {
    const a = randomMatrix(10, 10, 3);
    for (let i = 0; i < 10; i++) a.data[i * 10 + i] += 20;
    const b = Float64Array.from({ length: 10 }, (_, i) => Math.sin(i));
    expect(maxAbsDiff(solveLinearSystem(a, b), naiveSolve(a, b))).toBeLessThan(1e-12);
  });
  it("residual ‖A·x − b‖∞ ≤ 1e-10 on random 30 × 30 systems with matrix right-hand sides", () => {
    const a = randomMatrix(30, 30, 11);
    const b = randomMatrix(30, 3, 12);
    const x = solveLinearSystem(a, b);
    expect(maxAbsDiff(matMul(a, x).data, b.data)).toBeLessThan(1e-10);
  });
  it("rejects singular, non-square and mismatched input", () => {
    expect(() =>
      solveLinearSystem(
        matrixFromRows([
          [1, 2],
          [2, 4],
        ]),
        [1, 2],
      ),
    ).toThrow(/^solveLinearSystem: a must be non-singular/);
    expect(() => solveLinearSystem(matrixFromRows([[1, 2]]), [1])).toThrow(/solveLinearSystem: a must be square/);
    expect(() => solveLinearSystem(matrixFromRows([[1]]), [1, 2])).toThrow(/solveLinearSystem: b must have length 1 \(a.rows\), got 2/);
    expect(() => solveLinearSystem(matrixFromRows([[1]]), [NaN])).toThrow(/solveLinearSystem: b must contain only finite numbers/);
  });
});

describe("invertMatrix", () => {
  it("[[4, 7], [2, 6]]⁻¹ = [[0.6, -0.7], [-0.2, 0.4]] (by hand) to 4ε", () => {
    const inv = invertMatrix(
      matrixFromRows([
        [4, 7],
        [2, 6],
      ]),
    );
    expect(maxAbsDiff(inv.data, [0.6, -0.7, -0.2, 0.4])).toBeLessThan(4 * Number.EPSILON);
  });
  it("A·A⁻¹ = A⁻¹·A = I to 1e-11 for a random 20 × 20 matrix; (Aᵀ)⁻¹ = (A⁻¹)ᵀ", () => {
    const a = randomMatrix(20, 20, 5);
    const inv = invertMatrix(a);
    const eye = Float64Array.from({ length: 400 }, (_, k) => (k % 21 === 0 ? 1 : 0));
    expect(maxAbsDiff(matMul(a, inv).data, eye)).toBeLessThan(1e-11);
    expect(maxAbsDiff(matMul(inv, a).data, eye)).toBeLessThan(1e-11);
    expect(maxAbsDiff(invertMatrix(transpose(a)).data, transpose(inv).data)).toBeLessThan(1e-11);
  });
  it("rejects a singular matrix", () => {
    expect(() =>
      invertMatrix(
        matrixFromRows([
          [0, 0],
          [0, 0],
        ]),
      ),
    ).toThrow(/^invertMatrix: a must be non-singular/);
  });
});
