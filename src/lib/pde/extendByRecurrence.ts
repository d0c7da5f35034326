/**
 * Continue a solution of the homogeneous tridiagonal equations (−A_h·V)_i = 0 past node `from` by
 * its own three-term recurrence, `count` nodes up (direction +1: V_{i+1} from V_{i−1}, V_i) or down
 * (−1). Used to carry a continuation-region solution across a free boundary, where the discrete
 * solution stops satisfying the equation, so that a smooth-fit point can be located between nodes.
 */
import type { TridiagonalRows } from "./ouOperatorRows.js";

/** Continue a continuation solution past node `from` with its recurrence (direction +1 up, −1 down). */
export function extendByRecurrence(v: Float64Array, rows: TridiagonalRows, from: number, direction: 1 | -1, count: number): void {
  const n = v.length;
  if (direction === 1) {
    for (let i = from; i < Math.min(n - 1, from + count); i++) {
      v[i + 1] = -(rows.lower[i] * v[i - 1] + rows.diag[i] * v[i]) / rows.upper[i];
    }
  } else {
    for (let i = from; i > Math.max(0, from - count); i--) {
      v[i - 1] = -(rows.diag[i] * v[i] + rows.upper[i] * v[i + 1]) / rows.lower[i];
    }
  }
}
