/**
 * Principal-component (eigen-)portfolios of a returns panel, as sklearn.decomposition.PCA
 * (svd_solver = "full") on the scaled data:
 * 1. scaling: "zscore" = (x − x̄)/s with s the ddof = 0 std (StandardScaler; s = 0 → 1),
 *    "minmax" = (x − min)/(max − min) (MinMaxScaler; zero range → 1), "none" = as given;
 * 2. centre, covariance C = XcᵀXc/(T − 1) (ddof = 1, sklearn's explained_variance_);
 * 3. symmetric eigendecomposition C = V·Λ·Vᵀ (Householder tridiagonalisation + implicit QL,
 *    linalg/symmetricEigen; all N eigenpairs at once, no power iteration or deflation);
 * 4. components = first k eigenvectors (rows of the k × N result), eigenvalues = λ_1..λ_k,
 *    explainedVarianceRatio_j = λ_j/tr(C) (sums to ≤ 1), transformed = Xc·V_k (T × k scores).
 * Sign convention (sklearn 1.2 svd_flip, u-based): each component's sign makes the score with the
 * largest |value| (first such row) positive, so components and scores compare directly with sklearn.
 * Eigenvalues within rounding of 0 can come out as tiny negatives; they are clamped to 0.
 * @see [1] Jolliffe, I.T. (2002) Principal Component Analysis, 2nd ed. [2] Avellaneda, M. & Lee, J.-H.
 *   (2010) Statistical arbitrage in the US equities market. Quantitative Finance 10(7) (eigenportfolios).
 * @throws RangeError/TypeError for a bad panel (T ≥ 2), nComponents outside 1..min(T, N), unknown scaling
 * @example pcaPortfolios(last500ReturnsOf23Etfs, { nComponents: 4, scaling: "none" }).explainedVarianceRatio[0]
 *   // ≈ 0.69960105 (sklearn 1.2.1 PCA; fixtures/portfolio.json)
 */
import { symmetricEigen } from "../linalg/symmetricEigen.js";
import type { MatrixRowMajor } from "../util/matrix.js";
import { requireInteger, requireOneOf, requireOptions } from "../util/validate.js";
import { columnMeans, covarianceMatrix, toReturnsMatrix, type ReturnsInput } from "./returnsMatrix.js";

export interface PcaPortfoliosOptions {
  /** Number of components k (default min(N, T)). */
  readonly nComponents?: number;
  /** Column scaling before PCA (default "none"). */
  readonly scaling?: "zscore" | "minmax" | "none";
}

export interface PcaPortfoliosResult {
  /** λ_j / tr(C), j = 1..k. */
  readonly explainedVarianceRatio: Float64Array;
  /** k × N: row j is the j-th eigenportfolio's loadings (unit length). */
  readonly components: MatrixRowMajor;
  /** T × k scores of the centred (scaled) data. */
  readonly transformed: MatrixRowMajor;
  /** Σ_j explainedVarianceRatio_j. */
  readonly totalVarianceExplained: number;
  /** λ_1 ≥ … ≥ λ_k (sklearn explained_variance_). */
  readonly eigenvalues: Float64Array;
  readonly warnings: readonly string[];
}

/** PCA eigenportfolios; see the module comment. */
export function pcaPortfolios(returns: ReturnsInput, options: PcaPortfoliosOptions = {}): PcaPortfoliosResult {
  const fn = "pcaPortfolios";
  const o = requireOptions<PcaPortfoliosOptions>(fn, options);
  const x = toReturnsMatrix(fn, "returns", returns);
  const { rows: t, cols: n, data } = x;
  const k = o.nComponents === undefined ? Math.min(n, t) : requireInteger(fn, "nComponents", o.nComponents, { min: 1, max: Math.min(n, t) });
  const scaling = o.scaling === undefined ? "none" : requireOneOf(fn, "scaling", o.scaling, ["zscore", "minmax", "none"] as const);
  const warnings: string[] = [];
  if (scaling !== "none") {
    const shift = new Float64Array(n);
    const scale = new Float64Array(n).fill(1);
    if (scaling === "zscore") {
      const mean = columnMeans(x);
      for (let j = 0; j < n; j++) {
        let ss = 0;
        for (let r = 0; r < t; r++) ss += (data[r * n + j] - mean[j]) ** 2;
        const sd = Math.sqrt(ss / t);
        shift[j] = mean[j];
        if (sd > 0) scale[j] = sd;
        else warnings.push(`${fn}: column ${j} is constant; left unscaled (as StandardScaler)`);
      }
    } else {
      for (let j = 0; j < n; j++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let r = 0; r < t; r++) {
          const v = data[r * n + j];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        shift[j] = lo;
        if (hi > lo) scale[j] = hi - lo;
        else warnings.push(`${fn}: column ${j} is constant; left unscaled (as MinMaxScaler)`);
      }
    }
    for (let r = 0; r < t; r++) for (let j = 0; j < n; j++) data[r * n + j] = (data[r * n + j] - shift[j]) / scale[j];
  }
  const mean = columnMeans(x);
  const cov = covarianceMatrix(x, 1, mean);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += cov.data[i * n + i];
  const eig = symmetricEigen(cov);
  const v = eig.vectors.data;
  const components = new Float64Array(k * n);
  const eigenvalues = new Float64Array(k);
  const ratio = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    eigenvalues[j] = Math.max(0, eig.values[j]);
    ratio[j] = trace > 0 ? eigenvalues[j] / trace : 0;
    for (let i = 0; i < n; i++) components[j * n + i] = v[i * n + j];
  }
  if (!(trace > 0)) warnings.push(`${fn}: all columns are constant; explained variance ratios are 0`);
  // scores T × k = Xc·V_k
  const scores = new Float64Array(t * k);
  const centred = new Float64Array(n);
  for (let r = 0; r < t; r++) {
    for (let i = 0; i < n; i++) centred[i] = data[r * n + i] - mean[i];
    for (let j = 0; j < k; j++) {
      let acc = 0;
      const cj = j * n;
      for (let i = 0; i < n; i++) acc += centred[i] * components[cj + i];
      scores[r * k + j] = acc;
    }
  }
  // sklearn svd_flip (u-based): the largest |score| of each component is made positive
  for (let j = 0; j < k; j++) {
    let best = 0;
    let bestAbs = -1;
    for (let r = 0; r < t; r++) {
      const a = Math.abs(scores[r * k + j]);
      if (a > bestAbs) {
        bestAbs = a;
        best = r;
      }
    }
    if (scores[best * k + j] < 0) {
      for (let i = 0; i < n; i++) components[j * n + i] = -components[j * n + i];
      for (let r = 0; r < t; r++) scores[r * k + j] = -scores[r * k + j];
    }
  }
  let total = 0;
  for (let j = 0; j < k; j++) total += ratio[j];
  return {
    explainedVarianceRatio: ratio,
    components: { rows: k, cols: n, data: components },
    transformed: { rows: t, cols: k, data: scores },
    totalVarianceExplained: total,
    eigenvalues,
    warnings,
  };
}
