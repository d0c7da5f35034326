import { findRootBrent } from "../util/findRootBrent.js";
import { divideByScale, powerOfTwoScale } from "../util/powerOfTwoScale.js";
import { normalSource, randomSource } from "../util/random.js";
import { rangeError, requireInteger, requireNonConstant, requireOneOf, requireOptions, toFloat64 } from "../util/validate.js";
import { simulateFgnFromNormals, simulateFgnNormalCount } from "./simulateFbm.js";

/** Hurst estimators offered by `hurst`. */
export type HurstMethod = "variance" | "rs" | "dfa";
/** Finite-sample bias correction of the "rs" estimate: indirect inference on exact fGn (default) or none (plain R/S-AL). */
export type HurstBiasCorrection = "indirect" | "none";

/** At most this many lags/window sizes: every integer when the range is small, else a log-spaced grid. */
const MAX_GRID_POINTS = 24;
/** Default smallest lag τ for "variance". */
const VARIANCE_MIN_LAG = 1;
/** Default largest lag τ for "variance": 20, the server's max_lag default (about a trading month). */
const VARIANCE_MAX_LAG = 20;
/** Default smallest R/S window, in increments. */
const RS_MIN_WINDOW = 10;
/** Default largest R/S window as a fraction of the number of increments M. */
const RS_MAX_FRACTION = 1 / 4;
/** Default smallest DFA-1 window, in increments. */
const DFA_MIN_WINDOW = 8;
/** Default largest DFA-1 window as a fraction of M (large windows have few segments and add noise, not information). */
const DFA_MAX_FRACTION = 1 / 32;
/** The DFA default largest window is at least minLag + this, so short series still get a usable grid. */
const DFA_MIN_SPAN = 8;
/** Default number of simulated fGn paths per candidate H in the "rs" indirect-inference correction. */
const RS_DEFAULT_REPLICATIONS = 32;
/** Upper limit on options.replications (cost is linear in it). */
const RS_MAX_REPLICATIONS = 4096;
/** Default seed of the common random numbers of the "rs" correction (any fixed integer; results are reproducible for it). */
const RS_DEFAULT_SEED = 20260101;
/** The corrected H is searched in [RS_H_LOWEST, RS_H_HIGHEST] (fGn needs 0 < H < 1). */
const RS_H_LOWEST = 0.01;
const RS_H_HIGHEST = 0.99;
/** Root-finder tolerance on H: far below the estimator's sampling sd (≈ 0.02 at n = 4096). */
const RS_H_TOLERANCE = 1e-4;
/** The root finder also stops when |b_R(h) − rawH| ≤ this (an error in H of about this / b_R′ ≈ 2.5e-5). */
const RS_BINDING_TOLERANCE = 2e-5;
/** Bracket search: first step is this multiple of the estimated bias (the binding function's slope is ≈ 0.8 < 1). */
const RS_BRACKET_STEP = 1.5;
/** At most this many binding-function evaluations per call (bracket + Brent); ~6–8 are typical. */
const RS_MAX_EVALUATIONS = 60;
/** Keep all R·2m common normals in memory up to this many doubles (32 MB); beyond, regenerate them per evaluation in blocks. */
const RS_MAX_STORED_NORMALS = 1 << 22;

export interface HurstOptions {
  /** Estimator (default "variance"). */
  method?: HurstMethod;
  /** Smallest lag τ ("variance") or window size in increments ("rs", "dfa"). */
  minLag?: number;
  /** Largest lag τ ("variance") or window size ("rs", "dfa"), inclusive. */
  maxLag?: number;
  /** "rs" only: "indirect" (default) maps the window-count-weighted R/S-AL fit through its simulated binding function (indirect inference, removes the pull towards 0.5; ≈ 0.15 s at n = 4096); "none" returns the plain OLS R/S-AL estimate. Ignored by "variance" and "dfa". */
  rsBiasCorrection?: HurstBiasCorrection;
  /** "rs" with "indirect": simulated fGn paths per candidate H, integer 2..4096 (default 32). */
  replications?: number;
  /** "rs" with "indirect": seed of the common random numbers (integer, default 20260101). */
  seed?: number;
}

