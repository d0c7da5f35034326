/**
 * Reading nodal values on a uniform grid between and across nodes: cubic Lagrange interpolation
 * (`cubicAt`, O(h⁴)), central-difference derivatives (`centralDerivative`, O(h²)), and linear
 * interpolation onto another grid (`interpolateOnto`, for warm starts).
 */
import type { Grid } from "./buildGrid.js";

/** Cubic Lagrange interpolation of nodal values f at y, using nodes j−1..j+2 (clamped). */
export function cubicAt(f: Float64Array, grid: Grid, j: number, y: number): number {
  const n = f.length;
  const s = Math.max(0, Math.min(n - 4, j - 1));
  const h = grid.h;
  const t = (y - grid.y[s]) / h;
  const f0 = f[s];
  const f1 = f[s + 1];
  const f2 = f[s + 2];
  const f3 = f[s + 3];
  return (
    (-f0 * (t - 1) * (t - 2) * (t - 3)) / 6 +
    (f1 * t * (t - 2) * (t - 3)) / 2 -
    (f2 * t * (t - 1) * (t - 3)) / 2 +
    (f3 * t * (t - 1) * (t - 2)) / 6
  );
}

/** Central-difference derivative of nodal values (NaN at the ends). */
export function centralDerivative(f: Float64Array, h: number, from: number, to: number, out: Float64Array): void {
  for (let i = Math.max(1, from); i <= Math.min(f.length - 2, to); i++) out[i] = (f[i + 1] - f[i - 1]) / (2 * h);
}

/** Linear interpolation of (ys, values) at the nodes of `grid` (flat extrapolation). */
export function interpolateOnto(ys: Float64Array, values: Float64Array, grid: Grid): Float64Array {
  const out = new Float64Array(grid.y.length);
  let j = 0;
  for (let i = 0; i < out.length; i++) {
    const yi = grid.y[i];
    while (j < ys.length - 2 && ys[j + 1] < yi) j++;
    const t = Math.min(1, Math.max(0, (yi - ys[j]) / (ys[j + 1] - ys[j])));
    out[i] = values[j] + t * (values[j + 1] - values[j]);
  }
  return out;
}
