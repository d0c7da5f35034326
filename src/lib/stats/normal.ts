/**
 * Standard normal distribution: density, cumulative distribution and quantile.
 * The cdf follows Cephes `ndtr` (S. L. Moshier), as scipy.stats.norm.cdf does: 0.5·(1 + erf(x/√2))
 * for |x| < 1 and 0.5·erfc(|x|/√2) in the tails (so tail probabilities keep full relative accuracy),
 * with Cephes' rational approximations for erf and erfc.
 * IEEE convention: NaN in, NaN out (no throw); ±Infinity map to the limits.
 * @see Moshier, S.L. (1989) Methods and Programs for Mathematical Functions; Cephes ndtr.c.
 */

const ERF_T = [
  9.60497373987051638749, 9.0026019720384268922e1, 2.23200534594684319226e3, 7.00332514112805075473e3, 5.55923013010394962768e4,
];
const ERF_U = [
  3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3, 2.26290000613890934246e4, 4.92673942608635921086e4,
];
const ERFC_P = [
  2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687, 4.86371970985681366614e1, 1.96520832956077098242e2,
  5.26445194995477358631e2, 9.3452852717195760754e2, 1.02755188689515710272e3, 5.57535335369399327526e2,
];
const ERFC_Q = [
  1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2, 9.75708501743205489753e2, 1.82390916687909736289e3,
  2.24633760818710981792e3, 1.65666309194161350182e3, 5.57535340817727675546e2,
];
const ERFC_R = [
  5.64189583547755073984e-1, 1.27536670759978104416, 5.01905042251180477414, 6.16021097993053585195, 7.4097426995044893916,
  2.9788666537210024067,
];
const ERFC_S = [
  2.2605286322011727659, 9.39603524938001434673, 1.20489539808096656605e1, 1.70814450747565897222e1, 9.60896809063285878198,
  3.3690764510008151605,
];
/** log(DBL_MAX): beyond this exp(−x²) underflows and erfc(x) = 0 (Cephes MAXLOG). */
const MAXLOG = 7.09782712893383996843e2;

/** Cephes polevl: c[0]·x^N + … + c[N] (Horner). */
function polevl(x: number, c: readonly number[]): number {
  let y = c[0];
  for (let i = 1; i < c.length; i++) y = y * x + c[i];
  return y;
}

/** Cephes p1evl: polynomial with implied leading coefficient 1. */
function p1evl(x: number, c: readonly number[]): number {
  let y = x + c[0];
  for (let i = 1; i < c.length; i++) y = y * x + c[i];
  return y;
}

/** Error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt (Cephes erf). NaN in, NaN out. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > 1) return 1 - erfc(x);
  const z = x * x;
  return (x * polevl(z, ERF_T)) / p1evl(z, ERF_U);
}

/** Complementary error function erfc(x) = 1 − erf(x), accurate in the upper tail (Cephes erfc). NaN in, NaN out. */
export function erfc(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const x = Math.abs(a);
  if (x < 1) return 1 - erf(a);
  const z0 = -a * a;
  if (z0 < -MAXLOG) return a < 0 ? 2 : 0;
  const z = Math.exp(z0);
  let p: number;
  let q: number;
  if (x < 8) {
    p = polevl(x, ERFC_P);
    q = p1evl(x, ERFC_Q);
  } else {
    p = polevl(x, ERFC_R);
    q = p1evl(x, ERFC_S);
  }
  let y = (z * p) / q;
  if (a < 0) y = 2 - y;
  if (y === 0) return a < 0 ? 2 : 0;
  return y;
}

/**
 * Standard normal cdf Φ(x) = ½·(1 + erf(x/√2)) (Cephes ndtr, as scipy.stats.norm.cdf).
 * NaN in, NaN out.
 * @example normalCdf(-1.959963984540054) // ≈ 0.025 (scipy.stats.norm.cdf)
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const t = x * Math.SQRT1_2;
  const z = Math.abs(t);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(t);
  const y = 0.5 * erfc(z);
  return t > 0 ? 1 - y : y;
}

/**
 * Standard normal density φ(x) = exp(−x²/2)/√(2π). NaN in, NaN out.
 * @example normalPdf(0) // ≈ 0.3989422804014327 (1/√(2π))
 */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

// Acklam's rational approximation (relative error 1.15e-9) for the starting value.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p): Acklam's rational approximation refined by one Halley step on
 * Φ(x) − p (using the tail-accurate erfc), which brings it to about machine precision.
 * Returns −Infinity at p = 0, +Infinity at p = 1 and NaN outside [0, 1] or for NaN (IEEE convention).
 * @see Acklam, P.J. (2003) "An algorithm for computing the inverse normal cumulative distribution function".
 * @example normalQuantile(0.975) // ≈ 1.959963984540054 (scipy.stats.norm.ppf)
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = polevl(q, ACKLAM_C) / (polevl(q, ACKLAM_D) * q + 1);
  } else if (p <= 1 - ACKLAM_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = (polevl(r, ACKLAM_A) * q) / (polevl(r, ACKLAM_B) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -polevl(q, ACKLAM_C) / (polevl(q, ACKLAM_D) * q + 1);
  }
  // Halley refinement; the error term uses the lower tail to avoid cancellation.
  const e = x < 0 ? normalCdf(x) - p : -(normalCdf(-x) - (1 - p));
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
