import { findRootBrent } from "../util/findRootBrent.js";
import { ouLaplaceIntegral } from "./ouLaplaceIntegral.js";
import { checkOuStoppingParameters } from "./ouStoppingParameters.js";
import type { OuStoppingParameters } from "./ouStoppingParameters.js";
import { rangeError, toFloat64 } from "../util/validate.js";

/** Root tolerance in stationary standard deviations (levels are reported to ~1e-13·sd). */
const LEVEL_TOLERANCE_SD = 1e-13;
/** Bracket expansion: steps of sd·2^k, at most this many doublings. */
const MAX_BRACKET_DOUBLINGS = 60;
/** Points scanned on (L, b*_L) to locate the maximum of V_L(x) − x − c (then refined by Brent on its slope). */
const STOP_LOSS_SCAN_POINTS = 16;

export type LeungLiParameters = OuStoppingParameters;

/** Value functions evaluated on a grid. */
export interface LeungLiValueGrid {
  readonly x: Float64Array;
  /** V(x) (or V_L(x) with stop-loss): value of holding one unit of the spread, to be sold optimally. */
  readonly exitValue: Float64Array;
  /** J(x) (or J_L(x)): value of the option to buy the spread optimally (then sell optimally). */
  readonly entryValue: Float64Array;
}

export interface LeungLiResult {
  /** Optimal exit level b* (b*_L with stop-loss): sell the long spread when X ≥ b*. */
  readonly exitLevel: number;
  /** Optimal entry level d* (d*_L with stop-loss): buy when X ≤ d* (X ∈ [a*_L, d*_L] with stop-loss); null when no entry region exists. */
  readonly entryLevel: number | null;
  /** Lower end a*_L of the stop-loss entry interval; null without stop-loss or without entry region. */
  readonly entryLowerLevel: number | null;
  /** The stop-loss level L used, or null. */
  readonly stopLoss: number | null;
  /** Stationary standard deviation σ/√(2κ) (the unit of z-scores). */
  readonly stationarySd: number;
  /** V(x): exit value function (x − c in the exit region, x − c below a stop-loss). */
  readonly exitValue: (x: number) => number;
  /** J(x): entry value function (V(x) − x − c in the entry region; 0 everywhere when there is none). */
  readonly entryValue: (x: number) => number;
  /** V and J on a grid (x must be finite numbers). */
  readonly valueFunctions: (x: ArrayLike<number>) => LeungLiValueGrid;
  /** Degenerate situations explained (no entry region, c = 0 ties, …); empty normally. */
  readonly warnings: string[];
}

interface LogSolution {
  logValue: number;
  logDerivative: number;
}

