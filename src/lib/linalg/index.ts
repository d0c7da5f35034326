// Dense linear algebra on row-major matrices (MatrixRowMajor from util/matrix).
export { matMul } from "./matMul.js"; // matrix product A·B
export { transpose } from "./transpose.js"; // transpose Aᵀ
export { choleskyDecompose } from "./choleskyDecompose.js"; // A = L·Lᵀ for symmetric positive-definite A
export { choleskySolve } from "./choleskySolve.js"; // solve A·x = b from the Cholesky factor L
export { solveLinearSystem } from "./solveLinearSystem.js"; // solve A·x = b by LU with partial pivoting
export { invertMatrix } from "./invertMatrix.js"; // A⁻¹ by LU with partial pivoting
export { symmetricEigen } from "./symmetricEigen.js"; // eigenvalues (descending) and eigenvectors of symmetric A
export type { SymmetricEigenResult } from "./symmetricEigen.js";
export { qrLeastSquares } from "./qrLeastSquares.js"; // least squares by Householder QR, with (XᵀX)⁻¹ and rank
export type { QrLeastSquaresResult, QrLeastSquaresOptions } from "./qrLeastSquares.js";
