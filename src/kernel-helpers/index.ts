/**
 * Kernel helpers: display and data-loading wrappers for notebooks (no mathematics here; every
 * number comes from src/lib or the server). Import them in a notebook from the generated bundle
 * `./lib/arbitrage-lab` together with the library and the typed clients.
 */
// Kernel adapter (the only tslab-specific code)
export { kernelAdapter, setKernelAdapter, tslabAdapter, consoleAdapter, recordingAdapter } from "./kernelAdapter.js";
export type { KernelAdapter, DisplayHandle, MimeBundle, RecordedDisplay } from "./kernelAdapter.js";
// Charts: build a Plotly figure, then show() it
export { show, showHtml, showMarkdown, figureBundle, figureSummary, PLOT_CLASS, PLOTLY_MIME } from "./show.js"; // chart outputs
export { lineChart } from "./lineChart.js"; // prices, spreads
export type { LineSeries, LineChartOptions, ReferenceLine } from "./lineChart.js";
export { scatterChart } from "./scatterChart.js"; // leg vs leg, risk vs return
export type { ScatterSeries, ScatterChartOptions, FittedLine } from "./scatterChart.js";
export { heatmapChart } from "./heatmapChart.js"; // p-value and correlation matrices
export type { HeatmapChartOptions, HeatmapValues } from "./heatmapChart.js";
export { equityChart } from "./equityChart.js"; // equity curve over drawdown
export type { EquityChartInput, EquityChartOptions } from "./equityChart.js";
export { valueFunctionChart } from "./valueFunctionChart.js"; // V(x), J(x) with optimal levels
export { showTearSheet, tearSheetBundle } from "./showTearSheet.js"; // offline tear-sheet report in an iframe
export type { ValueFunctionChartInput, ValueFunctionChartOptions } from "./valueFunctionChart.js";
export type { Figure, PlotlyTrace, PlotlyLayout, AxisValues } from "./Figure.js";
// Tables and live displays
export { table, tableBundle } from "./table.js"; // arquero table or rows -> HTML
export type { TableInput, TableOptions, ColumnTableLike } from "./table.js";
export { progress } from "./progress.js"; // live, throttled progress bar
export type { ProgressBar, ProgressOptions } from "./progress.js";
export { liveTable } from "./liveTable.js"; // a table redrawn in place
export type { LiveTable } from "./liveTable.js";
export { formatValue, formatNumber, escapeHtml, escapeMarkdown } from "./formatValue.js"; // display formatting
export { shortStackTraces, longStackTraces } from "./shortStackTraces.js"; // errors without bundle/kernel frames
// Data
export { loadPricePanel, parseIsoDate } from "./loadPricePanel.js"; // CSV price panels -> arquero
export type { PricePanel, LoadPricePanelOptions, MissingPolicy } from "./loadPricePanel.js";
