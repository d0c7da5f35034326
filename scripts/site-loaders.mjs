#!/usr/bin/env node
// The research site's data loaders (docs-site/**/<name>.<ext>.ts: discovery/pairs.json.ts, …), run
// ahead of `observable build` in the site image so that a source edit re-runs them only when it
// changes the code they execute (docker/Dockerfile, stages `build` → `site-data` → `site-build`):
//
//   node scripts/site-loaders.mjs bundle <out-dir>
//       esbuild each loader into one file, <out-dir>/<path>.js (e.g. discovery/pairs.json.js), plus
//       <out-dir>/init-store.js (the store initialisation of src/data). No source maps and no
//       comments in the output, so an edit that leaves the executed code alone (a comment, a
//       function no loader calls) leaves the bundles byte-identical and the image build reuses the
//       next stage's cached outputs.
//   node scripts/site-loaders.mjs init-store <bundle-dir> <store>
//       a new DuckDB store loaded from data/ (ARBLAB_DATA_DIR, default ./data) with init-store.js:
//       its own image stage, which depends on src/data and data/ only.
//   node scripts/site-loaders.mjs run <bundle-dir> <store> <cache-dir>
//       give every loader its own copy of the store (DuckDB allows one process per file) in a folder laid out like the
//       repository (so its output names the store `.arblab/store.duckdb`, as a host build does),
//       run the loaders in parallel (at most one per core) and write each one's stdout to
//       <cache-dir>/<path> (e.g. discovery/pairs.json): Observable Framework's loader cache, which
//       `observable build` uses instead of running the loaders when the file is newer than the loader.
//
// A loader that fails or runs past LOADER_TIMEOUT_MS fails the command with its stderr; nothing is
// written for it (outputs go to a temporary file first).
import { spawn } from "node:child_process";
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SITE = join(root, "docs-site");
/** A loader is a file named <name>.<ext>.ts (Framework's rule for TypeScript loaders). */
const LOADER_NAME = /^[^.]+\.[a-z0-9]+\.ts$/;
/** Folders of docs-site that hold no loaders (the library link, the shared helpers, build output). */
const SKIP_DIRS = new Set(["lib", "data", "loaders", "dist", ".observablehq", "node_modules"]);
/** Upper bound for one loader (they take seconds here; a hang must not wedge an image build). */
const LOADER_TIMEOUT_MS = 10 * 60_000;
const MANIFEST = "loaders.json";

function usage() {
  console.error("usage: site-loaders.mjs bundle <out-dir> | init-store <bundle-dir> <store> | run <bundle-dir> <store> <cache-dir>");
  process.exit(2);
}

/** Loader paths relative to docs-site/, sorted. */
function findLoaders(dir = SITE) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIP_DIRS.has(name)) continue;
    const file = join(dir, name);
    if (statSync(file).isDirectory()) found.push(...findLoaders(file));
    else if (LOADER_NAME.test(name)) found.push(relative(SITE, file));
  }
  return found;
}

async function bundle(outDir) {
  const { build } = await import("esbuild");
  const { external } = JSON.parse(readFileSync(join(root, "scripts", "build-externals.json"), "utf8"));
  const loaders = findLoaders();
  if (loaders.length === 0) throw new Error(`site-loaders: no loaders (<name>.<ext>.ts) under ${SITE}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    external: external.flatMap((name) => [name, `${name}/*`]),
    banner: {
      js: 'import { createRequire as __arblabCreateRequire } from "node:module"; const require = __arblabCreateRequire(import.meta.url);',
    },
  };
  const started = performance.now();
  // The two builds run side by side (esbuild parallelises within each as well).
  await Promise.all([
    build({
      ...common,
      entryPoints: Object.fromEntries(loaders.map((path) => [path.replace(/\.ts$/, ""), join(SITE, path)])),
      outdir: outDir,
    }),
    build({
      ...common,
      stdin: {
        contents: [
          'import { initBundledData } from "./src/data/ingest/initBundledData.js";',
          'import { Store } from "./src/data/store/Store.js";',
          "const store = await Store.open(process.argv[2]);",
          "try { await initBundledData(store); } finally { await store.close(); }",
        ].join("\n"),
        resolveDir: root,
        loader: "ts",
        sourcefile: "init-store.ts",
      },
      outfile: join(outDir, "init-store.js"),
    }),
  ]);
  writeFileSync(join(outDir, MANIFEST), `${JSON.stringify(loaders, null, 2)}\n`);
  console.log(`[site-loaders] bundled ${loaders.join(", ")} and init-store in ${Math.round(performance.now() - started)} ms`);
}

/** Run `node script args` with stdout to `stdoutFile` (or inherited); rejects on a non-zero exit or the timeout. */
function runNode(script, args, { cwd, env, stdoutFile, label }) {
  return new Promise((resolvePromise, reject) => {
    const out = stdoutFile ? createWriteStream(stdoutFile) : null;
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ["ignore", out ? "pipe" : "inherit", "pipe"] });
    if (out) child.stdout.pipe(out);
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), LOADER_TIMEOUT_MS);
    const started = performance.now();
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const finish = () =>
        code === 0
          ? resolvePromise(seconds)
          : reject(
              new Error(
                `site-loaders: ${label} ${signal ? `killed (${signal}; limit ${LOADER_TIMEOUT_MS / 1000} s)` : `exited with ${code}`}:\n${stderr}`,
              ),
            );
      if (out) out.end(finish);
      else finish();
    });
  });
}

