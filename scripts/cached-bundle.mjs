#!/usr/bin/env node
// Content-hash-cached esbuild bundles of the lab's TypeScript entry points, so that `npm run lab`
// runs its own script and the gRPC server with plain `node`: no tsx loader, no per-module
// TypeScript transform, one file to read. (Measured: the gRPC server reaches SERVING with about
// 1.5 s of CPU from the bundle against 3.7 s under `node --import tsx`; README "Two commands".)
//
//   node scripts/cached-bundle.mjs <name>     build bundle <name> if stale, then run it in this process
//   node scripts/cached-bundle.mjs <name> --build-only
//   … --root DIR   another checkout's sources and cache (the tests use a small fake tree)
//
// Plain JavaScript on purpose: the launcher itself must start without tsx.
//
// Cache: .cache/<name>-<hash>/ holds the bundle (git-ignored); .cache/<name>.json records the hash
// and the list of bundled source files (esbuild's metafile). The bundle is current when the
// SHA-256 over this script, esbuild's version, tsconfig.json, package-lock.json and every listed
// source file (path and content) still equals the recorded hash, so an edit to any bundled file
// rebuilds it, and an unchanged tree costs one read of those files (~170 for the server). npm
// packages stay external (loaded from node_modules, so the lock is part of the hash).
//
// Paths: the server bundle sits two folders below the repository (.cache/server-<hash>/main.js),
// the depth of src/server/ and of `npm run build`'s dist/server/, so `new URL("../../proto/",
// import.meta.url)` and the compute pool's sibling worker.js resolve as they do there. The lab
// bundle instead has every `import.meta.url` replaced by its source file's URL (ROOT, data/ and the
// notebook bundle's inputs are found relative to the sources).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Older bundle folders kept per name (a running process may still load a worker from one). */
const KEEP_OLD = 1;

/** The bundles: entry points (output name → source), the one to run, and whether import.meta.url keeps the source's URL. */
export const BUNDLES = {
  lab: { entries: { lab: "scripts/lab.ts" }, run: "lab", sourceUrls: true },
  server: { entries: { main: "src/server/main.ts", worker: "src/server/worker.ts" }, run: "main", sourceUrls: false },
};

function esbuildVersion() {
  const pkg = path.join(ROOT, "node_modules", "esbuild", "package.json");
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, "utf8")).version : "missing";
}

/** SHA-256 over the launcher, the toolchain and every input file (relative path and content). */
function inputsHash(root, name, inputs) {
  const hash = createHash("sha256");
  hash.update(`${name}\0${esbuildVersion()}\0${readFileSync(fileURLToPath(import.meta.url))}\0`);
  for (const file of ["tsconfig.json", "package-lock.json", ...inputs]) {
    const absolute = path.resolve(root, file);
    hash.update(path.relative(root, absolute));
    hash.update("\0");
    hash.update(existsSync(absolute) ? readFileSync(absolute) : "<missing>");
    hash.update("\0");
  }
  return hash.digest("hex");
}

function cacheDir(root) {
  return path.join(root, ".cache");
}

function stampFile(root, name) {
  return path.join(cacheDir(root), `${name}.json`);
}

/** The folder of bundle `name` when its stamp matches the current sources, else null. */
export function currentBundle(name, root = ROOT) {
  const spec = BUNDLES[name];
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile(root, name), "utf8"));
  } catch {
    return null;
  }
  if (!stamp || typeof stamp.hash !== "string" || !Array.isArray(stamp.inputs)) return null;
  const dir = path.join(cacheDir(root), `${name}-${stamp.hash.slice(0, 16)}`);
  if (!Object.keys(spec.entries).every((out) => existsSync(path.join(dir, `${out}.js`)))) return null;
  return inputsHash(root, name, stamp.inputs) === stamp.hash ? dir : null;
}

/** esbuild plugin: `import.meta.url` (and .dirname/.filename) of each source file becomes that file's own location. */
function sourceUrlsPlugin() {
  return {
    name: "source-urls",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = readFileSync(args.path, "utf8");
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(args.path)))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
        return { contents, loader: "ts" };
      });
    },
  };
}

/** Build bundle `name` into .cache/<name>-<hash>/ and record its stamp; returns the folder. */
export async function buildBundle(name, root = ROOT) {
  const spec = BUNDLES[name];
  const { build } = await import("esbuild");
  const started = Date.now();
  const workDir = path.join(cacheDir(root), `${name}.tmp-${process.pid}`);
  rmSync(workDir, { recursive: true, force: true });
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(Object.entries(spec.entries).map(([out, src]) => [out, path.join(root, src)])),
      outdir: workDir,
      bundle: true,
      splitting: true, // lazily imported modules (the store, only when it needs initialising) stay lazy
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "linked",
      metafile: true,
      logLevel: "warning",
      plugins: spec.sourceUrls ? [sourceUrlsPlugin()] : [],
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    const hash = inputsHash(root, name, inputs);
    const dir = path.join(cacheDir(root), `${name}-${hash.slice(0, 16)}`);
    if (existsSync(dir)) rmSync(workDir, { recursive: true, force: true });
    else renameSync(workDir, dir);
    // A source edited while esbuild ran may not be in the bundle: then leave the stamp stale (next run rebuilds).
    const editedDuringBuild = inputs.some((file) => statSync(path.resolve(root, file)).mtimeMs >= started - 1);
    if (!editedDuringBuild) {
      const tmp = `${stampFile(root, name)}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify({ hash, inputs }, null, 1)}\n`);
      renameSync(tmp, stampFile(root, name));
    }
    removeOldBundles(cacheDir(root), name, dir);
    return dir;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Delete all but the newest KEEP_OLD superseded folders of bundle `name`. */
function removeOldBundles(cache, name, keep) {
  const old = readdirSync(cache)
    .filter((entry) => entry.startsWith(`${name}-`) && /^[0-9a-f]{16}$/.test(entry.slice(name.length + 1)))
    .map((entry) => path.join(cache, entry))
    .filter((dir) => dir !== keep)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const dir of old.slice(KEEP_OLD)) rmSync(dir, { recursive: true, force: true });
}

/** The folder of a current bundle `name`, building it first when stale; `built` says which. */
export async function ensureBundle(name, root = ROOT) {
  if (!Object.hasOwn(BUNDLES, name))
    throw new Error(`cached-bundle: unknown bundle "${name}" (expected ${Object.keys(BUNDLES).join(" | ")})`);
  const current = currentBundle(name, root);
  if (current) return { dir: current, built: false };
  return { dir: await buildBundle(name, root), built: true };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const name = process.argv[2] ?? "";
  const rootFlag = process.argv.indexOf("--root");
  const root = rootFlag > 0 ? path.resolve(process.argv[rootFlag + 1] ?? "") : ROOT;
  try {
    const { dir, built } = await ensureBundle(name, root);
    if (built) console.error(`[cached-bundle] built ${path.relative(root, dir)}/`);
    if (!process.argv.includes("--build-only")) await import(pathToFileURL(path.join(dir, `${BUNDLES[name].run}.js`)).href);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
