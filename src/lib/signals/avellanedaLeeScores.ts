/**
 * Avellaneda–Lee (2010) PCA statistical-arbitrage s-scores for a cross-section of stocks.
 * 1. Factors: the correlation matrix of the returns over the last `correlationWindow` periods
 *    (returns standardised by their window mean and sd, ddof = 1) gives eigenvectors v^(j), j ≤ m
 *    (largest eigenvalues first); eigenportfolio j holds Q_ij = v_i^(j)/σ_i, with factor return
 *    F_jt = Σ_i Q_ij·R_it ([1] eq. 9–10).
 * 2. Residuals: over the last `regressionWindow` periods, R_it = β_i0 + Σ_j β_ij·F_jt + ε_it by OLS
 *    (Householder QR); the auxiliary process X_it = Σ_{s≤t} ε_is ([1] eq. 12, A.1).
 * 3. OU fit by AR(1): X_{t+1} = a + b·X_t + ζ_{t+1} (OLS); κ = −ln(b)·periodsPerYear, m = a/(1 − b),
 *    σ_eq = √(Var(ζ)/(1 − b²)) with Var(ζ) = SSR/(n − 2) (statsmodels `scale`) ([1] A.2–A.4).
 * 4. s-score s_i = (X_i,end − m_i)/σ_eq,i; with `centre` (default true, [1] §4 "modified s-score")
 *    m_i is replaced by m_i − m̄, m̄ the average of m over the eligible stocks. X_end = Σ ε = 0 up to
 *    rounding because the regression has an intercept, so s_i = −m_i/σ_eq,i as in the paper.
 * Eligible: 0 < b < 1 and κ > minKappa (default periodsPerYear/(regressionWindow/2): mean-reversion
 * time under half the window, [1] §4 "κ > 252/30"). Signals for eligible stocks ([1] eq. 15):
 * open long s < −entry, open short s > +entry, close short s < +exitShort, close long s > −exitLong
 * (defaults 1.25, 0.75, 0.50). Ineligible stocks get signal 0 and NaN s-score.
 * The s-score is invariant to the sign and scale of each eigenvector (only the factors' span enters).
 * @see [1] Avellaneda, M. & Lee, J.-H. (2010) "Statistical arbitrage in the US equities market",
 *   Quantitative Finance 10(7), 761–782.
 * @throws RangeError/TypeError for a bad panel (non-finite values, too few periods) or option
 * @example avellanedaLeeScores(last440EtfLogReturns, { factors: 5, end: 300 }).sScore[0] // ≈ -1.077850098 (EEM; numpy eigh + statsmodels OLS, fixtures/avellanedaLeeScores.json)
 */
import { qrLeastSquaresKernel } from "../linalg/qrLeastSquares.js";
import { symmetricEigen } from "../linalg/symmetricEigen.js";
import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, requireFinite, requireInteger, requireOptions, typeError, describe } from "../util/validate.js";
import { toReturnsMatrix, type ReturnsInput } from "../portfolio/returnsMatrix.js";

export interface AvellanedaLeeOptions {
  /** Number of eigenportfolios used as factors, m (default min(15, N − 1)). */
  readonly factors?: number;
  /** Periods of the correlation estimate (default 252). */
  readonly correlationWindow?: number;
  /** Periods of the residual regression and OU fit (default 60). */
  readonly regressionWindow?: number;
  /** Exclusive end row: the cross-section is as of row end − 1 (default: all rows). */
  readonly end?: number;
  /** Open threshold |s| > entry (default 1.25). */
  readonly entry?: number;
  /** Close a short when s < exitShort (default 0.75). */
  readonly exitShort?: number;
  /** Close a long when s > −exitLong (default 0.50). */
  readonly exitLong?: number;
  /** Minimum κ per year for eligibility (default periodsPerYear/(regressionWindow/2)). */
  readonly minKappa?: number;
  /** Periods per year for κ (default 252). */
  readonly periodsPerYear?: number;
  /** Centre the OU means across eligible stocks (default true, the paper's modified s-score). */
  readonly centre?: boolean;
}