export interface HurstResult {
  /** Estimated Hurst exponent (for "rs" with the default rsBiasCorrection "indirect": the bias-corrected value). */
  readonly H: number;
  /** The uncorrected estimate from the log-log fit (for corrected "rs" the window-count-weighted R/S-AL fit; H = rawH for "variance", "dfa" and "rs" with rsBiasCorrection "none"). */
  readonly rawH: number;
  /** The correction that maps rawH to H: "indirect" ("rs" default) or "none" (always "none" for "variance" and "dfa"). */
  readonly biasCorrection: HurstBiasCorrection;
  /** The estimator used. */
  readonly method: HurstMethod;
  /** Lags τ ("variance") or window sizes ("rs", "dfa") used, ascending. */
  readonly lags: Float64Array;
  /** The regressed log-log ordinates, one per lag (see the method's definition). */
  readonly values: Float64Array;
  /** Intercept of the log-log regression. */
  readonly intercept: number;
  /** Slope of the log-log regression (rawH = slope/2 for "variance", 0.5 + slope for "rs", slope for "dfa"; weighted for corrected "rs"). */
  readonly slope: number;
  /** R² of the log-log regression. */
  readonly rSquared: number;
  /** OLS standard error of H from the log-log regression, for "rs" "indirect" divided by the binding function's slope (delta method); ignores the correlation between lags, so it understates the sampling error several-fold. */
  readonly standardError: number;
  /** Number of points in the path. */
  readonly nobs: number;
  /** Degenerate cases explained (e.g. a lag with zero variance). */
  readonly warnings: string[];
}

/**
 * Shortest path per method: three usable lags need floor(n/2) ≥ 3 lags for "variance" (n ≥ 8 kept
 * as a floor), and floor((n − 1)/2) ≥ smallest window + 2 for "rs" (2 + 2: n ≥ 9) and "dfa" (3 + 2: n ≥ 11).
 */
const MIN_LENGTH: Readonly<Record<HurstMethod, number>> = { variance: 8, rs: 9, dfa: 11 };

