/**
 * Internal (not in the barrel): the fields every weights result shares, in per-period units.
 * expectedReturn = μᵀw, volatility = √(wᵀΣw), sharpe = (μᵀw − r_f)/√(wᵀΣw) (0 when the volatility
 * is 0, with a warning — the library's degenerate-ratio policy).
 */
import type { MatrixRowMajor } from "../util/matrix.js";
import { dot, matVec } from "./returnsMatrix.js";

export interface PortfolioSummary {
  readonly expectedReturn: number;
  readonly volatility: number;
  readonly sharpe: number;
  /** wᵀΣw. */
  readonly variance: number;
}

export function portfolioSummary(
  fn: string,
  mean: Float64Array,
  covariance: MatrixRowMajor,
  w: Float64Array,
  riskFree: number,
  warnings: string[],
): PortfolioSummary {
  const expectedReturn = dot(mean, w);
  const variance = Math.max(0, dot(w, matVec(covariance, w)));
  const volatility = Math.sqrt(variance);
  let sharpe = 0;
  if (volatility > 0) sharpe = (expectedReturn - riskFree) / volatility;
  else warnings.push(`${fn}: portfolio volatility is 0; sharpe reported as 0`);
  return { expectedReturn, volatility, sharpe, variance };
}
