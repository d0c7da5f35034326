import { describe, expect, it } from "vitest";
import { choleskyDecompose } from "./choleskyDecompose.js";
import { choleskySolve } from "./choleskySolve.js";
import { matMul } from "./matMul.js";
import { transpose } from "./transpose.js";
import { matrixFromRows, type MatrixRowMajor } from "../util/matrix.js";
import { normalSource, randomSource } from "../util/random.js";

/** Random SPD matrix BᵀB + n·I from a seeded source. */
function randomSpd(n: number, seed: number): MatrixRowMajor {
  const z = normalSource(randomSource(seed));
  const b = { rows: n, cols: n, data: Float64Array.from({ length: n * n }, () => z()) };
  const a = matMul(transpose(b), b);
  for (let i = 0; i < n; i++) a.data[i * n + i] += n;
  return a;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("choleskyDecompose gives lower-triangular L with L·Lᵀ = A", () => {
  it("2 × 2 by hand: [[4, 2], [2, 3]] -> [[2, 0], [1, √2]]", () => {
    const l = choleskyDecompose(
      matrixFromRows([
        [4, 2],
        [2, 3],
      ]),
    );
    expect(Array.from(l.data)).toEqual([2, 0, 1, Math.SQRT2]);
  });
  for (const n of [1, 3, 8, 25]) {
    it(`reconstructs a random SPD ${n} × ${n} matrix to 50·ε·max|A|`, () => {
      const a = randomSpd(n, 100 + n);
      const l = choleskyDecompose(a);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
      const back = matMul(l, transpose(l));
      const scale = Math.max(...Array.from(a.data, Math.abs));
      expect(maxAbsDiff(back.data, a.data)).toBeLessThan(50 * Number.EPSILON * scale);
    });
  }
  it("choleskySolve solves A·x = b for vector and matrix right-hand sides (residual ≤ 1e-12·‖b‖)", () => {
    const a = randomSpd(6, 7);
    const l = choleskyDecompose(a);
    const b = Float64Array.from([1, -2, 3, 0.5, 4, -1]);
    const x = choleskySolve(l, b);
    const ax = matMul(a, { rows: 6, cols: 1, data: x });
    expect(maxAbsDiff(ax.data, b)).toBeLessThan(1e-12 * 4);
    const bm = { rows: 6, cols: 2, data: Float64Array.from({ length: 12 }, (_, i) => i - 5) };
    const xm = choleskySolve(l, bm);
    expect(maxAbsDiff(matMul(a, xm).data, bm.data)).toBeLessThan(1e-12 * 6);
    expect(
      choleskySolve(
        choleskyDecompose(
          matrixFromRows([
            [4, 2],
            [2, 3],
          ]),
        ),
        [2, 1],
      )[1],
    ).toBeCloseTo(0, 15);
  });
  it("rejects non-square, asymmetric, indefinite and non-finite input with named errors", () => {
    expect(() => choleskyDecompose(matrixFromRows([[1, 2, 3]]))).toThrow(/^choleskyDecompose: a must be square, got 1 × 3$/);
    expect(() =>
      choleskyDecompose(
        matrixFromRows([
          [1, 2],
          [0, 1],
        ]),
      ),
    ).toThrow(/choleskyDecompose: a must be symmetric/);
    expect(() =>
      choleskyDecompose(
        matrixFromRows([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(/choleskyDecompose: a must be positive definite/);
    expect(() => choleskyDecompose(matrixFromRows([[NaN]]))).toThrow(RangeError);
    expect(() => choleskyDecompose([[1]] as unknown as MatrixRowMajor)).toThrow(TypeError);
    expect(() => choleskySolve(choleskyDecompose(matrixFromRows([[4]])), [1, 2])).toThrow(/choleskySolve: b must have length 1/);
  });
});
