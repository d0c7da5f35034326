/**
 * Internal (not in the barrel): mean vector and covariance for the optimisers, with the
 * near-singularity policy in one place.
 * - shrinkage "none": sample covariance (ddof = 1); "ledoitWolf": sklearn's LedoitWolf (ddof = 0).
 * - condition number κ = λ_max/λ_min from symmetricEigen. κ > SINGULAR_CONDITION (or λ_min ≤ 0)
 *   with shrinkage "none" throws a RangeError that names the fix (shrinkage: "ledoitWolf"):
 *   the optimum is not unique, and no weights are invented (never silent equal weights).
 *   κ > ILL_CONDITIONED adds a warning (weights are sensitive to estimation error).
 */
import { choleskyDecomposeUnchecked } from "../linalg/choleskyDecompose.js";
import { symmetricEigen } from "../linalg/symmetricEigen.js";
import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, requireOneOf } from "../util/validate.js";
import { ledoitWolfKernel } from "./ledoitWolf.js";
import { columnMeans, covarianceMatrix } from "./returnsMatrix.js";

/** Above this condition number the covariance counts as singular. */
export const SINGULAR_CONDITION = 1e12;
/** Above this condition number a warning is added. */
export const ILL_CONDITIONED = 1e8;

export type ShrinkageMethod = "none" | "ledoitWolf";

export interface Moments {
  readonly mean: Float64Array;
  readonly covariance: MatrixRowMajor;
  /** Lower Cholesky factor of the covariance. */
  readonly cholesky: MatrixRowMajor;
  readonly shrinkageIntensity: number;
  readonly conditionNumber: number;
}

export function estimateMoments(fn: string, x: MatrixRowMajor, shrinkageOption: unknown, warnings: string[]): Moments {
  const shrinkage =
    shrinkageOption === undefined ? "none" : requireOneOf(fn, "shrinkage", shrinkageOption, ["none", "ledoitWolf"] as const);
  const mean = columnMeans(x);
  let covariance: MatrixRowMajor;
  let shrinkageIntensity = 0;
  if (shrinkage === "ledoitWolf") {
    const lw = ledoitWolfKernel(x);
    covariance = lw.covariance;
    shrinkageIntensity = lw.shrinkage;
  } else covariance = covarianceMatrix(x, 1, mean);
  const eig = symmetricEigen(covariance);
  const n = covariance.rows;
  const lambdaMax = eig.values[0];
  const lambdaMin = eig.values[n - 1];
  const conditionNumber = lambdaMin > 0 ? lambdaMax / lambdaMin : Infinity;
  const cholesky = conditionNumber <= SINGULAR_CONDITION ? choleskyDecomposeUnchecked(covariance) : null;
  if (cholesky === null) {
    rangeError(
      fn,
      `the ${shrinkage === "none" ? "sample " : ""}covariance of returns is singular or numerically singular ` +
        `(condition number ${conditionNumber.toExponential(3)}, T = ${x.rows} periods, N = ${n} assets${x.rows <= n ? ", T ≤ N" : ""}); ` +
        (shrinkage === "none" ? `pass shrinkage: "ledoitWolf"` : `the returns have (near) zero variance`),
    );
  }
  if (conditionNumber > ILL_CONDITIONED) {
    warnings.push(
      `${fn}: covariance is ill-conditioned (condition number ${conditionNumber.toExponential(3)}); weights are very sensitive to estimation error` +
        (shrinkage === "none" ? `; consider shrinkage: "ledoitWolf"` : ""),
    );
  }
  return { mean, covariance, cholesky, shrinkageIntensity, conditionNumber };
}
