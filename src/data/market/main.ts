/**
 * The market-data service alone, configured from the environment (what `npm run lab` starts with
 * LAB_MARKET_DATA=1; `arblab serve` runs it together with the gRPC server):
 *   ARBLAB_STORE / ARBLAB_HOME   the store (see Store.open)
 *   MARKET_DATA_HOST             bind host (default 127.0.0.1)
 *   MARKET_DATA_PORT             port (default 8000; 0 = any free port)
 *   MARKET_DATA_WEIGHT_LIMIT     request weight per client and minute (default 6000)
 * Prints one line `market-data service on http://host:port` once listening; SIGTERM / SIGINT stop it.
 */
import { Store } from "../store/Store.js";
import { DEFAULT_MARKET_DATA_PORT, DEFAULT_WEIGHT_LIMIT } from "./serviceDefaults.js";
import { startMarketDataService } from "./startMarketDataService.js";

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`market-data service: ${name} must be an integer ${min} … ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

const port = intFromEnv("MARKET_DATA_PORT", DEFAULT_MARKET_DATA_PORT, 0, 65535);
const weightLimit = intFromEnv("MARKET_DATA_WEIGHT_LIMIT", DEFAULT_WEIGHT_LIMIT, 1, 1_000_000_000);
const store = await Store.open();
const service = await startMarketDataService({ store, host: process.env.MARKET_DATA_HOST || "127.0.0.1", port, weightLimit });
console.log(`market-data service on ${service.url} (store ${store.path})`);
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    service
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: Error) => {
          console.error(`market-data service: error during shutdown: ${error.message}`);
          process.exit(1);
        },
      );
  });
}
