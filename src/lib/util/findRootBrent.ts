/**
 * Brent's root finder on a sign-changing bracket [lo, hi] (inverse quadratic interpolation,
 * secant and bisection safeguards). Internal: callers derive the bracket from the problem.
 * Terminates when the bracket is below `xTolerance` (absolute) + 4ε|x|, or when |f(x)| ≤ `fTolerance`
 * (default 0: only an exact zero). Bounded: after `maxIterations` evaluations without meeting
 * either test it throws a RangeError naming the bracket (it never returns an unconverged root). Shared by src/lib/optimal
 * (Leung–Li, HJB, Bertram levels) and the indirect-inference Hurst correction.
 * @see [1] Brent, R.P. (1973) "Algorithms for Minimization without Derivatives", ch. 4 (zero);
 *      same algorithm as scipy.optimize.brentq.
 */
export function findRootBrent(
  f: (x: number) => number,
  lo: number,
  hi: number,
  xTolerance: number,
  maxIterations = 200,
  fLo = f(lo),
  fHi = f(hi),
  fTolerance = 0,
): number {
  let a = lo;
  let b = hi;
  let fa = fLo;
  let fb = fHi;
  if (Math.abs(fa) <= fTolerance) return a;
  if (Math.abs(fb) <= fTolerance) return b;
  if (fa * fb > 0 || Number.isNaN(fa) || Number.isNaN(fb)) {
    throw new Error(`findRootBrent: no sign change on [${lo}, ${hi}] (f = ${fa}, ${fb})`);
  }
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < maxIterations; iter++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * xTolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || Math.abs(fb) <= fTolerance) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  throw new RangeError(`findRootBrent: no convergence within ${maxIterations} iterations on [${lo}, ${hi}] (last x = ${b}, f = ${fb})`);
}
