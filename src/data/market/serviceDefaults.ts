/** Defaults of the market-data service, in a module of their own so the CLI can show them without loading fastify. */

/** Default port (`MARKET_DATA_PORT`), the original stack's mock API port. */
export const DEFAULT_MARKET_DATA_PORT = 8000;
/** Binance spot's REQUEST_WEIGHT budget per minute. */
export const DEFAULT_WEIGHT_LIMIT = 6000;
export const DEFAULT_WEIGHT_WINDOW_MS = 60_000;
