#!/usr/bin/env node
// Copy the production packages that compiled entries need into another directory's node_modules:
//   node scripts/copy-runtime-deps.mjs <dest-dir> <entry>...   (entries as named in dist/externals.json)
// Starts from the external packages each entry imports (written by scripts/build.mjs) and follows
// dependencies, optionalDependencies and installed peerDependencies with Node's resolution (nearest
// node_modules up the tree). Missing optional packages (other platforms' native builds) are skipped;
// a missing required one is an error. Used by docker/Dockerfile to keep the server image small.
import { cpSync, existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

const [dest, ...entries] = process.argv.slice(2);
if (!dest || entries.length === 0) {
  console.error("usage: copy-runtime-deps.mjs <dest-dir> <entry>...");
  process.exit(2);
}
const root = process.cwd();
const externals = JSON.parse(readFileSync(join(root, "dist", "externals.json"), "utf8"));

/** Directory of package `name` as Node resolves it from `fromDir`, or null. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

const seen = new Set();
const queue = [];
for (const entry of entries) {
  if (!(entry in externals))
    throw new Error(`copy-runtime-deps: entry "${entry}" not in dist/externals.json (have: ${Object.keys(externals).join(", ")})`);
  for (const name of externals[entry]) queue.push({ name, from: root, required: true });
}
while (queue.length > 0) {
  const { name, from, required } = queue.pop();
  const dir = resolvePackage(name, from);
  if (dir === null) {
    if (required) throw new Error(`copy-runtime-deps: ${name} (needed from ${relative(root, from) || "."}) is not installed`);
    continue;
  }
  if (seen.has(dir)) continue;
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir, required: true });
  for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, required: false });
  for (const dep of Object.keys(pkg.peerDependencies ?? {})) queue.push({ name: dep, from: dir, required: false });
}
// Copy top-level package directories only (nested node_modules come with their parent).
const top = new Set();
for (const dir of seen) {
  const parts = relative(root, dir).split(sep); // node_modules/<name> or node_modules/@scope/<name>[/node_modules/...]
  top.add(parts.slice(0, parts[1].startsWith("@") ? 3 : 2).join(sep));
}
for (const dir of [...top].sort())
  cpSync(join(root, dir), join(dest, dir), {
    recursive: true,
    dereference: false,
  });
console.log(`[copy-runtime-deps] ${top.size} packages for ${entries.join(", ")} -> ${dest}/node_modules`);
