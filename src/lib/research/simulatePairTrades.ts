/**
 * The trading half of the backtester for one pair on precomputed per-bar hedge ratios β_t and
 * signals v_t (the data half: hedge estimation and z-scores, computed once per (hedge, window)
 * group by the engine itself). Replays BacktestEngine's steps 1, 5–7 for close fills, capital
 * sizing (leverage 1) and proportional costs: mark to market, ruin check, rule decision on
 * (v_t, v_{t−1}) with the crossing conventions of tradingRule.ts, fill at the close of t with
 * q = equity/(y_t + |β_t|·x_t), β locked at entry, costs |q|·price·rate per leg, and at the last bar
 * close any open trade. `sweepBacktests` tests this against `backtestPair` (same returns to 1e-12).
 * Not offered: next-close fills, fixed/per-unit fees, maxGrossExposure, maxDailyLoss.
 * Internal kernel: inputs validated by the caller.
 */
import { ACTION_BUY, ACTION_HOLD, ACTION_SELL, decideAction, type RuleThresholds } from "../backtest/tradingRule.js";

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

const decide = decideAction;

/** Simulate the rule; see the module comment. */
/** `firstDefined`: index of the first non-NaN signal (earlier bars are skipped; returnsOut must be zero-filled). */
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
  let equity = capital;
  let qy = 0;
  let qx = 0;
  let side = 0;
  let ruined = false;
  let prevSignal = NaN;
  let trades = 0;
  // Σr and Σr² over the bars with r ≠ 0 only (a flat bar adds nothing): no division per bar.
  // Per-bar returns are O(1e-2) with |mean| ≪ sd, so Σr² − (Σr)²/n loses no useful digits here.
  let sum = 0;
  let sumSq = 0;
  let peak = capital;
  let maxDd = 0;
  // bars before the first defined signal are flat with return 0 whatever the rule (warm-up):
  // start there (returnsOut is zero-filled by the caller)
  for (let i = firstDefined; i < n; i++) {
    const yi = y[i];
    const xi = x[i];
    const before = equity;
    if (side !== 0) equity += qy * (yi - y[i - 1]) + qx * (xi - x[i - 1]);
    const v = signal[i];
    if (!ruined) {
      let target = side;
      if (equity <= 0) {
        ruined = true;
        target = 0;
      } else {
        const action = decide(th, side, v, prevSignal);
        if (action !== ACTION_HOLD) target = action === ACTION_BUY ? 1 : action === ACTION_SELL ? -1 : 0;
      }
      if (target !== side) {
        if (side !== 0) {
          equity -= (Math.abs(qy) * yi + Math.abs(qx) * xi) * costRate;
          trades++;
          qy = 0;
          qx = 0;
          side = 0;
        }
        const b = beta[i];
        if (target !== 0 && b === b) {
          const q = equity / (yi + Math.abs(b) * xi);
          if (q > 0 && q < Infinity) {
            qy = target * q;
            qx = -target * q * b;
            equity -= (Math.abs(qy) * yi + Math.abs(qx) * xi) * costRate;
            side = target;
          }
        }
      }
    }
    if (i === n - 1 && side !== 0) {
      equity -= (Math.abs(qy) * yi + Math.abs(qx) * xi) * costRate;
      trades++;
      side = 0;
    }
    prevSignal = v;
    if (equity !== before) {
      // no division on a flat bar: the divider is the scarcest unit of this loop
      const r = before > 0 ? equity / before - 1 : 0;
      if (returnsOut !== null) returnsOut[i] = r;
      sum += r;
      sumSq += r * r;
      if (equity > peak) peak = equity;
      else if (equity < peak * (1 - maxDd)) maxDd = 1 - equity / peak;
    }
  }
  const mean = sum / n;
  return { finalEquity: equity, trades, meanReturn: mean, sumSquares: Math.max(0, sumSq - sum * mean), maxDrawdown: maxDd };
}
