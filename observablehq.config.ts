// Observable Framework configuration for the Arbitrage Lab research site.
// Pages live in docs-site/ and import the analytics library through the docs-site/lib symlink
// (-> src/lib), so the browser recomputes with exactly the code the tests check.
//
// Offline build: packages are imported by bare name from node_modules (never `npm:` or the implicit
// Plot/Inputs/d3 globals, which Framework fetches from the npm CDN); the Google Fonts stylesheet that
// Framework adds by default is dropped (`globalStylesheets: []`); docs-site/style.css bundles the
// theme and the Inputs stylesheet from node_modules. Framework's client bundle always contains lazy
// `import("npm:…")` calls (the implicit libraries d3, Plot, react-dom for JSX, sample datasets, …)
// whose versions it looks up on registry.npmjs.org at every build, even when no page uses them.
// Seeding its version cache with a local stub per name makes those lookups local; a stub that is
// ever loaded throws a clear error naming the package (the site test fails on any console error).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = "docs-site";
const OFFLINE_VERSION = "0.0.0-offline";

function seedOfflineNpmCache(): void {
  const clientDir = join(dirname(fileURLToPath(import.meta.url)), "node_modules", "@observablehq", "framework", "dist", "client");
  const names = new Set<string>();
  const sources = [clientDir, join(clientDir, "stdlib")];
  for (const dir of sources) {
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".js")) continue;
      for (const match of readFileSync(join(dir, file), "utf8").matchAll(/["'`]npm:((?:@[\w.-]+\/)?[\w.-]+)/g)) names.add(match[1]);
    }
  }
  names.delete("@duckdb/duckdb-wasm"); // Framework pins its version: resolved without a lookup
  for (const name of names) {
    const dir = join(ROOT, ".observablehq", "cache", "_npm", `${name}@${OFFLINE_VERSION}`);
    const stub = `throw new Error(${JSON.stringify(`${name} is not bundled in this offline site: import it by bare name from node_modules`)});\n`;
    for (const file of ["_esm.js", "client._esm.js"]) {
      if (existsSync(join(dir, file))) continue;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), stub);
    }
  }
}
seedOfflineNpmCache();

export default {
  root: ROOT,
  output: "docs-site/dist",
  title: "Arbitrage Lab",
  pages: [
    { name: "Home", path: "/" },
    { name: "Data", path: "/data-browser" },
    { name: "Pair explorer", path: "/pair-explorer" },
    { name: "Discovery", path: "/discovery" },
    { name: "Optimal levels", path: "/optimal-levels" },
    { name: "Backtest lab", path: "/backtest-lab" },
    { name: "Portfolio", path: "/portfolio" },
    { name: "PCA statistical arbitrage", path: "/pca-arbitrage" },
    { name: "Walk-forward book", path: "/walk-forward" },
    { name: "Sweeps", path: "/sweeps" },
    { name: "Paper trading monitor", path: "/paper-monitor" },
  ],
  globalStylesheets: [],
  // No favicon request (the browser would otherwise ask the server for /favicon.ico and log a 404).
  head: '<link rel="icon" href="data:,">',
  style: "style.css",
  search: false,
  pager: false,
  footer: "Arbitrage Lab research site — every number on these pages is computed by src/lib.",
};
