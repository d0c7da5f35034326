import { normalSource } from "../util/random.js";
import { describe, rangeError, requireFinite, requireInteger, requireOptions, typeError } from "../util/validate.js";

/** Relative size of a negative circulant eigenvalue still treated as rounding (exact theory: all ≥ 0). */
const EIGENVALUE_ROUNDING_TOLERANCE = 1e-10;

export interface SimulateFbmOptions {
  /** Hurst exponent H, 0 < H < 1 (0.5: Brownian motion / white noise). */
  hurst: number;
  /** Uniform [0, 1) source, e.g. `randomSource(seed)`. */
  rng: () => number;
}

/**
 * Autocovariance of unit-variance fractional Gaussian noise at lag k:
 * γ(k) = ½(|k + 1|^{2H} − 2|k|^{2H} + |k − 1|^{2H}),
 * evaluated as ½·k^{2H}·[expm1(2H·log1p(1/k)) + expm1(2H·log1p(−1/k))] for k ≥ 1 so the second
 * difference does not cancel catastrophically at large k (the direct form loses ~k^{2}·ε relative:
 * 4e-4 at k = 10⁶, H = 0.7; this form keeps ~k·ε: 1.5e-10 there against mpmath).
 * @example fgnAutocovariance(1, 0.7) // ≈ 0.3195079107728942 = 2^{1.4}/2 − 1
 */
export function fgnAutocovariance(k: number, hurst: number): number {
  const a = Math.abs(k);
  if (a === 0) return 1;
  if (hurst === 0.5) return 0; // white noise, exactly (the expm1 form leaves ~1e-17 of rounding)
  const twoH = 2 * hurst;
  const inv = 1 / a;
  return 0.5 * Math.pow(a, twoH) * (Math.expm1(twoH * Math.log1p(inv)) + Math.expm1(twoH * Math.log1p(-inv)));
}

/**
 * Exact fractional Gaussian noise (the unit-variance increments of fBm, Cov(X_t, X_{t+k}) = γ(k))
 * by Davies–Harte circulant embedding: embed γ(0..m) in a circulant of size 2m (m = the smallest
 * power of two ≥ n), take its eigenvalues λ = FFT(c) (all ≥ 0 for fGn, Craigmile 2003), draw
 * W_k = √(λ_k/2m)·Z_k (k = 0, m), W_k = √(λ_k/4m)(Z_k + iZ'_k) (0 < k < m), W_{2m−k} = conj(W_k),
 * and return the first n values of the (real) FFT of W. Exact in distribution, O(n log n).
 * @see [1] Davies, R.B. & Harte, D.S. (1987) "Tests for Hurst effect", Biometrika 74, 95–101.
 * @see [2] Wood, A.T.A. & Chan, G. (1994) "Simulation of stationary Gaussian processes in [0,1]^d",
 *      J. Comput. Graph. Stat. 3, 409–432.
 * @see [3] Craigmile, P.F. (2003) "Simulating a class of stationary Gaussian processes using the
 *      Davies–Harte algorithm", J. Time Ser. Anal. 24, 505–511.
 * @throws RangeError if n is not an integer ≥ 1 or hurst is not in (0, 1)
 * @throws TypeError if rng is not a function
 * @example simulateFgn(4, { hurst: 0.7, rng: randomSource(1) }) // ≈ Float64Array [-1.18879779795, 0.64508985194, 2.30780193021, 0.13542516590] (this code)
 */
export function simulateFgn(n: number, options: SimulateFbmOptions): Float64Array {
  return fgnKernel("simulateFgn", n, options);
}

/**
 * Exact fractional Brownian motion path B_H(0..n−1) on the integer grid: B_H(0) = 0 and
 * B_H(t) = Σ_{s<t} X_s with X = simulateFgn(n − 1) (Davies–Harte), so Var B_H(t) = t^{2H} and
 * E[(B_H(t+τ) − B_H(t))²] = τ^{2H}. Multiply by σ for other scales.
 * @see simulateFgn for the method and references.
 * @throws RangeError if n is not an integer ≥ 1 or hurst is not in (0, 1)
 * @throws TypeError if rng is not a function
 * @example simulateFbm(4, { hurst: 0.3, rng: randomSource(7) }) // ≈ Float64Array [0, -1.09391191353, 0.33600506352, -1.08477303311] (this code)
 */
