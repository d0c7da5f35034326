import { choleskyDecomposeInPlace } from "../linalg/choleskyDecompose.js";
import { qrLeastSquaresKernel } from "../linalg/qrLeastSquares.js";
import { rangeError, requireInteger, requireNonConstant, requireOneOf, requireOptions, toFloat64 } from "../util/validate.js";
import { type CriticalValues, mackinnoncritKernel, mackinnonpKernel } from "./mackinnon.js";
import { divideByScale, powerOfTwoScale } from "../util/powerOfTwoScale.js";
import { float64Prefix, growFloat64 } from "../util/growFloat64.js";

/** Schwert (1989) default: maxlag = ⌈MAXLAG_COEFFICIENT·(n/100)^{1/4}⌉. */
const MAXLAG_COEFFICIENT = 12;
/** statsmodels' "t-stat" stopping rule: first lag (from the top) with |t| ≥ Φ⁻¹(0.95). */
const T_STAT_STOP = 1.6448536269514722;
/**
 * Fast lag search guard: a pivot of the equilibrated Cholesky factor with L_jj² < this (i.e. column
 * j explained with R² > 1 − 1e-8 by the earlier ones) sends the search to the QR path instead.
 */
const MIN_SCALED_PIVOT = 1e-8;

/** Absolute minimum length; the real limit depends on regression and lags (checked in the kernel). */
const MIN_LENGTH = 4;

export type AdfRegression = "n" | "c" | "ct";
export type AdfAutolag = "aic" | "bic" | "t-stat" | null;

export interface AdfullerOptions {
  /** Largest lag of Δx considered. Default ⌈12·(n/100)^{1/4}⌉ clamped to ⌊n/2⌋ − trend terms − 1. */
  maxlag?: number;
  /** Deterministic terms: "n" none, "c" constant (default), "ct" constant and linear trend. */
  regression?: AdfRegression;
  /** Lag selection: "aic" (default), "bic", "t-stat", or null to use maxlag as given. */
  autolag?: AdfAutolag;
}

/** Augmented Dickey–Fuller test result (fixed shape). */
export interface AdfullerResult {
  /** τ = t-value of γ̂ on the lagged level in the final regression. */
  readonly statistic: number;
  /** MacKinnon (1994) approximate p-value (N = 1). */
  readonly pValue: number;
  /** Number of lagged differences in the final regression. */
  readonly usedLag: number;
  /** Observations in the final regression: n − 1 − usedLag. */
  readonly nobs: number;
  /** MacKinnon (2010) critical values for N = 1 at this nobs. */
  readonly criticalValues: CriticalValues;
  /**
   * Best information criterion of the lag search (AIC or BIC value; for "t-stat" the |t| of the last
   * lag at the stopping point), as statsmodels' `icbest`. null when autolag is null (no search).
   */
  readonly icBest: number | null;
  /** The maxlag actually searched (after the default and clamp). */
  readonly maxlag: number;
  /** Degenerate-but-legal conditions met while computing the test. */
  readonly warnings: string[];
}

/**
 * Scratch arrays of {@link adfullerKernel}, grown on demand (growFloat64) and reused by every call
 * that is handed the same workspace, so that a scan testing thousands of spreads allocates them
 * once instead of per test. Owned by one caller at a time (not shared between concurrent scans);
 * the contents are meaningless between calls. Create with {@link createAdfullerWorkspace}.
 */
export interface AdfullerWorkspace {
  /** Δx_t, n − 1 entries. */
  differences: Float64Array;
  /** Δx_t minus its window mean (the centred lag block when trend terms are present). */
  centredDifferences: Float64Array;
  /** The K × K cross-product matrix, factored in place into its Cholesky factor. */
  gram: Float64Array;
  /** Equilibration factors 1/√G_ii, K entries. */
  scales: Float64Array;
  /** Direct lag products D(0, h), h = 0..p. */
  lagProducts: Float64Array;
  /** Window sums W(j), j = 0..p. */
  windowSums: Float64Array;
  /** Per-lag SSR and last-column t-value of the lag search, maxlag + 1 entries each. */
  ssr: Float64Array;
  lastT: Float64Array;
}

