/**
 * What a store was initialised from: SHA-256 over the bundled files `arblab init` reads (each
 * file's name, byte length and bytes, in BUNDLED_UNIVERSES order, then instruments.csv). Two data/
 * folders with the same fingerprint load the same bars, instruments and universes. The compose
 * stack's one-shot `store-init` compares it with the marker of its previous run when the store is
 * held by the running market-data service (docker/README.md).
 * @throws Error naming the folder when it is not a bundled data directory (bundledDataDir)
 * @example bundledDataFingerprint() // "sha256:…" (64 hex digits; changes with any byte of data/)
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bundledDataDir } from "./bundledDataDir.js";
import { BUNDLED_UNIVERSES } from "./initBundledData.js";

export function bundledDataFingerprint(options: { dataDir?: string } = {}): string {
  const dataDir = bundledDataDir({ dataDir: options.dataDir });
  const hash = createHash("sha256");
  for (const file of [...BUNDLED_UNIVERSES.map((u) => u.file), "instruments.csv"]) {
    const bytes = readFileSync(join(dataDir, file));
    hash.update(`${file}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return `sha256:${hash.digest("hex")}`;
}
