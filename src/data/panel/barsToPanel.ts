/**
 * Bars (store column form, sorted by symbol then ts as readBars and the store return them) into an
 * aligned panel of one field, and an aligned panel into an arquero table.
 */
import * as aq from "arquero";
import type { BarColumns, BarField } from "../store/Store.js";
import { formatTimestamp } from "../readers/parseTimestamp.js";
import { alignPanel, type AlignedPanel, type AlignmentOptions, type SymbolSeries } from "./alignPanel.js";

/** Options of barsToPanel: the field (default close) and the alignment policy. */
export interface BarsToPanelOptions extends AlignmentOptions {
  readonly field?: BarField;
}

/** Split `bars` by symbol (first-seen order) and align them. @throws RangeError if bars of a symbol are not ascending */
export function barsToPanel(bars: BarColumns, options: BarsToPanelOptions = {}): AlignedPanel {
  const field = options.field ?? "close";
  const values = bars[field];
  const series: SymbolSeries[] = [];
  let start = 0;
  const n = bars.ts.length;
  const seen = new Set<string>();
  for (let i = 1; i <= n; i++) {
    if (i === n || bars.symbol[i] !== bars.symbol[start]) {
      const symbol = bars.symbol[start]!;
      if (seen.has(symbol)) throw new RangeError(`barsToPanel: bars of ${symbol} must be contiguous (sorted by symbol, ts)`);
      seen.add(symbol);
      series.push({ symbol, ts: bars.ts.slice(start, i), values: values.slice(start, i) });
      start = i;
    }
  }
  return alignPanel(series, options);
}

/** The panel as an arquero table: column "ts" (ISO date or date-time), then one column per symbol. */
export function panelTable(panel: AlignedPanel): aq.ColumnTable {
  const columns: Record<string, unknown[] | Float64Array> = { ts: Array.from(panel.timestamps, formatTimestamp) };
  panel.symbols.forEach((s, i) => {
    columns[s] = panel.values[i]!;
  });
  return aq.table(columns as Record<string, Float64Array>);
}
