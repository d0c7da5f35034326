/**
 * Performance metrics of a backtest, accumulated bar by bar so that the batch backtesters and the
 * streaming `BacktestEngine` share one implementation (and give identical numbers).
 *
 * Conventions (r_t = equity_t / equity_{t−1} − 1, equity_{−1} = capital, P = periodsPerYear,
 * r_f = riskFree annual rate, per bar r_f / P):
 * - totalReturn: (equity_end / capital − 1) · 100, in PERCENT.
 * - cagr: (equity_end / capital)^(P / n) − 1, a fraction; −1 when equity_end ≤ 0.
 * - annualVolatility: sd(r, ddof = 1) · √P.
 * - sharpe: mean(r − r_f/P) / sd(r, ddof = 1) · √P (per-bar returns of equity).
 * - sortino: mean(r − r_f/P) / DD · √P, DD = √(Σ min(r_t − r_f/P, 0)² / n) (target semideviation
 *   over all n bars, Sortino & Price 1994).
 * - maxDrawdown: max_t (peak_t − equity_t) / peak_t, peak_t = max(capital, equity_0..t): a positive
 *   fraction (0.25 = 25 %). maxDrawdownDuration: the longest run of consecutive bars whose equity is
 *   below the running peak, in bars.
 * - calmar: cagr / maxDrawdown.
 * - trades: closed round trips; winRate: fraction with net P&L > 0; avgHoldingPeriod: mean
 *   exitIndex − entryIndex in bars; profitFactor: Σ winning P&L / |Σ losing P&L| (per trade, net);
 *   avgTradePnl: mean net P&L per closed trade, in currency.
 * - turnover: total traded notional over both legs / capital (times, whole backtest).
 * - exposure: fraction of bars ending with a non-zero position.
 * Degenerate policy (one rule for all): a ratio whose denominator is zero or numerically zero
 * (sd or downside deviation ≤ 1e-12 per bar, zero drawdown, no trades, no losing trades) is reported
 * as 0 and the result's `warnings` names it. Nothing ever divides by a near-zero number.
 * @see [1] Sortino, F. & Price, L. (1994) Performance measurement in a downside risk framework. J. Investing 3(3).
 */

/** Below this per-bar standard deviation the return series counts as constant. */
export const DEGENERATE_SD = 1e-12;

/** Performance metrics; see the module comment for every convention. */
export interface BacktestMetrics {
  readonly totalReturn: number;
  readonly cagr: number;
  readonly annualVolatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly maxDrawdownDuration: number;
  readonly calmar: number;
  readonly trades: number;
  readonly winRate: number;
  readonly avgHoldingPeriod: number;
  readonly profitFactor: number;
  readonly avgTradePnl: number;
  readonly turnover: number;
  readonly exposure: number;
}

/** Internal running accumulator (plain fields so it can be copied for the end-of-data amendment). */
export class MetricsAccumulator {
  bars = 0;
  meanReturn = 0;
  m2Return = 0;
  downsideSquares = 0;
  peak = 0.5; // numeric initialiser keeps the field unboxed (see BacktestEngine); set in the constructor
  maxDrawdown = 0;
  drawdownRun = 0;
  maxDrawdownRun = 0;
  exposedBars = 0;

  readonly capital: number = 0.5;
  readonly riskFreePerBar: number = 0.5;

  constructor(capital: number, riskFreePerBar: number) {
    this.capital = capital;
    this.riskFreePerBar = riskFreePerBar;
    this.peak = capital;
  }