export function simulateFbm(n: number, options: SimulateFbmOptions): Float64Array {
  const fn = "simulateFbm";
  const length = requireInteger(fn, "n", n, { min: 1 });
  const path = new Float64Array(length);
  if (length === 1) {
    fgnKernel(fn, 1, options); // validate options the same way
    return path;
  }
  const noise = fgnKernel(fn, length - 1, options);
  let sum = 0;
  for (let t = 1; t < length; t++) {
    sum += noise[t - 1];
    path[t] = sum;
  }
  return path;
}

function fgnKernel(fn: string, n: number, options: SimulateFbmOptions): Float64Array {
  const length = requireInteger(fn, "n", n, { min: 1 });
  const opts = requireOptions<SimulateFbmOptions>(fn, options);
  const hurst = requireFinite(fn, "options.hurst", opts.hurst, { minExclusive: 0, maxExclusive: 1 });
  if (typeof opts.rng !== "function") {
    typeError(fn, `options.rng must be a function returning uniform numbers in [0, 1), got ${describe(opts.rng)}`);
  }
  const normal = normalSource(opts.rng);
  const m = embeddingHalfSize(length);
  const size = 2 * m;
  const amplitude = daviesHarteAmplitudes(fn, m, hurst, twiddleTable(size));
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re[0] = amplitude[0] * normal();
  re[m] = amplitude[m] * normal();
  for (let k = 1; k < m; k++) {
    const a = amplitude[k] * normal();
    const b = amplitude[k] * normal();
    re[k] = a;
    im[k] = b;
    re[size - k] = a;
    im[size - k] = -b;
  }
  fftInPlace(re, im);
  return re.slice(0, length);
}

/**
 * Number of standard normals one Davies–Harte fGn path of length n consumes: 2m, m the smallest power
 * of two ≥ n (the length `simulateFgnFromNormals` expects for each replication).
 * @example simulateFgnNormalCount(4095) // 8192
 */
export function simulateFgnNormalCount(n: number): number {
  return 2 * embeddingHalfSize(requireInteger("simulateFgnNormalCount", "n", n, { min: 1 }));
}

/**
 * Several exact fGn paths at one H from caller-supplied standard normals (common random numbers):
 * path j is exactly the Davies–Harte transform `simulateFgn` applies to the 2m normals in
 * `normals[j]` (m the smallest power of two ≥ n), consumed in simulateFgn's order
 * (W_0, W_m, then Re W_k, Im W_k for k = 1..m−1). Drawing normals[j] as the next 2m values of
 * `normalSource(rng)` therefore reproduces successive `simulateFgn(n, { hurst, rng })` calls on
 * the same rng (2m is even, so no polar-method spare is left between calls).
 * Made for estimators that need the same draws at many H (indirect inference in `hurst`): the
 * circulant eigenvalues and FFT twiddles are computed once per call, and two paths share one complex
 * FFT (W₁ + i·W₂ with W₁, W₂ Hermitian: the real part of the transform is path 1, the imaginary part
 * path 2), so R paths cost ⌈R/2⌉ + 1 FFTs of size 2m. Results agree with simulateFgn to rounding
 * (≈ 1e-15 relative), not bit for bit.
 * @see simulateFgn for the method and references.
 * @throws RangeError if n is not an integer ≥ 1, hurst is not in (0, 1) or a normals entry does not have 2m values
 * @throws TypeError if normals is not an array of Float64Array
 * @example simulateFgnFromNormals(4, [new Float64Array([1, 0, 0, 0, 0, 0, 0, 0])], { hurst: 0.5 })[0] // ≈ [0.35355339059, 0.35355339059, 0.35355339059, 0.35355339059] (√(λ₀/8)·1 with λ₀ = 1; this code)
 */
