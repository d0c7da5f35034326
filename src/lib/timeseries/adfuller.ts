import { choleskyDecomposeUnchecked } from "../linalg/choleskyDecompose.js";
import { qrLeastSquaresKernel } from "../linalg/qrLeastSquares.js";
import { rangeError, requireInteger, requireNonConstant, requireOneOf, requireOptions, toFloat64 } from "../util/validate.js";
import { type CriticalValues, mackinnoncritKernel, mackinnonpKernel } from "./mackinnon.js";
import { divideByScale, powerOfTwoScale } from "../util/powerOfTwoScale.js";

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

/** Internal: ADF on a validated, non-constant Float64Array. `fn`/`name` phrase errors for the caller (coint). */
export function adfullerKernel(
  x: Float64Array,
  args: { maxlag: number | undefined; regression: AdfRegression; autolag: AdfAutolag; fn: string; name: string },
): AdfullerResult {
  const { regression, autolag, fn, name } = args;
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
  const d = new Float64Array(n - 1);
  for (let t = 1; t < n; t++) d[t - 1] = x[t] - x[t - 1];
  const warnings: string[] = [];
  let usedLag = maxlag;
  let icBest: number | null = null;
  if (autolag !== null) {
    const search = searchLagGram(x, d, maxlag, ntrend, autolag) ?? searchLagQr(x, d, maxlag, ntrend, autolag, fn, name);
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
  let statistic = refitGram(x, d, usedLag, ntrend);
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

/** Information criterion of a fitted model with `k` coefficients (statsmodels OLSResults.aic/bic). */
function informationCriterion(ssr: number, m: number, k: number, method: "aic" | "bic"): number {
  const llf = -(m / 2) * Math.log(2 * Math.PI) - (m / 2) * Math.log(ssr / m) - m / 2;
  return method === "aic" ? -2 * llf + 2 * k : -2 * llf + Math.log(m) * k;
}

/** Apply statsmodels' selection rule to per-lag SSR and last-column t-values (index = number of lags). */
function selectLag(ssr: Float64Array, lastT: Float64Array, m: number, ntrend: number, method: "aic" | "bic" | "t-stat"): LagSearch {
  const maxlag = ssr.length - 1;
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
  /** K × K lower factor of the unit-diagonal (equilibrated) matrix; the last column is y. */
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
 */
function factorGram(
  x: Float64Array,
  d: Float64Array,
  s: number,
  m: number,
  p: number,
  ntrend: number,
  levelLast: boolean,
): GramFactor | null {
  const K = ntrend + 1 + p + 1;
  const yc = K - 1;
  const lv = levelLast ? ntrend + p : ntrend;
  const lagBase = levelLast ? ntrend - 1 : ntrend; // column of Δx_{t−j} is lagBase + j (j ≥ 1)
  const lagCol = (j: number) => (j === 0 ? yc : lagBase + j);
  const centre = ntrend > 0;
  let dMean = 0;
  let xMean = 0;
  if (centre) {
    for (let u = s - p; u < s + m; u++) dMean += d[u];
    dMean /= m + p;
    for (let r = 0; r < m; r++) xMean += x[s + r];
    xMean /= m;
  }
  const dc = centre ? new Float64Array(d.length) : d;
  if (centre) for (let u = 0; u < d.length; u++) dc[u] = d[u] - dMean;
  const level = x.subarray(s, s + m); // level[r] − xMean is the centred level column
  const g = new Float64Array(K * K);
  const set = (i: number, j: number, v: number) => {
    g[i * K + j] = v;
    g[j * K + i] = v;
  };
  // Direct sums D(0, h) = Σ_r dc[s+r]·dc[s+r−h], four lag distances per pass (fewer loads, more ILP).
  const d0 = new Float64Array(p + 1);
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
  const windowSum = new Float64Array(p + 1);
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
    set(lagCol(0), lagCol(h), sum);
    for (let a = 1; a + h <= p; a++) {
      sum += dc[s - a] * dc[s - a - h] - dc[s + m - a] * dc[s + m - a - h];
      set(lagCol(a), lagCol(a + h), sum);
    }
  }
  // Level·Δx_{t−h}: B(h) = Σ_r xc[s+r]·dc[s+r−h]. Since xc[t] = xc[t−1] + dc[t−1] + mean(Δx),
  // B(h) = B(h−1) + xc[s−1]·dc[s−h] − xc[s+m−1]·dc[s+m−h] + D(1, h) + mean(Δx)·W(h):
  // one direct sum for h = 0, then O(1) per lag.
  {
    let b = 0;
    for (let r = 0; r < m; r++) b += (level[r] - xMean) * dc[s + r];
    set(lv, lagCol(0), b);
    for (let h = 1; h <= p; h++) {
      b += (x[s - 1] - xMean) * dc[s - h] - (x[s + m - 1] - xMean) * dc[s + m - h] + g[lagCol(1) * K + lagCol(h)] + dMean * windowSum[h];
      set(lv, lagCol(h), b);
    }
  }
  let ll = 0;
  for (let r = 0; r < m; r++) ll += (level[r] - xMean) ** 2;
  set(lv, lv, ll);
  if (ntrend >= 1) {
    // Constant column against Δx columns: the window sums W(j).
    set(0, 0, m);
    for (let j = 0; j <= p; j++) set(0, lagCol(j), windowSum[j]);
    let sl = 0;
    for (let r = 0; r < m; r++) sl += level[r] - xMean;
    set(0, lv, sl);
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
      tl += tau * (level[r] - xMean);
    }
    set(1, 1, tt);
    set(0, 1, tc);
    set(1, lv, tl);
    for (let j = 0; j <= p; j++) {
      let sum = 0;
      const base = s - j;
      for (let r = 0; r < m; r++) sum += (r + 1 - mid) * dc[base + r];
      set(1, lagCol(j), sum);
    }
  }
  // Equilibrate to unit diagonal, then factor.
  const scale = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    const gii = g[i * K + i];
    if (!(gii > 0)) return null;
    scale[i] = 1 / Math.sqrt(gii);
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) g[i * K + j] *= scale[i] * scale[j];
  const chol = choleskyDecomposeUnchecked({ rows: K, cols: K, data: g });
  if (chol === null) return null;
  const L = chol.data;
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
): LagSearch | null {
  const m = d.length - maxlag;
  const f = factorGram(x, d, maxlag, m, maxlag, ntrend, false);
  if (f === null) return null;
  const { L, K, gyy } = f;
  const yc = K - 1;
  const ssr = new Float64Array(maxlag + 1);
  const lastT = new Float64Array(maxlag + 1);
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
  return selectLag(ssr, lastT, m, ntrend, method);
}

/**
 * Fast final fit: factor the cross-products of [trend, Δx lags, x_{t−1}, Δx_t] over the lag's own
 * sample; τ = L_y,level / σ̂ because the level is the last regressor. null when ill-conditioned or
 * the fit is exact (then the QR refit is used).
 */
function refitGram(x: Float64Array, d: Float64Array, lags: number, ntrend: number): number | null {
  const m = d.length - lags;
  const f = factorGram(x, d, lags, m, lags, ntrend, true);
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
  return selectLag(ssr, lastT, m, ntrend, method);
}
