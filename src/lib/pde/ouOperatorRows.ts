/**
 * The Ornstein–Uhlenbeck generator in standardised units, discretised on a uniform grid: the rows
 * of −A_h = −(∂_yy − y·∂_y − ν) (y = (x − θ)/s, s = σ/√(2κ), ν = r/κ; the operator κ(∂_yy − y∂_y − ν)
 * divided by κ). Central differences, which give an M-matrix when |y|·h ≤ 2; beyond that the drift
 * is upwinded (first order; `upwinded` says so). Also the log-derivative of the OU solutions at a
 * far edge, for Robin boundary conditions (`ouEdgeLogDerivative`).
 * @see [1] Leung, T. & Li, X. (2015) Int. J. Theor. Appl. Finance 18(3) (the operator and its solutions).
 */
import type { Grid } from "./buildGrid.js";

/** Tridiagonal rows (lower, diagonal, upper) of a discretised operator, one entry per node. */
export interface TridiagonalRows {
  lower: Float64Array;
  diag: Float64Array;
  upper: Float64Array;
}

/** Rows of −A_h = −(∂_yy − y∂_y − ν) at every node; central differences, upwinded where |y|h > 2. */
export function ouOperatorRows(grid: Grid, nu: number): TridiagonalRows & { upwinded: boolean } {
  const { y, h } = grid;
  const n = y.length;
  const lower = new Float64Array(n);
  const diag = new Float64Array(n);
  const upper = new Float64Array(n);
  const invH2 = 1 / (h * h);
  let upwinded = false;
  for (let i = 0; i < n; i++) {
    const yi = y[i];
    if (Math.abs(yi) * h <= 2) {
      lower[i] = -invH2 - yi / (2 * h);
      upper[i] = -invH2 + yi / (2 * h);
      diag[i] = 2 * invH2 + nu;
    } else if (yi < 0) {
      upwinded = true;
      lower[i] = -invH2;
      upper[i] = -invH2 + yi / h;
      diag[i] = 2 * invH2 + nu - yi / h;
    } else {
      upwinded = true;
      lower[i] = -invH2 - yi / h;
      upper[i] = -invH2;
      diag[i] = 2 * invH2 + nu + yi / h;
    }
  }
  return { lower, diag, upper, upwinded };
}

/** ∂_y ln V at a far edge: increasing solution (y → −∞) ν/|y| − ν(ν+1)/|y|³; decreasing (y → +∞) the negative. */
export function ouEdgeLogDerivative(y: number, nu: number): number {
  const a = Math.abs(y);
  const magnitude = nu / a - (nu * (nu + 1)) / (a * a * a);
  return y < 0 ? magnitude : -magnitude;
}
