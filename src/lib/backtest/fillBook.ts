/**
 * Fill bookkeeping of the backtester: the position, equity, the open trade and the trades log.
 *
 * Positions: long spread = +q units of y and −q·β units of x, with β locked at entry (the hedge is
 * not rebalanced while a trade is open). Sizing "capital": q = leverage · equity / (|y| + |β|·|x|)
 * at the fill, so gross notional = leverage · equity; sizing "units": q fixed. Fractional units are
 * allowed. maxGrossExposure caps the gross notional at entry.
 * Costs per leg fill: |Δq|·|price|·(bps + slippageBps)/10⁴ + |Δq|·perUnit + fixedFee (fixedFee is
 * per order, i.e. per leg that trades). Slippage is charged as a cost at the close price, which
 * equals filling at price·(1 ± slippage) and marking at the close.
 * Orders: `order` records the side the strategy wants; with "close" execution it fills at once,
 * with "nextClose" it waits in `pending` for the engine to call `fillPending` at the next bar.
 *
 * The fill path takes no double arguments: a call V8 does not inline boxes each double argument in
 * a fresh heap number, and the 1M-bar benchmark's 42k fills did that ~20 times each; the prices and
 * β of a fill travel in the fillY/fillX/fillBeta slots instead (set by the engine before the call).
 * The doubles the engine's bar loop hands over and takes back around each order or fill (equity,
 * the open trade's P&L, the leg quantities, the fill's prices and β) live in one Float64Array,
 * `state`, not in object fields: the loop reads them straight into its float64 locals. Read through
 * object fields, V8 kept the loop's equity as a tagged value and allocated a heap number for it at
 * every bar with a position held (6.8 MB per run of the 1M-bar benchmark, and the GC work with it).
 */
import {
  TradeLog,
  ROW_COSTS,
  ROW_ENTRY_X,
  ROW_ENTRY_Y,
  ROW_EXIT_X,
  ROW_EXIT_Y,
  ROW_HEDGE,
  ROW_PNL,
  ROW_RETURN_PCT,
  ROW_UNITS,
} from "./TradeLog.js";
import type { TradeTally } from "./backtestMetrics.js";
import type { ExitReason } from "./types.js";

/** `pending` when no order waits for the next close (sides are −1, 0, +1). */
export const NO_ORDER = 2;

/** Slots of `FillBook.state`. */
export const BOOK_EQUITY = 0;
export const BOOK_TRADE_PNL = 1;
export const BOOK_QY = 2;
export const BOOK_QX = 3;
export const BOOK_FILL_Y = 4;
export const BOOK_FILL_X = 5;
export const BOOK_FILL_BETA = 6;
const BOOK_SLOTS = 7;

export interface FillBookConfig {
  readonly capital: number;
  /** (bps + slippageBps)/10⁴. */
  readonly costRate: number;
  readonly perUnit: number;
  readonly fixedFee: number;
  readonly sizeByCapital: boolean;
  readonly leverage: number;
  readonly units: number;
  readonly maxGross: number;
  readonly nextClose: boolean;
}

/**
 * Every numeric field has a numeric initialiser (0.5 placeholders are overwritten in the
 * constructor): a field that starts `undefined` gets V8's tagged representation and every store of
 * a double into it allocates, which made the 1M-bar benchmark 5× slower.
 */
export class FillBook {
  /** equity, tradePnl, qy, qx, fillY, fillX, fillBeta by the BOOK_* slots (see the module comment). */
  readonly state = new Float64Array(BOOK_SLOTS);
  /** Side held (−1, 0, +1) and side wanted (differs while an order waits for the next close). */
  side = 0;
  targetSide = 0;
  pending = NO_ORDER;
  private pendingReason: ExitReason = "signal";
  /** Realised P&L of closed trades. */
  realized = 0;

  // the open trade
  private entryIndex = -1;
  private entryUnits = 0;
  private entryBeta = 0;
  private entryY = 0;
  private entryX = 0;
  private entryEquity = 0;
  private entryCosts = 0;

  readonly log = new TradeLog();
  readonly tally: TradeTally = { count: 0, wins: 0, holdingBars: 0, grossProfit: 0, grossLoss: 0, tradedNotional: 0 };
  private readonly costRate: number = 0.5;
  private readonly perUnit: number = 0.5;
  private readonly fixedFee: number = 0.5;
  private readonly sizeByCapital: boolean = false;
  private readonly leverage: number = 0.5;
  private readonly units: number = 0.5;
  private readonly maxGross: number = 0.5;
  private readonly nextClose: boolean = false;

  constructor(c: FillBookConfig) {
    this.state[BOOK_EQUITY] = c.capital;
    this.costRate = c.costRate;
    this.perUnit = c.perUnit;
    this.fixedFee = c.fixedFee;
    this.sizeByCapital = c.sizeByCapital;
    this.leverage = c.leverage;
    this.units = c.units;
    this.maxGross = c.maxGross;
    this.nextClose = c.nextClose;
  }

