/**
 * The rows of a trades table as plain objects, one per trade, in order: for tables, charts and
 * filters in notebooks (`tradeRows(result.trades).filter((t) => t.exitReason === "stop")`).
 * The table itself (TradeLog.ts) stores columns; this builds the objects only when asked.
 * @example tradeRows(backtestSpread([0, -2, -1, 0.5], { kind: "bands", lower: -1.5, upper: 1.5 }).trades)[0].pnl
 *   // = 2.5: bought at −2 (crossed below −1.5), sold at 0.5 ≥ midpoint 0 (hand-worked)
 * @throws TypeError when `table` is not a trades table
 */
import type { BacktestTrade, TradeTable } from "./types.js";
import { describe, typeError } from "../util/validate.js";

export function tradeRows(table: TradeTable): BacktestTrade[] {
  if (table === null || typeof table !== "object" || !(table.pnl instanceof Float64Array) || !(table.entryIndex instanceof Int32Array)) {
    typeError("tradeRows", `table must be a backtest's trades table (result.trades), got ${describe(table)}`);
  }
  const n = table.pnl.length;
  const rows: BacktestTrade[] = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = {
      entryIndex: table.entryIndex[i],
      exitIndex: table.exitIndex[i],
      side: table.side[i],
      units: table.units[i],
      hedgeRatio: table.hedgeRatio[i],
      entryPrice: table.entryPrice[i],
      exitPrice: table.exitPrice[i],
      entryPrices: { y: table.entryY[i], x: table.entryX[i] },
      exitPrices: { y: table.exitY[i], x: table.exitX[i] },
      pnl: table.pnl[i],
      returnPct: table.returnPct[i],
      holdingBars: table.holdingBars[i],
      costs: table.costs[i],
      exitReason: table.exitReason[i],
    };
  }
  return rows;
}