/**
 * Hurst exponent of a PATH x (prices, log prices, a spread): H ≈ 0.5 for a random walk, < 0.5 for a
 * mean-reverting path, > 0.5 for a trending one. Three estimators, each a least-squares line through
 * log-log points (`lags`, `values`):
 * - "variance" (default): Var(x_{t+τ} − x_t) ∝ τ^{2H}; values = ln V(τ) with V the population
 *   variance of the overlapping τ-differences (demeaned, so a drift does not count as trend);
 *   H = slope / 2. Default lags τ = 1..20 (the server's max_lag default 20 maps to maxLag = 20).
 * - "rs": rescaled range of the increments Δx with the Anis–Lloyd small-sample correction: for each
 *   window size n the increments are cut into ⌊M/n⌋ non-overlapping windows (M = length − 1),
 *   R/S = (max − min of the demeaned partial sums, 0 included) / (population sd) is averaged over
 *   windows, values = ln(R/S)_n − ln E_AL[R/S]_n with the exact iid expectation
 *   E_AL[R/S]_n = Γ((n−1)/2)/(√π Γ(n/2)) · Σ_{i=1}^{n−1} √((n − i)/i) (`anisLloydExpectedRs`), and
 *   H = 0.5 + slope (R/S-AL, Weron 2002), so the iid small-sample bias of R/S is removed (a random
 *   walk gives H ≈ 0.5). No Peters (n − ½)/n factor: it belongs to the sample-sd convention (see
 *   `anisLloydExpectedRs`). Default windows 10..⌊M/4⌋.
 * - "dfa": DFA-1 of the increments: profile Y_k = Σ_{i≤k}(Δx_i − mean Δx) (the demeaned path),
 *   cut into ⌊M/s⌋ segments of s points from the start and again from the end (Kantelhardt 2001),
 *   a least-squares line removed from each; values = ln F(s), F² the mean squared residual; H = slope.
 *   Default windows 8..max(⌊M/32⌋, 16) (127 for n = 4096).
 * Grid: every integer in [minLag, maxLag] when that is at most 24 values, else 24 log-spaced integers
 * (both ends included). Defaults are capped for short series (variance: maxLag ≤ ⌊n/2⌋; rs, dfa:
 * maxLag ≤ ⌊M/2⌋), and minLag shrinks to maxLag − 2 when needed.
 * "rs" by default (rsBiasCorrection "indirect") corrects the small-sample bias of R/S-AL for
 * fractional Gaussian noise by indirect inference / parametric bootstrap [5, 6]: rawH = 0.5 + the
 * WEIGHTED least-squares slope of the same points with weights ⌊M/s⌋ (the number of windows
 * averaged at size s); with b_R(h) = (1/R)·Σ_{r=1..R} rawH(X_r(h)), X_r(h) the exact fGn of length M
 * that Davies–Harte makes at H = h from the r-th of R FIXED blocks of 2m standard normals (one
 * stream from randomSource(options.seed), default seed 20260101, R = options.replications, default
 * 32; `simulateFgnFromNormals`), H is the root of b_R(H) = rawH in [0.01, 0.99] (same n, windows,
 * weights), found by a bracket walk from rawH and Brent's method (tolerance 1e-4 in H or 2e-5 in
 * b_R). Common random numbers make b_R deterministic, continuous and increasing. A rawH outside
 * [b_R(0.01), b_R(0.99)] returns that bound with a warning (short series, n ≲ 60: use "none").
 * `standardError` is then divided by the slope of b_R across the bracket (delta method).
 * Deterministic: the same x, options and seed give the same H, and H(c·x + d) = H(x).
 * rsBiasCorrection "none" returns the plain OLS R/S-AL estimate (H = rawH, Weron-comparable).
 * Cost: ≈ 150 ms per call at n = 4096 with R = 32 ("variance" ≈ 0.6 ms, "none" ≈ 2 ms); memory
 * R·2m doubles (≤ 32 MB, beyond that regenerated in blocks).
 * Accuracy on exact fBm (n = 4096, 100 seeds; bias ± sd): "variance" within ±0.007 ± 0.017, "dfa"
 * +0.016 ± 0.021 at worst, "rs" indirect +0.005 ± 0.021 at worst, plain R/S-AL up to ∓0.041 ± 0.024
 * (it misses a ±0.05 accuracy line at H = 0.3 and 0.7). The full measurements, the alternatives
 * tried (window choices, weighting, overlapping windows, the unweighted auxiliary fit) and why they
 * were rejected are in docs/hurst-notes.md.
 * `standardError` is the slope error of the log-log fit, which ignores the correlation between lags
 * and understates the true sampling error several-fold (docs/hurst-notes.md).
 * Server mapping: CalculateHurst's max_lag is maxLag (inclusive; the old server used lags
 * 2..max_lag−1); use_dfa = true selects method "dfa" (pass max_lag only if it is ≥ 10, else use
 * the dfa default).
 * Degenerate input: a lag whose statistic is zero (e.g. a path that is linear in t) gives H NaN and a warning.
 * @see [1] Mandelbrot, B.B. & Van Ness, J.W. (1968) SIAM Review 10, 422–437 (variance scaling of fBm).
 * @see [2] Anis, A.A. & Lloyd, E.H. (1976) "The expected value of the adjusted rescaled Hurst range of
 *      independent normal summands", Biometrika 63, 111–116; Feller, W. (1951) Ann. Math. Stat. 22,
 *      427–432; Peters, E.E. (1994) Fractal Market Analysis, Wiley (the (n − ½)/n variant, not used).
 * @see [3] Weron, R. (2002) "Estimating long-range dependence: finite sample properties and
 *      confidence intervals", Physica A 312, 285–299.
 * @see [4] Peng, C.-K. et al. (1994) Phys. Rev. E 49, 1685 (DFA); Kantelhardt, J.W. et al. (2001)
 *      Physica A 295, 441–454 (segments from both ends).
 * @see [5] Gouriéroux, C., Monfort, A. & Renault, E. (1993) "Indirect inference", J. Applied
 *      Econometrics 8, S85–S118.
 * @see [6] Efron, B. & Tibshirani, R.J. (1993) An Introduction to the Bootstrap, Chapman & Hall, ch. 10
 *      (bootstrap estimate of bias); Brent, R.P. (1973) Algorithms for Minimization without Derivatives, ch. 4.
 * @throws TypeError if x is not an array of numbers
 * @throws RangeError if x has fewer than 8 ("variance"), 9 ("rs") or 11 ("dfa") points, non-finite values or is constant; if method is
 *         unknown; if minLag/maxLag are not integers, minLag < 1 (variance), 2 (rs) or 3 (dfa),
 *         maxLag exceeds the caps above, or maxLag < minLag + 2; if rsBiasCorrection is not "indirect" or
 *         "none", replications is not an integer in 2..4096 or seed is not an integer
 * @example hurst(simulateFbm(4096, { hurst: 0.3, rng: randomSource(1) })).H // ≈ 0.296486741267 (this code; truth 0.3). rs: 0.306928 (rawH 0.352588; rsBiasCorrection "none": 0.34400), dfa: 0.32328
 */