  /** Equity after the last mark, fill or cost. */
  get equity(): number {
    return this.state[BOOK_EQUITY];
  }
  set equity(value: number) {
    this.state[BOOK_EQUITY] = value;
  }
  /** Running P&L of the open trade (marks and costs so far). */
  get tradePnl(): number {
    return this.state[BOOK_TRADE_PNL];
  }
  set tradePnl(value: number) {
    this.state[BOOK_TRADE_PNL] = value;
  }
  /** Signed leg quantities held. */
  get qy(): number {
    return this.state[BOOK_QY];
  }
  set qy(value: number) {
    this.state[BOOK_QY] = value;
  }
  get qx(): number {
    return this.state[BOOK_QX];
  }
  set qx(value: number) {
    this.state[BOOK_QX] = value;
  }
  /** Prices and hedge ratio of the fill in progress (see the module comment). */
  get fillY(): number {
    return this.state[BOOK_FILL_Y];
  }
  set fillY(value: number) {
    this.state[BOOK_FILL_Y] = value;
  }
  get fillX(): number {
    return this.state[BOOK_FILL_X];
  }
  set fillX(value: number) {
    this.state[BOOK_FILL_X] = value;
  }
  get fillBeta(): number {
    return this.state[BOOK_FILL_BETA];
  }
  set fillBeta(value: number) {
    this.state[BOOK_FILL_BETA] = value;
  }

  /** The rule or a risk limit wants `target` (+1, −1, 0) at bar t: fill now or leave the order for the next close. */
  order(target: number, reason: ExitReason, t: number): void {
    if (target === this.targetSide) return;
    this.targetSide = target;
    if (this.nextClose) {
      this.pending = target;
      this.pendingReason = reason;
    } else this.fillTo(target, reason, t);
  }

  /** Fill the order waiting for this close (bar t). */
  fillPending(t: number): void {
    const target = this.pending;
    this.pending = NO_ORDER;
    this.fillTo(target, this.pendingReason, t);
  }

  /** Drop an order that has no next close to fill at; returns whether there was one. */
  dropPending(): boolean {
    if (this.pending === NO_ORDER) return false;
    this.pending = NO_ORDER;
    return true;
  }

  private legCost(quantity: number, price: number): number {
    if (quantity === 0) return 0;
    const q = Math.abs(quantity);
    this.tally.tradedNotional += q * Math.abs(price);
    return q * Math.abs(price) * this.costRate + q * this.perUnit + this.fixedFee;
  }

  /** Spread units of an entry at the fill fields' prices and β (sizing, then the maxGross cap); NaN for β NaN. */
  entrySize(): number {
    const s = this.state;
    const unitNotional = Math.abs(s[BOOK_FILL_Y]) + Math.abs(s[BOOK_FILL_BETA]) * Math.abs(s[BOOK_FILL_X]);
    let q = this.sizeByCapital ? (this.leverage * s[BOOK_EQUITY]) / unitNotional : this.units;
    if (q * unitNotional > this.maxGross) q = this.maxGross / unitNotional;
    return q;
  }

  /** Trade to `target` at bar t at the fill slots' prices: close the open trade (logging it), then open the new one. */
  fillTo(target: number, reason: ExitReason, t: number): void {
    if (target === this.side) return;
    const s = this.state;
    const y = s[BOOK_FILL_Y];
    const x = s[BOOK_FILL_X];
    if (this.side !== 0) {
      const cost = this.legCost(s[BOOK_QY], y) + this.legCost(s[BOOK_QX], x);
      s[BOOK_EQUITY] -= cost;
      s[BOOK_TRADE_PNL] -= cost;
      this.entryCosts += cost;
      const pnl = s[BOOK_TRADE_PNL];
      const log = this.log;
      const row = log.row;
      row[ROW_UNITS] = this.entryUnits;
      row[ROW_HEDGE] = this.entryBeta;
      row[ROW_ENTRY_Y] = this.entryY;
      row[ROW_ENTRY_X] = this.entryX;
      row[ROW_EXIT_Y] = y;
      row[ROW_EXIT_X] = x;
      row[ROW_PNL] = pnl;
      row[ROW_RETURN_PCT] = (pnl / this.entryEquity) * 100;
      row[ROW_COSTS] = this.entryCosts;
      log.commit(this.entryIndex, t, this.side, reason);
      const tally = this.tally;
      tally.count++;
      tally.holdingBars += t - this.entryIndex;
      if (pnl > 0) {
        tally.wins++;
        tally.grossProfit += pnl;
      } else tally.grossLoss -= pnl;
      this.realized += pnl;
      s[BOOK_QY] = 0;
      s[BOOK_QX] = 0;
      this.side = 0;
    }
    if (target !== 0) {
      const beta = s[BOOK_FILL_BETA];
      if (beta !== beta) {
        this.targetSide = 0;
        return;
      }
      const q = this.entrySize();
      if (!(q > 0) || !Number.isFinite(q)) {
        this.targetSide = 0;
        return;
      }
      this.entryEquity = s[BOOK_EQUITY];
      s[BOOK_QY] = target * q;
      s[BOOK_QX] = -target * q * beta;
      const cost = this.legCost(s[BOOK_QY], y) + this.legCost(s[BOOK_QX], x);
      s[BOOK_EQUITY] -= cost;
      this.side = target;
      this.entryIndex = t;
      this.entryUnits = q;
      this.entryBeta = beta;
      this.entryY = y;
      this.entryX = x;
      s[BOOK_TRADE_PNL] = 0 - cost; // +0, not −0, for a free entry
      this.entryCosts = cost;
    }
  }
}
