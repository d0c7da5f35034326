/** The I/O layer: the DuckDB store, readers of price files and panel alignment (src/lib stays pure). */
// Store: bars, instruments, universes, results in one DuckDB file
export { Store, defaultStorePath } from "./store/Store.js";
export type { Bar, BarColumns, BarField, Instrument, PanelQuery, StoredResult, Universe } from "./store/Store.js";
// Panel alignment: intersect / forward-fill with max gap / drop sparse symbols
export { alignPanel, DEFAULT_MAX_GAP } from "./panel/alignPanel.js";
export type { AlignedPanel, AlignmentOptions, SymbolSeries } from "./panel/alignPanel.js";
// Readers: CSV long/wide/per-symbol, Parquet, Arrow IPC → validated bars (errors name file:line)
export { readBars, barsFromTable, rawTableOf, detectShape, intervalMs, ALIASES } from "./readers/readBars.js";
export type { BarFile, BarColumnRole, FileShape, ReadBarsOptions } from "./readers/readBars.js";
export { parseTimestamp, formatTimestamp } from "./readers/parseTimestamp.js";
export { barsToPanel, panelTable } from "./panel/barsToPanel.js";
// Writers: bars and result tables to CSV / Parquet / Arrow / JSON
export { writeBars, writeColumns } from "./writers/writeBars.js";
// Ingest: files into the store in one transaction; the bundled data with tags
export { ingestFiles, concatBars } from "./ingest/ingestFiles.js";
export type { IngestOptions, IngestReport } from "./ingest/ingestFiles.js";
export { initBundledData, bundledInstruments, BUNDLED_UNIVERSES } from "./ingest/initBundledData.js";
export { bundledDataDir } from "./ingest/bundledDataDir.js";
export { bundledDataFingerprint } from "./ingest/bundledDataFingerprint.js";
// One-call panel loader for the site's data loaders and scripts
export { loadUniversePanel } from "./loadUniversePanel.js";
export type { LoadUniversePanelOptions, UniversePanel } from "./loadUniversePanel.js";