export function hurst(x: ArrayLike<number>, options?: HurstOptions): HurstResult {
  const fn = "hurst";
  const opts = requireOptions<HurstOptions>(fn, options);
  const method = requireOneOf(fn, "options.method", opts.method ?? "variance", ["variance", "rs", "dfa"] as const);
  const biasCorrection = requireOneOf(fn, "options.rsBiasCorrection", opts.rsBiasCorrection ?? "indirect", ["indirect", "none"] as const);
  const replications = requireInteger(fn, "options.replications", opts.replications ?? RS_DEFAULT_REPLICATIONS, {
    min: 2,
    max: RS_MAX_REPLICATIONS,
  });
  const seed = requireInteger(fn, "options.seed", opts.seed ?? RS_DEFAULT_SEED);
  // H is scale invariant (H(c·x + d) = H(x)): values near 1e±300 are divided by a power of two
  // (exact) so the variances and ranges neither overflow nor underflow.
  const unscaled = toFloat64(x, "x", fn, { minLength: MIN_LENGTH[method] });
  requireNonConstant(fn, "x", unscaled);
  const path = divideByScale(unscaled, powerOfTwoScale(unscaled));
  const n = path.length;
  const increments = n - 1;
  let defaultMin: number;
  let defaultMax: number;
  let lowest: number;
  let highest: number;
  let requirement: string;
  if (method === "variance") {
    lowest = 1;
    highest = Math.floor(n / 2);
    requirement = `floor(n/2) = ${highest} so every lag has at least n/2 differences`;
    defaultMin = VARIANCE_MIN_LAG;
    defaultMax = Math.min(VARIANCE_MAX_LAG, highest);
  } else {
    lowest = method === "rs" ? 2 : 3;
    highest = Math.floor(increments / 2);
    requirement = `floor((n - 1)/2) = ${highest} so every window fits at least twice in the increments`;
    if (method === "rs") {
      defaultMin = RS_MIN_WINDOW;
      defaultMax = Math.floor(increments * RS_MAX_FRACTION);
    } else {
      defaultMin = DFA_MIN_WINDOW;
      defaultMax = Math.max(Math.floor(increments * DFA_MAX_FRACTION), DFA_MIN_WINDOW + DFA_MIN_SPAN);
    }
    defaultMax = Math.min(Math.max(defaultMax, lowest + 2), highest);
  }
  const maxLag = requireInteger(fn, "options.maxLag", opts.maxLag ?? defaultMax);
  const minLag = requireInteger(fn, "options.minLag", opts.minLag ?? Math.min(defaultMin, Math.max(lowest, maxLag - 2)), {
    min: lowest,
  });
  if (maxLag > highest) rangeError(fn, `options.maxLag must be <= ${requirement}, got ${maxLag} for n = ${n}`);
  if (maxLag < minLag + 2) {
    const origin = opts.maxLag === undefined ? ` (the default for method "${method}" and n = ${n}; pass options.maxLag)` : "";
    rangeError(
      fn,
      `options.maxLag must be >= minLag + 2 = ${minLag + 2} (at least three lags for the log-log fit), got ${maxLag}${origin}`,
    );
  }
  const lags = lagGrid(minLag, maxLag);
  const values = new Float64Array(lags.length);
  const warnings: string[] = [];
  if (method === "variance") {
    for (let i = 0; i < lags.length; i++) values[i] = Math.log(lagDifferenceVariance(path, lags[i]));
  } else {
    const diffs = new Float64Array(increments);
    for (let t = 0; t < increments; t++) diffs[t] = path[t + 1] - path[t];
    if (method === "rs") {
      for (let i = 0; i < lags.length; i++) {
        values[i] = Math.log(rescaledRange(diffs, lags[i])) - Math.log(anisLloydExpectedRs(lags[i]));
      }
    } else {
      const profile = new Float64Array(increments + 1);
      let mean = 0;
      for (let t = 0; t < increments; t++) mean += diffs[t];
      mean /= increments;
      for (let t = 0; t < increments; t++) profile[t + 1] = profile[t] + (diffs[t] - mean);
      for (let i = 0; i < lags.length; i++) values[i] = 0.5 * Math.log(dfaFluctuation(profile, lags[i]));
    }
  }
  for (let i = 0; i < lags.length; i++) {
    if (!Number.isFinite(values[i])) {
      warnings.push(`hurst: lag ${lags[i]} gives a degenerate ${method} statistic (zero variance); H is NaN`);
    }
  }
  // "rs" with the indirect correction fits with weights ⌊M/s⌋ (the number of windows averaged, to which
  // the precision of ln(R/S)_s is about proportional): its bias is removed by the correction, its sd is lower
  const weights = method === "rs" && biasCorrection === "indirect" ? windowCountWeights(increments, lags) : undefined;
  const fit = logLogFit(lags, values, weights);
  const scale = method === "variance" ? 0.5 : 1;
  const offset = method === "rs" ? 0.5 : 0;
  const rawH = offset + scale * fit.slope;
  let H = rawH;
  let standardError = scale * fit.slopeStandardError;
  if (method === "rs" && biasCorrection === "indirect" && Number.isFinite(rawH)) {
    const corrected = rsIndirectInference(rawH, increments, lags, weights, replications, seed);
    H = corrected.H;
    standardError /= corrected.bindingSlope;
    if (corrected.warning !== undefined) warnings.push(corrected.warning);
  }
  return {
    H,
    rawH,
    biasCorrection: method === "rs" ? biasCorrection : "none",
    method,
    lags,
    values,
    intercept: fit.intercept,
    slope: fit.slope,
    rSquared: fit.rSquared,
    standardError,
    nobs: n,
    warnings,
  };
}