export interface AvellanedaLeeResult {
  /** s-score per stock (NaN when not eligible). */
  readonly sScore: Float64Array;
  /** OU speed κ per year per stock (NaN when b ∉ (0, 1)). */
  readonly kappa: Float64Array;
  /** OU mean m = a/(1 − b) of X, before centring. */
  readonly meanLevel: Float64Array;
  /** Equilibrium sd σ_eq of X. */
  readonly sigmaEq: Float64Array;
  /** Regression drift β_i0 per period. */
  readonly drift: Float64Array;
  /** Factor loadings β_ij, N × m row-major. */
  readonly loadings: MatrixRowMajor;
  /** R² of each stock's factor regression. */
  readonly rSquared: Float64Array;
  /** 1 if the stock passes 0 < b < 1 and κ > minKappa, else 0. */
  readonly eligible: Uint8Array;
  /** Opening signal: +1 open long (s < −entry), −1 open short (s > entry), 0 none. */
  readonly signal: Int8Array;
  /** 1 where an open long should close (s > −exitLong), else 0. */
  readonly closeLong: Uint8Array;
  /** 1 where an open short should close (s < exitShort), else 0. */
  readonly closeShort: Uint8Array;
  /** Eigenvalues of the correlation matrix used as factors (descending) and their share of N. */
  readonly factorEigenvalues: Float64Array;
  readonly explainedVariance: number;
  /** The centring term m̄ (0 when centre is false). */
  readonly meanOffset: number;
  readonly warnings: readonly string[];
}