/** Initialise a fresh DuckDB store at `storeFile` from data/ (ARBLAB_DATA_DIR, default ./data). */
async function initStore(bundleDir, storeFile) {
  const dataDir = resolve(process.env.ARBLAB_DATA_DIR || join(root, "data"));
  if (!existsSync(join(dataDir, "instruments.csv")))
    throw new Error(`site-loaders: ${dataDir} has no instruments.csv (set ARBLAB_DATA_DIR)`);
  if (existsSync(storeFile)) throw new Error(`site-loaders: ${storeFile} exists; init-store writes a new store`);
  mkdirSync(dirname(storeFile), { recursive: true });
  const scratch = scratchDir();
  try {
    // Beside node_modules (the bundle imports its external packages from there).
    copyFileSync(join(bundleDir, "init-store.js"), join(scratch, "init-store.js"));
    const seconds = await runNode(join(scratch, "init-store.js"), [storeFile], {
      cwd: scratch,
      env: { PATH: process.env.PATH, NODE_ENV: "production", ARBLAB_DATA_DIR: dataDir },
      label: "init-store",
    });
    console.log(`[site-loaders] ${storeFile} initialised from ${dataDir} in ${seconds} s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A scratch folder inside the checkout (.cache/ is git-ignored), so that bundles copied there find node_modules. */
function scratchDir() {
  mkdirSync(join(root, ".cache"), { recursive: true });
  return mkdtempSync(join(root, ".cache", "site-loaders-"));
}

async function run(bundleDir, storeFile, cacheDir) {
  const loaders = JSON.parse(readFileSync(join(bundleDir, MANIFEST), "utf8"));
  const dataDir = resolve(process.env.ARBLAB_DATA_DIR || join(root, "data"));
  if (!existsSync(storeFile)) throw new Error(`site-loaders: no store ${storeFile} (run init-store first)`);
  // PATH only: each loader reads the copy of the store below, not $ARBLAB_HOME's or $ARBLAB_STORE.
  const env = { PATH: process.env.PATH, NODE_ENV: "production" };
  const scratch = scratchDir();
  try {
    const jobs = loaders.map((path, i) => {
      // <scratch>/<i>/{docs-site/<path>.js, data -> dataDir, .arblab/store.duckdb}: the bundle finds
      // data/ and the store where a checkout has them (import.meta.dirname/../.. = the folder).
      const home = join(scratch, String(i));
      const script = join(home, "docs-site", path.replace(/\.ts$/, ".js"));
      mkdirSync(dirname(script), { recursive: true });
      copyFileSync(join(bundleDir, path.replace(/\.ts$/, ".js")), script);
      symlinkSync(dataDir, join(home, "data"));
      mkdirSync(join(home, ".arblab"));
      copyFileSync(storeFile, join(home, ".arblab", "store.duckdb"));
      const target = join(cacheDir, path.replace(/\.ts$/, ""));
      return { path, home, script, target };
    });
    const workers = Math.max(1, Math.min(jobs.length, availableParallelism()));
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < jobs.length) {
          const { path, home, script, target } = jobs[next++];
          mkdirSync(dirname(target), { recursive: true });
          const temporary = `${target}.${process.pid}.tmp`;
          try {
            const seconds = await runNode(script, [], { cwd: home, env, stdoutFile: temporary, label: path });
            renameSync(temporary, target);
            console.log(`[site-loaders] ${path} → ${relative(root, target)} (${statSync(target).size} bytes) in ${seconds} s`);
          } finally {
            rmSync(temporary, { force: true });
          }
        }
      }),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === "bundle" && args.length === 1) await bundle(resolve(args[0]));
  else if (command === "init-store" && args.length === 2) await initStore(resolve(args[0]), resolve(args[1]));
  else if (command === "run" && args.length === 3) await run(resolve(args[0]), resolve(args[1]), resolve(args[2]));
  else usage();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