/**
 * Indirect-inference (parametric-bootstrap) bias correction of the R/S-AL estimate: returns H* with
 * b_R(H*) = rawH, where the binding function b_R(h) is the mean R/S-AL estimate (same n, same weights, same
 * windows) over R exact fGn paths at h drawn from ONE fixed set of R·2m standard normals (common
 * random numbers), so b_R is deterministic and continuous in h. Root: bracket from h₀ = rawH by steps
 * of 1.5× the current bias estimate towards the root, then Brent's method to RS_H_TOLERANCE.
 * b_R is increasing in h (more persistent paths have steeper R/S); if rawH lies outside
 * [b_R(0.01), b_R(0.99)] the bound is returned with a warning.
 * Normals are kept between evaluations when R·2m ≤ RS_MAX_STORED_NORMALS, else regenerated from the
 * same seed at each evaluation in blocks (same numbers, bounded memory).
 */
function rsIndirectInference(
  rawH: number,
  increments: number,
  lags: Float64Array,
  weights: Float64Array | undefined,
  replications: number,
  seed: number,
): { H: number; bindingSlope: number; evaluations: number; warning: string | undefined } {
  const perPath = simulateFgnNormalCount(increments);
  const blockSize = Math.max(2, Math.min(replications, Math.floor(RS_MAX_STORED_NORMALS / perPath)));
  const block: Float64Array[] = [];
  for (let r = 0; r < blockSize; r++) block.push(new Float64Array(perPath));
  const logExpected = new Float64Array(lags.length);
  for (let i = 0; i < lags.length; i++) logExpected[i] = Math.log(anisLloydExpectedRs(lags[i]));
  const values = new Float64Array(lags.length);
  const storedOnce = blockSize >= replications;
  let generated = false;
  let evaluations = 0;
  const binding = (h: number): number => {
    evaluations++;
    const normal = normalSource(randomSource(seed));
    let total = 0;
    for (let done = 0; done < replications; done += blockSize) {
      const count = Math.min(blockSize, replications - done);
      const draws = count === block.length ? block : block.slice(0, count);
      if (!(storedOnce && generated)) {
        for (const draw of draws) for (let k = 0; k < perPath; k++) draw[k] = normal();
        generated = true;
      }
      for (const path of simulateFgnFromNormals(increments, draws, { hurst: h })) {
        for (let i = 0; i < lags.length; i++) values[i] = Math.log(rescaledRange(path, lags[i])) - logExpected[i];
        total += 0.5 + logLogFit(lags, values, weights).slope;
      }
    }
    return total / replications;
  };
  const objective = (h: number): number => binding(h) - rawH;
  // Bracket: walk from h₀ towards the root (b_R increasing: downwards when b_R(h₀) > rawH).
  let previous = Math.min(RS_H_HIGHEST, Math.max(RS_H_LOWEST, rawH));
  let previousValue = objective(previous);
  if (Math.abs(previousValue) <= RS_BINDING_TOLERANCE) return { H: previous, bindingSlope: 1, evaluations, warning: undefined };
  const direction = previousValue > 0 ? -1 : 1;
  let step = Math.max(RS_BRACKET_STEP * Math.abs(previousValue), 10 * RS_H_TOLERANCE);
  for (;;) {
    const bound = direction < 0 ? RS_H_LOWEST : RS_H_HIGHEST;
    const next = direction < 0 ? Math.max(bound, previous + direction * step) : Math.min(bound, previous + direction * step);
    if (next === previous || evaluations >= RS_MAX_EVALUATIONS) {
      // previous is the bound: rawH lies outside the binding function's range (no local slope: standardError left uncorrected)
      const side = direction < 0 ? "below" : "above";
      return {
        H: previous,
        bindingSlope: 1,
        evaluations,
        warning:
          `hurst: the R/S-AL estimate ${rawH} is ${side} the range of its binding function ` +
          `(mean estimate ${previousValue + rawH} at H = ${previous}); H clamped to ${previous}`,
      };
    }
    const nextValue = objective(next);
    if (Math.abs(nextValue) <= RS_BINDING_TOLERANCE || Math.sign(nextValue) !== Math.sign(previousValue)) {
      const bindingSlope = (nextValue - previousValue) / (next - previous);
      const H =
        Math.abs(nextValue) <= RS_BINDING_TOLERANCE
          ? next
          : findRootBrent(objective, previous, next, RS_H_TOLERANCE, RS_MAX_EVALUATIONS, previousValue, nextValue, RS_BINDING_TOLERANCE);
      return { H, bindingSlope, evaluations, warning: undefined };
    }
    // same sign: secant extrapolation (again 1.5×) when the slope is usable, else double the step
    const slope = (nextValue - previousValue) / (next - previous);
    step = slope > 0 ? Math.max(RS_BRACKET_STEP * Math.abs(nextValue / slope), 2 * step) : 2 * step;
    previous = next;
    previousValue = nextValue;
  }
}

