// Shared utilities: the error policy's validators, matrices and seeded random sources.
export { randomSource, normalSource } from "./random.js"; // seeded uniform and N(0,1) sources
export type { MatrixRowMajor } from "./matrix.js"; // row-major dense matrix
export { zerosMatrix, matrixFromRows, matrixToRows } from "./matrix.js"; // matrix construction and conversion