export function simulateFgnFromNormals(n: number, normals: readonly Float64Array[], options: { hurst: number }): Float64Array[] {
  const fn = "simulateFgnFromNormals";
  const length = requireInteger(fn, "n", n, { min: 1 });
  const opts = requireOptions<{ hurst: number }>(fn, options);
  const hurst = requireFinite(fn, "options.hurst", opts.hurst, { minExclusive: 0, maxExclusive: 1 });
  if (!Array.isArray(normals)) typeError(fn, `normals must be an array of Float64Array, got ${describe(normals)}`);
  const m = embeddingHalfSize(length);
  const size = 2 * m;
  for (let j = 0; j < normals.length; j++) {
    if (!(normals[j] instanceof Float64Array)) typeError(fn, `normals[${j}] must be a Float64Array, got ${describe(normals[j])}`);
    if (normals[j].length !== size) {
      rangeError(fn, `normals[${j}] must have 2m = ${size} values (m = smallest power of two >= n = ${length}), got ${normals[j].length}`);
    }
  }
  const twiddles = twiddleTable(size);
  const amplitude = daviesHarteAmplitudes(fn, m, hurst, twiddles);
  const paths: Float64Array[] = [];
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let j = 0; j < normals.length; j += 2) {
    const first = normals[j];
    const second = j + 1 < normals.length ? normals[j + 1] : undefined;
    // W = W₁ + i·W₂: re = Re W₁ − Im W₂, im = Im W₁ + Re W₂ (W₂ = 0 for an odd last path)
    re[0] = amplitude[0] * first[0];
    re[m] = amplitude[m] * first[1];
    im[0] = second === undefined ? 0 : amplitude[0] * second[0];
    im[m] = second === undefined ? 0 : amplitude[m] * second[1];
    for (let k = 1; k < m; k++) {
      const a = amplitude[k];
      const re1 = a * first[2 * k];
      const im1 = a * first[2 * k + 1];
      const re2 = second === undefined ? 0 : a * second[2 * k];
      const im2 = second === undefined ? 0 : a * second[2 * k + 1];
      re[k] = re1 - im2;
      im[k] = im1 + re2;
      re[size - k] = re1 + im2; // conj(W₁) + i·conj(W₂)
      im[size - k] = re2 - im1;
    }
    fftInPlace(re, im, twiddles);
    paths.push(re.slice(0, length));
    if (second !== undefined) paths.push(im.slice(0, length));
  }
  return paths;
}

/** m: the smallest power of two ≥ n (the circulant has size 2m ≥ 2n, Davies–Harte). */
function embeddingHalfSize(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/**
 * Davies–Harte amplitudes a_k = √(λ_k/2m) for k = 0, m and √(λ_k/4m) for 0 < k < m, where λ = FFT of
 * the circulant first row c = [γ(0), …, γ(m), γ(m−1), …, γ(1)] (real and symmetric).
 */
function daviesHarteAmplitudes(fn: string, m: number, hurst: number, twiddles: FftTwiddles): Float64Array {
  const size = 2 * m;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let k = 0; k <= m; k++) re[k] = fgnAutocovariance(k, hurst);
  for (let k = 1; k < m; k++) re[size - k] = re[k];
  fftInPlace(re, im, twiddles);
  let largest = 0;
  for (let k = 0; k <= m; k++) largest = Math.max(largest, Math.abs(re[k]));
  const amplitude = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    let eigenvalue = re[k];
    if (eigenvalue < 0) {
      if (eigenvalue < -EIGENVALUE_ROUNDING_TOLERANCE * largest) {
        rangeError(fn, `circulant embedding has a negative eigenvalue ${eigenvalue} (H = ${hurst}); cannot simulate exactly`);
      }
      eigenvalue = 0;
    }
    amplitude[k] = Math.sqrt(eigenvalue / (k === 0 || k === m ? size : 2 * size));
  }
  return amplitude;
}

/** cos/sin table for an FFT of size n: cos(2πk/n), −sin(2πk/n), k < n/2 (computed directly, no recurrence drift). */
interface FftTwiddles {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

function twiddleTable(n: number): FftTwiddles {
  const cos = new Float64Array(n >> 1);
  const sin = new Float64Array(n >> 1);
  for (let k = 0; k < n >> 1; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = -Math.sin((2 * Math.PI * k) / n);
  }
  return { cos, sin };
}

/**
 * In-place iterative radix-2 Cooley–Tukey DFT X_j = Σ_k x_k e^{−2πi·jk/N} (N a power of two).
 * Twiddles come from one table of cos/sin computed directly (no recurrence drift), passed in when reused.
 */
function fftInPlace(re: Float64Array, im: Float64Array, twiddles: FftTwiddles = twiddleTable(re.length)): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const cosTable = twiddles.cos;
  const sinTable = twiddles.sin;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = (n / len) | 0; // integer index stride (a double index would take V8's slow keyed-load path)
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cosTable[k * step];
        const wi = sinTable[k * step];
        const i = start + k;
        const j = i + half;
        const tr = re[j] * wr - im[j] * wi;
        const ti = re[j] * wi + im[j] * wr;
        re[j] = re[i] - tr;
        im[j] = im[i] - ti;
        re[i] += tr;
        im[i] += ti;
      }
    }
  }
}
