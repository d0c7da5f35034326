import { dawson } from "./dawson.js";
import { findRootBrent } from "../util/findRootBrent.js";
import { maximizeGoldenSection } from "../util/maximizeGoldenSection.js";
import { rangeError, requireFinite, requireOneOf, requireOptions, requirePositive } from "../util/validate.js";

/** Sharpe search: band half-widths scanned in steps of SCAN_STEP_SD stationary sd up to SCAN_MAX_SD. */
const SCAN_STEP_SD = 0.02;
const SCAN_MAX_SD = 8;
/**
 * Largest q = m·√κ/σ at the break-even band m = c/2 for which the cycle moments stay finite in
 * double precision: E[T] grows like e^{q²} and V[T] like e^{2q²}, which overflows at 2q² ≈ 709.8
 * (q ≈ 18.8). Bands beyond it cannot be reported.
 */
export const MAX_BAND_Q = 18;

export type BertramObjective = "return" | "sharpe";

export interface BertramParameters {
  /** Mean-reversion speed κ > 0 (Bertram's α). */
  kappa: number;
  /** Long-run mean θ. */
  theta: number;
  /** Volatility σ > 0 (Bertram's η). */
  sigma: number;
  /** Round-trip transaction cost c > 0 per trade (entry + exit), in spread units. */
  c: number;
  /** "return": maximise expected return per unit time; "sharpe": maximise the Sharpe ratio. */
  objective: BertramObjective;
  /** Risk-free rate per unit time for the Sharpe ratio (default 0). */
  rf?: number;
}

export interface BertramResult {
  /** Buy the spread at θ − m (and, symmetrically, short at θ + m). */
  readonly entryLevel: number;
  /** Sell (close the long) at θ + m. */
  readonly exitLevel: number;
  /** Half-width m of the band, in spread units. */
  readonly bandHalfWidth: number;
  /** −m/s and m/s with s = σ/√(2κ) (stationary standard deviations). */
  readonly entryZScore: number;
  readonly exitZScore: number;
  /** E[T]: expected length of a full cycle θ−m → θ+m → θ−m (time units of κ). */
  readonly expectedTradeLength: number;
  /** V[T]: variance of the cycle length. */
  readonly tradeLengthVariance: number;
  /** Profit per completed trade 2m − c (spread units). */
  readonly returnPerTrade: number;
  /** μ = (2m − c)/E[T]: expected return per unit time. */
  readonly expectedReturn: number;
  /** σ² = (2m − c)²·V[T]/E[T]³: return variance per unit time. */
  readonly returnVariance: number;
  /** (μ − r_f)/√σ². */
  readonly sharpe: number;
  readonly objective: BertramObjective;
  readonly rf: number;
  readonly warnings: string[];
}

/** E[T] and V[T] of the symmetric cycle for half-width m (Bertram 2010, eqs. 9 and 10). */
export function bertramCycleMoments(kappa: number, sigma: number, m: number): { mean: number; variance: number } {
  // q = m√α/η; Erfi(q) = (2/√π)e^{q²}D(q).
  const q = (m * Math.sqrt(kappa)) / sigma;
  const erfiQ = (2 / Math.sqrt(Math.PI)) * Math.exp(q * q) * dawson(q);
  const mean = ((2 * Math.PI) / kappa) * erfiQ;
  // z = m√(2α)/η; t_k = Γ(k/2)(√2 z)^k/k!, t_{k+2} = t_k·k·z²/((k+1)(k+2)).
  // w1(z) = S₊² − S₋² = (Σ_odd t_k)(Σ_even t_k); w2(z) = Σ_k t_{2k−1}·(ψ(k − ½) − ψ(1)); both odd in z, so
  // V[T] = (w1(z) − w1(−z) − w2(z) + w2(−z))/α² = 2(w1(z) − w2(z))/α².
  const z = q * Math.SQRT2;
  const z2 = z * z;
  let odd = Math.sqrt(2 * Math.PI) * z; // t_1 = Γ(1/2)·√2·z
  let even = z2; // t_2 = Γ(1)·2z²/2
  let sumOdd = 0;
  let sumEven = 0;
  let sumW2 = 0;
  let digamma = -2 * Math.LN2; // ψ(1/2) − ψ(1) = −2 ln 2
  for (let k = 1; k < 2000; k += 2) {
    sumOdd += odd;
    sumEven += even;
    sumW2 += odd * digamma;
    digamma += 2 / k; // ψ(x + 1) = ψ(x) + 1/x at x = k/2
    const nextOdd = (odd * k * z2) / ((k + 1) * (k + 2));
    const nextEven = (even * (k + 1) * z2) / ((k + 2) * (k + 3));
    odd = nextOdd;
    even = nextEven;
    if (k > 4 && odd < 1e-17 * sumOdd && even < 1e-17 * sumEven) break;
  }
  const variance = (2 * (sumOdd * sumEven - sumW2)) / (kappa * kappa);
  return { mean, variance };
}

