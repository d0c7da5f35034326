/**
 * Arbitrage Lab analytics library: pure functions on Float64Array, no I/O.
 * Each domain's barrel is its table of contents; this file re-exports them all.
 */
export * from "./util/index.js";
export * from "./linalg/index.js";
export * from "./stats/index.js";
export * from "./timeseries/index.js";
export * from "./ou/index.js";
export * from "./backtest/index.js";
export * from "./portfolio/index.js";
export * from "./signals/index.js";
export * from "./optimal/index.js";
export * from "./pde/index.js";
export * from "./market/index.js";
export * from "./hedge/index.js";
