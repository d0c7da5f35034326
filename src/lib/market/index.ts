// Market microstructure models used where a bar store must answer like a venue.
export { syntheticBook } from "./syntheticBook.js"; // deterministic depth from one OHLCV bar (range-proportional spread)
export type { SyntheticBook, SyntheticBookBar, SyntheticBookOptions } from "./syntheticBook.js";
