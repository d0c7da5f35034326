/**
 * Build-time source of a universe panel for the site's data loaders: the DuckDB store (src/data),
 * at the CLI's path ($ARBLAB_STORE, else $ARBLAB_HOME/store.duckdb, else .arblab/store.duckdb in the
 * repository root, which git ignores). A store without any universe (a fresh clone) is first
 * initialised from the bundled data/ CSVs, as `arblab init` does, so the build works offline with
 * nothing running. The store is opened, read and closed within one call: DuckDB allows one writer
 * process, and a build must not keep the CLI or the server from opening it. When another process
 * holds the store past STORE_WAIT_MS, the loader reads the bundled CSV instead and says so in
 * `source` (shown on the pages). Loaders only see { source, symbols, dates, columns }.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
// The modules themselves, not src/data/index.ts: the barrel also loads the exchange and market-data
// code (ccxt, fastify), about half a second of CPU per loader process for nothing used here.
import { BUNDLED_UNIVERSES, initBundledData } from "../../src/data/ingest/initBundledData.js";
import { formatTimestamp } from "../../src/data/readers/parseTimestamp.js";
import { Store, defaultStorePath } from "../../src/data/store/Store.js";

export interface UniversePanel {
  /** Where the prices came from (shown on the pages). */
  readonly source: string;
  readonly symbols: readonly string[];
  /** ISO dates (YYYY-MM-DD), ascending. */
  readonly dates: readonly string[];
  /** One close-price column per symbol; NaN where missing (CSV fallback only: the store panel is intersected). */
  readonly columns: readonly Float64Array[];
}

const ROOT = join(import.meta.dirname, "..", "..");
/** How long to wait for a store another process holds open, and the pause between attempts. */
const STORE_WAIT_MS = 10_000;
const STORE_RETRY_MS = 250;

/** DuckDB's message when another process holds the file. */
function isLockError(error: unknown): boolean {
  return error instanceof Error && /lock/i.test(error.message);
}

export interface LoadUniverseOptions {
  /** Store file (default: the CLI's rule, defaultStorePath with the repository root as base). */
  readonly store?: string;
  /** How long to wait for a store another process holds (default STORE_WAIT_MS). */
  readonly waitMs?: number;
}

async function openStore(path: string, waitMs: number): Promise<Store | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await Store.open(path);
    } catch (error) {
      if (!isLockError(error)) throw error;
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS));
    }
  }
}

/**
 * Load the universe of a bundled file (e.g. "sp100_prices.csv" → universe "sp100") from the store,
 * close prices of daily bars, dates where every member has a price.
 * @throws Error naming the store and the universe when the store exists but lacks the universe
 */
export async function loadUniverse(file: string, options: LoadUniverseOptions = {}): Promise<UniversePanel> {
  const entry = BUNDLED_UNIVERSES.find((u) => u.file === file);
  if (entry === undefined)
    throw new RangeError(
      `loadUniverse: file must be one of ${BUNDLED_UNIVERSES.map((u) => u.file).join(", ")}, got ${JSON.stringify(file)}`,
    );
  const path = options.store ?? defaultStorePath(process.env, ROOT);
  const waitMs = options.waitMs ?? STORE_WAIT_MS;
  const store = await openStore(path, waitMs);
  if (store === null) {
    process.stderr.write(`loadUniverse: ${path} is held by another process for over ${waitMs / 1000} s; reading data/${file}\n`);
    return loadBundledCsv(file, `data/${file} (bundled CSV: the store ${path} was busy)`);
  }
  try {
    const universes = await store.listUniverses();
    let initialised = "";
    if (universes.length === 0) {
      await initBundledData(store);
      initialised = ", initialised from data/ at this build";
    } else if (!universes.some((u) => u.name === entry.universe)) {
      throw new Error(
        `loadUniverse: the store ${path} has no universe "${entry.universe}" (it has ${universes.map((u) => u.name).join(", ")}); run \`arblab init\` or point ARBLAB_STORE at another store`,
      );
    }
    const panel = await store.queryPanel({ universe: entry.universe, interval: "1d" });
    return {
      source: `DuckDB store ${path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path}, universe ${entry.universe}${initialised}`,
      symbols: panel.symbols,
      dates: Array.from(panel.timestamps, (ts) => formatTimestamp(ts).slice(0, 10)),
      columns: panel.values,
    };
  } finally {
    await store.close();
  }
}

/** The bundled CSV itself (the fallback when the store is busy). */
function loadBundledCsv(file: string, source: string): UniversePanel {
  const path = join(ROOT, "data", file);
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const symbols = lines[0]
    .split(",")
    .slice(1)
    .map((s) => s.trim());
  const dates: string[] = [];
  const columns = symbols.map(() => new Float64Array(lines.length - 1));
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",");
    if (!/^\d{4}-\d{2}-\d{2}/.test(cells[0])) throw new Error(`${path}:${i + 1}: expected an ISO date, got ${JSON.stringify(cells[0])}`);
    dates.push(cells[0].slice(0, 10));
    for (let j = 0; j < symbols.length; j++) {
      const v = cells[j + 1] === undefined || cells[j + 1].trim() === "" ? Number.NaN : Number(cells[j + 1]);
      columns[j][i - 1] = Number.isFinite(v) && v > 0 ? v : Number.NaN;
    }
  }
  return { source, symbols, dates, columns };
}
