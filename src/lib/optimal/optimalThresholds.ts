import { bertramThresholds } from "./bertramThresholds.js";
import { rangeError, requireFinite, requireOneOf, requireOptions } from "../util/validate.js";

export type ThresholdObjective = "profit" | "sharpe" | "kelly";

export interface OptimalThresholdsParameters {
  kappa: number;
  theta: number;
  sigma: number;
  /** Round-trip transaction cost c > 0 (spread units). */
  c: number;
  /** "profit": max expected profit per unit time; "sharpe": max Sharpe ratio; "kelly": max growth rate of a Kelly-levered position (same band as "sharpe"). */
  objective: ThresholdObjective;
  /** Risk-free rate per unit time for "sharpe"/"kelly" (default 0; see bertramThresholds for why r_f = 0 degenerates). */
  rf?: number;
}

export interface OptimalThresholdsResult {
  /** Signed z-score of the long entry (buy the spread when z ≤ entryZScore < 0; mirror: short at z ≥ −entryZScore). */
  readonly entryZScore: number;
  /** Signed z-score where the long is closed (z ≥ exitZScore = −entryZScore; the short closes at z ≤ entryZScore). */
  readonly exitZScore: number;
  /** Expected holding time of one position (entry → exit), E[T]/2, in the time units of κ. */
  readonly expectedHoldingTime: number;
  /** Profit per completed trade 2m − c, spread units. */
  readonly expectedReturnPerTrade: number;
  /** Share of completed trades that make money under the model: 1 when 2m > c (no stop-loss, every trade ends at the exit band); see doc. */
  readonly winRateEstimate: number;
  /** Expected profit per unit time μ = (2m − c)/E[T]. */
  readonly expectedReturnRate: number;
  /** Sharpe ratio (μ − r_f)/σ of the renewal-reward strategy. */
  readonly sharpe: number;
  /** Kelly leverage f* = (μ − r_f)/σ², growth rate r_f + sharpe²/2 at f*. */
  readonly kellyFraction: number;
  readonly objective: ThresholdObjective;
  readonly warnings: string[];
}

/**
 * One call for the server's OptimalThresholds RPC: Bertram's symmetric band (buy at θ − m, sell at
 * θ + m, and the mirror short) for the chosen objective, reported in z-scores z = (x − θ)/(σ/√(2κ)).
 * - "profit" = Bertram's expected-return-per-unit-time optimum.
 * - "sharpe" = Bertram's Sharpe optimum with the given r_f.
 * - "kelly": a continuous-time Kelly bettor levers the strategy by f* = (μ − r_f)/σ² and grows at
 *   r_f + (μ − r_f)²/(2σ²) = r_f + S²/2, so the growth-optimal band is the Sharpe-optimal band; this is
 *   our definition (Bertram 2010 has no Kelly objective); only kellyFraction distinguishes the outputs.
 * winRateEstimate is honest about the model: without a stop-loss every completed trade earns 2m − c,
 * so it is 1 when 2m > c and 0 otherwise; it ignores trades left open at a finite horizon and any model
 * error (use a backtest for an empirical win rate).
 * expectedHoldingTime = E[T]/2 because the two legs of Bertram's cycle are mirror images.
 * @see [1] Bertram, W.K. (2010) Physica A 389(11), 2234–2243. [2] Thorp, E.O. (2006) "The Kelly criterion in
 *      blackjack, sports betting and the stock market", Handbook of Asset and Liability Management, §7 (continuous Kelly f* = (μ − r)/σ²).
 * @throws RangeError for the bertramThresholds parameter errors or an unknown objective
 * @example optimalThresholds({ kappa: 5, theta: 0, sigma: 0.3, c: 0.02, objective: "profit" }).exitZScore // ≈ 0.7036674 (fixtures/bertram.json, mpmath)
 */
export function optimalThresholds(params: OptimalThresholdsParameters): OptimalThresholdsResult {
  const fn = "optimalThresholds";
  if (params === undefined || params === null) rangeError(fn, "parameters { kappa, theta, sigma, c, objective } are required");
  const p = requireOptions<OptimalThresholdsParameters>(fn, params);
  const objective = requireOneOf<ThresholdObjective>(fn, "objective", p.objective, ["profit", "sharpe", "kelly"]);
  const rf = requireFinite(fn, "rf", p.rf ?? 0, { min: 0 });
  let band;
  try {
    band = bertramThresholds({
      kappa: p.kappa as number,
      theta: p.theta as number,
      sigma: p.sigma as number,
      c: p.c as number,
      objective: objective === "profit" ? "return" : "sharpe",
      rf,
    });
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError) {
      const Ctor = error instanceof RangeError ? RangeError : TypeError;
      throw new Ctor(error.message.replace(/^bertramThresholds:/, `${fn}:`));
    }
    throw error;
  }
  const variance = band.returnVariance;
  return Object.freeze({
    entryZScore: band.entryZScore,
    exitZScore: band.exitZScore,
    expectedHoldingTime: band.expectedTradeLength / 2,
    expectedReturnPerTrade: band.returnPerTrade,
    winRateEstimate: band.returnPerTrade > 0 ? 1 : 0,
    expectedReturnRate: band.expectedReturn,
    sharpe: band.sharpe,
    kellyFraction: (band.expectedReturn - rf) / variance,
    objective,
    warnings: band.warnings.map((w) => w.replace(/^bertramThresholds:/, `${fn}:`)),
  });
}