/** WLS weights for the "rs" fit: the number ⌊M/s⌋ of non-overlapping windows behind each ln(R/S)_s. */
function windowCountWeights(increments: number, lags: Float64Array): Float64Array {
  const weights = new Float64Array(lags.length);
  for (let i = 0; i < lags.length; i++) weights[i] = Math.floor(increments / lags[i]);
  return weights;
}

/** All integers in [lo, hi] when there are at most MAX_GRID_POINTS, else log-spaced unique integers including both ends. */
function lagGrid(lo: number, hi: number): Float64Array {
  if (hi - lo + 1 <= MAX_GRID_POINTS) {
    const out = new Float64Array(hi - lo + 1);
    for (let i = 0; i < out.length; i++) out[i] = lo + i;
    return out;
  }
  const values: number[] = [];
  const ratio = Math.log(hi / lo) / (MAX_GRID_POINTS - 1);
  for (let i = 0; i < MAX_GRID_POINTS; i++) {
    const v = i === MAX_GRID_POINTS - 1 ? hi : Math.round(lo * Math.exp(ratio * i));
    if (values.length === 0 || v > values[values.length - 1]) values.push(v);
  }
  return Float64Array.from(values);
}

/** Var(x_{t+τ} − x_t) over t = 0..n−1−τ (population variance about the mean difference, two-pass). */
function lagDifferenceVariance(x: Float64Array, lag: number): number {
  const count = x.length - lag;
  let mean = 0;
  for (let t = 0; t < count; t++) mean += x[t + lag] - x[t];
  mean /= count;
  let ss = 0;
  for (let t = 0; t < count; t++) {
    const d = x[t + lag] - x[t] - mean;
    ss += d * d;
  }
  return ss / count;
}

