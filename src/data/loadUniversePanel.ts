/**
 * One call for read-only consumers (the research site's data loaders, scripts): open the store,
 * query an aligned panel of a universe or symbol list, close the store. Dates as "YYYY-MM-DD".
 *
 *   const panel = await loadUniversePanel({ universe: "sp100", from: "2019-01-01", alignment: "ffill", maxGap: 3 });
 *   panel.symbols; panel.dates; panel.values[i] // Float64Array per symbol
 */
import type { AlignedPanel, AlignmentOptions } from "./panel/alignPanel.js";
import { formatTimestamp } from "./readers/parseTimestamp.js";
import { type BarField, Store, defaultStorePath } from "./store/Store.js";

/** Options of loadUniversePanel: exactly one of universe / symbols; from/to inclusive. */
export interface LoadUniversePanelOptions extends AlignmentOptions {
  readonly store?: string;
  readonly universe?: string;
  readonly symbols?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly interval?: string;
  readonly field?: BarField;
}

/** The aligned panel plus its timestamps formatted as dates. */
export interface UniversePanel extends AlignedPanel {
  readonly dates: readonly string[];
}

function dayMs(name: string, value: string | undefined, endOfDay: boolean): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !Number.isFinite(ms))
    throw new RangeError(`loadUniversePanel: ${name} must be "YYYY-MM-DD", got ${JSON.stringify(value)}`);
  return endOfDay ? ms + 86_400_000 - 1 : ms;
}

/** Open the store (default path rules of Store.open), query, close. @throws RangeError naming the option */
export async function loadUniversePanel(options: LoadUniversePanelOptions): Promise<UniversePanel> {
  const store = await Store.open(options.store ?? defaultStorePath());
  try {
    const panel = await store.queryPanel({ ...options, startMs: dayMs("from", options.from, false), endMs: dayMs("to", options.to, true) });
    return { ...panel, dates: Array.from(panel.timestamps, formatTimestamp) };
  } finally {
    await store.close();
  }
}
