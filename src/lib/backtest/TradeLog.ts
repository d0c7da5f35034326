/**
 * The trades table of a backtest, stored by column: one typed array per numeric field and one array
 * of strings per categorical field, all as long as there are trades (row i of every column is
 * trade i; the type, TradeTable, is in types.ts). Columns instead of one object per trade because a
 * 1M-bar backtest closes tens of thousands of trades and an object per trade (with its boxed
 * doubles) cost more than the whole bar loop's arithmetic; a table of columns only is also what
 * data-frame libraries take directly (`aq.table(result.trades)` in arquero). `tradeRows(table)`
 * gives the row objects when they are wanted.
 */
import type { ExitReason, TradeTable } from "./types.js";

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

const EXIT_REASONS: readonly ExitReason[] = ["signal", "stop", "dailyLoss", "ruin", "end"];

/**
 * @internal Growable column storage behind a TradeTable (capacity doubles as trades close). Side and
 * exit reason are stored as small integer codes and turned into strings by `table()`: storing a
 * string per trade into a JS array (a pointer store with its write barrier, and array growth)
 * cost more than the eleven numeric columns together.
 */
export class TradeLog {
  private count = 0;
  private capacity = 0;
  private entryIndex: Int32Array = new Int32Array(0);
  private exitIndex: Int32Array = new Int32Array(0);
  private codes: Int8Array = new Int8Array(0); // side (+1/−1) · 8 + exit reason index, per trade
  private units: Float64Array = new Float64Array(0);
  private hedgeRatio: Float64Array = new Float64Array(0);
  private entryY: Float64Array = new Float64Array(0);
  private entryX: Float64Array = new Float64Array(0);
  private exitY: Float64Array = new Float64Array(0);
  private exitX: Float64Array = new Float64Array(0);
  private pnl: Float64Array = new Float64Array(0);
  private returnPct: Float64Array = new Float64Array(0);
  private costs: Float64Array = new Float64Array(0);

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
    this.codes[i] = (side > 0 ? 8 : -8) + EXIT_REASONS.indexOf(exitReason);
    this.units[i] = row[ROW_UNITS];
    this.hedgeRatio[i] = row[ROW_HEDGE];
    this.entryY[i] = row[ROW_ENTRY_Y];
    this.entryX[i] = row[ROW_ENTRY_X];
    this.exitY[i] = row[ROW_EXIT_Y];
    this.exitX[i] = row[ROW_EXIT_X];
    this.pnl[i] = row[ROW_PNL];
    this.returnPct[i] = row[ROW_RETURN_PCT];
    this.costs[i] = row[ROW_COSTS];
    this.count = i + 1;
  }

  /** The trades so far as a TradeTable (fresh arrays of exact length; later commits do not show in it). */
  table(): TradeTable {
    const n = this.count;
    const side: ("long" | "short")[] = new Array(n);
    const exitReason: ExitReason[] = new Array(n);
    const holdingBars = new Int32Array(n);
    const entryPrice = new Float64Array(n);
    const exitPrice = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const code = this.codes[i];
      side[i] = code > 0 ? "long" : "short";
      exitReason[i] = EXIT_REASONS[code > 0 ? code - 8 : code + 8];
      holdingBars[i] = this.exitIndex[i] - this.entryIndex[i];
      const beta = this.hedgeRatio[i];
      entryPrice[i] = this.entryY[i] - beta * this.entryX[i];
      exitPrice[i] = this.exitY[i] - beta * this.exitX[i];
    }
    return {
      entryIndex: this.entryIndex.slice(0, n),
      exitIndex: this.exitIndex.slice(0, n),
      side,
      units: this.units.slice(0, n),
      hedgeRatio: this.hedgeRatio.slice(0, n),
      entryPrice,
      exitPrice,
      entryY: this.entryY.slice(0, n),
      entryX: this.entryX.slice(0, n),
      exitY: this.exitY.slice(0, n),
      exitX: this.exitX.slice(0, n),
      pnl: this.pnl.slice(0, n),
      returnPct: this.returnPct.slice(0, n),
      holdingBars,
      costs: this.costs.slice(0, n),
      exitReason,
    };
  }

  private grow(): void {
    const capacity = this.capacity === 0 ? 64 : 2 * this.capacity;
    const moreInt = (a: Int32Array): Int32Array => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    const moreFloat = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    const codes = new Int8Array(capacity);
    codes.set(this.codes);
    this.codes = codes;
    this.entryIndex = moreInt(this.entryIndex);
    this.exitIndex = moreInt(this.exitIndex);
    this.units = moreFloat(this.units);
    this.hedgeRatio = moreFloat(this.hedgeRatio);
    this.entryY = moreFloat(this.entryY);
    this.entryX = moreFloat(this.entryX);
    this.exitY = moreFloat(this.exitY);
    this.exitX = moreFloat(this.exitX);
    this.pnl = moreFloat(this.pnl);
    this.returnPct = moreFloat(this.returnPct);
    this.costs = moreFloat(this.costs);
    this.capacity = capacity;
  }
}
