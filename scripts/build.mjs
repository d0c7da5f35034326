#!/usr/bin/env node
// `npm run build`: compile the services and the CLI to JavaScript in dist/server/ with esbuild, so
// that containers run `node dist/server/<entry>.js` (no tsx, no TypeScript, no devDependencies).
// Every entry lands in dist/server/ — the same depth as src/server/ — so paths the sources resolve
// with `new URL("../../proto/", import.meta.url)` still find /app/proto. The compute pool loads
// dist/server/worker.js (see src/server/pool.ts). Packages in scripts/build-externals.json stay in
// node_modules; dist/externals.json lists, per output, the external packages it imports, and
// scripts/copy-runtime-deps.mjs copies exactly those (with their dependencies) into an image.
// Entries that are not in this checkout (the CLI and the market-data service on older branches)
// are skipped with a note.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "server");
const ENTRIES = {
  main: "src/server/main.ts", // the gRPC server
  worker: "src/server/worker.ts", // piscina compute worker (loaded by the pool, not run directly)
  site: "scripts/serve-site.ts", // static server of docs-site/dist (the `lab` service)
  arblab: "src/cli/arblab.ts", // the CLI: `arblab worker`, `arblab serve`, `arblab paper start`, …
  "market-data": "src/data/market/main.ts", // the market-data service alone
};
const { external } = JSON.parse(readFileSync(join(root, "scripts", "build-externals.json"), "utf8"));

const entryPoints = {};
for (const [name, path] of Object.entries(ENTRIES)) {
  if (existsSync(join(root, path))) entryPoints[name] = join(root, path);
  else console.log(`[build] skip ${name}: ${path} is not in this checkout`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints,
  outdir: out,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
  // Every other dependency is bundled; node: built-ins are external on platform "node".
  external: external.flatMap((name) => [name, `${name}/*`]),
  // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
  banner: {
    js: 'import { createRequire as __arblabCreateRequire } from "node:module"; const require = __arblabCreateRequire(import.meta.url);',
  },
});
const packageOf = (spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
const externals = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith(".js")) continue;
  const names = new Set(
    output.imports
      // Built-ins imported without the node: prefix (events, readline) are not packages.
      .filter((i) => i.external && !i.path.startsWith("node:") && !builtinModules.includes(i.path.split("/")[0]))
      .map((i) => packageOf(i.path)),
  );
  externals[basename(file, ".js")] = [...names].sort();
}
writeFileSync(join(root, "dist", "externals.json"), `${JSON.stringify(externals, null, 2)}\n`);
console.log(`[build] ${Object.keys(entryPoints).join(", ")} -> dist/server/ in ${Math.round(performance.now() - started)} ms`);
