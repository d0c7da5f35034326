/**
 * Discrete obstacle problem (a linear complementarity problem) on a uniform grid:
 *   min(−A_h·V, V − g) = 0 on nodes [first, last],
 * −A_h tridiagonal (TridiagonalRows, e.g. ouOperatorRows), g the obstacle, with a Dirichlet value or
 * a Robin condition (OU edge log-derivative, ghost node eliminated) at each end. Two solvers:
 * - "policy-iteration": Howard's algorithm, one Thomas solve per policy, finite termination [1, 2];
 *   starts from the given stopping set, else "stop wherever g > 0";
 * - "psor": projected SOR (ω = 1.5) from the given values, else max(g, 0) [3]; slow, the cross-check.
 * Returns the values on the whole grid (NaN outside [first, last]), the stopping set (1 stop, 0
 * continue, 2 boundary row), the iterations, the residual max_i |min(h²·(−A_h V)_i, V_i − g_i)| and
 * whether the iteration cap was hit.
 * @see [1] Forsyth, P.A. & Vetzal, K.R. (2002) Quadratic convergence for valuing American options
 *   using a penalty method. SIAM J. Sci. Comput. 23(6).
 * @see [2] Bokanowski, O., Maroso, S. & Zidani, H. (2009) Some convergence results for Howard's
 *   algorithm. SIAM J. Numer. Anal. 47(4).
 * @see [3] Cryer, C.W. (1971) The solution of a quadratic programming problem using systematic
 *   overrelaxation. SIAM J. Control 9.
 */
import type { Grid } from "./buildGrid.js";
import { ouEdgeLogDerivative, type TridiagonalRows } from "./ouOperatorRows.js";
import { thomasInPlace } from "./solveTridiagonalThomas.js";

/** Policy iteration cap (Howard's algorithm on these problems needs far fewer). */
const MAX_POLICY_ITERATIONS = 500;
/** PSOR: sweep cap and stopping rule on the largest update (relative to the obstacle scale). */
const MAX_PSOR_SWEEPS = 100_000;
const PSOR_TOLERANCE = 1e-12;
/** PSOR relaxation factor (see solveObstacle). */
const PSOR_OMEGA = 1.5;

export type ObstacleScheme = "policy-iteration" | "psor";

export interface ObstacleSolution {
  value: Float64Array;
  stop: Uint8Array;
  iterations: number;
  residual: number;
}

export type Edge = { kind: "dirichlet"; value: number } | { kind: "robin" };

/**
 * Solve min(−A_h V, V − g) = 0 on nodes [first, last] with the given edge conditions.
 * Robin edges eliminate the ghost node: V_{−1} = V_1 − 2hβV_0 (bottom), V_{n} = V_{n−2} + 2hβV_{n−1} (top).
 */
