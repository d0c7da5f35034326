/**
 * `arblab init`: load the bundled data/ CSVs into the store with their instrument tags
 * (data/instruments.csv; classification source in data/README.md) and one universe per file.
 * Idempotent: a second run finds every bar unchanged.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Instrument, Store } from "../store/Store.js";
import { csvTable } from "../readers/csvTable.js";
import { bundledDataDir } from "./bundledDataDir.js";
import { ingestFiles, type IngestReport } from "./ingestFiles.js";

/** Bundled file → universe name. */
export const BUNDLED_UNIVERSES: readonly { readonly file: string; readonly universe: string }[] = [
  { file: "sp100_prices.csv", universe: "sp100" },
  { file: "stock_prices.csv", universe: "etf23" },
  { file: "Country_ETF.csv", universe: "country-etfs" },
  { file: "gld_gdx_data.csv", universe: "gld-gdx" },
  { file: "ANZ-ADB.csv", universe: "anz-adb" },
];

/** Tags of data/instruments.csv; the Country_ETF.csv columns ("KSA US Equity") are tagged as country equity ETFs. */
export function bundledInstruments(dataDir: string = bundledDataDir()): Instrument[] {
  const file = join(dataDir, "instruments.csv");
  const t = csvTable(file, readFileSync(file, "utf8"));
  const col = (name: string) => t.columns.indexOf(name);
  const out: Instrument[] = [];
  for (let r = 0; r < t.rowCount; r++) {
    out.push({
      symbol: t.text(r, col("symbol")),
      name: t.text(r, col("name")),
      sector: t.text(r, col("sector")),
      assetClass: t.text(r, col("asset_class")),
      currency: t.text(r, col("currency")),
      exchange: t.text(r, col("exchange")),
    });
  }
  const country = csvTable(join(dataDir, "Country_ETF.csv"), readFileSync(join(dataDir, "Country_ETF.csv"), "utf8")).columns.slice(1);
  for (const symbol of country)
    out.push({ symbol, name: null, sector: "Country Equity", assetClass: "equity-etf", currency: "USD", exchange: "US" });
  return out;
}

/** Load every bundled file (one transaction each), the instruments and the universes; data/ as bundledDataDir resolves it. */
export async function initBundledData(
  store: Store,
  options: { dataDir?: string; onProgress?: (done: number, total: number, stage: string) => void } = {},
): Promise<{ files: IngestReport[]; instruments: number }> {
  const dataDir = bundledDataDir({ dataDir: options.dataDir });
  const files: IngestReport[] = [];
  let done = 0;
  for (const { file, universe } of BUNDLED_UNIVERSES) {
    files.push(await ingestFiles(store, [join(dataDir, file)], { format: "wide", interval: "1d", universe, source: `bundled:${file}` }));
    options.onProgress?.(++done, BUNDLED_UNIVERSES.length + 1, file);
  }
  const instruments = await store.upsertInstruments(bundledInstruments(dataDir));
  options.onProgress?.(++done, BUNDLED_UNIVERSES.length + 1, "instruments");
  return { files, instruments };
}
