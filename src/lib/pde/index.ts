// Finite-difference building blocks for the one-dimensional PDE / variational-inequality solvers.
export { solveTridiagonalThomas } from "./solveTridiagonalThomas.js"; // tridiagonal solve, Thomas algorithm O(n)
