/**
 * Uniform one-dimensional grid for the finite-difference obstacle solvers: `intervals + 1` nodes
 * of spacing h on ≈[yMin, yMax]. With a stop-loss yL the grid is anchored so that yL is a node
 * (index `iL`): the nodes above it are spread over [yL, yMax] in ≈(basePoints − 1)·(share of the
 * domain) intervals, at least 4, and the same spacing continues below down to ≤ yMin. `refine`
 * divides every interval (2 gives the fine grid of a Richardson pair with the same nodes plus
 * midpoints).
 */
export interface Grid {
  y: Float64Array;
  h: number;
  /** Index of the stop-loss node, or −1. */
  iL: number;
}

/** Uniform grid on ≈[yMin, yMax] with `refine`× the resolution of `basePoints`; yL (if any) is a node. */
export function buildGrid(yMin: number, yMax: number, yL: number | null, basePoints: number, refine: number): Grid {
  if (yL === null) {
    const intervals = (basePoints - 1) * refine;
    const h = (yMax - yMin) / intervals;
    const y = new Float64Array(intervals + 1);
    for (let i = 0; i <= intervals; i++) y[i] = yMin + i * h;
    return { y, h, iL: -1 };
  }
  const above = Math.max(4, Math.round(((yMax - yL) / (yMax - yMin)) * (basePoints - 1)));
  const hBase = (yMax - yL) / above;
  const below = Math.max(4, Math.ceil((yL - yMin) / hBase));
  const h = hBase / refine;
  const nBelow = below * refine;
  const n = nBelow + above * refine + 1;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = yL + (i - nBelow) * h;
  return { y, h, iL: nBelow };
}
