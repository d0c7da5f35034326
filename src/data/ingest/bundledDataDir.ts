/**
 * Where the bundled data/ folder (data/instruments.csv and the price CSVs) is, in this order:
 *   1. `options.dataDir` (e.g. a CLI flag),
 *   2. the `ARBLAB_DATA_DIR` environment variable,
 *   3. the nearest `data/` holding instruments.csv found walking up from this module: the
 *      repository's data/ when run from src/ through tsx (src/data/ingest/ → ../../../data), and
 *      /app/data from the compiled bundle (dist/server/arblab.js → ../../data) in the images.
 * An explicit directory (1 or 2) without instruments.csv is an error naming it; so is a search that
 * finds nothing (the message lists the folders tried and names ARBLAB_DATA_DIR).
 * @throws Error if the chosen or searched directory has no instruments.csv
 * @example bundledDataDir({ dataDir: "/app/data" }) // "/app/data" when /app/data/instruments.csv exists
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The file that marks a bundled data directory. */
const MARKER = "instruments.csv";
/** Upper bound on the parent folders searched from this module (the filesystem root stops it first). */
const MAX_SEARCH_DEPTH = 16;

export interface BundledDataDirOptions {
  /** Explicit directory; wins over the environment. */
  readonly dataDir?: string;
  /** Environment to read ARBLAB_DATA_DIR from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Module URL to search upwards from (default this module; tests pass another). */
  readonly from?: string | URL;
}

export function bundledDataDir(options: BundledDataDirOptions = {}): string {
  const fromEnv = (options.env ?? process.env).ARBLAB_DATA_DIR;
  const explicit =
    options.dataDir !== undefined
      ? { dir: options.dataDir, source: "dataDir" }
      : fromEnv !== undefined && fromEnv.trim() !== ""
        ? { dir: fromEnv, source: "ARBLAB_DATA_DIR" }
        : undefined;
  if (explicit !== undefined) {
    const dir = resolve(explicit.dir);
    if (!existsSync(join(dir, MARKER)))
      throw new Error(`bundledDataDir: ${explicit.source}=${dir} is not a bundled data directory (no ${MARKER} there)`);
    return dir;
  }
  const tried: string[] = [];
  let dir = dirname(fileURLToPath(options.from ?? import.meta.url));
  for (let depth = 0; depth < MAX_SEARCH_DEPTH; depth++) {
    const candidate = join(dir, "data");
    tried.push(candidate);
    if (existsSync(join(candidate, MARKER))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `bundledDataDir: no data/${MARKER} found in ${tried.join(", ")}; set ARBLAB_DATA_DIR to the folder with the bundled CSVs`,
  );
}
