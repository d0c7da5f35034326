#!/usr/bin/env node
// src/lib as the research site's pages load it, transpiled ahead of `observable build` in the site
// image (docker/Dockerfile, stage `site-lib`):
//
//   node scripts/site-lib.mjs <lib-dir> <out-dir>
//
// Every module (<lib-dir>/**/*.ts without tests, test helpers and declarations) becomes
// <out-dir>/<path>.js through esbuild's transform with the options Observable Framework itself uses
// for a .ts page import (loader "ts", verbatimModuleSyntax; @observablehq/framework
// dist/javascript/module.js getTransformOptions), so the browser gets the same code. The output has
// no comments and no types: an edit to a doc comment or a type leaves it byte-identical, and the
// image build keeps its cached `observable build` of the pages.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { transform } from "esbuild";

/** What the pages never load: tests, their helpers, type declarations. */
const SKIP = /\.test\.ts$|\.test-helper\.ts$|\.d\.ts$/;
const TRANSFORM_OPTIONS = {
  loader: "ts",
  tsconfigRaw: '{"compilerOptions": {"verbatimModuleSyntax": true}}',
  legalComments: "none",
};

function modules(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) found.push(...modules(file));
    else if (name.endsWith(".ts") && !SKIP.test(name)) found.push(file);
  }
  return found;
}

const [libDir, outDir] = process.argv.slice(2).map((arg) => resolve(arg));
if (!libDir || !outDir) {
  console.error("usage: site-lib.mjs <lib-dir> <out-dir>");
  process.exit(2);
}
const started = performance.now();
try {
  const files = modules(libDir);
  if (files.length === 0) throw new Error(`no modules (*.ts) under ${libDir}`);
  rmSync(outDir, { recursive: true, force: true });
  for (const file of files) {
    const { code } = await transform(readFileSync(file, "utf8"), { ...TRANSFORM_OPTIONS, sourcefile: file });
    const target = join(outDir, relative(libDir, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  console.log(`[site-lib] ${files.length} modules → ${outDir} in ${Math.round(performance.now() - started)} ms`);
} catch (error) {
  console.error(`site-lib: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
