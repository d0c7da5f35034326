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

/** Bars per block of the return moments (see MetricsAccumulator). */
const BLOCK = 64;

/**
 * Internal running accumulator (plain fields so it can be copied for the end-of-data amendment).
 *
 * Mean and M2 of the returns without a division per bar: within a block of 64 bars the returns are
 * summed shifted by the block's first return K (Σd, Σd², d = r − K: the shift keeps Σd² − (Σd)²/m
 * free of cancellation, since the block's values lie within a few sd of K); each full block is
 * merged into the running (n, mean, M2) by Chan, Golub & LeVeque's pairwise update [1], and
 * `moments()` merges the partial block the same way without storing it. Per bar this is two adds
 * and a multiply on short chains; Welford's update divided by n every bar, with the division on
 * the loop-carried chain of the mean (it was a fifth of the 1M-bar backtest). Blocks are counted
 * from the first bar, so the streaming engine (one bar per call) and the batch path run the same
 * operations in the same order and give identical numbers.
 * @see [1] Chan, T.F., Golub, G.H. & LeVeque, R.J. (1983) Algorithms for computing the sample
 *   variance: analysis and recommendations. The American Statistician 37(3), 242–247.
 */
export class MetricsAccumulator {
  bars = 0;
  /** Merged full blocks: count, mean and M2 of their returns. */
  blockedCount = 0;
  meanReturn = 0;
  m2Return = 0;
  /** The current block: bars in it, its shift K and the shifted sums. */
  blockCount = 0;
  blockShift = 0;
  blockSum = 0;
  blockSquares = 0;
  /** Σ (2·min(r − r_f, 0))² (four times the downside sum of squares; see add). */
  downsideSquares = 0;
  peak = 0.5; // numeric initialiser keeps the field unboxed (see BacktestEngine); set in the constructor
  maxDrawdown = 0;
  drawdownRun = 0;
  maxDrawdownRun = 0;
  exposedBars = 0;

  readonly capital: number = 0.5;
  readonly riskFreePerBar: number = 0.5;
  /** Scratch for mergeMoments (not state: copyFrom skips it). */
  private readonly merged = new Float64Array(2);

  constructor(capital: number, riskFreePerBar: number) {
    this.capital = capital;
    this.riskFreePerBar = riskFreePerBar;
    this.peak = capital;
  }

  /**
   * Add one bar: return r_t, equity_t, whether a position is held. Called from the engine's bar
   * loop, where V8 inlines it. Per bar: two adds and a multiply for the moments (no division), a
   * branchless downside square, and the drawdown bookkeeping.
   */
  add(ret: number, equity: number, exposed: boolean): void {
    this.bars++;
    if (this.blockCount === 0) this.blockShift = ret;
    const d = ret - this.blockShift;
    this.blockSum += d;
    this.blockSquares += d * d;
    if (++this.blockCount === BLOCK) this.mergeBlock();
    // Σ min(r − r_f, 0)² without a branch: e = excess − |excess| is 2·min(excess, 0) exactly, and
    // the sum of e² is scaled by 1/4 when read (computeMetrics). The sign of a return is a coin
    // flip, so `if (excess < 0)` mispredicted every other bar (7 ms of the 1M-bar benchmark).
    const excess = ret - this.riskFreePerBar;
    const e = excess - Math.abs(excess);
    this.downsideSquares += e * e;
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

  /** Merge the full current block into the running moments (Chan et al.'s pairwise update). */
  private mergeBlock(): void {
    const merged = this.merged;
    this.mergeMoments(merged);
    this.meanReturn = merged[0];
    this.m2Return = merged[1];
    this.blockedCount += this.blockCount;
    this.blockCount = 0;
    this.blockSum = 0;
    this.blockSquares = 0;
  }

  /**
   * Mean and M2 (Σ(r − mean)²) of all returns so far: the merged blocks and the current block
   * combined by the pairwise update (nothing stored; `mergeBlock` stores it for a full block).
   */
  moments(): { mean: number; m2: number } {
    const merged = this.merged;
    this.mergeMoments(merged);
    return { mean: merged[0], m2: merged[1] };
  }

  /**
   * The merge of `moments`, written to out[0] (mean) and out[1] (M2): a Float64Array rather than
   * a result object, so the merge every 64 bars in the engine's loop boxes no double (an object
   * here cost ~1.2 MB of heap numbers per 1M-bar run).
   */
  private mergeMoments(out: Float64Array): void {
    const m = this.blockCount;
    if (m === 0) {
      out[0] = this.meanReturn;
      out[1] = this.m2Return;
      return;
    }
    const blockMean = this.blockShift + this.blockSum / m;
    const blockM2 = this.blockSquares - (this.blockSum * this.blockSum) / m;
    const n = this.blockedCount;
    const total = n + m;
    const delta = blockMean - this.meanReturn;
    out[0] = this.meanReturn + (delta * m) / total;
    out[1] = this.m2Return + (blockM2 + (delta * delta * n * m) / total);
  }

  copyFrom(o: MetricsAccumulator): void {
    this.bars = o.bars;
    this.blockedCount = o.blockedCount;
    this.meanReturn = o.meanReturn;
    this.m2Return = o.m2Return;
    this.blockCount = o.blockCount;
    this.blockShift = o.blockShift;
    this.blockSum = o.blockSum;
    this.blockSquares = o.blockSquares;
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
  const moments = acc.moments();
  // M2 is a sum of squares: clamp the rounding residue of a constant series at 0
  const sd = n > 1 ? Math.sqrt(Math.max(moments.m2, 0) / (n - 1)) : 0;
  const excessMean = moments.mean - acc.riskFreePerBar;
  let sharpe = 0;
  if (sd > DEGENERATE_SD) sharpe = (excessMean / sd) * rootP;
  else warnings?.push("sharpe: per-bar return sd is zero (≤ 1e-12), reported as 0");
  const downside = n > 0 ? Math.sqrt((0.25 * acc.downsideSquares) / n) : 0; // the accumulator sums (2·min(·, 0))²
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
  else
    warnings?.push(
      tally.count === 0
        ? "no closed trades: winRate, avgHoldingPeriod, profitFactor and avgTradePnl are 0"
        : "profitFactor: no losing trades, reported as 0",
    );
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