/**
 * Bertram's analytic optimal symmetric thresholds for trading an OU spread dX = κ(θ − X)dt + σ dW:
 * buy at θ − m, sell at θ + m (and the mirror short), one round trip costing c.
 * The cycle length T (θ−m → θ+m → θ−m) has E[T] = (π/κ)(erfi(m√κ/σ) − erfi(−m√κ/σ)) [1, eq. 9] and
 * V[T] = (w₁(z) − w₁(−z) − w₂(z) + w₂(−z))/κ², z = m√(2κ)/σ [1, eq. 10], with
 * w₁(z) = (½Σ_{k≥1}Γ(k/2)(√2z)^k/k!)² − (½Σ_{k≥1}(−1)^kΓ(k/2)(√2z)^k/k!)², w₂(z) = Σ_{k≥1}Γ(k−½)(ψ(k−½) − ψ(1))(√2z)^{2k−1}/(2k−1)!.
 * Renewal-reward: μ = (2m − c)/E[T], σ² = (2m − c)²V[T]/E[T]³, Sharpe = (μ − r_f)/σ [1, eqs. 11–13].
 * objective "return": the maximiser solves e^{q²}(2m − c) = σ√(π/κ)·erfi(q), q = m√κ/σ [1, eq. 15],
 * solved as (2m − c) = 2(σ/√κ)·D(q) with Dawson's D (no overflow) by Brent on (c/2, ·).
 * objective "sharpe": scan of m then golden-section refinement (unimodal for r_f > 0).
 * w₁ is evaluated as (Σ_odd t_k)(Σ_even t_k), the factorised difference of squares, so the
 * alternating series never cancels.
 * Degenerate: with r_f = 0 the Sharpe ratio equals √(E[T]/V[T]), independent of c and decreasing in m,
 * so its supremum is the break-even band m = c/2 (zero profit per trade): returned with a warning;
 * pass r_f > 0 for an interior optimum.
 * @see [1] Bertram, W.K. (2010) "Analytic solutions for optimal statistical arbitrage trading",
 *      Physica A 389(11), 2234–2243.
 * @throws RangeError if c·√κ/(2σ) > MAX_BAND_Q (the break-even band is so many sd wide that E[T] overflows)
 * @throws RangeError if kappa or sigma ≤ 0, c ≤ 0 (with c = 0 the return-optimal band collapses to θ), rf < 0 or non-finite, or an unknown objective
 * @example bertramThresholds({ kappa: 5, theta: 0, sigma: 0.3, c: 0.02, objective: "return" }).exitLevel // ≈ 0.0667557528 (z ≈ 0.7036674194; fixtures/bertram.json, mpmath erfi + findroot)
 */
