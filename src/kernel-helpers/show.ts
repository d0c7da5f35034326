/**
 * Render a Plotly figure in the notebook: an interactive chart in the notebook UI and in
 * `nbconvert --to html` output (plotly.js inlined once per kernel session, see plotlyBundle.ts),
 * plus a text/plain summary for consoles and text exports.
 */
import { kernelAdapter, type MimeBundle } from "./kernelAdapter.js";
import { scriptSafeJson } from "./formatValue.js";
import { DEFAULT_CHART_HEIGHT, type Figure } from "./Figure.js";
import { plotlyScriptOnce } from "./plotlyBundle.js";

/** CSS class of every chart container (test-notebooks counts them in the HTML export). */
export const PLOT_CLASS = "arbitrage-lab-plot";

/** How long a chart waits for plotly.js to appear before saying so in its container (ms). */
const PLOTLY_WAIT_MS = 10_000;

/** Options of `show`. */
export interface ShowOptions {
  /** Embed plotly.js in this output even if an earlier output of this session did (default false). */
  readonly embedPlotly?: boolean;
}

let chartCounter = 0;

/** Build the MIME bundle of a figure without displaying it (used by `show`; handy in tests). */
export function figureBundle(figure: Figure, options: ShowOptions = {}): MimeBundle {
  if (!figure || !Array.isArray(figure.data) || typeof figure.layout !== "object" || figure.layout === null) {
    throw new TypeError("show: figure must be { data: trace[], layout: object }, as the chart builders return");
  }
  chartCounter += 1;
  const id = `arbitrage-lab-plot-${process.pid}-${Date.now().toString(36)}-${chartCounter}`;
  const height = typeof figure.layout.height === "number" ? figure.layout.height : DEFAULT_CHART_HEIGHT;
  const payload = scriptSafeJson({
    data: figure.data,
    layout: figure.layout,
    config: { responsive: true, displaylogo: false, ...(figure.config ?? {}) },
  });
  const html =
    plotlyScriptOnce(options.embedPlotly ?? false) +
    `<div id="${id}" class="${PLOT_CLASS}" style="width:100%;min-height:${height}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var figure = ${payload};\n` +
    `  function draw() { var el = document.getElementById(${JSON.stringify(id)}); if (el) window.Plotly.newPlot(el, figure.data, figure.layout, figure.config); }\n` +
    `  if (window.Plotly) { draw(); return; }\n` +
    `  var waited = 0, timer = setInterval(function () {\n` +
    `    if (window.Plotly) { clearInterval(timer); draw(); return; }\n` +
    `    waited += 50; if (waited < ${PLOTLY_WAIT_MS}) return; clearInterval(timer);\n` +
    `    var el = document.getElementById(${JSON.stringify(id)});\n` +
    `    if (el) el.textContent = "plotly.js is not loaded in this page: restart the kernel and run the notebook from the top (the first chart of a session embeds it).";\n` +
    `  }, 50);\n` +
    `})();</script>`;
  return { "text/html": html, "text/plain": figureSummary(figure) };
}

/**
 * Display a Plotly figure.
 * @example show(lineChart([{ name: "GLD", y: gld }], { title: "GLD" }))
 */
export function show(figure: Figure, options: ShowOptions = {}): void {
  kernelAdapter().display(figureBundle(figure, options));
}

/** One line per trace: `Figure "title": scatter "GLD" (945 points)`. */
export function figureSummary(figure: Figure): string {
  const rawTitle = figure.layout.title as string | { text?: string } | undefined;
  const title = typeof rawTitle === "string" ? rawTitle : (rawTitle?.text ?? "untitled");
  const lines = [`Figure "${title}" (${figure.data.length} trace${figure.data.length === 1 ? "" : "s"})`];
  for (const trace of figure.data) {
    const values = (trace.y ?? trace.z ?? trace.x) as ArrayLike<unknown> | undefined;
    const count = values && typeof values.length === "number" ? values.length : 0;
    lines.push(`  ${trace.type ?? "scatter"} "${trace.name ?? ""}" (${count} ${trace.z ? "rows" : "points"})`);
  }
  return lines.join("\n");
}

/** Display raw HTML (with a text/plain fallback). */
export function showHtml(html: string, text: string = html.replace(/<[^>]*>/g, "")): void {
  kernelAdapter().display({ "text/html": html, "text/plain": text });
}

/** Display Markdown (rendered by Jupyter), e.g. a computed summary sentence. */
export function showMarkdown(markdown: string): void {
  kernelAdapter().display({ "text/markdown": markdown, "text/plain": markdown });
}