/** Mean R/S over the floor(M/s) non-overlapping windows of size s (from the start). */
function rescaledRange(diffs: Float64Array, size: number): number {
  let total = 0;
  let used = 0;
  for (let start = 0; start + size <= diffs.length; start += size) {
    let mean = 0;
    for (let t = 0; t < size; t++) mean += diffs[start + t];
    mean /= size;
    let cumulative = 0;
    let max = 0;
    let min = 0;
    let ss = 0;
    for (let t = 0; t < size; t++) {
      const d = diffs[start + t] - mean;
      cumulative += d;
      if (cumulative > max) max = cumulative;
      if (cumulative < min) min = cumulative;
      ss += d * d;
    }
    if (ss > 0) {
      total += (max - min) / Math.sqrt(ss / size);
      used++;
    }
  }
  return used > 0 ? total / used : NaN;
}

/**
 * Anis–Lloyd expected R/S of n iid normals, S the POPULATION sd (divisor n), as `rescaledRange` computes it:
 * E[R/S]_n = Γ((n−1)/2) / (√π Γ(n/2)) · Σ_{i=1}^{n−1} √((n − i)/i)   (Anis & Lloyd 1976, exact for every n ≥ 2).
 * It is exact because the demeaned window's direction is independent of its norm, so
 * E[R/S] = √n·E[R]/E‖d‖ with Feller's E[R] and E‖d‖ = √2·Γ(n/2)/Γ((n−1)/2).
 * No Peters (n − ½)/n factor: that factor approximates √((n − 1)/n), i.e. it converts to the
 * sample-sd (divisor n − 1) convention of Peters (1994) and Weron's code; with the population sd it
 * would understate E[R/S] by 1/(2n) in the log and bias H by ≈ −0.008 (the previous version did this).
 * Checks: n = 2 gives 1, which is R/S of any two distinct values; Monte Carlo (10⁵–10⁶ windows,
 * numpy) gives 3.0213 ± 0.0013 at n = 10 (formula 3.0233) and 7.801 ± 0.009 at n = 50 (7.813).
 * The gamma ratio r(n) = Γ((n−1)/2)/Γ(n/2) is computed by r(n+2) = r(n)·(n−1)/n from
 * r(2) = √π, r(3) = 2/√π (exact, no overflow at any n, so no asymptotic form is needed for n > 340).
 */
