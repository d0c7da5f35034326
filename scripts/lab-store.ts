/**
 * The lab's store (ARBLAB_STORE, else ARBLAB_HOME/store.duckdb, else .arblab/store.duckdb): loaded
 * with the bundled data (`arblab init`) on the first `npm run lab`, and after that only when the
 * bundled data changed. A stamp (.cache/store-stamp.json) records the store file's identity (device,
 * inode, birth time: a deleted or replaced file is a different one) and the hash of data/ and of the
 * loader; when both still match, the lab neither opens DuckDB nor loads its module (a warm start
 * skips ~1 s of module loading and the open).
 *
 * Without a current stamp the store is opened: an empty store, or one that holds every bundled
 * universe (a lab store from an earlier version or older data), is (re)loaded (idempotent: unchanged
 * bars stay) and stamped; a store holding other universes only is someone's own store and is left
 * as it is.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The files whose content decides what `initBundledData` loads: data/ and the loader itself. */
function bundledDataInputs(root: string): string[] {
  const dataDir = path.join(root, "data");
  const files = existsSync(dataDir)
    ? readdirSync(dataDir)
        .sort()
        .map((name) => path.join(dataDir, name))
        .filter((file) => statSync(file).isFile())
    : [];
  return [...files, path.join(root, "src", "data", "ingest", "initBundledData.ts")];
}

/** SHA-256 over the bundled data files and the loader (relative paths and contents). */
export function bundledDataHash(root: string): string {
  const hash = createHash("sha256");
  for (const file of bundledDataInputs(root)) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(existsSync(file) ? readFileSync(file) : "<missing>");
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** What the stamp records: which file (identity, not content: notebooks write to the store) was loaded with which data. */
interface StoreStamp {
  readonly storePath: string;
  readonly identity: string;
  readonly dataHash: string;
}

export function storeStampFile(root: string): string {
  return path.join(root, ".cache", "store-stamp.json");
}

/** Device, inode and birth time of the store file, or null when it does not exist. */
function fileIdentity(file: string): string | null {
  if (!existsSync(file)) return null;
  const stat = statSync(file);
  return `${stat.dev}:${stat.ino}:${Math.round(stat.birthtimeMs)}`;
}

function readStamp(root: string): StoreStamp | null {
  try {
    const parsed = JSON.parse(readFileSync(storeStampFile(root), "utf8")) as Partial<StoreStamp>;
    if (typeof parsed.storePath !== "string" || typeof parsed.identity !== "string" || typeof parsed.dataHash !== "string") return null;
    return parsed as StoreStamp;
  } catch {
    return null;
  }
}

/** True when `storePath` is the very file the stamp says was loaded with the current bundled data. */
export function storeIsCurrent(root: string, storePath: string, dataHash = bundledDataHash(root)): boolean {
  const stamp = readStamp(root);
  const identity = fileIdentity(storePath);
  return stamp !== null && identity !== null && stamp.storePath === storePath && stamp.identity === identity && stamp.dataHash === dataHash;
}

/** Record that `storePath` (as it is now) holds the bundled data of hash `dataHash`. */
export function writeStoreStamp(root: string, storePath: string, dataHash = bundledDataHash(root)): void {
  const identity = fileIdentity(storePath);
  if (identity === null) throw new Error(`writeStoreStamp: store ${storePath} does not exist`);
  const file = storeStampFile(root);
  mkdirSync(path.dirname(file), { recursive: true });
  const stamp: StoreStamp = { storePath, identity, dataHash };
  writeFileSync(`${file}.tmp-${process.pid}`, `${JSON.stringify(stamp)}\n`);
  renameSync(`${file}.tmp-${process.pid}`, file);
}

/** What `ensureLabStore` did: nothing (stamp current), loaded the bundled data, or left a foreign store alone. */
export type LabStoreOutcome = "current" | "initialised" | "foreign";

/**
 * Make `storePath` hold the current bundled data (see the file comment). DuckDB is imported only
 * when the stamp is not current.
 */
export async function ensureLabStore(root: string, storePath: string, log: (message: string) => void): Promise<LabStoreOutcome> {
  const dataHash = bundledDataHash(root);
  if (storeIsCurrent(root, storePath, dataHash)) return "current";
  const { Store, initBundledData, BUNDLED_UNIVERSES } = await import("../src/data/index.js");
  const store = await Store.open(storePath);
  let outcome: LabStoreOutcome;
  try {
    const have = new Set((await store.listUniverses()).map((u) => u.name));
    const isLabStore = have.size === 0 || BUNDLED_UNIVERSES.every((u) => have.has(u.universe));
    if (isLabStore) {
      log(`loading the bundled data into the store ${path.relative(root, storePath)} (first start, or data/ changed) …`);
      const report = await initBundledData(store, { dataDir: path.join(root, "data") });
      log(`store ready: ${report.files.length} universes, ${report.instruments} instruments`);
      outcome = "initialised";
    } else {
      log(`store ${path.relative(root, storePath)} holds other universes than the bundled ones: left as it is`);
      outcome = "foreign";
    }
  } finally {
    await store.close();
  }
  if (outcome === "initialised") writeStoreStamp(root, storePath, dataHash);
  return outcome;
}
