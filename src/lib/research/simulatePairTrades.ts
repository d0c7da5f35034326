/**
 * The trading half of the backtester for one pair on precomputed per-bar hedge ratios β_t and
 * signals v_t (the data half: hedge estimation and z-scores, computed once per (hedge, window)
 * group by the engine itself). Replays BacktestEngine's steps 1, 5–7 for close fills, capital
 * sizing (leverage 1) and proportional costs: mark to market, ruin check, rule decision on
 * (v_t, v_{t−1}) with the crossing conventions of tradingRule.ts, fill at the close of t with
 * q = equity/(y_t + |β_t|·x_t), β locked at entry, costs |q|·price·rate per leg, and at the last bar
 * close any open trade. `sweepBacktests` tests this against `backtestPair` (same returns to 1e-12).
 * Not offered: next-close fills, fixed/per-unit fees, maxGrossExposure, maxDailyLoss.
 *
 * The loop alternates two phases, each a tight loop over bars:
 * - flat: equity and the return stay unchanged, so only the entry test runs, bar after bar, until
 *   it fires (and the fill is possible: β_t defined, q > 0);
 * - held: each bar is marked to market and its return added to Σr, Σr² and the drawdown, until
 *   ruin (equity ≤ 0), the rule's exit or stop, or the last bar closes the trade.
 * The two tests are decideAction's (tradingRule.ts) on the rule's thresholds, read into locals once:
 * enter long when v_t ≤ longEntry < v_{t−1} and v_t > longStop, short when v_t ≥ shortEntry >
 * v_{t−1} and v_t < shortStop (a disabled side's entry is ±∞); a long exits when v_t ≤ longStop or
 * v_t ≥ longExit, a short when v_t ≤ shortExit or v_t ≥ shortStop. A NaN value fails every
 * comparison, i.e. holds, as in decideAction. A new rule kind is a new set of thresholds
 * (normalizeRule), not a change here; a rule that is not thresholds on v needs its own phase tests.
 * Internal kernel: inputs validated by the caller.
 */
import type { RuleThresholds } from "../backtest/tradingRule.js";

/** Summary of one simulated run (the per-bar returns go to `returnsOut` when given). */
export interface PairTradesSummary {
  finalEquity: number;
  trades: number;
  /** Mean and sum of squared deviations of the n per-bar returns. */
  meanReturn: number;
  sumSquares: number;
  /** max over t of 1 − equity_t / max(capital, max_{s≤t} equity_s). */
  maxDrawdown: number;
}

/**
 * Simulate the rule; see the module comment. `firstDefined`: index of the first non-NaN signal
 * (earlier bars are flat whatever the rule and are skipped; returnsOut must be zero-filled).
 */
export function simulatePairTradesKernel(
  y: Float64Array,
  x: Float64Array,
  beta: Float64Array,
  signal: Float64Array,
  th: RuleThresholds,
  costRate: number,
  capital: number,
  returnsOut: Float64Array | null,
  firstDefined = 0,
): PairTradesSummary {
  const n = y.length;
  const last = n - 1;
  const longEntry = th.longEnabled ? th.longEntry : -Infinity;
  const shortEntry = th.shortEnabled ? th.shortEntry : Infinity;
  const { longExit, longStop, shortExit, shortStop } = th;
  let equity = capital;
  let previous = NaN; // v_{t−1}
  let trades = 0;
  // Σr and Σr² over the bars with r ≠ 0 only (a flat bar adds nothing): no division per flat bar.
  // Per-bar returns are O(1e-2) with |mean| ≪ sd, so Σr² − (Σr)²/n loses no useful digits here.
  let sum = 0;
  let sumSq = 0;
  let peak = capital;
  let maxDd = 0;
  let i = firstDefined;
  // a book at or below zero equity is ruined: it never enters again
  while (i < n && equity > 0) {
    // flat: scan for the next entry the book can fill
    let side = 0;
    let qy = 0;
    let qx = 0;
    for (; i < n; i++) {
      const v = signal[i];
      const prev = previous;
      previous = v;
      let direction: number;
      if (v <= longEntry && prev > longEntry && v > longStop) direction = 1;
      else if (v >= shortEntry && prev < shortEntry && v < shortStop) direction = -1;
      else continue;
      const b = beta[i];
      const q = equity / (y[i] + Math.abs(b) * x[i]);
      if (!(q > 0 && q < Infinity)) continue; // undefined hedge ratio (NaN β)
      side = direction;
      qy = direction * q;
      qx = -direction * q * b;
      break;
    }
    if (side === 0) break; // flat to the end
    // the entry bar pays the entry cost (and, on the last bar, the exit cost at once)
    let before = equity;
    equity -= (Math.abs(qy) * y[i] + Math.abs(qx) * x[i]) * costRate;
    let open = i < last;
    if (!open) {
      equity -= (Math.abs(qy) * y[i] + Math.abs(qx) * x[i]) * costRate;
      trades++;
    }
    // held: the trade exits when v_t ≤ exitBelow or v_t ≥ exitAbove (stop or take-profit)
    const exitBelow = side > 0 ? longStop : shortExit;
    const exitAbove = side > 0 ? longExit : shortStop;
    for (;;) {
      if (equity !== before) {
        // no division on an unchanged bar: the divider is the scarcest unit of this loop
        const r = before > 0 ? equity / before - 1 : 0;
        if (returnsOut !== null) returnsOut[i] = r;
        sum += r;
        sumSq += r * r;
        if (equity > peak) peak = equity;
        else if (equity < peak * (1 - maxDd)) maxDd = 1 - equity / peak;
      }
      i++;
      if (!open) break;
      before = equity;
      equity += qy * (y[i] - y[i - 1]) + qx * (x[i] - x[i - 1]);
      const v = signal[i];
      previous = v;
      if (equity <= 0 || i === last || v <= exitBelow || v >= exitAbove) {
        equity -= (Math.abs(qy) * y[i] + Math.abs(qx) * x[i]) * costRate;
        trades++;
        open = false;
      }
    }
  }
  const mean = sum / n;
  return { finalEquity: equity, trades, meanReturn: mean, sumSquares: Math.max(0, sumSq - sum * mean), maxDrawdown: maxDd };
}
