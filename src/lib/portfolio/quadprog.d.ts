// Types for the npm package "quadprog" (Goldfarb–Idnani dual active-set QP, a port of R's quadprog).
// Arrays are 1-indexed (element 0 unused), as in the Fortran original: minimise −dᵀb + ½bᵀDb
// subject to Aᵀb ≥ b0, the first `meq` constraints being equalities; Amat is n × q (column j = constraint j).
declare module "quadprog" {
  export interface QuadprogResult {
    solution: number[];
    Lagrangian: number[];
    value: number[];
    unconstrained_solution: number[];
    iterations: number[];
    iact: number[];
    message: string;
  }
  export function solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec?: number[],
    meq?: number,
    factorized?: number[],
  ): QuadprogResult;
  const quadprog: { solveQP: typeof solveQP };
  export default quadprog;
}