/** Cross-section of Avellaneda–Lee s-scores; see the module comment. */
export function avellanedaLeeScores(returns: ReturnsInput, options: AvellanedaLeeOptions = {}): AvellanedaLeeResult {
  const fn = "avellanedaLeeScores";
  const o = requireOptions<AvellanedaLeeOptions>(fn, options);
  const panel = toReturnsMatrix(fn, "returns", returns);
  const { rows, cols: n } = panel;
  if (n < 2) rangeError(fn, `returns must have at least 2 stocks (columns), got ${n}`);
  const end = o.end === undefined ? rows : requireInteger(fn, "end", o.end, { min: 1, max: rows });
  const correlationWindow =
    o.correlationWindow === undefined ? 252 : requireInteger(fn, "correlationWindow", o.correlationWindow, { min: 3 });
  const regressionWindow = o.regressionWindow === undefined ? 60 : requireInteger(fn, "regressionWindow", o.regressionWindow, { min: 4 });
  const factors = o.factors === undefined ? Math.min(15, n - 1) : requireInteger(fn, "factors", o.factors, { min: 1, max: n - 1 });
  if (regressionWindow < factors + 4)
    rangeError(
      fn,
      `regressionWindow must be >= factors + 4 (${factors + 4}) so the regression has residual degrees of freedom, got ${regressionWindow}`,
    );
  const needed = Math.max(correlationWindow, regressionWindow);
  if (end < needed) rangeError(fn, `end must be >= max(correlationWindow, regressionWindow) = ${needed}, got ${end}`);
  const entry = o.entry === undefined ? 1.25 : requireFinite(fn, "entry", o.entry, { minExclusive: 0 });
  const exitShort = o.exitShort === undefined ? 0.75 : requireFinite(fn, "exitShort", o.exitShort);
  const exitLong = o.exitLong === undefined ? 0.5 : requireFinite(fn, "exitLong", o.exitLong);
  const periodsPerYear = o.periodsPerYear === undefined ? 252 : requireFinite(fn, "periodsPerYear", o.periodsPerYear, { minExclusive: 0 });
  const minKappa =
    o.minKappa === undefined ? periodsPerYear / (regressionWindow / 2) : requireFinite(fn, "minKappa", o.minKappa, { min: 0 });
  const centre = o.centre ?? true;
  if (typeof centre !== "boolean") typeError(fn, `centre must be a boolean, got ${describe(centre)}`);
  const warnings: string[] = [];

  // 1. Correlation of the standardised returns over the correlation window.
  const c0 = end - correlationWindow;
  const mean = new Float64Array(n);
  const sd = new Float64Array(n);
  for (let t = c0; t < end; t++) for (let i = 0; i < n; i++) mean[i] += panel.data[t * n + i];
  for (let i = 0; i < n; i++) mean[i] /= correlationWindow;
  const corr = new Float64Array(n * n);
  for (let t = c0; t < end; t++) {
    const o2 = t * n;
    for (let i = 0; i < n; i++) {
      const di = panel.data[o2 + i] - mean[i];
      for (let j = 0; j <= i; j++) corr[i * n + j] += di * (panel.data[o2 + j] - mean[j]);
    }
  }
  for (let i = 0; i < n; i++) {
    sd[i] = Math.sqrt(corr[i * n + i] / (correlationWindow - 1));
    if (!(sd[i] > 0)) rangeError(fn, `returns column ${i} is constant over the correlation window (rows ${c0}..${end - 1})`);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = corr[i * n + j] / (correlationWindow - 1) / (sd[i] * sd[j]);
      corr[i * n + j] = v;
      corr[j * n + i] = v;
    }
  }
  const eig = symmetricEigen({ rows: n, cols: n, data: corr });
  const factorEigenvalues = eig.values.slice(0, factors);
  let explained = 0;
  for (let j = 0; j < factors; j++) explained += factorEigenvalues[j];

  // 2. Factor returns over the regression window and each stock's residual regression.
  const r0 = end - regressionWindow;
  const p = factors + 1;
  const design = new Float64Array(regressionWindow * p);
  for (let t = 0; t < regressionWindow; t++) {
    const row = (r0 + t) * n;
    design[t * p] = 1;
    for (let j = 0; j < factors; j++) {
      let f = 0;
      for (let i = 0; i < n; i++) f += (eig.vectors.data[i * n + j] / sd[i]) * panel.data[row + i];
      design[t * p + 1 + j] = f;
    }
  }
  const x: MatrixRowMajor = { rows: regressionWindow, cols: p, data: design };
  const arDesign = new Float64Array((regressionWindow - 1) * 2);
  const sScore = new Float64Array(n).fill(Number.NaN);
  const kappa = new Float64Array(n).fill(Number.NaN);
  const meanLevel = new Float64Array(n).fill(Number.NaN);
  const sigmaEq = new Float64Array(n).fill(Number.NaN);
  const drift = new Float64Array(n);
  const loadings = new Float64Array(n * factors);
  const rSquared = new Float64Array(n);
  const eligible = new Uint8Array(n);
  const lastX = new Float64Array(n);
  const y = new Float64Array(regressionWindow);
  const path = new Float64Array(regressionWindow);
  for (let i = 0; i < n; i++) {
    let yMean = 0;
    for (let t = 0; t < regressionWindow; t++) {
      y[t] = panel.data[(r0 + t) * n + i];
      yMean += y[t];
    }
    yMean /= regressionWindow;
    const fit = qrLeastSquaresKernel(x, y);
    drift[i] = fit.coefficients[0];
    for (let j = 0; j < factors; j++) loadings[i * factors + j] = fit.coefficients[1 + j];
    let tss = 0;
    for (let t = 0; t < regressionWindow; t++) tss += (y[t] - yMean) ** 2;
    rSquared[i] = tss > 0 ? 1 - fit.ssr / tss : Number.NaN;
    // 3. X_t = cumulative residuals; AR(1) of X_{t+1} on [1, X_t].
    let cumulative = 0;
    for (let t = 0; t < regressionWindow; t++) {
      cumulative += fit.residuals[t];
      path[t] = cumulative;
    }
    lastX[i] = path[regressionWindow - 1];
    for (let t = 0; t < regressionWindow - 1; t++) {
      arDesign[2 * t] = 1;
      arDesign[2 * t + 1] = path[t];
    }
    const ar = qrLeastSquaresKernel({ rows: regressionWindow - 1, cols: 2, data: arDesign }, path.subarray(1));
    const a = ar.coefficients[0];
    const b = ar.coefficients[1];
    if (!(b > 0 && b < 1)) continue;
    const zetaVariance = ar.ssr / (regressionWindow - 1 - 2);
    kappa[i] = -Math.log(b) * periodsPerYear;
    meanLevel[i] = a / (1 - b);
    sigmaEq[i] = Math.sqrt(zetaVariance / (1 - b * b));
    if (kappa[i] > minKappa && sigmaEq[i] > 0) eligible[i] = 1;
  }

  // 4. s-scores, centred over the eligible stocks, and the signals.
  let eligibleCount = 0;
  let meanOffset = 0;
  for (let i = 0; i < n; i++) {
    if (eligible[i]) {
      eligibleCount++;
      meanOffset += meanLevel[i];
    }
  }
  meanOffset = centre && eligibleCount > 0 ? meanOffset / eligibleCount : 0;
  if (eligibleCount === 0) warnings.push(`${fn}: no stock has 0 < b < 1 and κ > ${minKappa} per year; no s-scores`);
  const signal = new Int8Array(n);
  const closeLong = new Uint8Array(n);
  const closeShort = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!eligible[i]) continue;
    const s = (lastX[i] - (meanLevel[i] - meanOffset)) / sigmaEq[i];
    sScore[i] = s;
    signal[i] = s < -entry ? 1 : s > entry ? -1 : 0;
    closeLong[i] = s > -exitLong ? 1 : 0;
    closeShort[i] = s < exitShort ? 1 : 0;
  }
  return {
    sScore,
    kappa,
    meanLevel,
    sigmaEq,
    drift,
    loadings: { rows: n, cols: factors, data: loadings },
    rSquared,
    eligible,
    signal,
    closeLong,
    closeShort,
    factorEigenvalues,
    explainedVariance: explained / n,
    meanOffset,
    warnings,
  };
}
