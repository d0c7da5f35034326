/** The I/O layer: the DuckDB store, readers of price files and panel alignment (src/lib stays pure). */
// Store: bars, instruments, universes, results in one DuckDB file
export { Store, defaultStorePath } from "./store/Store.js";
export type { Bar, BarColumns, BarField, Instrument, PanelQuery, StoredResult, Universe } from "./store/Store.js";
// Panel alignment: intersect / forward-fill with max gap / drop sparse symbols
export { alignPanel, DEFAULT_MAX_GAP } from "./panel/alignPanel.js";
export type { AlignedPanel, AlignmentOptions, SymbolSeries } from "./panel/alignPanel.js";
