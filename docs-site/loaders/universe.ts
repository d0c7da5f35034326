/**
 * Build-time source of a universe panel for the site's data loaders. Today it reads a bundled CSV
 * from data/; when the DuckDB store (src/data) lands, `loadUniverse` reads the store instead and
 * the loaders that call it stay unchanged: they only see { source, symbols, dates, columns }.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface UniversePanel {
  /** Where the prices came from (shown on the pages). */
  readonly source: string;
  readonly symbols: readonly string[];
  /** ISO dates (YYYY-MM-DD), ascending. */
  readonly dates: readonly string[];
  /** One close-price column per symbol; NaN where missing (empty, non-numeric or ≤ 0). */
  readonly columns: readonly Float64Array[];
}

const ROOT = join(import.meta.dirname, "..", "..");

/** Load a bundled universe by file name (e.g. "sp100_prices.csv"). */
export function loadUniverse(file: string): UniversePanel {
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
  return { source: `data/${file} (bundled CSV)`, symbols, dates, columns };
}
