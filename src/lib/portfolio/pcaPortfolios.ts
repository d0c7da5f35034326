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
  const k =
    o.nComponents === undefined ? Math.min(n, t) : requireInteger(fn, "nComponents", o.nComponents, { min: 1, max: Math.min(n, t) });
  const scaling = o.scaling === undefined ? "none" : requireOneOf(fn, "scaling", o.scaling, ["zscore", "minmax", "none"] as const);
  const warnings: string[] = [];
  // All passes over the T × N panel walk it row by row (sequential memory); each column's sums still
  // run over r = 0..T−1 in order, so the rounding is that of a column-at-a-time loop.
  let mean: Float64Array;
  if (scaling !== "none") {
    const shift = new Float64Array(n);
    const scale = new Float64Array(n).fill(1);
    if (scaling === "zscore") {
      const columnMean = columnMeans(x);
      const ss = new Float64Array(n);
      for (let r = 0; r < t; r++) {
        const o = r * n;
        for (let j = 0; j < n; j++) {
          const d = data[o + j] - columnMean[j];
          ss[j] += d * d;
        }
      }
      for (let j = 0; j < n; j++) {
        const sd = Math.sqrt(ss[j] / t);
        shift[j] = columnMean[j];
        if (sd > 0) scale[j] = sd;
        else warnings.push(`${fn}: column ${j} is constant; left unscaled (as StandardScaler)`);
      }
    } else {
      const lo = new Float64Array(n).fill(Infinity);
      const hi = new Float64Array(n).fill(-Infinity);
      for (let r = 0; r < t; r++) {
        const o = r * n;
        for (let j = 0; j < n; j++) {
          const v = data[o + j];
          if (v < lo[j]) lo[j] = v;
          if (v > hi[j]) hi[j] = v;
        }
      }
      for (let j = 0; j < n; j++) {
        shift[j] = lo[j];
        if (hi[j] > lo[j]) scale[j] = hi[j] - lo[j];
        else warnings.push(`${fn}: column ${j} is constant; left unscaled (as MinMaxScaler)`);
      }
    }
    // scale in place (x is our own copy) and accumulate the scaled data's column means in the same pass
    mean = new Float64Array(n);
    for (let r = 0; r < t; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) {
        const v = (data[o + j] - shift[j]) / scale[j];
        data[o + j] = v;
        mean[j] += v;
      }
    }
    for (let j = 0; j < n; j++) mean[j] /= t;
  } else {
    mean = columnMeans(x);
  }
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
  const scores = transformedScores(data, t, n, mean, components, k);
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

/**
 * Scores T × k = (X − x̄)·V_k with V_k given as the k × N row-major `components` (both operands
 * contiguous along N). Register-blocked over 2 rows × 4 components: eight independent sums share
 * each load, and every score is still the plain left-to-right sum Σ_i xc_i·v_ji (rounding identical to
 * the one-dot-product-at-a-time loop).
 */
function transformedScores(
  data: Float64Array,
  t: number,
  n: number,
  mean: Float64Array,
  components: Float64Array,
  k: number,
): Float64Array {
  const scores = new Float64Array(t * k);
  const centred = new Float64Array(2 * n);
  const kBlocked = k - (k % 4);
  for (let r = 0; r < t; r += 2) {
    const pair = r + 1 < t;
    const o0 = r * n;
    for (let i = 0; i < n; i++) centred[i] = data[o0 + i] - mean[i];
    if (pair) for (let i = 0; i < n; i++) centred[n + i] = data[o0 + n + i] - mean[i];
    else centred.fill(0, n);
    const s0 = r * k;
    const s1 = s0 + k;
    let j = 0;
    for (; j < kBlocked; j += 4) {
      const c0 = j * n;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let i = 0; i < n; i++) {
        const x0 = centred[i];
        const x1 = centred[n + i];
        const v0 = components[c0 + i];
        const v1 = components[c1 + i];
        const v2 = components[c2 + i];
        const v3 = components[c3 + i];
        a0 += x0 * v0;
        a1 += x0 * v1;
        a2 += x0 * v2;
        a3 += x0 * v3;
        b0 += x1 * v0;
        b1 += x1 * v1;
        b2 += x1 * v2;
        b3 += x1 * v3;
      }
      scores[s0 + j] = a0;
      scores[s0 + j + 1] = a1;
      scores[s0 + j + 2] = a2;
      scores[s0 + j + 3] = a3;
      if (pair) {
        scores[s1 + j] = b0;
        scores[s1 + j + 1] = b1;
        scores[s1 + j + 2] = b2;
        scores[s1 + j + 3] = b3;
      }
    }
    for (; j < k; j++) {
      const cj = j * n;
      let a = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        a += centred[i] * components[cj + i];
        b += centred[n + i] * components[cj + i];
      }
      scores[s0 + j] = a;
      if (pair) scores[s1 + j] = b;
    }
  }
  return scores;
}