/** An empty {@link AdfullerWorkspace}; its arrays grow to the sizes the first call needs. */
export function createAdfullerWorkspace(): AdfullerWorkspace {
  const empty = () => new Float64Array(0);
  return {
    differences: empty(),
    centredDifferences: empty(),
    gram: empty(),
    scales: empty(),
    lagProducts: empty(),
    windowSums: empty(),
    ssr: empty(),
    lastT: empty(),
  };
}

/**
 * Augmented Dickey–Fuller unit-root test, reproducing statsmodels 0.13.5 `adfuller` exactly.
 * Regresses Δx_t = α + β·t + γ·x_{t−1} + Σ_{i=1..p} δ_i·Δx_{t−i} + ε_t and reports τ = γ̂ / se(γ̂).
 * H0: unit root (γ = 0); a small p-value rejects it (the series looks stationary).
 * Lag selection (autolag): every p = 0..maxlag is fitted on the COMMON sample of n − 1 − maxlag
 * observations; "aic"/"bic" take the minimum (ties to the smaller p), "t-stat" walks down from maxlag
 * to the first p whose last lag has |t| ≥ 1.6448536269514722. The chosen p is then refitted on its
 * own full sample of n − 1 − p observations, which gives statistic, nobs and critical values.
 * Default maxlag = ⌈12·(n/100)^{1/4}⌉ (Schwert 1989) clamped to ⌊n/2⌋ − k − 1 (k = 0, 1, 2 trend terms).
 * Algorithm: the lag search factors the augmented cross-product matrix [X | y]ᵀ[X | y] of the largest
 * model once (Cholesky, equilibrated, columns centred when a constant is present); since the
 * candidate models are nested prefixes of the column order [trend, x_{t−1}, Δx_{t−1..t−p}], each
 * SSR_p and last-column t-value is read from the trailing part of the factor. The lagged-difference
 * block is built near-Toeplitz (one pass per lag distance, O(1) window corrections). If a pivot shows
 * near-collinearity the search falls back to one Householder-QR fit per lag. The final refit factors
 * the cross-products of its own sample with the level as the last regressor (τ = L_y,level/σ̂), and
 * falls back to Householder QR on the explicit design when that factor is ill-conditioned.
 * p-values: MacKinnon (1994) response surface; critical values: MacKinnon (2010), N = 1.
 * Degenerate input: a constant series throws; an exactly linear series (singular test regression) throws.
 * @see [1] Said, S.E. & Dickey, D.A. (1984) Biometrika 71(3), 599–607.
 * @see [2] MacKinnon (1994) JBES 12(2); MacKinnon (2010) QED WP 1227.
 * @see [3] Schwert, G.W. (1989) JBES 7(2), 147–159.
 * @throws RangeError if x has non-finite values, is constant, is too short for the regression, or maxlag > ⌊n/2⌋ − k − 1
 * @example adfuller(logRealgdp, { regression: "c", autolag: "aic" }) // statistic ≈ -1.795350765689291, pValue ≈ 0.3828, usedLag 2, nobs 200 (statsmodels adfuller on log macrodata realgdp; fixtures/adfuller.json)
 */
export function adfuller(x: ArrayLike<number>, options?: AdfullerOptions): AdfullerResult {
  const fn = "adfuller";
  const opts = requireOptions<AdfullerOptions>(fn, options);
  const regression = requireOneOf(fn, "regression", opts.regression ?? "c", ["n", "c", "ct"] as const);
  const autolag = requireOneOf(fn, "autolag", opts.autolag === undefined ? "aic" : opts.autolag, ["aic", "bic", "t-stat", null] as const);
  const xs = toFloat64(x, "x", fn, { minLength: MIN_LENGTH });
  requireNonConstant(fn, "x", xs);
  const maxlag = opts.maxlag === undefined ? undefined : requireInteger(fn, "maxlag", opts.maxlag, { min: 0 });
  return adfullerKernel(xs, { maxlag, regression, autolag, fn, name: "x" });
}