/**
 * Leung & Li's optimal mean-reversion trading rule: optimal stopping for buying and then selling an
 * OU spread dX = κ(θ − X)dt + σ dW with discount rate r and a transaction cost c on each trade.
 *
 * Exit: V(x) = sup_τ E_x[e^{−rτ}(X_τ − c)] = (b* − c)F(x)/F(b*) for x < b*, x − c otherwise, where
 * b* is the unique root of F(b) = (b − c)F′(b) on (c, ∞) [1, Thm 3.2].
 * Entry: J(x) = sup_ν E_x[e^{−rν}(V(X_ν) − X_ν − c)] = V(x) − x − c for x ≤ d*, and
 * (V(d*) − d* − c)G(x)/G(d*) above, with d* the root of G(d)(V′(d) − 1) = G′(d)(V(d) − d − c) [1, Thm 3.4].
 * F(x) = ∫₀^∞ u^{r/κ−1} exp(√(2κ/σ²)(x − θ)u − u²/2) du, G(x) the same with (θ − x) [1, eq. 2.7].
 * With stop-loss L < θ (forced exit at L): V_L(x) = C·F(x) + D·G(x) on (L, b*_L) with V_L(L) = L − c,
 * V_L(b) = b − c and smooth fit V_L′(b*_L) = 1 [1, Thm 4.2]; the entry region is the interval
 * [a*_L, d*_L] where a*_L maximises (V_L − x − c)/F and d*_L maximises (V_L − x − c)/G [1, Thm 4.4];
 * when V_L(x) − x − c ≤ 0 on (L, b*_L) no entry is ever optimal: entryLevel null and J ≡ 0.
 *
 * Numerics: F and G are evaluated in log form with their log-derivatives (see ouLaplaceIntegral: a
 * Hermite series near u = 0 plus scaled Gauss–Legendre panels, relative error ~1e-14), so nothing
 * overflows for κ from 0.01 to thousands or levels many standard deviations from θ — the fast
 * reversion failure (entry 0 from overflowing integrals) of the Python arbitragelab peer does not
 * occur. Every equation is divided by F or G so only ratios F(x)/F(b) = e^{ln F(x) − ln F(b)} appear.
 * Root brackets come from the problem: b* ∈ (c, ·) with the upper end found by doubling steps of the
 * stationary sd σ/√(2κ) until the sign changes; d* ∈ (·, b*) likewise downward; b*_L ∈ (L, b*];
 * the stop-loss entry interval is searched inside (L, b*_L) around the maximum of V_L(x) − x − c, never
 * from a start at or below L (the peer's second failure); the scan adds points at sd·2^k/|L − θ| from
 * both ends, because with θ far from c (in sd) the maximum sits within a few sd (or sd/|L − θ|) of L.
 * Brent's method to 1e-13 sd.
 * The problem is not translation-invariant (payoffs x − c and −x − c are absolute prices): levels − θ
 * depend on (κ, σ, r, θ − c, θ + c, L − θ). θ − c ≫ sd puts b* ≈ θ − ν(θ − c)/(1 + ν) far below θ;
 * c − θ ≫ sd puts b* ≈ c + sd²/(c − θ).
 * Degenerate cases: c = 0 gives d* < b* still (warning-free); no stop-loss entry region → null levels
 * plus a warning; b* ≤ L (stop-loss at or above the free exit level) → immediate exit, exitLevel = L,
 * no entry region, plus a warning.
 * @see [1] Leung, T. & Li, X. (2015) "Optimal mean reversion trading with transaction costs and
 *      stop-loss exit", Int. J. Theor. Appl. Finance 18(3), 1550020. Also Leung & Li (2016) "Optimal
 *      Mean Reversion Trading", World Scientific, ch. 2.
 * @throws RangeError if kappa, sigma or r is not > 0, r/kappa < 1e-8 (MIN_DISCOUNT_TO_SPEED_RATIO), c < 0, |theta|, c or |stopLoss| > 1e8 stationary sds (MAX_LEVEL_IN_SD), theta non-finite, or stopLoss ≥ theta; also (never seen in 12 000 seeded extreme parameter sets, kept as a guard) if a level's equation cannot be bracketed in double precision — the message names every parameter
 * @example leungLi({ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 }).exitLevel // ≈ 0.6539871224 (b*; d* ≈ 0.3138464838; fixtures/leungLi.json, mpmath pcfd + bisection)
 */
