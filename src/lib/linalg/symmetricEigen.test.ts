import { describe, expect, it } from "vitest";
import { symmetricEigen } from "./symmetricEigen.js";
import { matMul } from "./matMul.js";
import { transpose } from "./transpose.js";
import { matrixFromRows, type MatrixRowMajor } from "../util/matrix.js";
import { normalSource, randomSource } from "../util/random.js";

function randomSymmetric(n: number, seed: number): MatrixRowMajor {
  const z = normalSource(randomSource(seed));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = z();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return { rows: n, cols: n, data: a };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Naive reference for 2 × 2: λ = (a + d)/2 ± √(((a − d)/2)² + b²). */
function eigen2(a: number, b: number, d: number): [number, number] {
  const m = (a + d) / 2;
  const r = Math.hypot((a - d) / 2, b);
  return [m + r, m - r];
}

describe("symmetricEigen (JAMA tred2/tql2): descending eigenvalues, eigenvector columns", () => {
  it("[[2, 1], [1, 2]] has eigenvalues [3, 1] and eigenvectors ±[1, 1]/√2, ±[1, −1]/√2", () => {
    const { values, vectors } = symmetricEigen(
      matrixFromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(maxAbsDiff(values, [3, 1])).toBeLessThan(4 * Number.EPSILON);
    expect(Math.abs(vectors.data[0])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(vectors.data[0] * vectors.data[2]).toBeCloseTo(0.5, 15); // column 0 ∝ [1, 1]
    expect(vectors.data[1] * vectors.data[3]).toBeCloseTo(-0.5, 15); // column 1 ∝ [1, −1]
  });
  it("matches the closed-form 2 × 2 eigenvalues to 8ε·scale on 50 random matrices", () => {
    const z = normalSource(randomSource(1));
    for (let t = 0; t < 50; t++) {
      const [a, b, d] = [z(), z(), z()];
      const { values } = symmetricEigen(
        matrixFromRows([
          [a, b],
          [b, d],
        ]),
      );
      const ref = eigen2(a, b, d);
      expect(maxAbsDiff(values, ref)).toBeLessThan(8 * Number.EPSILON * (Math.abs(a) + Math.abs(b) + Math.abs(d)));
    }
  });
  for (const n of [1, 3, 5, 12, 40]) {
    it(`random symmetric ${n} × ${n}: A·v = λ·v, VᵀV = I, V·Λ·Vᵀ = A, sorted descending, trace preserved (1e-12)`, () => {
      const a = randomSymmetric(n, 200 + n);
      const { values, vectors } = symmetricEigen(a);
      for (let j = 1; j < n; j++) expect(values[j]).toBeLessThanOrEqual(values[j - 1]);
      const av = matMul(a, vectors);
      const vl = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors.data[i * n + j] * values[j];
      expect(maxAbsDiff(av.data, vl)).toBeLessThan(1e-12 * n);
      const vtv = matMul(transpose(vectors), vectors);
      const eye = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));
      expect(maxAbsDiff(vtv.data, eye)).toBeLessThan(1e-13 * n);
      const lambda = { rows: n, cols: n, data: new Float64Array(n * n) };
      for (let i = 0; i < n; i++) lambda.data[i * n + i] = values[i];
      expect(maxAbsDiff(matMul(matMul(vectors, lambda), transpose(vectors)).data, a.data)).toBeLessThan(1e-12 * n);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a.data[i * n + i];
      expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    });
  }
  it("handles diagonal, repeated and zero eigenvalues", () => {
    expect(
      Array.from(
        symmetricEigen(
          matrixFromRows([
            [1, 0, 0],
            [0, 3, 0],
            [0, 0, 2],
          ]),
        ).values,
      ),
    ).toEqual([3, 2, 1]);
    const rankOne = symmetricEigen(
      matrixFromRows([
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ]),
    );
    expect(maxAbsDiff(rankOne.values, [3, 0, 0])).toBeLessThan(1e-14);
    expect(symmetricEigen(matrixFromRows([])).values.length).toBe(0);
  });
  it("rejects asymmetric and non-square matrices", () => {
    expect(() =>
      symmetricEigen(
        matrixFromRows([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(/^symmetricEigen: a must be symmetric, got a\[1\]\[0\] = 3 but a\[0\]\[1\] = 2$/);
    expect(() => symmetricEigen(matrixFromRows([[1, 2]]))).toThrow(/symmetricEigen: a must be square/);
  });
});
