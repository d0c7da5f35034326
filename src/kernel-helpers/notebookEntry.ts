/**
 * Entry point of the notebook bundle (`notebooks/lib/arbitrage-lab.js`, built by
 * scripts/build-notebook-lib.ts): the analytics library, the typed gRPC clients (`connect`) and
 * the kernel helpers, importable in one line from any notebook:
 *   import { coint, connect, show, lineChart, loadPricePanel } from "./lib/arbitrage-lab";
 */
export * from "../lib/index.js";
export * from "../client/index.js";
export * from "./index.js";

import { shortStackTraces } from "./shortStackTraces.js";

// In a tslab kernel, errors from the library print as their message plus the cell's own frames.
if (process.argv.some((arg) => /[\\/]tslab([\\/]|$)/.test(arg))) shortStackTraces();

// The data layer for notebook 06: the store, readers/writers, alignment and the CLI's
// discovery over a panel. Imported file by file so the bundle skips modules that need import.meta.
export { Store } from "../data/store/Store.js";
export { readBars } from "../data/readers/readBars.js";
export { writeBars } from "../data/writers/writeBars.js";
export { ingestFiles } from "../data/ingest/ingestFiles.js";
export { barsToPanel, panelTable } from "../data/panel/barsToPanel.js";
export { discoverPanel } from "../cli/discoverPanel.js";

// Paper trading for notebook 09: the market-data service replaying the store, and a paper session.
export { startMarketDataService } from "../data/market/startMarketDataService.js";
export { PaperSession } from "../trading/PaperSession.js";
