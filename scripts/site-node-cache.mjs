#!/usr/bin/env node
// Fill Observable Framework's cache of browser bundles of npm packages (docs-site/.observablehq/
// cache/_node/<name>@<version>/, rollup, ≈ 20 s of CPU for d3, Plot, Inputs, Arquero, quadprog)
// before the site's sources are copied, so that the image's `observable build` after a source edit
// finds them (docker/Dockerfile, stage `site-node-cache`, which depends only on package-lock.json):
//
//   node scripts/site-node-cache.mjs <site-root> <package>...
//
// Each package is bundled with its dependencies by Framework's own resolver (resolveNodeImport, the
// function `observable build` calls for a bare import), into the same files the build would write.
// A package missing from the list is still bundled by `observable build` itself, only later.
import { resolve } from "node:path";
import { resolveNodeImport } from "@observablehq/framework/dist/node.js";

const [siteRoot, ...packages] = process.argv.slice(2);
if (!siteRoot || packages.length === 0) {
  console.error("usage: site-node-cache.mjs <site-root> <package>...");
  process.exit(2);
}
const started = performance.now();
try {
  for (const name of packages) await resolveNodeImport(resolve(siteRoot), name);
} catch (error) {
  console.error(`site-node-cache: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`[site-node-cache] ${packages.join(", ")} in ${Math.round(performance.now() - started)} ms`);