/**
 * Internal: ADF on a validated, non-constant Float64Array. `fn`/`name` phrase errors for the caller
 * (coint). `workspace` (default: a fresh one) holds the scratch arrays; the result never refers to it.
 */
export function adfullerKernel(
  x: Float64Array,
  args: {
    maxlag: number | undefined;
    regression: AdfRegression;
    autolag: AdfAutolag;
    fn: string;
    name: string;
    workspace?: AdfullerWorkspace;
  },
): AdfullerResult {
  const { regression, autolag, fn, name } = args;
  const workspace = args.workspace ?? createAdfullerWorkspace();
  // τ is scale invariant: divide by a power of two (exact) when max |x| is so large or small that
  // the sums of squares would overflow or underflow (×1e298 gave τ = −Infinity, p 0).
  const scale = powerOfTwoScale(x);
  x = divideByScale(x, scale);
  const n = x.length;
  const ntrend = regression === "n" ? 0 : regression.length;
  const limit = Math.floor(n / 2) - ntrend - 1;
  let maxlag: number;
  if (args.maxlag === undefined) {
    maxlag = Math.ceil(MAXLAG_COEFFICIENT * Math.pow(n / 100, 1 / 4));
    maxlag = Math.min(limit, maxlag); // −1 for the difference (statsmodels)
    if (maxlag < 0) rangeError(fn, `${name} must have at least ${2 * (ntrend + 1)} observations for regression "${regression}", got ${n}`);
  } else {
    maxlag = args.maxlag;
    if (maxlag > limit) {
      rangeError(fn, `maxlag must be <= ${limit} (nobs/2 - 1 - trend terms, nobs = ${n}, ${ntrend} trend terms), got ${maxlag}`);
    }
  }
  workspace.differences = growFloat64(workspace.differences, n - 1);
  const d = float64Prefix(workspace.differences, n - 1);
  for (let t = 1; t < n; t++) d[t - 1] = x[t] - x[t - 1];
  const warnings: string[] = [];
  let usedLag = maxlag;
  let icBest: number | null = null;
  if (autolag !== null) {
    const search = searchLagGram(x, d, maxlag, ntrend, autolag, workspace) ?? searchLagQr(x, d, maxlag, ntrend, autolag, fn, name);
    usedLag = search.bestLag;
    // AIC/BIC contain m·ln(SSR/m); SSR scales by s², so undo the scaling: + 2·m·ln s (m = the common search sample).
    icBest = autolag === "t-stat" || scale === 1 ? search.icBest : search.icBest + 2 * (n - 1 - maxlag) * Math.log(scale);
  }
  // Refit with the chosen lag on its full sample of n − 1 − usedLag observations.
  const nobs = n - 1 - usedLag;
  const k = ntrend + 1 + usedLag;
  if (nobs <= k) {
    // The test regression has nobs = n − 1 − usedLag rows and k coefficients; it needs nobs > k.
    rangeError(
      fn,
      `${name} must have more than ${k + usedLag + 1} observations for ${usedLag} lags and regression "${regression}" (the test regression needs more rows than its ${k} coefficients), got ${n}`,
    );
  }
  let statistic = refitGram(x, d, usedLag, ntrend, workspace);
  if (statistic === null) {
    // Careful path: Householder QR on the explicit design [x_{t−1}, Δx lags, trend].
    const design = buildDesign(x, d, usedLag, usedLag, nobs, ntrend, false);
    const fit = qrLeastSquaresKernel(design, d.subarray(usedLag, usedLag + nobs));
    if (fit.rank < k) {
      rangeError(fn, `${name} must not be degenerate (e.g. an exact linear trend): the test regression with ${usedLag} lags is singular`);
    }
    statistic = fit.coefficients[0] / Math.sqrt((fit.ssr / (nobs - k)) * fit.xtxInverse.data[0]);
    if (fit.ssr === 0) warnings.push(`${fn}: the test regression fits exactly (SSR = 0); the statistic is not finite`);
  }
  return {
    statistic,
    pValue: mackinnonpKernel(statistic, regression, 1),
    usedLag,
    nobs,
    criticalValues: mackinnoncritKernel(1, regression, nobs),
    icBest,
    maxlag,
    warnings,
  };
}

