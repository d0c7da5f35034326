/**
 * Render a Plotly figure in the notebook. The output is the figure itself, as a compact JSON string
 * under the MIME type PLOTLY_MIME, plus a text/plain summary for consoles and text exports; no
 * plotly.js and no script is stored in the notebook. The notebook page draws it with the renderer
 * of scripts/jupyter/custom.js (installed per checkout by scripts/install-kernel.sh), which loads
 * plotly.js once per page from a local file and is registered as safe, so a saved notebook reopens
 * with its charts (trusted or not) and stays small: about 20 bytes per plotted number.
 * HTML exports (scripts/run-notebook.py) turn these outputs into a chart container and a drawing
 * script, with plotly.js inlined once per file.
 */
import { kernelAdapter, type MimeBundle } from "./kernelAdapter.js";
import { DEFAULT_CHART_HEIGHT, type Figure } from "./Figure.js";
import { scriptSafeJson } from "./formatValue.js";

/** CSS class of every chart container (in the notebook page and in HTML exports). */
export const PLOT_CLASS = "arbitrage-lab-plot";

/** MIME type of a chart output: a JSON string { data, layout, config } for Plotly.newPlot. */
export const PLOTLY_MIME = "application/vnd.arbitrage-lab.plotly";

/** Build the MIME bundle of a figure without displaying it (used by `show`; handy in tests). */
export function figureBundle(figure: Figure): MimeBundle {
  if (!figure || !Array.isArray(figure.data) || typeof figure.layout !== "object" || figure.layout === null) {
    throw new TypeError("show: figure must be { data: trace[], layout: object }, as the chart builders return");
  }
  const height = typeof figure.layout.height === "number" ? figure.layout.height : DEFAULT_CHART_HEIGHT;
  const payload = scriptSafeJson({
    data: figure.data,
    layout: { ...figure.layout, height },
    config: { responsive: true, displaylogo: false, ...(figure.config ?? {}) },
  });
  return { [PLOTLY_MIME]: payload, "text/plain": figureSummary(figure) };
}

/**
 * Display a Plotly figure.
 * @example show(lineChart([{ name: "GLD", y: gld }], { title: "GLD" }))
 */
export function show(figure: Figure): void {
  kernelAdapter().display(figureBundle(figure));
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