export function bertramThresholds(params: BertramParameters): BertramResult {
  const fn = "bertramThresholds";
  if (params === undefined || params === null) rangeError(fn, "parameters { kappa, theta, sigma, c, objective } are required");
  const p = requireOptions<BertramParameters>(fn, params);
  const kappa = requirePositive(fn, "kappa", p.kappa);
  const theta = requireFinite(fn, "theta", p.theta);
  const sigma = requirePositive(fn, "sigma", p.sigma);
  const c = requirePositive(fn, "c", p.c);
  const objective = requireOneOf<BertramObjective>(fn, "objective", p.objective, ["return", "sharpe"]);
  const rf = requireFinite(fn, "rf", p.rf ?? 0, { min: 0 });
  const sd = sigma / Math.sqrt(2 * kappa);
  if (!(sd > 0) || !Number.isFinite(sd)) {
    rangeError(fn, `the stationary sd σ/√(2κ) must be finite and > 0, got ${sd} (kappa = ${kappa}, sigma = ${sigma})`);
  }
  // Every band is at least the break-even half-width c/2; beyond MAX_BAND_Q the cycle length
  // e^{q²} overflows and no finite threshold, holding time or Sharpe ratio exists.
  const breakEvenQ = ((c / 2) * Math.sqrt(kappa)) / sigma;
  if (!(breakEvenQ <= MAX_BAND_Q)) {
    rangeError(
      fn,
      `c = ${c} is ${(c / 2 / sd).toPrecision(4)} stationary sd wide at break-even (kappa = ${kappa}, sigma = ${sigma}): c·√κ/(2σ) must be <= ${MAX_BAND_Q}, else the expected cycle length overflows`,
    );
  }
  const warnings: string[] = [];
  const sharpeOf = (m: number): number => {
    const { mean, variance } = bertramCycleMoments(kappa, sigma, m);
    const profit = 2 * m - c;
    return (profit / mean - rf) / (Math.abs(profit) * Math.sqrt(variance / (mean * mean * mean)));
  };
  let m: number;
  if (objective === "return") {
    const scaleLength = sigma / Math.sqrt(kappa);
    const condition = (mm: number): number => 2 * mm - c - 2 * scaleLength * dawson((mm * Math.sqrt(kappa)) / sigma);
    const low = c / 2;
    let high = c / 2 + sd;
    for (let k = 0; k < 200 && condition(high) < 0; k++) high = c / 2 + sd * 2 ** (k + 1);
    m = findRootBrent(condition, low, high, 1e-14 * sd);
  } else {
    const low = c / 2;
    let best = low + SCAN_STEP_SD * sd;
    let bestValue = sharpeOf(best);
    // Integer-indexed scan: x += step·sd would stall where step·sd is below the resolution of x.
    const scanSteps = Math.round(SCAN_MAX_SD / SCAN_STEP_SD);
    for (let k = 2; k <= scanSteps; k++) {
      const x = low + k * SCAN_STEP_SD * sd;
      const v = sharpeOf(x);
      if (v > bestValue) {
        best = x;
        bestValue = v;
      }
    }
    let lo = Math.max(low, best - SCAN_STEP_SD * sd);
    const hi = best + SCAN_STEP_SD * sd;
    if (best - SCAN_STEP_SD * sd <= low) {
      // Supremum at the break-even edge (r_f = 0 or tiny): S(m) → √(E/V) as m ↓ c/2.
      lo = low;
    }
    // Below or at the break-even edge the band makes no profit: −∞ keeps the search inside (c/2, hi].
    const bracket = maximizeGoldenSection((x) => (x > low ? sharpeOf(x) : -Infinity), lo, hi, 1e-11 * sd);
    m = 0.5 * (bracket.lo + bracket.hi);
    if (m - low < 1e-6 * sd) {
      warnings.push(
        "bertramThresholds: the Sharpe ratio is maximised at the break-even band m = c/2 (zero profit per trade); with rf = 0 it equals √(E[T]/V[T]) and decreases in m — pass rf > 0",
      );
    }
  }
  const { mean, variance } = bertramCycleMoments(kappa, sigma, m);
  const profit = 2 * m - c;
  const expectedReturn = profit / mean;
  const returnVariance = (profit * profit * variance) / (mean * mean * mean);
  if (!Number.isFinite(mean) || !Number.isFinite(variance) || !Number.isFinite(m / sd) || !Number.isFinite(returnVariance)) {
    rangeError(
      fn,
      `no finite band for kappa = ${kappa}, sigma = ${sigma}, c = ${c}: E[T] = ${mean}, V[T] = ${variance} overflow double precision`,
    );
  }
  return Object.freeze({
    entryLevel: theta - m,
    exitLevel: theta + m,
    bandHalfWidth: m,
    entryZScore: -m / sd,
    exitZScore: m / sd,
    expectedTradeLength: mean,
    tradeLengthVariance: variance,
    returnPerTrade: profit,
    expectedReturn,
    returnVariance,
    sharpe: (expectedReturn - rf) / Math.sqrt(returnVariance),
    objective,
    rf,
    warnings,
  });
}
