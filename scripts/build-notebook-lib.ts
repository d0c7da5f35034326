/**
 * Build the notebook bundle: everything a notebook imports, in one CommonJS file plus type
 * declarations, under notebooks/lib/ (git-ignored build output).
 *
 *   notebooks/lib/arbitrage-lab.js    esbuild bundle of src/kernel-helpers/notebookEntry.ts
 *                                      (src/lib + src/client + src/kernel-helpers); npm packages
 *                                      stay external and load from the project's node_modules
 *   notebooks/lib/arbitrage-lab.d.ts  re-exports notebooks/lib/types/** (tsc emitDeclarationOnly)
 *   notebooks/lib/package.json        {"type":"commonjs"} (the project itself is ESM)
 *
 * Why: tslab compiles cells with its own TypeScript 5.0, Node10 module resolution and CommonJS
 * output, and only follows local .ts files below the notebook's folder; the library lives in
 * src/ with NodeNext ".js" specifiers. A prebuilt bundle with declarations gives notebooks the
 * same code and full type checking. It is regenerated (when the SHA-256 of its inputs differs from
 * the stamp notebooks/lib/.inputs-sha256) by
 * scripts/install-kernel.sh (bootstrap lab/test), by `npm run lab` and by `npm run test:notebooks`,
 * so it is never committed and never stale.
 *
 * Usage: tsx scripts/build-notebook-lib.ts [--force | --check]
 *   --check  rebuild into a temporary folder and fail unless notebooks/lib/ is identical (npm test)
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "notebooks", "lib");
const bundleFile = path.join(outDir, "arbitrage-lab.js");
const entry = path.join(root, "src", "kernel-helpers", "notebookEntry.ts");
const stampFile = path.join(outDir, ".inputs-sha256");
const SOURCE_DIRS = ["src/lib", "src/client", "src/kernel-helpers", "src/server/generated", "src/data", "src/cli", "src/server/compute"];

/** Every input of the bundle: non-test .ts under SOURCE_DIRS, this script and the lock file, sorted. */
function inputFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) found.push(file);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(root, d));
  found.push(fileURLToPath(import.meta.url), path.join(root, "package-lock.json"));
  return found;
}

