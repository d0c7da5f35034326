/**
 * plotly.js for offline notebooks: the minified bundle of the project's own `plotly.js-dist-min`
 * (v3), inlined once per kernel session in a <script> element, so charts render in the live
 * notebook and in `nbconvert --to html` exports without any network access (no CDN).
 * The path can be overridden with ARBITRAGE_LAB_PLOTLY_JS.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** The npm package the bundle comes from. */
export const PLOTLY_PACKAGE = "plotly.js-dist-min";

let embedded = false;
let cachedTag: string | null = null;

/** Absolute path of plotly.min.js: env override, else resolved from the notebook's folder upward, else from this module. */
export function plotlyBundlePath(): string {
  const override = process.env.ARBITRAGE_LAB_PLOTLY_JS;
  if (override) return path.resolve(override);
  const bases = [`${process.cwd()}/`];
  if (typeof __filename === "string") bases.push(__filename);
  for (const base of bases) {
    try {
      return createRequire(base).resolve(`${PLOTLY_PACKAGE}/plotly.min.js`);
    } catch {
      // try the next base
    }
  }
  throw new Error(
    `show: cannot find ${PLOTLY_PACKAGE}/plotly.min.js from ${bases.join(" or ")}; run npm ci in the project (or set ARBITRAGE_LAB_PLOTLY_JS)`,
  );
}

/** The <script> element holding plotly.js (read once per process). */
export function plotlyScriptTag(): string {
  if (cachedTag === null) {
    const source = readFileSync(plotlyBundlePath(), "utf8").replace(/<\/script/gi, "<\\/script");
    cachedTag = `<script type="text/javascript" data-arbitrage-lab="plotly.js">\n${source}\n</script>`;
  }
  return cachedTag;
}

/** The script tag on the first call of a kernel session, "" afterwards (`force` embeds again). */
export function plotlyScriptOnce(force = false): string {
  if (embedded && !force) return "";
  embedded = true;
  return plotlyScriptTag();
}

/** Forget that plotly.js was embedded (tests; or after clearing all outputs in the notebook UI). */
export function resetPlotlyEmbedding(): void {
  embedded = false;
}
