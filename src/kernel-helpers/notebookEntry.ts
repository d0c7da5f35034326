/**
 * Entry point of the notebook bundle (`notebooks/lib/arbitrage-lab.js`, built by
 * scripts/build-notebook-lib.ts): the analytics library, the typed gRPC clients (`connect`) and
 * the kernel helpers, importable in one line from any notebook:
 *   import { coint, connect, show, lineChart, loadPricePanel } from "./lib/arbitrage-lab";
 */
export * from "../lib/index.js";
export * from "../client/index.js";
export * from "./index.js";
// The optimal-rules domain before it has a barrel line in src/lib/index.ts (an explicit export
// shadows the same name from `export *`, so this stays correct once the barrel exports it too).
export { leungLi } from "../lib/optimal/leungLi.js";
export { solveHjb } from "../lib/optimal/solveHjb.js";
// The data layer (issue 11) for notebook 06: the store, readers/writers, alignment and the CLI's
// discovery over a panel. Imported file by file so the bundle skips modules that need import.meta.
export { Store } from "../data/store/Store.js";
export { readBars } from "../data/readers/readBars.js";
export { writeBars } from "../data/writers/writeBars.js";
export { ingestFiles } from "../data/ingest/ingestFiles.js";
export { barsToPanel, panelTable } from "../data/panel/barsToPanel.js";
export { discoverPanel } from "../cli/discoverPanel.js";