interface LagSearch {
  bestLag: number;
  icBest: number;
}

/**
 * Internal: design matrix over rows r = 0..m−1 of the sample starting at Δx index `start`:
 * level x[start + r], lagged differences d[start + r − j] (j = 1..lags), trend terms.
 * `trendFirst` puts [1, t] first (statsmodels' search order), otherwise last (its refit order).
 */
function buildDesign(x: Float64Array, d: Float64Array, start: number, lags: number, m: number, ntrend: number, trendFirst: boolean) {
  const k = ntrend + 1 + lags;
  const data = new Float64Array(m * k);
  const off = trendFirst ? ntrend : 0;
  const trendOff = trendFirst ? 0 : 1 + lags;
  for (let r = 0; r < m; r++) {
    const row = r * k;
    data[row + off] = x[start + r];
    for (let j = 1; j <= lags; j++) data[row + off + j] = d[start + r - j];
    if (ntrend >= 1) data[row + trendOff] = 1;
    if (ntrend >= 2) data[row + trendOff + 1] = r + 1;
  }
  return { rows: m, cols: k, data };
}

/** Column of Δx_{t−j} (j ≥ 1) or of y = Δx_t (j = 0) in factorGram's matrix (a module function: no closure per call). */
function lagColumn(j: number, yc: number, lagBase: number): number {
  return j === 0 ? yc : lagBase + j;
}

/** g[i, j] = g[j, i] = value in a K × K row-major matrix (a module function: no closure per call). */
function setSymmetric(g: Float64Array, K: number, i: number, j: number, value: number): void {
  g[i * K + j] = value;
  g[j * K + i] = value;
}

/** Information criterion of a fitted model with `k` coefficients (statsmodels OLSResults.aic/bic). */
function informationCriterion(ssr: number, m: number, k: number, method: "aic" | "bic"): number {
  const llf = -(m / 2) * Math.log(2 * Math.PI) - (m / 2) * Math.log(ssr / m) - m / 2;
  return method === "aic" ? -2 * llf + 2 * k : -2 * llf + Math.log(m) * k;
}

/** Apply statsmodels' selection rule to per-lag SSR and last-column t-values (index = number of lags, 0..maxlag). */
function selectLag(
  ssr: Float64Array,
  lastT: Float64Array,
  maxlag: number,
  m: number,
  ntrend: number,
  method: "aic" | "bic" | "t-stat",
): LagSearch {
  if (method === "t-stat") {
    let bestLag = maxlag;
    let icBest = 0;
    for (let p = maxlag; p >= 0; p--) {
      icBest = Math.abs(lastT[p]);
      bestLag = p;
      if (icBest >= T_STAT_STOP) break;
    }
    return { bestLag, icBest };
  }
  let bestLag = 0;
  let icBest = Infinity;
  for (let p = 0; p <= maxlag; p++) {
    const ic = informationCriterion(ssr[p], m, ntrend + 1 + p, method);
    if (ic < icBest || p === 0) {
      icBest = ic;
      bestLag = p;
    }
  }
  return { bestLag, icBest };
}

/** Equilibrated Cholesky factor of an augmented cross-product matrix, or null if ill-conditioned. */
interface GramFactor {
  /** K × K lower factor of the unit-diagonal (equilibrated) matrix, lower triangle only (workspace.gram); the last column is y. */
  readonly L: Float64Array;
  readonly K: number;
  /** Σ y² (of the possibly centred y) over the sample: scaled SSRs are multiplied by this. */
  readonly gyy: number;
}

