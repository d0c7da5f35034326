import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError } from "../util/validate.js";
import { requireSymmetric } from "./choleskyDecompose.js";
import { requireMatrix } from "./requireMatrix.js";

/** QL sweeps allowed per eigenvalue before giving up (JAMA has no cap; typical is 1–3). */
const MAX_QL_ITERATIONS = 100;

/** Eigen-decomposition A = V·diag(values)·Vᵀ of a symmetric matrix. */
export interface SymmetricEigenResult {
  /** Eigenvalues, sorted in DESCENDING order. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors: column j of this n × n row-major matrix belongs to values[j]. */
  readonly vectors: MatrixRowMajor;
}

/**
 * Eigenvalues and orthonormal eigenvectors of a real symmetric matrix: Householder reduction to
 * tridiagonal form (tred2) followed by the implicit QL algorithm with shifts (tql2).
 * A·v_j = λ_j·v_j, VᵀV = I, λ_1 ≥ λ_2 ≥ … ≥ λ_n. Each eigenvector's sign is as the algorithm leaves
 * it (eigenvectors are defined up to sign).
 * Ported from JAMA (public domain), itself derived from the EISPACK routines tred2/tql2
 * (Bowdler, Martin, Reinsch & Wilkinson, Handbook for Automatic Computation vol. II, 1971).
 * The input is symmetrised as (A + Aᵀ)/2 after a symmetry check.
 * @see Hicklin, J. et al. JAMA: A Java Matrix Package, NIST/MathWorks (2012), EigenvalueDecomposition.
 * @throws RangeError if A is not square, not symmetric (|A_ij − A_ji| > 1e-10·max|A|) or has non-finite entries
 * @example symmetricEigen(matrixFromRows([[2, 1], [1, 2]])).values // Float64Array [3, 1] (by hand)
 */
export function symmetricEigen(a: MatrixRowMajor): SymmetricEigenResult {
  const fn = "symmetricEigen";
  requireMatrix(fn, "a", a, { square: true });
  requireSymmetric(fn, "a", a);
  const n = a.rows;
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) v[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(n, v, d, e);
    if (!tql2(n, v, d, e)) rangeError(fn, `a must be a well-scaled symmetric matrix; the QL iteration did not converge (${n} × ${n})`);
  }
  // Sort descending, permuting eigenvector columns to match.
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => d[q] - d[p]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    values[j] = d[src];
    for (let i = 0; i < n; i++) vectors[i * n + j] = v[i * n + src];
  }
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/** Householder tridiagonalisation (JAMA tred2). V is n × n row-major; on exit d = diagonal, e = subdiagonal. */
function tred2(n: number, V: Float64Array, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = V[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
        V[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[j * n + i] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[k * n + j] * d[k];
          e[k] += V[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[k * n + j] -= f * e[k] + g * d[k];
        d[j] = V[(i - 1) * n + j];
        V[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate transformations.
  for (let i = 0; i < n - 1; i++) {
    V[(n - 1) * n + i] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k * n + i + 1] * V[k * n + j];
        for (let k = 0; k <= i; k++) V[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[(n - 1) * n + j];
    V[(n - 1) * n + j] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL with shifts on the tridiagonal (d, e) accumulating into V (JAMA tql2). False if not converged. */
function tql2(n: number, V: Float64Array, d: Float64Array, e: Float64Array): boolean {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) return false;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            const row = k * n;
            h = V[row + i + 1];
            V[row + i + 1] = s * V[row + i] + c * h;
            V[row + i] = c * V[row + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return true;
}
