/**
 * The trades table of a backtest, stored by column: one typed array per numeric field and one array
 * of strings per categorical field, all `length` long (row i of every column is trade i). Columns
 * instead of one object per trade because a 1M-bar backtest closes tens of thousands of trades and
 * an object per trade (with its boxed doubles) cost more than the whole bar loop's arithmetic; a
 * column table is also what data-frame libraries take directly (`aq.table(result.trades)` in
 * arquero, minus `length`). `tradeRows(table)` gives the row objects when they are wanted.
 */
import type { ExitReason } from "./BacktestEngine.js";

/** Closed round trips, one row per trade, by column. Indices are the bars of the fills. */
export interface TradeTable {
  /** Number of trades (rows). */
  readonly length: number;
  readonly entryIndex: Int32Array;
  readonly exitIndex: Int32Array;
  readonly side: readonly ("long" | "short")[];
  /** Spread units held (q > 0); leg quantities are ±q of y and ∓q·β of x. */
  readonly units: Float64Array;
  readonly hedgeRatio: Float64Array;
  /** Spread value y − β·x at the entry and exit fills (β = hedgeRatio). */
  readonly entryPrice: Float64Array;
  readonly exitPrice: Float64Array;
  /** Leg prices at the fills (backtestSpread: y is the spread, x is 0). */
  readonly entryY: Float64Array;
  readonly entryX: Float64Array;
  readonly exitY: Float64Array;
  readonly exitX: Float64Array;
  /** Net P&L in currency, after costs. */
  readonly pnl: Float64Array;
  /** pnl / equity at entry (before entry costs) · 100. */
  readonly returnPct: Float64Array;
  readonly holdingBars: Int32Array;
  /** Entry plus exit costs, currency. */
  readonly costs: Float64Array;
  readonly exitReason: readonly ExitReason[];
}

/** Positions in `TradeLog.row`. */
export const ROW_UNITS = 0;
export const ROW_HEDGE = 1;
export const ROW_ENTRY_Y = 2;
export const ROW_ENTRY_X = 3;
export const ROW_EXIT_Y = 4;
export const ROW_EXIT_X = 5;
export const ROW_PNL = 6;
export const ROW_RETURN_PCT = 7;
export const ROW_COSTS = 8;
const ROW_FIELDS = 9;

const FLOAT_COLUMNS = ["units", "hedgeRatio", "entryPrice", "exitPrice", "entryY", "entryX", "exitY", "exitX", "pnl", "returnPct", "costs"] as const;
type FloatColumn = (typeof FLOAT_COLUMNS)[number];

/** @internal Growable column storage behind a TradeTable (capacity doubles as trades close). */
export class TradeLog {
  private count = 0;
  private capacity = 0;
  private entryIndex = new Int32Array(0);
  private exitIndex = new Int32Array(0);
  private holdingBars = new Int32Array(0);
  private readonly floats: Record<FloatColumn, Float64Array>;
  private readonly side: ("long" | "short")[] = [];
  private readonly exitReason: ExitReason[] = [];

  constructor() {
    this.floats = Object.fromEntries(FLOAT_COLUMNS.map((c) => [c, new Float64Array(0)])) as Record<FloatColumn, Float64Array>;
  }

  get length(): number {
    return this.count;
  }

  /**
   * The numeric fields of the next trade, by the ROW_* positions: the engine writes them here and
   * calls `commit`, so no double travels as a call argument (V8 boxes those when it does not inline).
   */
  readonly row = new Float64Array(ROW_FIELDS);

  /** Append one closed trade: the indices, side (+1/−1) and exit reason, plus the numbers in `row`. */
  commit(entryIndex: number, exitIndex: number, side: number, exitReason: ExitReason): void {
    const i = this.count;
    if (i === this.capacity) this.grow();
    const row = this.row;
    this.entryIndex[i] = entryIndex;
    this.exitIndex[i] = exitIndex;
    this.holdingBars[i] = exitIndex - entryIndex;
    const f = this.floats;
    const beta = row[ROW_HEDGE];
    f.units[i] = row[ROW_UNITS];
    f.hedgeRatio[i] = beta;
    f.entryPrice[i] = row[ROW_ENTRY_Y] - beta * row[ROW_ENTRY_X];
    f.exitPrice[i] = row[ROW_EXIT_Y] - beta * row[ROW_EXIT_X];
    f.entryY[i] = row[ROW_ENTRY_Y];
    f.entryX[i] = row[ROW_ENTRY_X];
    f.exitY[i] = row[ROW_EXIT_Y];
    f.exitX[i] = row[ROW_EXIT_X];
    f.pnl[i] = row[ROW_PNL];
    f.returnPct[i] = row[ROW_RETURN_PCT];
    f.costs[i] = row[ROW_COSTS];
    this.side.push(side > 0 ? "long" : "short");
    this.exitReason.push(exitReason);
    this.count = i + 1;
  }

  /** The trades so far as a TradeTable of views (exact length; later pushes do not show in it). */
  table(): TradeTable {
    const n = this.count;
    const f = this.floats;
    return {
      length: n,
      entryIndex: this.entryIndex.subarray(0, n),
      exitIndex: this.exitIndex.subarray(0, n),
      side: this.side.slice(0, n),
      units: f.units.subarray(0, n),
      hedgeRatio: f.hedgeRatio.subarray(0, n),
      entryPrice: f.entryPrice.subarray(0, n),
      exitPrice: f.exitPrice.subarray(0, n),
      entryY: f.entryY.subarray(0, n),
      entryX: f.entryX.subarray(0, n),
      exitY: f.exitY.subarray(0, n),
      exitX: f.exitX.subarray(0, n),
      pnl: f.pnl.subarray(0, n),
      returnPct: f.returnPct.subarray(0, n),
      holdingBars: this.holdingBars.subarray(0, n),
      costs: f.costs.subarray(0, n),
      exitReason: this.exitReason.slice(0, n),
    };
  }

  private grow(): void {
    const capacity = this.capacity === 0 ? 64 : 2 * this.capacity;
    const growInt = (a: Int32Array): Int32Array => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.entryIndex = growInt(this.entryIndex);
    this.exitIndex = growInt(this.exitIndex);
    this.holdingBars = growInt(this.holdingBars);
    for (const c of FLOAT_COLUMNS) {
      const b = new Float64Array(capacity);
      b.set(this.floats[c]);
      this.floats[c] = b;
    }
    this.capacity = capacity;
  }
}
