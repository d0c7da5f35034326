/**
 * Capital weights for the pairs of a book, from each pair's spread returns over an estimation
 * window: r_{p,t} = (s_{p,t} − s_{p,t−1}) / (|y_{t−1}| + |β_p|·|x_{t−1}|), the return of one unit of
 * the spread on the gross notional it ties up (s = y − β·x).
 * - "equal": w_p = 1/N.
 * - "inverseVolatility": w_p ∝ 1/σ_p, σ_p = sd(r_p) (ddof = 1).
 * - "riskParity": equal risk contributions w_p·(Σw)_p = w·Σw / N under the sample covariance Σ
 *   (ddof = 1) of the r_p, found by cyclical coordinate descent on ½·yᵀΣy − (1/N)·Σ ln y_p, whose
 *   minimiser normalised to sum 1 is the equal-risk-contribution portfolio [1]. The update
 *   y_p = (−c_p + √(c_p² + 4·Σ_pp/N)) / (2·Σ_pp), c_p = Σ_{q≠p} Σ_pq·y_q, is exact per coordinate.
 *   At most MAX_RISK_PARITY_SWEEPS sweeps; stops when no weight moves by more than 1e-12 relative.
 * Weights are ≥ 0 and sum to 1.
 * Degenerate: a pair whose spread returns have zero variance cannot be risk-weighted: RangeError.
 * @see [1] Griveau-Billion, T., Richard, J.-C. & Roncalli, T. (2013) "A fast algorithm for computing
 *   high-dimensional risk parity portfolios", SSRN 2325255.
 * @throws RangeError for an unknown method, fewer than 3 rows of returns, rows of different lengths,
 *   or a zero-variance pair (inverseVolatility, riskParity)
 * @example allocationWeights([[0.01, -0.01, 0.01], [0.02, -0.02, 0.02]], { method: "inverseVolatility" }).weights
 *   // [2/3, 1/3] (hand-worked: the second pair is twice as volatile)
 */
import { rangeError, requireOneOf, requireOptions, toFloat64, typeError, describe } from "../util/validate.js";

const MAX_RISK_PARITY_SWEEPS = 10_000;
const RISK_PARITY_TOLERANCE = 1e-12;

export type AllocationMethod = "equal" | "inverseVolatility" | "riskParity";

export interface AllocationWeightsOptions {
  readonly method: AllocationMethod;
}

export interface AllocationWeightsResult {
  readonly weights: Float64Array;
  /** Each pair's share of the book's variance, w_p·(Σw)_p / wᵀΣw (sums to 1). */
  readonly riskContributions: Float64Array;
  /** Coordinate-descent sweeps used (riskParity; 0 otherwise). */
  readonly iterations: number;
}

/** Weights from per-pair spread returns (one row per pair); see the module comment. */
export function allocationWeights(spreadReturns: readonly ArrayLike<number>[], options: AllocationWeightsOptions): AllocationWeightsResult {
  const fn = "allocationWeights";
  const o = requireOptions<AllocationWeightsOptions>(fn, options);
  const method = requireOneOf(fn, "options.method", o.method, ["equal", "inverseVolatility", "riskParity"] as const);
  if (!Array.isArray(spreadReturns) || spreadReturns.length === 0)
    typeError(fn, `spreadReturns must be a non-empty array of series, got ${describe(spreadReturns)}`);
  const rows = spreadReturns.map((r, p) => toFloat64(r, `spreadReturns[${p}]`, fn, { minLength: 3 }));
  const t = rows[0].length;
  rows.forEach((r, p) => {
    if (r.length !== t) rangeError(fn, `spreadReturns rows must have the same length, got ${r.length} at row ${p} and ${t} at row 0`);
  });
  return allocationWeightsKernel(rows, method, fn);
}

/** Kernel on validated rows. */
export function allocationWeightsKernel(rows: readonly Float64Array[], method: AllocationMethod, fn: string): AllocationWeightsResult {
  const count = rows.length;
  const cov = covarianceMatrix(rows);
  const weights = new Float64Array(count);
  let iterations = 0;
  if (method === "equal") weights.fill(1 / count);
  else {
    for (let p = 0; p < count; p++) {
      if (!(cov[p * count + p] > 0))
        rangeError(fn, `pair ${p}'s spread returns have zero variance over the estimation window: cannot weight by risk`);
    }
    if (method === "inverseVolatility") {
      let total = 0;
      for (let p = 0; p < count; p++) total += weights[p] = 1 / Math.sqrt(cov[p * count + p]);
      for (let p = 0; p < count; p++) weights[p] /= total;
    } else {
      const budget = 1 / count;
      for (let p = 0; p < count; p++) weights[p] = 1 / Math.sqrt(cov[p * count + p]);
      for (iterations = 1; iterations <= MAX_RISK_PARITY_SWEEPS; iterations++) {
        let moved = 0;
        for (let p = 0; p < count; p++) {
          let c = 0;
          for (let q = 0; q < count; q++) if (q !== p) c += cov[p * count + q] * weights[q];
          const a = cov[p * count + p];
          const next = (-c + Math.sqrt(c * c + 4 * a * budget)) / (2 * a);
          moved = Math.max(moved, Math.abs(next - weights[p]) / next);
          weights[p] = next;
        }
        if (moved <= RISK_PARITY_TOLERANCE) break;
      }
      iterations = Math.min(iterations, MAX_RISK_PARITY_SWEEPS);
      let total = 0;
      for (let p = 0; p < count; p++) total += weights[p];
      for (let p = 0; p < count; p++) weights[p] /= total;
    }
  }
  const contributions = new Float64Array(count);
  let variance = 0;
  for (let p = 0; p < count; p++) {
    let sw = 0;
    for (let q = 0; q < count; q++) sw += cov[p * count + q] * weights[q];
    contributions[p] = weights[p] * sw;
    variance += contributions[p];
  }
  for (let p = 0; p < count; p++) contributions[p] = variance > 0 ? contributions[p] / variance : 1 / count;
  return { weights, riskContributions: contributions, iterations };
}

/** Sample covariance (ddof = 1) of the rows, row-major count × count, two-pass. */
function covarianceMatrix(rows: readonly Float64Array[]): Float64Array {
  const count = rows.length;
  const t = rows[0].length;
  const centred = rows.map((r) => {
    let s = 0;
    for (let i = 0; i < t; i++) s += r[i];
    const m = s / t;
    return r.map((v) => v - m);
  });
  const cov = new Float64Array(count * count);
  for (let p = 0; p < count; p++) {
    for (let q = p; q < count; q++) {
      const a = centred[p];
      const b = centred[q];
      let s = 0;
      for (let i = 0; i < t; i++) s += a[i] * b[i];
      cov[p * count + q] = cov[q * count + p] = s / (t - 1);
    }
  }
  return cov;
}