  /**
   * Add one bar: return r_t, equity_t, whether a position is held. Welford's update for the mean
   * and M2 of the returns. Called from the engine's bar loop (where V8 inlines it, so the running
   * sums stay in one place and the division's latency overlaps the rest of the bar's work).
   */
  add(ret: number, equity: number, exposed: boolean): void {
    const n = ++this.bars;
    const delta = ret - this.meanReturn;
    this.meanReturn += delta / n;
    this.m2Return += delta * (ret - this.meanReturn);
    const excess = ret - this.riskFreePerBar;
    if (excess < 0) this.downsideSquares += excess * excess;
    if (equity >= this.peak) {
      this.peak = equity;
      this.drawdownRun = 0;
    } else {
      // a new maximum drawdown iff equity < peak·(1 − maxDrawdown): divide only then
      if (equity < this.peak * (1 - this.maxDrawdown)) this.maxDrawdown = this.peak > 0 ? (this.peak - equity) / this.peak : 1;
      if (++this.drawdownRun > this.maxDrawdownRun) this.maxDrawdownRun = this.drawdownRun;
    }
    if (exposed) this.exposedBars++;
  }

  copyFrom(o: MetricsAccumulator): void {
    this.bars = o.bars;
    this.meanReturn = o.meanReturn;
    this.m2Return = o.m2Return;
    this.downsideSquares = o.downsideSquares;
    this.peak = o.peak;
    this.maxDrawdown = o.maxDrawdown;
    this.drawdownRun = o.drawdownRun;
    this.maxDrawdownRun = o.maxDrawdownRun;
    this.exposedBars = o.exposedBars;
  }
}

/** Internal: trade statistics gathered as trades close. */
export interface TradeTally {
  count: number;
  wins: number;
  holdingBars: number;
  grossProfit: number;
  grossLoss: number;
  tradedNotional: number;
}

/** Internal: the metrics and the degenerate-value warnings from the accumulators. */
export function computeMetrics(
  acc: MetricsAccumulator,
  tally: TradeTally,
  equity: number,
  periodsPerYear: number,
  warnings: string[] | null,
): BacktestMetrics {
  const n = acc.bars;
  const capital = acc.capital;
  const rootP = Math.sqrt(periodsPerYear);
  const sd = n > 1 ? Math.sqrt(acc.m2Return / (n - 1)) : 0;
  const excessMean = acc.meanReturn - acc.riskFreePerBar;
  let sharpe = 0;
  if (sd > DEGENERATE_SD) sharpe = (excessMean / sd) * rootP;
  else warnings?.push("sharpe: per-bar return sd is zero (≤ 1e-12), reported as 0");
  const downside = n > 0 ? Math.sqrt(acc.downsideSquares / n) : 0;
  let sortino = 0;
  if (downside > DEGENERATE_SD) sortino = (excessMean / downside) * rootP;
  else warnings?.push("sortino: no downside deviation (no bar below the risk-free rate), reported as 0");
  const growth = equity / capital;
  const cagr = n === 0 ? 0 : growth > 0 ? Math.pow(growth, periodsPerYear / n) - 1 : -1;
  let calmar = 0;
  if (acc.maxDrawdown > 0) calmar = cagr / acc.maxDrawdown;
  else warnings?.push("calmar: no drawdown, reported as 0");
  let profitFactor = 0;
  if (tally.grossLoss > 0) profitFactor = tally.grossProfit / tally.grossLoss;
  else warnings?.push(tally.count === 0 ? "no closed trades: winRate, avgHoldingPeriod, profitFactor and avgTradePnl are 0" : "profitFactor: no losing trades, reported as 0");
  return {
    totalReturn: (growth - 1) * 100,
    cagr,
    annualVolatility: sd * rootP,
    sharpe,
    sortino,
    maxDrawdown: acc.maxDrawdown,
    maxDrawdownDuration: acc.maxDrawdownRun,
    calmar,
    trades: tally.count,
    winRate: tally.count > 0 ? tally.wins / tally.count : 0,
    avgHoldingPeriod: tally.count > 0 ? tally.holdingBars / tally.count : 0,
    profitFactor,
    avgTradePnl: tally.count > 0 ? (tally.grossProfit - tally.grossLoss) / tally.count : 0,
    turnover: tally.tradedNotional / capital,
    exposure: n > 0 ? acc.exposedBars / n : 0,
  };
}
