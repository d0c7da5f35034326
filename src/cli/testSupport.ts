/**
 * What the CLI tests share: run the real `arblab` (bin/arblab.js, the npm bin shim) against a
 * store file, and a fresh store initialised with the bundled data in a temporary folder.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = new URL("../../bin/arblab.js", import.meta.url).pathname;

/** Run `arblab --store STORE ARGS…`; never throws on a non-zero exit (the code is returned). */
export async function arblab(store: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [BIN, "--store", store, ...args], { maxBuffer: 64 << 20, timeout: 600_000 });
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** A temporary folder holding a store that `arblab init` filled; `remove()` deletes both. */
export async function initialisedStore(prefix: string): Promise<{ dir: string; store: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = join(dir, "store.duckdb");
  const r = await arblab(store, "--json", "init");
  if (r.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`arblab init failed (exit ${r.code}): ${r.stderr}`);
  }
  return { dir, store, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
