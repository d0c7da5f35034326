/**
 * Prices from the lab's store for DiscoverPairs/TestPair requests that name a universe and a date
 * range instead of sending prices (issue 11 extension fields; docs/compatibility.md). The store
 * file (ServerConfig.storePath, env ARBLAB_STORE) is opened on the first such request, so a
 * server that never gets one never locks the file. Store errors are RangeErrors naming the
 * argument and become INVALID_ARGUMENT.
 */
// Type-only: DuckDB and the readers load on the first universe request, not at server start-up.
import type { AlignedPanel, Store } from "../data/index.js";
import { invalidArgument } from "./errors.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The store fields shared by PairTestRequest and BatchDiscoveryRequest. */
export interface StoreRangeFields {
  universe: string;
  startDate: string;
  endDate: string;
  interval: string;
}

function dateMs(rpc: string, field: string, value: string, endOfDay: boolean): number | undefined {
  if (value === "") return undefined;
  if (!DATE.test(value) || !Number.isFinite(Date.parse(`${value}T00:00:00Z`)))
    invalidArgument(rpc, `${field} must be a date "YYYY-MM-DD", got ${JSON.stringify(value)}`);
  return Date.parse(`${value}T00:00:00Z`) + (endOfDay ? 86_400_000 - 1 : 0);
}

/** Lazily opened store; one per server. */
export class StorePrices {
  private opening: Promise<Store> | null = null;

  constructor(private readonly path: string | null) {}

  private store(rpc: string): Promise<Store> {
    if (this.path === null) invalidArgument(rpc, "universe needs a server started with a store (ARBLAB_STORE); send prices instead");
    const path = this.path;
    this.opening ??= import("../data/store/Store.js").then(({ Store }) => Store.open(path));
    return this.opening;
  }

  /**
   * The aligned panel (intersection) of `symbols` (or the whole universe when null) over the
   * request's range. Symbols must be members of the universe.
   */
  async panel(rpc: string, req: StoreRangeFields, symbols: readonly string[] | null): Promise<AlignedPanel> {
    const store = await this.store(rpc);
    const startMs = dateMs(rpc, "start_date", req.startDate ?? "", false);
    const endMs = dateMs(rpc, "end_date", req.endDate ?? "", true);
    const interval = req.interval || "1d";
    if (symbols === null) return store.queryPanel({ universe: req.universe, interval, startMs, endMs });
    const universe = await store.getUniverse(req.universe);
    if (!universe) invalidArgument(rpc, `universe "${req.universe}" does not exist in the server's store`);
    for (const s of symbols)
      if (!universe.symbols.includes(s)) invalidArgument(rpc, `symbol ${JSON.stringify(s)} is not a member of universe "${req.universe}"`);
    return store.queryPanel({ symbols, interval, startMs, endMs });
  }

  /** Sector tag of each symbol that has one in the store's instruments table (the same-sector screen). */
  async sectors(rpc: string, symbols: readonly string[]): Promise<Record<string, string>> {
    const store = await this.store(rpc);
    const out: Record<string, string> = {};
    for (const i of await store.listInstruments(symbols)) if (i.sector !== null && i.sector !== "") out[i.symbol] = i.sector;
    return out;
  }

  async close(): Promise<void> {
    if (this.opening) await (await this.opening.catch(() => null))?.close();
  }
}
