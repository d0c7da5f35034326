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