/**
 * Internal: cross-product matrix [X | y]ᵀ[X | y] over the sample rows r = 0..m−1 that start at Δx
 * index s, with X = [trend terms, level, Δx_{t−1..t−p}] (levelLast = false) or
 * [trend terms, Δx_{t−1..t−p}, level] (levelLast = true), y = Δx_t. Requires s ≥ p.
 * With trend terms present, the level and Δx columns are centred (by constants: this changes
 * neither the SSR nor any non-constant coefficient, because the constant is in every model) and the
 * trend is centred, which removes the near-collinearity of the level with the constant.
 * The Δx block is near-Toeplitz: D(a, a+h) = Σ_r dc[s+r−a]·dc[s+r−a−h] is summed directly for a = 0
 * and then shifted, D(a, a+h) = D(a−1, a−1+h) + dc[s−a]·dc[s−a−h] − dc[s+m−a]·dc[s+m−a−h]; the
 * level/Δx cross-products follow from D by a similar O(1) recursion (see below).
 * Then the matrix is scaled to unit diagonal and factored; null when a pivot L_jj² < MIN_SCALED_PIVOT
 * (a column with R² > 1 − 1e-8 on the earlier ones) or the factorisation fails.
 * Scratch (centred Δx, the matrix factored in place, lag and window sums, scales) lives in `workspace`.
 */