export function solveObstacle(
  rows: TridiagonalRows,
  grid: Grid,
  nu: number,
  obstacle: Float64Array,
  first: number,
  last: number,
  bottom: Edge,
  top: Edge,
  scheme: ObstacleScheme,
  initialStop: ((i: number) => boolean) | null,
  initialValue: Float64Array | null,
): ObstacleSolution & { notConverged: boolean } {
  const m = last - first + 1;
  const h = grid.h;
  const lo = rows.lower.slice(first, last + 1);
  const di = rows.diag.slice(first, last + 1);
  const up = rows.upper.slice(first, last + 1);
  const g = obstacle.slice(first, last + 1);
  const fixed = new Uint8Array(m);
  const fixedValue = new Float64Array(m);
  if (bottom.kind === "dirichlet") {
    fixed[0] = 1;
    fixedValue[0] = bottom.value;
  } else {
    const beta = ouEdgeLogDerivative(grid.y[first], nu);
    di[0] -= 2 * h * beta * lo[0];
    up[0] += lo[0];
    lo[0] = 0;
  }
  if (top.kind === "dirichlet") {
    fixed[m - 1] = 1;
    fixedValue[m - 1] = top.value;
  } else {
    const beta = ouEdgeLogDerivative(grid.y[last], nu);
    di[m - 1] += 2 * h * beta * up[m - 1];
    lo[m - 1] += up[m - 1];
    up[m - 1] = 0;
  }
  let gScale = 1e-300;
  for (let i = 0; i < m; i++) gScale = Math.max(gScale, Math.abs(g[i]));
  const h2 = h * h;
  const v = new Float64Array(m);
  const stop = new Uint8Array(m);
  let iterations = 0;
  let notConverged = false;
  if (scheme === "policy-iteration") {
    // Howard: start from the previous grid's policy, else "stop wherever the obstacle is positive".
    for (let i = 0; i < m; i++) stop[i] = (initialStop === null ? g[i] > 0 : initialStop(first + i)) ? 1 : 0;
    const a = new Float64Array(m);
    const b = new Float64Array(m);
    const cc = new Float64Array(m);
    const rhs = new Float64Array(m);
    const scratch = new Float64Array(m);
    const tie = 1e-14 * gScale;
    notConverged = true;
    for (let it = 0; it < MAX_POLICY_ITERATIONS; it++) {
      iterations++;
      for (let i = 0; i < m; i++) {
        if (fixed[i] || stop[i]) {
          a[i] = 0;
          b[i] = 1;
          cc[i] = 0;
          rhs[i] = fixed[i] ? fixedValue[i] : g[i];
        } else {
          a[i] = lo[i];
          b[i] = di[i];
          cc[i] = up[i];
          rhs[i] = 0;
        }
      }
      thomasInPlace(a, b, cc, rhs, v, scratch);
      let changed = false;
      for (let i = 0; i < m; i++) {
        if (fixed[i]) continue;
        if (stop[i]) {
          const cont = h2 * (di[i] * v[i] + (i > 0 ? lo[i] * v[i - 1] : 0) + (i < m - 1 ? up[i] * v[i + 1] : 0));
          if (cont < -tie) {
            stop[i] = 0;
            changed = true;
          }
        } else if (v[i] - g[i] < -tie) {
          stop[i] = 1;
          changed = true;
        }
      }
      if (!changed) {
        notConverged = false;
        break;
      }
    }
  } else {
    // Projected SOR from the previous grid's solution (else V = max(g, 0)). The drift makes A_h
    // non-symmetric, and near-optimal Laplacian ω (≈ 2 − 2π/m) stalls; PSOR_OMEGA = 1.5 converges
    // reliably but slowly (10⁴–10⁵ sweeps): PSOR is the cross-check, policy iteration the fast path.
    const omega = PSOR_OMEGA;
    for (let i = 0; i < m; i++) {
      const start = initialValue === null ? 0 : initialValue[first + i];
      v[i] = fixed[i] ? fixedValue[i] : Math.max(g[i], start);
    }
    notConverged = true;
    for (let sweep = 0; sweep < MAX_PSOR_SWEEPS; sweep++) {
      iterations++;
      let largest = 0;
      for (let i = 0; i < m; i++) {
        if (fixed[i]) continue;
        const gaussSeidel = -((i > 0 ? lo[i] * v[i - 1] : 0) + (i < m - 1 ? up[i] * v[i + 1] : 0)) / di[i];
        const next = Math.max(g[i], v[i] + omega * (gaussSeidel - v[i]));
        largest = Math.max(largest, Math.abs(next - v[i]));
        v[i] = next;
      }
      if (largest < PSOR_TOLERANCE * gScale) {
        notConverged = false;
        break;
      }
    }
    for (let i = 0; i < m; i++) {
      if (fixed[i]) continue;
      const cont = h2 * (di[i] * v[i] + (i > 0 ? lo[i] * v[i - 1] : 0) + (i < m - 1 ? up[i] * v[i + 1] : 0));
      stop[i] = v[i] - g[i] < cont ? 1 : 0;
    }
  }
  let residual = 0;
  for (let i = 0; i < m; i++) {
    if (fixed[i]) continue;
    const cont = h2 * (di[i] * v[i] + (i > 0 ? lo[i] * v[i - 1] : 0) + (i < m - 1 ? up[i] * v[i + 1] : 0));
    residual = Math.max(residual, Math.abs(Math.min(cont, v[i] - g[i])));
  }
  const value = new Float64Array(grid.y.length).fill(NaN);
  const stopFull = new Uint8Array(grid.y.length);
  value.set(v, first);
  stopFull.set(stop, first);
  for (let i = 0; i < m; i++) if (fixed[i]) stopFull[first + i] = 2; // boundary rows: neither region
  return { value, stop: stopFull, iterations, residual, notConverged };
}