export function leungLi(params: LeungLiParameters): LeungLiResult {
  const fn = "leungLi";
  const { kappa, theta, sigma, r: discountRate, c, stopLoss, stationarySd, nu } = checkOuStoppingParameters(fn, params);
  const scale = Math.sqrt(2 * kappa) / sigma;
  const sd = stationarySd;
  const xTol = LEVEL_TOLERANCE_SD * sd;
  const warnings: string[] = [];
  /**
   * Brent on a bracket derived above. In regimes double precision cannot resolve (e.g. a stop-loss
   * ~1e5 sd below θ with r/κ ~ 1e-5: the entry interval is narrower than the spacing of doubles at L)
   * the derived bracket can fail to change sign; that is reported as a RangeError naming the
   * parameters, never as findRootBrent's internal Error (which the server would map to INTERNAL).
   */
  const root = (what: string, f: (x: number) => number, lo: number, hi: number, tol: number, fLo?: number, fHi?: number): number => {
    try {
      return findRootBrent(f, lo, hi, tol, 200, fLo ?? f(lo), fHi ?? f(hi));
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError) throw error;
      const inSd = (v: number): string => ((v - theta) / sd).toPrecision(3);
      return rangeError(
        fn,
        `the ${what} cannot be resolved in double precision for kappa = ${kappa}, theta = ${theta}, sigma = ${sigma}, r = ${discountRate}, c = ${c}` +
          `${stopLoss === null ? "" : `, stopLoss = ${stopLoss} (${inSd(stopLoss)} sd from theta)`}: c − theta = ${((c - theta) / sd).toPrecision(3)} sd;` +
          ` bring theta, c and stopLoss within a few thousand stationary sds (sigma/sqrt(2 kappa) = ${sd}) of each other (${(error as Error).message})`,
      );
    }
  };
  /** ln F(x) and F′(x)/F(x). */
  const evalF = (x: number): LogSolution => {
    const r = ouLaplaceIntegral(scale * (x - theta), nu);
    return { logValue: r.logValue, logDerivative: scale * r.logDerivative };
  };
  /** ln G(x) and G′(x)/G(x) (< 0). */
  const evalG = (x: number): LogSolution => {
    const r = ouLaplaceIntegral(scale * (theta - x), nu);
    return { logValue: r.logValue, logDerivative: -scale * r.logDerivative };
  };

  // ---- Exit without stop-loss: h(b) = 1 − (b − c)F′(b)/F(b), h(c) = 1 > 0, decreasing on (c, ∞).
  const exitEquation = (b: number): number => 1 - (b - c) * evalF(b).logDerivative;
  const exitLow = c;
  let exitHigh = Math.max(c, theta) + sd;
  let lowFree = exitLow;
  for (let k = 0; k < MAX_BRACKET_DOUBLINGS && exitEquation(exitHigh) > 0; k++) {
    lowFree = exitHigh;
    exitHigh = Math.max(c, theta) + sd * 2 ** (k + 1);
  }
  const exitFree = root("exit level b*", exitEquation, lowFree, exitHigh, xTol);
  const logFAtExitFree = evalF(exitFree).logValue;

  /** V(x) and V′(x) without stop-loss. */
  const exitValueFree = (x: number): [number, number] => {
    if (x >= exitFree) return [x - c, 1];
    const f = evalF(x);
    const value = (exitFree - c) * Math.exp(f.logValue - logFAtExitFree);
    return [value, value * f.logDerivative];
  };

  if (stopLoss === null) {
    // ---- Entry: q(d) = V′(d) − 1 − (G′/G)(d)(V(d) − d − c); q → +∞ as d → −∞, q(b*) = 2c·G′/G ≤ 0.
    const entryEquation = (d: number): number => {
      const [value, slope] = exitValueFree(d);
      return slope - 1 - evalG(d).logDerivative * (value - d - c);
    };
    let entryHigh = exitFree;
    let qHigh = entryEquation(entryHigh);
    for (let k = 0; k < MAX_BRACKET_DOUBLINGS && qHigh >= 0; k++) {
      entryHigh = exitFree - sd * 1e-3 * 2 ** k; // c = 0: q(b*) = 0, step inside
      qHigh = entryEquation(entryHigh);
    }
    let entryLow = Math.min(theta, entryHigh) - sd;
    let qLow = entryEquation(entryLow);
    for (let k = 0; k < MAX_BRACKET_DOUBLINGS && qLow <= 0; k++) {
      entryHigh = entryLow;
      qHigh = qLow;
      entryLow = Math.min(theta, exitFree) - sd * 2 ** (k + 1);
      qLow = entryEquation(entryLow);
    }
    const entry = root("entry level d*", entryEquation, entryLow, entryHigh, xTol, qLow, qHigh);
    const [valueAtEntry] = exitValueFree(entry);
    const entryPremium = valueAtEntry - entry - c;
    const logGAtEntry = evalG(entry).logValue;
    const exitValue = (x: number): number => exitValueFree(x)[0];
    const entryValue = (x: number): number => {
      if (x <= entry) return exitValueFree(x)[0] - x - c;
      return entryPremium * Math.exp(evalG(x).logValue - logGAtEntry);
    };
    return finish(exitFree, entry, null, exitValue, entryValue);
  }

  // ---- Stop-loss L: V_L(x) = [(b−c − (L−c)ρ_G)·F(x)/F(b) + (L−c − (b−c)ρ_F)·G(x)/G(L)] / (1 − ρ_Fρ_G),
  // ρ_F = F(L)/F(b), ρ_G = G(b)/G(L): the C·F + D·G of [1, eq. 4.2] divided through so only ratios < 1 appear.
  const L = stopLoss;
  if (exitFree <= L) {
    // b* ≤ L: x − c is already optimal on [b*, ∞) ⊃ [L, ∞) without the stop-loss, and V_L ≤ V, V_L ≥ x − c,
    // so V_L(x) = x − c: exit at once (b*_L = L) and, the premium V_L − x − c being −2c ≤ 0, never enter.
    // (θ far above c in sd units puts b* far below θ: b* − θ ≈ −ν(θ − c)/(1 + ν) for θ − c ≫ sd.)
    warnings.push(
      `leungLi: the exit level without stop-loss b* = ${exitFree} is at or below the stop-loss ${L}: immediate exit (exitLevel = L) and no entry region (J ≡ 0)`,
    );
    return finish(
      L,
      null,
      null,
      (x) => x - c,
      () => 0,
    );
  }
  const fAtL = evalF(L);
  const gAtL = evalG(L);
  interface Boundary {
    b: number;
    logFb: number;
    rhoF: number;
    rhoG: number;
    coefF: number;
    coefG: number;
  }
  const boundary = (b: number, fb = evalF(b), gb = evalG(b)): Boundary => {
    const rhoF = Math.exp(fAtL.logValue - fb.logValue);
    const rhoG = Math.exp(gb.logValue - gAtL.logValue);
    const den = 1 - rhoF * rhoG;
    return {
      b,
      logFb: fb.logValue,
      rhoF,
      rhoG,
      coefF: (b - c - (L - c) * rhoG) / den,
      coefG: (L - c - (b - c) * rhoF) / den,
    };
  };
  // Smooth fit ψ(b) = V_L′(b⁻) − 1 (< 0 below b*_L, > 0 above).
  const smoothFit = (b: number): number => {
    const fb = evalF(b);
    const gb = evalG(b);
    const bd = boundary(b, fb, gb);
    return bd.coefF * fb.logDerivative + bd.coefG * gb.logDerivative * bd.rhoG - 1;
  };
  let slHigh = Math.max(exitFree, L + sd * 1e-6);
  let psiHigh = smoothFit(slHigh);
  for (let k = 0; k < MAX_BRACKET_DOUBLINGS && psiHigh < 0; k++) {
    slHigh = exitFree + sd * 2 ** k;
    psiHigh = smoothFit(slHigh);
  }
  let slLow = L + 0.5 * (slHigh - L);
  let psiLow = smoothFit(slLow);
  for (let k = 2; k < MAX_BRACKET_DOUBLINGS && psiLow >= 0; k++) {
    slHigh = slLow;
    psiHigh = psiLow;
    slLow = L + (slHigh - L) * 0.5;
    psiLow = smoothFit(slLow);
  }
  let exitStop: number;
  if (psiLow >= 0) {
    exitStop = slLow;
    warnings.push("leungLi: the stop-loss exit level is indistinguishable from the stop-loss (immediate exit)");
  } else {
    exitStop = root("stop-loss exit level b*_L", smoothFit, slLow, slHigh, xTol, psiLow, psiHigh);
  }
  const bd = boundary(exitStop);
  const logGAtL = gAtL.logValue;
  /** V_L(x), V_L′(x). */
  const exitValueStop = (x: number): [number, number] => {
    if (x <= L) return [x - c, 1];
    if (x >= exitStop) return [x - c, 1];
    const f = evalF(x);
    const g = evalG(x);
    const partF = bd.coefF * Math.exp(f.logValue - bd.logFb);
    const partG = bd.coefG * Math.exp(g.logValue - logGAtL);
    return [partF + partG, partF * f.logDerivative + partG * g.logDerivative];
  };
  /** h = V_L − x − c, h′ and the log-derivatives of F and G at x (two integral evaluations). */
  const stopState = (x: number): { h: number; slope: number; phiF: number; phiG: number } => {
    const f = evalF(x);
    const g = evalG(x);
    if (x <= L || x >= exitStop) return { h: -2 * c, slope: 0, phiF: f.logDerivative, phiG: g.logDerivative };
    const partF = bd.coefF * Math.exp(f.logValue - bd.logFb);
    const partG = bd.coefG * Math.exp(g.logValue - logGAtL);
    return {
      h: partF + partG - x - c,
      slope: partF * f.logDerivative + partG * g.logDerivative - 1,
      phiF: f.logDerivative,
      phiG: g.logDerivative,
    };
  };
  const premium = (x: number): number => exitValueStop(x)[0] - x - c;
  // Locate the maximum of h = V_L(x) − x − c on (L, b*_L): scan, then Brent on h′ = 0 around the best point.
  // Uniform points, plus (when the interval spans many sd, e.g. θ far below c) points at sd·2^k from
  // either end: the maximum then sits within a few sd (or sd/|L − θ|) of L and a uniform scan would step over it.
  const span = exitStop - L;
  const uniformStep = span / STOP_LOSS_SCAN_POINTS;
  const scanX: number[] = [];
  for (let i = 1; i < STOP_LOSS_SCAN_POINTS; i++) scanX.push(L + uniformStep * i);
  // F and G vary on the scale sd/|y| at y sd from θ, so the geometric points start that fine.
  const farthest = Math.max(1, Math.abs(L - theta) / sd, Math.abs(exitStop - theta) / sd);
  for (let step = sd / (16 * farthest); step < uniformStep; step *= 2) scanX.push(L + step, exitStop - step);
  scanX.sort((u, v) => u - v);
  let bestX = L;
  let bestValue = -Infinity;
  let bestIndex = 0;
  const scanSlopes = new Float64Array(scanX.length);
  for (let i = 0; i < scanX.length; i++) {
    const state = stopState(scanX[i]);
    scanSlopes[i] = state.slope;
    if (state.h > bestValue) {
      bestValue = state.h;
      bestX = scanX[i];
      bestIndex = i;
    }
  }
  {
    // h′ > 0 left of the maximum and < 0 right of it (smooth fit makes h′(b*_L) = 0, so stay inside).
    const last = scanX.length - 1;
    const lo = bestIndex > 0 ? scanX[bestIndex - 1] : L + 1e-3 * (scanX[0] - L);
    const hi = bestIndex < last ? scanX[bestIndex + 1] : exitStop - 1e-3 * (exitStop - scanX[last]);
    const slopeLo = bestIndex > 0 ? scanSlopes[bestIndex - 1] : stopState(lo).slope;
    const slopeHi = bestIndex < last ? scanSlopes[bestIndex + 1] : stopState(hi).slope;
    if (slopeLo > 0 && slopeHi < 0) {
      const xMax = root("maximum of V_L(x) − x − c", (x) => stopState(x).slope, lo, hi, xTol, slopeLo, slopeHi);
      const value = stopState(xMax).h;
      if (value > bestValue) {
        bestValue = value;
        bestX = xMax;
      }
    }
  }
  if (!(bestValue > 0)) {
    warnings.push(
      `leungLi: no entry region with stop-loss ${L}: V_L(x) − x − c ≤ 0 on (L, b*_L) (max ${bestValue.toPrecision(6)}), so never entering is optimal (J ≡ 0)`,
    );
    return finish(
      exitStop,
      null,
      null,
      (x) => exitValueStop(x)[0],
      () => 0,
    );
  }
  // a*_L: root of h′ − (F′/F)h on (x₁, x_max); d*_L: root of h′ − (G′/G)h on (x_max, x₂), x₁ < x₂ the zeros of h.
  const bracketTol = 1e-9 * sd;
  const leftZero = c > 0 ? root("lower zero of V_L(x) − x − c", premium, L, bestX, bracketTol) : L;
  const rightZero = c > 0 ? root("upper zero of V_L(x) − x − c", premium, bestX, exitStop, bracketTol) : exitStop;
  const lowerEquation = (x: number): number => {
    const st = stopState(x);
    return st.slope - st.phiF * st.h;
  };
  const upperEquation = (x: number): number => {
    const st = stopState(x);
    return st.slope - st.phiG * st.h;
  };
  // At the maximum h′ = 0 makes the lower equation −(F′/F)h < 0 and the upper one −(G′/G)h > 0. When h″
  // is so large that the refined maximum is only known to a few ulps (e.g. L ~1e5 sd below θ), its sign
  // can be off; the roots then lie within a scan step on the other side, where h′ ≶ 0 restores the bracket.
  const lowerAtMax = lowerEquation(bestX);
  const upperAtMax = upperEquation(bestX);
  const lowerHigh = lowerAtMax < 0 ? bestX : bestIndex < scanX.length - 1 ? Math.min(rightZero, scanX[bestIndex + 1]) : rightZero;
  const upperLow = upperAtMax > 0 ? bestX : bestIndex > 0 ? Math.max(leftZero, scanX[bestIndex - 1]) : leftZero;
  const entryLower = root("stop-loss entry level a*_L", lowerEquation, leftZero, lowerHigh, xTol);
  const entryUpper = root("stop-loss entry level d*_L", upperEquation, upperLow, rightZero, xTol);
  const premiumLower = premium(entryLower);
  const premiumUpper = premium(entryUpper);
  const logFLower = evalF(entryLower).logValue;
  const logGUpper = evalG(entryUpper).logValue;
  const entryValue = (x: number): number => {
    if (x < entryLower) return premiumLower * Math.exp(evalF(x).logValue - logFLower);
    if (x > entryUpper) return premiumUpper * Math.exp(evalG(x).logValue - logGUpper);
    return premium(x);
  };
  return finish(exitStop, entryUpper, entryLower, (x) => exitValueStop(x)[0], entryValue);

  function finish(
    exitLevel: number,
    entryLevel: number | null,
    entryLowerLevel: number | null,
    exitValue: (x: number) => number,
    entryValue: (x: number) => number,
  ): LeungLiResult {
    const valueFunctions = (xs: ArrayLike<number>): LeungLiValueGrid => {
      const grid = toFloat64(xs, "x", "leungLi.valueFunctions");
      const exitValues = new Float64Array(grid.length);
      const entryValues = new Float64Array(grid.length);
      for (let i = 0; i < grid.length; i++) {
        exitValues[i] = exitValue(grid[i]);
        entryValues[i] = entryValue(grid[i]);
      }
      return { x: grid, exitValue: exitValues, entryValue: entryValues };
    };
    return Object.freeze({
      exitLevel,
      entryLevel,
      entryLowerLevel,
      stopLoss,
      stationarySd: sd,
      exitValue,
      entryValue,
      valueFunctions,
      warnings,
    });
  }
}