export function anisLloydExpectedRs(n: number): number {
  let ratio = n % 2 === 0 ? Math.sqrt(Math.PI) : 2 / Math.sqrt(Math.PI);
  for (let k = n % 2 === 0 ? 2 : 3; k < n; k += 2) ratio *= (k - 1) / k;
  let sum = 0;
  for (let i = 1; i < n; i++) sum += Math.sqrt((n - i) / i);
  return (ratio / Math.sqrt(Math.PI)) * sum;
}

/**
 * DFA-1 squared fluctuation F²(s): the profile (length M + 1, profile[0] = 0) is cut into
 * floor(M/s) non-overlapping segments of s points (profile[1..M]) from the start and the same number from the end
 * (Kantelhardt et al. 2001), a least-squares line is removed from each, and the mean squared
 * residual over all segments is returned.
 */
function dfaFluctuation(profile: Float64Array, size: number): number {
  const m = profile.length - 1;
  const segments = Math.floor(m / size);
  let total = 0;
  // abscissa 0..size−1 centred: Σu = 0, Σu² = size(size² − 1)/12
  const centre = (size - 1) / 2;
  const suu = (size * (size * size - 1)) / 12;
  for (let pass = 0; pass < 2; pass++) {
    for (let seg = 0; seg < segments; seg++) {
      const start = pass === 0 ? 1 + seg * size : m + 1 - (seg + 1) * size;
      let mean = 0;
      let suy = 0;
      for (let t = 0; t < size; t++) {
        const y = profile[start + t];
        mean += y;
        suy += (t - centre) * y;
      }
      mean /= size;
      const slope = suy / suu;
      let ss = 0;
      for (let t = 0; t < size; t++) {
        const r = profile[start + t] - mean - slope * (t - centre);
        ss += r * r;
      }
      total += ss / size;
    }
  }
  return total / (2 * segments);
}

/**
 * Least squares of values on log(lags): slope, intercept, R², slope standard error. With weights,
 * weighted least squares (weights as relative precisions, so the standard error is
 * √(Σw·r²/(k − 2) / Σw·(u − ū)²), invariant to rescaling the weights); without, plain OLS.
 */
function logLogFit(lags: Float64Array, values: Float64Array, weights?: Float64Array) {
  const k = lags.length;
  let mx = 0;
  let my = 0;
  let total = 0;
  for (let i = 0; i < k; i++) {
    const w = weights === undefined ? 1 : weights[i];
    mx += w * Math.log(lags[i]);
    my += w * values[i];
    total += w;
  }
  mx /= total;
  my /= total;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < k; i++) {
    const w = weights === undefined ? 1 : weights[i];
    const u = Math.log(lags[i]) - mx;
    const v = values[i] - my;
    sxx += w * u * u;
    sxy += w * u * v;
    syy += w * v * v;
  }
  const slope = sxy / sxx;
  const ssr = Math.max(0, syy - slope * sxy);
  return {
    slope,
    intercept: my - slope * mx,
    rSquared: syy > 0 ? 1 - ssr / syy : 1,
    slopeStandardError: Math.sqrt(ssr / (k - 2) / sxx),
  };
}
