/**
 * Internal (not in the barrel): strictly convex quadratic programme
 *   minimise ½·xᵀHx − gᵀx  subject to  A_eq·x = b_eq,  A_ge·x ≥ b_ge
 * by the Goldfarb–Idnani dual active-set method (npm `quadprog` 1.6, a port of R's quadprog /
 * Turlach's Fortran). H must be symmetric positive definite. Exact in finitely many steps (up to
 * rounding), unlike penalty or gradient methods.
 * Conventions checked against quadprog's own README example (solve.QP in R) in the tests.
 * @see [1] Goldfarb, D. & Idnani, A. (1983) A numerically stable dual method for solving strictly
 *   convex quadratic programs. Mathematical Programming 27, 1–33.
 */
import quadprog from "quadprog";
import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError } from "../util/validate.js";

export interface QuadraticProgram {
  /** n × n symmetric positive-definite Hessian. */
  readonly hessian: MatrixRowMajor;
  /** Linear term g (the objective is ½xᵀHx − gᵀx). */
  readonly linear: Float64Array;
  /** Equality rows (m_eq × n) and right-hand sides. */
  readonly equality?: { readonly a: MatrixRowMajor; readonly b: Float64Array };
  /** Inequality rows (m_ge × n, meaning A·x ≥ b) and right-hand sides. */
  readonly inequality?: { readonly a: MatrixRowMajor; readonly b: Float64Array };
}

export interface QuadraticProgramSolution {
  readonly x: Float64Array;
  /** Objective ½xᵀHx − gᵀx at x. */
  readonly value: number;
  /** Lagrange multipliers, equalities first, then inequalities (≥ 0 for active inequalities). */
  readonly multipliers: Float64Array;
}

/** Solve the QP; `fn` names the public caller for error messages. */
export function solveQuadraticProgram(fn: string, qp: QuadraticProgram): QuadraticProgramSolution {
  const n = qp.hessian.rows;
  const h = qp.hessian.data;
  const dmat: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    const row: number[] = [0];
    for (let j = 0; j < n; j++) row.push(h[i * n + j]);
    dmat.push(row);
  }
  const dvec: number[] = [0, ...qp.linear];
  const eqRows = qp.equality?.a.rows ?? 0;
  const geRows = qp.inequality?.a.rows ?? 0;
  const q = eqRows + geRows;
  // quadprog needs at least one constraint column: add the vacuous 0·x ≥ −1 when there is none
  const columns = Math.max(q, 1);
  const amat: number[][] = [[]];
  for (let i = 0; i < n; i++) amat.push(new Array<number>(columns + 1).fill(0));
  const bvec: number[] = [0];
  for (let k = 0; k < eqRows; k++) {
    const a = qp.equality!.a.data;
    for (let i = 0; i < n; i++) amat[i + 1][k + 1] = a[k * n + i];
    bvec.push(qp.equality!.b[k]);
  }
  for (let k = 0; k < geRows; k++) {
    const a = qp.inequality!.a.data;
    for (let i = 0; i < n; i++) amat[i + 1][eqRows + k + 1] = a[k * n + i];
    bvec.push(qp.inequality!.b[k]);
  }
  if (q === 0) bvec.push(-1);
  const result = quadprog.solveQP(dmat, dvec, amat, bvec, eqRows);
  if (result.message !== "") {
    if (/inconsistent/.test(result.message)) rangeError(fn, `the constraints are infeasible (quadprog: ${result.message})`);
    rangeError(fn, `the quadratic programme is not strictly convex (quadprog: ${result.message})`);
  }
  const x = Float64Array.from(result.solution.slice(1, n + 1));
  const multipliers = Float64Array.from(result.Lagrangian.slice(1, q + 1));
  return { x, value: result.value[1], multipliers };
}
