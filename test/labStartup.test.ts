/**
 * `npm run lab` skips the work that is already current (issue 16 item 10). Each skip is a stamp,
 * and each stamp must go stale when an input it covers changes, and only then:
 *   - scripts/cached-bundle.mjs: the esbuild bundles of the lab and the gRPC server (content hash
 *     of the bundled sources, tsconfig.json and the lock), exercised on a small fake tree;
 *   - scripts/site-server.ts: the research site's input hash (docs-site/ through its symlinks);
 *   - scripts/lab-store.ts: the store's identity and the bundled data's hash, and the real DuckDB
 *     load it guards;
 *   - scripts/install-kernel.sh: the kernelspec stamp (a warm run starts no Node beyond `--version`).
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lab-support.js";
import { bundledDataHash, ensureLabStore, storeIsCurrent, writeStoreStamp } from "../scripts/lab-store.js";
import { siteInputsHash, siteIsCurrent, siteStampFile } from "../scripts/site-server.js";

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `arbitrage-lab-${prefix}-`));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Run `node scripts/cached-bundle.mjs <name> --root <root>`; stdout is the bundle's own output. */
function runBundle(name: string, root: string): { built: boolean; stdout: string } {
  const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "cached-bundle.mjs"), name, "--root", root], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0)
    throw new Error(`cached-bundle ${name} --root ${root} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return { built: result.stderr.includes("[cached-bundle] built"), stdout: result.stdout.trim() };
}

describe("cached esbuild bundles (scripts/cached-bundle.mjs)", () => {
  let root = "";
  beforeAll(() => {
    root = tempDir("bundle");
    write(path.join(root, "tsconfig.json"), "{}\n");
    write(path.join(root, "package-lock.json"), "{}\n");
    write(path.join(root, "src", "server", "answer.ts"), "export const answer: number = 41;\n");
    write(path.join(root, "src", "server", "unused.ts"), "export const unused = 0;\n");
    write(path.join(root, "src", "server", "main.ts"), 'import { answer } from "./answer.js";\nconsole.log("answer", answer);\n');
    write(path.join(root, "src", "server", "worker.ts"), "export default (): number => 1;\n");
    write(path.join(root, "scripts", "lab.ts"), 'console.log(new URL("..", import.meta.url).pathname);\n');
  });

  it("builds once, then reuses the bundle while no bundled source changes", () => {
    expect(runBundle("server", root)).toEqual({ built: true, stdout: "answer 41" });
    expect(runBundle("server", root)).toEqual({ built: false, stdout: "answer 41" });
    // A file that no entry imports is not an input.
    write(path.join(root, "src", "server", "unused.ts"), "export const unused = 1;\n");
    expect(runBundle("server", root).built).toBe(false);
  });

  it("rebuilds when a bundled source, tsconfig.json or the lock changes, and keeps at most one old folder", () => {
    write(path.join(root, "src", "server", "answer.ts"), "export const answer: number = 42;\n");
    expect(runBundle("server", root)).toEqual({ built: true, stdout: "answer 42" });
    write(path.join(root, "tsconfig.json"), '{ "compilerOptions": {} }\n');
    expect(runBundle("server", root).built).toBe(true);
    write(path.join(root, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
    expect(runBundle("server", root).built).toBe(true);
    expect(runBundle("server", root).built).toBe(false);
    const folders = readdirSync(path.join(root, ".cache")).filter((name) => /^server-[0-9a-f]{16}$/.test(name));
    expect(folders.length).toBeLessThanOrEqual(2);
  });

  it("rebuilds when the bundle folder is gone", () => {
    const stamp = JSON.parse(readFileSync(path.join(root, ".cache", "server.json"), "utf8")) as { hash: string };
    rmSync(path.join(root, ".cache", `server-${stamp.hash.slice(0, 16)}`), { recursive: true });
    expect(runBundle("server", root)).toEqual({ built: true, stdout: "answer 42" });
  });

  it("the lab bundle keeps each source's own import.meta.url (paths resolve as from the sources)", () => {
    expect(runBundle("lab", root).stdout).toBe(`${root}/`);
  });

  it("names the bundles it knows when asked for another", () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, "scripts", "cached-bundle.mjs"), "nope", "--root", root], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown bundle "nope" (expected lab | server)');
  });
});

describe("research site stamp (siteIsCurrent)", () => {
  let root = "";
  let lib = "";
  beforeAll(() => {
    root = tempDir("site");
    lib = tempDir("site-lib");
    write(path.join(root, "docs-site", "index.md"), "# Lab\n");
    write(path.join(root, "docs-site", "dist", "index.html"), "<html></html>\n");
    write(path.join(root, "observablehq.config.ts"), "export default {};\n");
    write(path.join(root, "package-lock.json"), "{}\n");
    write(path.join(lib, "mean.ts"), "export const mean = 1;\n");
    symlinkSync(lib, path.join(root, "docs-site", "lib"));
  });
  const stamp = (): void => {
    mkdirSync(path.dirname(siteStampFile(root)), { recursive: true });
    writeFileSync(siteStampFile(root), `${siteInputsHash(root)}\n`);
  };

  it("is stale without a stamp and current with one", () => {
    expect(siteIsCurrent(root)).toBe(false);
    stamp();
    expect(siteIsCurrent(root)).toBe(true);
  });

  it("goes stale when a page, the symlinked library or the config changes; the build output does not count", () => {
    write(path.join(root, "docs-site", "dist", "other.html"), "x\n");
    expect(siteIsCurrent(root)).toBe(true);
    write(path.join(root, "docs-site", "index.md"), "# Lab 2\n");
    expect(siteIsCurrent(root)).toBe(false);
    write(path.join(root, "docs-site", "index.md"), "# Lab\n");
    expect(siteIsCurrent(root)).toBe(true); // content, not mtimes
    write(path.join(lib, "mean.ts"), "export const mean = 2;\n");
    expect(siteIsCurrent(root)).toBe(false);
    stamp();
    write(path.join(root, "observablehq.config.ts"), "export default { title: 'x' };\n");
    expect(siteIsCurrent(root)).toBe(false);
    stamp();
    expect(siteIsCurrent(root)).toBe(true);
  });

  it("goes stale when the built site is gone", () => {
    rmSync(path.join(root, "docs-site", "dist", "index.html"));
    expect(siteIsCurrent(root)).toBe(false);
  });
});

describe("store stamp (scripts/lab-store.ts)", () => {
  it("holds for the same file and data; goes stale when data/, the loader or the file itself changes", () => {
    const root = tempDir("store-stamp");
    const store = path.join(root, ".arblab", "store.duckdb");
    write(path.join(root, "data", "a.csv"), "date,A\n2020-01-01,1\n");
    write(path.join(root, "src", "data", "ingest", "initBundledData.ts"), "// v1\n");
    write(store, "db");
    expect(storeIsCurrent(root, store)).toBe(false);
    writeStoreStamp(root, store);
    expect(storeIsCurrent(root, store)).toBe(true);
    write(store, "db written by a notebook"); // same file, new content: still the loaded store
    expect(storeIsCurrent(root, store)).toBe(true);
    write(path.join(root, "data", "a.csv"), "date,A\n2020-01-01,2\n");
    expect(storeIsCurrent(root, store)).toBe(false);
    writeStoreStamp(root, store);
    write(path.join(root, "src", "data", "ingest", "initBundledData.ts"), "// v2\n");
    expect(storeIsCurrent(root, store)).toBe(false);
    writeStoreStamp(root, store);
    // Replaced by another file (the new one exists before the old goes: a different inode).
    write(`${store}.new`, "db");
    renameSync(`${store}.new`, store);
    expect(storeIsCurrent(root, store)).toBe(false);
    writeStoreStamp(root, store);
    expect(storeIsCurrent(root, path.join(root, "other.duckdb"))).toBe(false);
    rmSync(store);
    expect(storeIsCurrent(root, store)).toBe(false);
  });

  it("loads the bundled data into a real store once, then skips DuckDB; a foreign store is left alone", async () => {
    // A checkout whose data/ and src/ are this one's; its store and stamp live in a temporary folder.
    const root = tempDir("store");
    symlinkSync(path.join(ROOT, "data"), path.join(root, "data"));
    symlinkSync(path.join(ROOT, "src"), path.join(root, "src"));
    expect(bundledDataHash(root)).toBe(bundledDataHash(ROOT));
    const store = path.join(root, ".arblab", "store.duckdb");
    const messages: string[] = [];
    expect(await ensureLabStore(root, store, (m) => messages.push(m))).toBe("initialised");
    expect(messages.join("\n")).toMatch(/store ready: 5 universes, \d+ instruments/);
    expect(await ensureLabStore(root, store, (m) => messages.push(m))).toBe("current");
    // Without its stamp, a store holding every bundled universe is reloaded (idempotent) and stamped again.
    rmSync(path.join(root, ".cache", "store-stamp.json"));
    expect(await ensureLabStore(root, store, () => {})).toBe("initialised");
    expect(storeIsCurrent(root, store)).toBe(true);

    const { Store } = await import("../src/data/index.js");
    const own = path.join(root, "own.duckdb");
    const db = await Store.open(own);
    try {
      await db.upsertBars([{ symbol: "XYZ", interval: "1d", ts: Date.UTC(2020, 0, 2), open: 1, high: 1, low: 1, close: 1, volume: 1 }], {
        source: "test",
      });
      await db.createUniverse("mine", ["XYZ"]);
    } finally {
      await db.close();
    }
    expect(await ensureLabStore(root, own, () => {})).toBe("foreign");
    expect(storeIsCurrent(root, own)).toBe(false);
  }, 180_000);
});

describe("kernelspec stamp (scripts/install-kernel.sh)", () => {
  it("a warm run starts no Node process beyond `node --version`; a missing output or a stale stamp redoes the install", () => {
    // A `node` first on PATH that logs its arguments and runs the real one.
    const bin = tempDir("node-shim");
    const logFile = path.join(bin, "calls.log");
    write(path.join(bin, "node"), `#!/bin/sh\necho "$*" >> "${logFile}"\nexec "${process.execPath}" "$@"\n`);
    chmodSync(path.join(bin, "node"), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const install = (): string[] => {
      rmSync(logFile, { force: true });
      const result = spawnSync("bash", ["scripts/install-kernel.sh", "--no-bundle"], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
      if (result.status !== 0) throw new Error(`install-kernel.sh exited ${result.status}:\n${result.stderr}`);
      return existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n") : [];
    };
    install();
    expect(install()).toEqual(["--version"]);
    const plotly = path.join(ROOT, ".jupyter", "config", "custom", "plotly.min.js");
    rmSync(plotly);
    expect(install().length).toBeGreaterThan(1);
    expect(existsSync(plotly)).toBe(true);
    writeFileSync(path.join(ROOT, ".jupyter", ".install-kernel-stamp"), "stale\n");
    expect(install().length).toBeGreaterThan(1);
    expect(install()).toEqual(["--version"]);
  });
});
