// Finite-difference building blocks for the one-dimensional PDE / variational-inequality solvers.
// Internal to the library (used by optimal/solveHjb.ts, not re-exported): buildGrid.ts (uniform
// grid), ouOperatorRows.ts (upwinded OU operator rows, Robin edge), solveObstacle.ts (policy
// iteration / PSOR), extendByRecurrence.ts, nodalInterpolation.ts.
export { solveTridiagonalThomas } from "./solveTridiagonalThomas.js"; // tridiagonal solve, Thomas algorithm O(n)