function factorGram(
  x: Float64Array,
  d: Float64Array,
  s: number,
  m: number,
  p: number,
  ntrend: number,
  levelLast: boolean,
  workspace: AdfullerWorkspace,
): GramFactor | null {
  const K = ntrend + 1 + p + 1;
  const yc = K - 1;
  const lv = levelLast ? ntrend + p : ntrend;
  const lagBase = levelLast ? ntrend - 1 : ntrend; // column of Δx_{t−j} is lagBase + j (j ≥ 1)
  const centre = ntrend > 0;
  let dMean = 0;
  let xMean = 0;
  if (centre) {
    for (let u = s - p; u < s + m; u++) dMean += d[u];
    dMean /= m + p;
    for (let r = 0; r < m; r++) xMean += x[s + r];
    xMean /= m;
  }
  if (centre) workspace.centredDifferences = growFloat64(workspace.centredDifferences, d.length);
  const dc = centre ? workspace.centredDifferences : d;
  if (centre) for (let u = 0; u < d.length; u++) dc[u] = d[u] - dMean;
  // x[s + r] − xMean is the centred level column (r = 0..m−1)
  workspace.gram = growFloat64(workspace.gram, K * K);
  const g = workspace.gram; // every entry of the K × K matrix is set below
  // Direct sums D(0, h) = Σ_r dc[s+r]·dc[s+r−h], four lag distances per pass (fewer loads, more ILP).
  workspace.lagProducts = growFloat64(workspace.lagProducts, p + 1);
  const d0 = workspace.lagProducts;
  for (let h = 0; h <= p; h += 4) {
    const h1 = Math.min(h + 1, p);
    const h2 = Math.min(h + 2, p);
    const h3 = Math.min(h + 3, p);
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    for (let u = s; u < s + m; u++) {
      const cur = dc[u];
      a0 += cur * dc[u - h];
      a1 += cur * dc[u - h1];
      a2 += cur * dc[u - h2];
      a3 += cur * dc[u - h3];
    }
    d0[h] = a0;
    if (h + 1 <= p) d0[h + 1] = a1;
    if (h + 2 <= p) d0[h + 2] = a2;
    if (h + 3 <= p) d0[h + 3] = a3;
  }
  // Window sums W(j) = Σ_r dc[s+r−j] (needed for the constant column and the level recursion).
  workspace.windowSums = growFloat64(workspace.windowSums, p + 1);
  const windowSum = workspace.windowSums;
  {
    let w = 0;
    for (let r = 0; r < m; r++) w += dc[s + r];
    windowSum[0] = w;
    for (let j = 1; j <= p; j++) {
      w += dc[s - j] - dc[s + m - j];
      windowSum[j] = w;
    }
  }
  for (let h = 0; h <= p; h++) {
    let sum = d0[h];
    setSymmetric(g, K, lagColumn(0, yc, lagBase), lagColumn(h, yc, lagBase), sum);
    for (let a = 1; a + h <= p; a++) {
      sum += dc[s - a] * dc[s - a - h] - dc[s + m - a] * dc[s + m - a - h];
      setSymmetric(g, K, lagColumn(a, yc, lagBase), lagColumn(a + h, yc, lagBase), sum);
    }
  }
  // Level·Δx_{t−h}: B(h) = Σ_r xc[s+r]·dc[s+r−h]. Since xc[t] = xc[t−1] + dc[t−1] + mean(Δx),
  // B(h) = B(h−1) + xc[s−1]·dc[s−h] − xc[s+m−1]·dc[s+m−h] + D(1, h) + mean(Δx)·W(h):
  // one direct sum for h = 0, then O(1) per lag.
  {
    let b = 0;
    for (let r = 0; r < m; r++) b += (x[s + r] - xMean) * dc[s + r];
    setSymmetric(g, K, lv, lagColumn(0, yc, lagBase), b);
    for (let h = 1; h <= p; h++) {
      b +=
        (x[s - 1] - xMean) * dc[s - h] -
        (x[s + m - 1] - xMean) * dc[s + m - h] +
        g[lagColumn(1, yc, lagBase) * K + lagColumn(h, yc, lagBase)] +
        dMean * windowSum[h];
      setSymmetric(g, K, lv, lagColumn(h, yc, lagBase), b);
    }
  }
  let ll = 0;
  for (let r = 0; r < m; r++) ll += (x[s + r] - xMean) ** 2;
  setSymmetric(g, K, lv, lv, ll);
  if (ntrend >= 1) {
    // Constant column against Δx columns: the window sums W(j).
    setSymmetric(g, K, 0, 0, m);
    for (let j = 0; j <= p; j++) setSymmetric(g, K, 0, lagColumn(j, yc, lagBase), windowSum[j]);
    let sl = 0;
    for (let r = 0; r < m; r++) sl += x[s + r] - xMean;
    setSymmetric(g, K, 0, lv, sl);
  }
  if (ntrend >= 2) {
    // Centred trend column τ_r = r + 1 − (m + 1)/2.
    const mid = (m + 1) / 2;
    let tt = 0;
    let tl = 0;
    let tc = 0;
    for (let r = 0; r < m; r++) {
      const tau = r + 1 - mid;
      tt += tau * tau;
      tc += tau;
      tl += tau * (x[s + r] - xMean);
    }
    setSymmetric(g, K, 1, 1, tt);
    setSymmetric(g, K, 0, 1, tc);
    setSymmetric(g, K, 1, lv, tl);
    for (let j = 0; j <= p; j++) {
      let sum = 0;
      const base = s - j;
      for (let r = 0; r < m; r++) sum += (r + 1 - mid) * dc[base + r];
      setSymmetric(g, K, 1, lagColumn(j, yc, lagBase), sum);
    }
  }
  // Equilibrate to unit diagonal, then factor.
  workspace.scales = growFloat64(workspace.scales, K);
  const scale = workspace.scales;
  for (let i = 0; i < K; i++) {
    const gii = g[i * K + i];
    if (!(gii > 0)) return null;
    scale[i] = 1 / Math.sqrt(gii);
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) g[i * K + j] *= scale[i] * scale[j];
  if (!choleskyDecomposeInPlace(g, K)) return null;
  const L = g;
  for (let j = 0; j < K - 1; j++) if (L[j * K + j] ** 2 < MIN_SCALED_PIVOT) return null;
  return { L, K, gyy: 1 / (scale[yc] * scale[yc]) };
}

