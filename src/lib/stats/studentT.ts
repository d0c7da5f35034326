/**
 * Student's t distribution cdf, for OLS p-values (statsmodels: 2·t.sf(|t|, df_resid)).
 * F(t; ν) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t > 0 (symmetric for t < 0), with the regularized
 * incomplete beta I_x(a, b) from its continued fraction (modified Lentz), evaluated on whichever
 * side of x = (a+1)/(a+b+2) converges fast, and x and 1 − x formed separately (ν/(ν+t²) and
 * t²/(ν+t²)) so neither tail suffers cancellation. Relative accuracy about 1e-14.
 * IEEE convention: NaN in, NaN out.
 * @see Press, W.H. et al. (2007) Numerical Recipes, 3rd ed., §6.4; Lentz, W.J. (1976) Appl. Opt. 15.
 */

/** Continued-fraction terms before giving up (converges in < 100 for ν ≤ 1e6). */
const MAX_CF_TERMS = 10_000;
const CF_EPS = 1e-16;
const CF_TINY = 1e-300;

// Lanczos approximation, g = 607/128, 15 terms (Godfrey's coefficients, as in Boost/numerical-analysis references).
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174, -0.49191381609762019978,
  0.33994649984811888699e-4, 0.46523628927048575665e-4, -0.98374475304879564677e-4, 0.15808870322491248884e-3, -0.21026444172410488319e-3,
  0.2174396181152126432e-3, -0.16431810653676389022e-3, 0.84418223983852743293e-4, -0.2619083840158140867e-4, 0.36899182659531622704e-5,
];

/** ln Γ(x) for x > 0 (Lanczos, relative accuracy ≈ 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Stirling series remainder lnΓ(x) − [(x − ½)ln x − x + ½ln 2π] for x ≥ 50 (error < 1e-19). */
function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680)));
}

/** Threshold above which ln B(a, b) uses the cancellation-free Stirling difference. */
const LOG_BETA_STIRLING_MIN = 50;

/**
 * ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b). For a large argument the difference
 * lnΓ(big + small) − lnΓ(big) is formed as (big − ½)·log1p(small/big) + small·ln(big + small) − small
 * plus Stirling corrections, which avoids cancelling two huge lnΓ values.
 */
export function logBeta(a: number, b: number): number {
  const big = Math.max(a, b);
  const small = Math.min(a, b);
  if (big < LOG_BETA_STIRLING_MIN) return logGamma(a) + logGamma(b) - logGamma(a + b);
  const diff =
    (big - 0.5) * Math.log1p(small / big) +
    small * Math.log(big + small) -
    small +
    stirlingCorrection(big + small) -
    stirlingCorrection(big);
  return logGamma(small) - diff;
}

/** Continued fraction for I_x(a, b) (Numerical Recipes betacf, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_TINY) d = CF_TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_CF_TERMS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_TINY) d = CF_TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_TINY) c = CF_TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < CF_EPS) return h;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b), given x and its complement 1 − x separately (so the caller
 * can supply both without cancellation).
 */
export function regularizedIncompleteBeta(a: number, b: number, x: number, oneMinusX: number = 1 - x): number {
  if (Number.isNaN(x) || Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (x <= 0) return 0;
  if (oneMinusX <= 0) return 1;
  // log x and log(1 − x) from whichever of x, 1 − x is small, so a·log x keeps full accuracy for large a.
  const logX = x < 0.5 ? Math.log(x) : Math.log1p(-oneMinusX);
  const log1mX = oneMinusX < 0.5 ? Math.log(oneMinusX) : Math.log1p(-x);
  const logFront = a * logX + b * log1mX - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, oneMinusX)) / b;
}

/**
 * Student t cdf P(T ≤ t) with ν degrees of freedom (ν > 0, may be fractional). NaN in, NaN out;
 * ν ≤ 0 gives NaN (IEEE-style, like scipy).
 * @example studentTCdf(2.228138851986274, 10) // ≈ 0.975 (scipy.stats.t.cdf)
 */
export function studentTCdf(t: number, degreesOfFreedom: number): number {
  if (Number.isNaN(t) || Number.isNaN(degreesOfFreedom) || !(degreesOfFreedom > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const nu = degreesOfFreedom;
  const t2 = t * t;
  // Upper tail of |t|: ½·I_{ν/(ν+t²)}(ν/2, ½).
  const tail = 0.5 * regularizedIncompleteBeta(nu / 2, 0.5, nu / (nu + t2), t2 / (nu + t2));
  return t > 0 ? 1 - tail : tail;
}

/** Two-sided p-value 2·P(T > |t|) (statsmodels OLS `pvalues`). NaN in, NaN out. */
export function studentTTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (Number.isNaN(t) || Number.isNaN(degreesOfFreedom) || !(degreesOfFreedom > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const nu = degreesOfFreedom;
  const t2 = t * t;
  return regularizedIncompleteBeta(nu / 2, 0.5, nu / (nu + t2), t2 / (nu + t2));
}