/** SHA-256 over the inputs' paths and contents: the bundle is current when its stamp holds this value. */
export function inputsHash(): string {
  const hash = createHash("sha256");
  for (const file of inputFiles()) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** True when the bundle exists and was built from exactly the current inputs (content hash, not mtimes). */
function upToDate(hash: string): boolean {
  const outputs = [bundleFile, path.join(outDir, "arbitrage-lab.d.ts"), stampFile];
  return outputs.every(existsSync) && readFileSync(stampFile, "utf8").trim() === hash;
}

/** Build the bundle unless it is current (or `force`); resolves true when it was built. */
export async function buildNotebookLib(force = false): Promise<boolean> {
  const hash = inputsHash();
  if (!force && upToDate(hash)) {
    console.log("[notebook-lib] up to date");
    return false;
  }
  const started = performance.now();
  // Build into a temporary folder and swap it in at the end, so a running kernel never sees half a bundle.
  const finalDir = outDir;
  const workDir = `${outDir}.tmp-${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const oldDir = `${outDir}.tmp-old-${process.pid}`;
  try {
    await buildInto(workDir);
    writeFileSync(path.join(workDir, path.basename(stampFile)), `${hash}\n`);
    // Two renames: the bundle is missing only between them (a concurrent build may win the race; its output is equivalent).
    if (existsSync(finalDir)) renameSync(finalDir, oldDir);
    try {
      renameSync(workDir, finalDir);
    } catch (error) {
      if (!existsSync(finalDir)) throw error;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(oldDir, { recursive: true, force: true });
  }
  console.log(`[notebook-lib] built ${path.relative(root, bundleFile)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** Hand-written ambient declarations under src/ (e.g. `declare module "quadprog"`), which tsc only sees when listed. */
function ambientDeclarations(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith(".d.ts")) found.push(file);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(root, d));
  return found;
}

/** Run a command, resolving with its exit code and combined output (never blocks the event loop). */
function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

async function buildInto(outDir: string): Promise<void> {
  const bundleFile = path.join(outDir, "arbitrage-lab.js");
  writeFileSync(path.join(outDir, "package.json"), '{ "type": "commonjs" }\n');
  writeFileSync(
    path.join(outDir, "README.md"),
    "Generated by scripts/build-notebook-lib.ts from src/ (git-ignored). Do not edit: run `npm run lab` or\n" +
      "`npx tsx scripts/build-notebook-lib.ts` after changing src/, then restart the notebook kernel.\n",
  );
  await build({
    entryPoints: [entry],
    outfile: bundleFile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    banner: { js: "// Generated by scripts/build-notebook-lib.ts from src/ — do not edit." },
  });
  // Declarations with the project's TypeScript (NodeNext); tslab's TS 5.0 reads them with skipLibCheck.
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const result = await run(process.execPath, [
    tsc,
    entry,
    ...ambientDeclarations(),
    "--declaration",
    "--emitDeclarationOnly",
    "--outDir",
    path.join(outDir, "types"),
    "--rootDir",
    path.join(root, "src"),
    "--module",
    "NodeNext",
    "--moduleResolution",
    "NodeNext",
    "--target",
    "ES2022",
    "--lib",
    "ES2023,DOM",
    "--strict",
    "--skipLibCheck",
    "--esModuleInterop",
    "--resolveJsonModule",
    "--types",
    "node",
  ]);
  const declEntry = path.join(outDir, "types", "kernel-helpers", "notebookEntry.d.ts");
  if (!existsSync(declEntry)) {
    throw new Error(`[notebook-lib] tsc emitted no declarations:\n${result.output}`);
  }
  if (result.code !== 0) {
    // Type errors in sources still yield declarations; show them but keep the bundle usable.
    console.warn(`[notebook-lib] tsc reported errors while emitting declarations:\n${result.output}`);
  }
  writeFileSync(path.join(outDir, "arbitrage-lab.d.ts"), 'export * from "./types/kernel-helpers/notebookEntry";\n');
}

/** Relative paths and contents of every file under `dir` (sorted), for comparing two builds. */
function treeFiles(dir: string, base = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) treeFiles(file, base, out);
    else out.set(path.relative(base, file), readFileSync(file));
  }
  return out;
}

/**
 * `--check`: rebuild into a temporary folder outside the checkout and compare it file by file with
 * notebooks/lib/ (and its stamp with the inputs' hash). Returns the problems found (empty: current).
 */
export async function checkNotebookLib(): Promise<string[]> {
  if (!existsSync(stampFile))
    return [`${path.relative(root, outDir)}/ is missing or has no stamp: run npx tsx scripts/build-notebook-lib.ts`];
  const problems: string[] = [];
  if (readFileSync(stampFile, "utf8").trim() !== inputsHash()) problems.push("the bundle's stamp does not match the current sources");
  const workDir = mkdtempSync(path.join(tmpdir(), "arbitrage-lab-notebook-lib-"));
  try {
    await buildInto(workDir);
    const fresh = treeFiles(workDir);
    const built = treeFiles(outDir);
    built.delete(path.basename(stampFile));
    for (const [file, content] of fresh) {
      const have = built.get(file);
      if (!have) problems.push(`${file} is missing from ${path.relative(root, outDir)}/`);
      else if (!have.equals(content)) problems.push(`${file} differs from a fresh build`);
    }
    for (const file of built.keys()) if (!fresh.has(file)) problems.push(`${file} is not produced by a fresh build`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    checkNotebookLib().then(
      (problems) => {
        if (problems.length === 0) {
          console.log("[notebook-lib] notebooks/lib/ is current (identical to a fresh build)");
          return;
        }
        console.error(
          `[notebook-lib] notebooks/lib/ is stale:\n  ${problems.join("\n  ")}\nrebuild: npx tsx scripts/build-notebook-lib.ts`,
        );
        process.exit(1);
      },
      (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  } else
    buildNotebookLib(process.argv.includes("--force")).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