/**
 * Fast lag search from one factor of the common-sample cross-product matrix with column order
 * [trend, x_{t−1}, Δx_{t−1..t−maxlag}, Δx_t]: the candidate models are its nested prefixes.
 * Returns null when the factor is ill-conditioned (then the QR search is used).
 */
function searchLagGram(
  x: Float64Array,
  d: Float64Array,
  maxlag: number,
  ntrend: number,
  method: "aic" | "bic" | "t-stat",
  workspace: AdfullerWorkspace,
): LagSearch | null {
  const m = d.length - maxlag;
  const f = factorGram(x, d, maxlag, m, maxlag, ntrend, false, workspace);
  if (f === null) return null;
  const { L, K, gyy } = f;
  const yc = K - 1;
  workspace.ssr = growFloat64(workspace.ssr, maxlag + 1);
  workspace.lastT = growFloat64(workspace.lastT, maxlag + 1);
  const ssr = workspace.ssr;
  const lastT = workspace.lastT;
  // tail = Σ_{j ≥ c} L_yj² is the scaled SSR of the model with columns 0..c−1; walking c down adds
  // one squared entry per step. The last column's t-value is L_y,c−1 / σ̂ (Lᵀβ = L_y gives
  // β_{c−1} = L_y,c−1 / L_c−1,c−1 and se = σ̂ / L_c−1,c−1).
  let tail = L[yc * K + yc] ** 2;
  for (let c = K - 1; c >= ntrend + 1; c--) {
    const lags = c - ntrend - 1;
    const lyLast = L[yc * K + (c - 1)];
    ssr[lags] = tail * gyy;
    lastT[lags] = lyLast / Math.sqrt(tail / (m - c));
    tail += lyLast * lyLast;
  }
  return selectLag(ssr, lastT, maxlag, m, ntrend, method);
}

/**
 * Fast final fit: factor the cross-products of [trend, Δx lags, x_{t−1}, Δx_t] over the lag's own
 * sample; τ = L_y,level / σ̂ because the level is the last regressor. null when ill-conditioned or
 * the fit is exact (then the QR refit is used).
 */
function refitGram(x: Float64Array, d: Float64Array, lags: number, ntrend: number, workspace: AdfullerWorkspace): number | null {
  const m = d.length - lags;
  const f = factorGram(x, d, lags, m, lags, ntrend, true, workspace);
  if (f === null) return null;
  const { L, K } = f;
  const yc = K - 1;
  const ssrScaled = L[yc * K + yc] ** 2;
  if (!(ssrScaled > 0)) return null;
  return L[yc * K + yc - 1] / Math.sqrt(ssrScaled / (m - (K - 1)));
}

/** Careful lag search: one Householder-QR fit per candidate lag on the common sample. */
function searchLagQr(
  x: Float64Array,
  d: Float64Array,
  maxlag: number,
  ntrend: number,
  method: "aic" | "bic" | "t-stat",
  fn: string,
  name: string,
): LagSearch {
  const m = d.length - maxlag;
  const y = d.subarray(maxlag, maxlag + m);
  const full = buildDesign(x, d, maxlag, maxlag, m, ntrend, true);
  const K = full.cols;
  const ssr = new Float64Array(maxlag + 1);
  const lastT = new Float64Array(maxlag + 1);
  for (let p = 0; p <= maxlag; p++) {
    const k = ntrend + 1 + p;
    const data = new Float64Array(m * k);
    for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) data[r * k + j] = full.data[r * K + j];
    const fit = qrLeastSquaresKernel({ rows: m, cols: k, data }, y);
    if (fit.rank < k)
      rangeError(fn, `${name} must not be degenerate (e.g. an exact linear trend): the lag-search regression with ${p} lags is singular`);
    ssr[p] = fit.ssr;
    const se = Math.sqrt((fit.ssr / (m - k)) * fit.xtxInverse.data[(k - 1) * k + k - 1]);
    lastT[p] = fit.coefficients[k - 1] / se;
  }
  return selectLag(ssr, lastT, maxlag, m, ntrend, method);
}
