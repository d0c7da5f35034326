/**
 * Offline tear-sheet report: one self-contained HTML string (inline CSS and SVG, no script, nothing
 * fetched) from the library's `tearSheet` numbers.
 *
 * Why here (src/report) and not src/lib: src/lib holds the mathematics on Float64Array; this file
 * is presentation (layout, scales, colours, escaping) and adds no metric of its own. It does no I/O
 * either (it returns a string), so the CLI (`arblab report` writes it to a file), the server and
 * the notebook helper (`showTearSheet`) all share it. The only arithmetic here is drawing: pixel
 * scales, histogram bin counts and axis ticks.
 */
import { tearSheet, type TearSheet, type TearSheetOptions } from "../lib/report/tearSheet.js";

/** Per-pair (or per-leg) P&L attribution, one bar each. */
export interface AttributionRow {
  readonly name: string;
  /** P&L contribution, in the report's units (e.g. a fraction of capital). */
  readonly pnl: number;
}

/** A trade row: any named fields (entry, exit, side, P&L …), shown as a table in the given order. */
export type TradeRow = Readonly<Record<string, string | number | boolean | null>>;

/** Options of {@link tearSheetHtml}: tearSheet's options plus presentation. */
export interface TearSheetHtmlOptions extends TearSheetOptions {
  /** Report title. Default "Tear sheet". */
  title?: string;
  /** Per-pair attribution; its chart appears only when given. */
  attribution?: readonly AttributionRow[];
  /** Trades; the table appears only when given (first 1,000 rows shown). */
  trades?: readonly TradeRow[];
  /** Histogram bins of the return distribution. Default 40. */
  histogramBins?: number;
}

/** Most trade rows written to the page; the rest are counted, not shown. */
export const TEAR_SHEET_MAX_TRADE_ROWS = 1000;
/** Most points drawn per line chart; longer series are thinned to every k-th point (keeping the last). */
const MAX_LINE_POINTS = 2000;
const WIDTH = 860;
const HEIGHT = 220;
const MARGIN = { left: 60, right: 16, top: 12, bottom: 28 };

/** Escape text for HTML element content and attribute values. */
function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function formatPercent(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(digits)}%` : String(value);
}

function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(digits) : value.toFixed(digits);
}

/** "Nice" tick values covering [lo, hi] (about `count` of them). */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step, k = 0; v <= hi + 1e-12 * step && k < 50; v += step, k++) out.push(v);
  return out;
}

interface LineSpec {
  readonly values: ArrayLike<number>;
  readonly color: string;
  readonly label: string;
}

/** An SVG line chart; `log` plots log10 of the values with ticks labelled in value units. */
function lineChartSvg(
  title: string,
  lines: readonly LineSpec[],
  format: (v: number) => string,
  options: { log?: boolean; fillToZero?: boolean } = {},
): string {
  const n = Math.max(...lines.map((l) => l.values.length));
  const transform = options.log ? (v: number) => Math.log10(v) : (v: number) => v;
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    for (let i = 0; i < l.values.length; i++) {
      const v = transform(l.values[i]);
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (options.fillToZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) {
    hi += 1;
    lo -= 1;
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (i: number) => MARGIN.left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const y = (v: number) => MARGIN.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const stride = Math.max(1, Math.ceil(n / MAX_LINE_POINTS));
  const parts: string[] = [];
  for (const t of ticks(lo, hi, 5)) {
    const label = options.log ? format(10 ** t) : format(t);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${escapeText(label)}</text>`);
  }
  for (const l of lines) {
    let d = "";
    let pen = false;
    const last = l.values.length - 1;
    for (let k = 0; k <= last + stride - 1; k += stride) {
      const i = Math.min(k, last); // thinned points, always ending on the last one
      const v = transform(l.values[i]);
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    if (options.fillToZero && d !== "") {
      parts.push(
        `<path d="${d}L${x(last).toFixed(1)},${y(0).toFixed(1)}L${x(0).toFixed(1)},${y(0).toFixed(1)}Z" fill="${l.color}" fill-opacity="0.25" stroke="none"/>`,
      );
    }
    parts.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.3"><title>${escapeText(l.label)}</title></path>`);
  }
  const legend = lines.length > 1 ? lines.map((l) => `<span style="color:${l.color}">■ ${escapeText(l.label)}</span>`).join(" ") : "";
  return `<section><h2>${escapeText(title)}</h2>${legend ? `<div class="legend">${legend}</div>` : ""}<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeText(title)}">${parts.join("")}</svg></section>`;
}

/** Diverging colour for a return: red for losses, green for gains, saturating at ±scale. */
function divergingColor(value: number, scale: number): string {
  if (!Number.isFinite(value)) return "#eeeeee";
  const t = Math.max(-1, Math.min(1, value / scale));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * Math.abs(t));
  return t >= 0 ? `rgb(${mix(255, 26)},${mix(255, 150)},${mix(255, 65)})` : `rgb(${mix(255, 215)},${mix(255, 48)},${mix(255, 39)})`;
}

function monthlyHeatmapHtml(sheet: TearSheet): string {
  if (sheet.monthly.length === 0)
    return `<section><h2>Monthly returns</h2><p class="note">No timestamps were given, so there is no monthly table.</p></section>`;
  const years = [...new Set(sheet.monthly.map((m) => m.year))];
  const byKey = new Map(sheet.monthly.map((m) => [`${m.year}-${m.month}`, m.return]));
  let scale = 0;
  for (const m of sheet.monthly) if (Number.isFinite(m.return)) scale = Math.max(scale, Math.abs(m.return));
  const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const rows = years.map((year) => {
    let growth = 1;
    const cells = names.map((_, k) => {
      const v = byKey.get(`${year}-${k + 1}`);
      if (v === undefined) return `<td class="empty"></td>`;
      growth *= 1 + v;
      return `<td style="background:${divergingColor(v, scale || 1)}">${formatPercent(v, 1)}</td>`;
    });
    return `<tr><th>${year}</th>${cells.join("")}<td class="year">${formatPercent(growth - 1, 1)}</td></tr>`;
  });
  return `<section><h2>Monthly returns</h2><table class="heatmap"><thead><tr><th></th>${names.map((m) => `<th>${m}</th>`).join("")}<th>Year</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

function histogramSvg(returns: Float64Array, bins: number): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of returns) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi === lo) hi = lo + 1e-12;
  const counts = new Array<number>(bins).fill(0);
  for (const v of returns) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  const maxCount = Math.max(...counts);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const barW = plotW / bins;
  const parts: string[] = [];
  counts.forEach((c, k) => {
    const h = (c / maxCount) * plotH;
    const left = lo + ((hi - lo) * k) / bins;
    parts.push(
      `<rect x="${(MARGIN.left + k * barW).toFixed(1)}" y="${(MARGIN.top + plotH - h).toFixed(1)}" width="${Math.max(0.5, barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${left < 0 ? "#d73027" : "#1a9641"}"><title>${formatPercent(left)} … ${formatPercent(left + (hi - lo) / bins)}: ${c}</title></rect>`,
    );
  });
  for (const t of ticks(lo, hi, 6)) {
    const px = MARGIN.left + ((t - lo) / (hi - lo)) * plotW;
    parts.push(`<text x="${px.toFixed(1)}" y="${HEIGHT - 8}" text-anchor="middle">${formatPercent(t, 1)}</text>`);
  }
  return `<section><h2>Return distribution</h2><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Return distribution">${parts.join("")}</svg></section>`;
}

function attributionSvg(rows: readonly AttributionRow[]): string {
  const rowH = 18;
  const height = MARGIN.top + MARGIN.bottom + rowH * rows.length;
  const labelW = 160;
  const plotW = WIDTH - labelW - MARGIN.right - 70;
  let maxAbs = 0;
  for (const r of rows) if (Number.isFinite(r.pnl)) maxAbs = Math.max(maxAbs, Math.abs(r.pnl));
  if (maxAbs === 0) maxAbs = 1;
  const zero = labelW + plotW / 2;
  const parts = rows.map((r, k) => {
    const w = (Math.abs(r.pnl) / maxAbs) * (plotW / 2);
    const top = MARGIN.top + k * rowH;
    const left = r.pnl >= 0 ? zero : zero - w;
    return `<text x="${labelW - 6}" y="${top + 13}" text-anchor="end">${escapeText(r.name)}</text><rect x="${left.toFixed(1)}" y="${top + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${r.pnl >= 0 ? "#1a9641" : "#d73027"}"/><text x="${(labelW + plotW + 6).toFixed(1)}" y="${top + 13}">${escapeText(formatNumber(r.pnl, 4))}</text>`;
  });
  parts.push(`<line x1="${zero}" x2="${zero}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}" class="axis"/>`);
  return `<section><h2>Per-pair attribution</h2><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Per-pair attribution">${parts.join("")}</svg></section>`;
}

function tradesTable(rows: readonly TradeRow[]): string {
  if (rows.length === 0) return `<section><h2>Trades</h2><p class="note">No trades.</p></section>`;
  const columns = Object.keys(rows[0]);
  const shown = rows.slice(0, TEAR_SHEET_MAX_TRADE_ROWS);
  const cell = (v: unknown) => (typeof v === "number" ? formatNumber(v, 4) : escapeText(String(v)));
  const body = shown.map((r) => `<tr>${columns.map((c) => `<td>${cell(r[c])}</td>`).join("")}</tr>`).join("");
  const more = rows.length > shown.length ? `<p class="note">${rows.length - shown.length} more trades not shown.</p>` : "";
  return `<section><h2>Trades (${rows.length})</h2><div class="scroll"><table class="trades"><thead><tr>${columns.map((c) => `<th>${escapeText(c)}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table></div>${more}</section>`;
}

function metricsTable(sheet: TearSheet): string {
  const rows: [string, string][] = [
    ["Total return", formatPercent(sheet.totalReturn)],
    ["CAGR", formatPercent(sheet.cagr)],
    ["Volatility (ann.)", formatPercent(sheet.volatility)],
    ["Sharpe", formatNumber(sheet.sharpe, 2)],
    ["Sortino", formatNumber(sheet.sortino, 2)],
    ["Max drawdown", formatPercent(sheet.maxDrawdown)],
    ["Calmar", formatNumber(sheet.calmar, 2)],
    ["Longest drawdown (periods)", String(sheet.longestDrawdown)],
    ["Win rate", formatPercent(sheet.winRate, 1)],
    ["Profit factor", formatNumber(sheet.profitFactor, 2)],
    ["Tail ratio", formatNumber(sheet.tailRatio, 2)],
    ["Skewness", formatNumber(sheet.skewness, 2)],
    ["Excess kurtosis", formatNumber(sheet.excessKurtosis, 2)],
    ["VaR 95 % (historical)", formatPercent(sheet.valueAtRisk95)],
    ["CVaR 95 %", formatPercent(sheet.conditionalValueAtRisk95)],
    ["Best period", formatPercent(sheet.bestPeriod)],
    ["Worst period", formatPercent(sheet.worstPeriod)],
    ["Periods", `${sheet.n} (${sheet.periodsPerYear} per year)`],
  ];
  if (Number.isFinite(sheet.benchmark.beta)) {
    rows.push(
      ["Benchmark total return", formatPercent(sheet.benchmark.totalReturn)],
      ["Beta", formatNumber(sheet.benchmark.beta, 3)],
      ["Alpha (ann.)", formatPercent(sheet.benchmark.alpha)],
      ["Correlation", formatNumber(sheet.benchmark.correlation, 3)],
      ["Tracking error", formatPercent(sheet.benchmark.trackingError)],
      ["Information ratio", formatNumber(sheet.benchmark.informationRatio, 2)],
    );
  }
  return `<section><h2>Metrics</h2><table class="metrics"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeText(k)}</th><td>${escapeText(v)}</td></tr>`).join("")}</tbody></table></section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:900px;color:#222}
h1{font-size:22px}h2{font-size:16px;margin:22px 0 6px}svg{width:100%;height:auto;font-size:11px}
svg text{fill:#444}.grid{stroke:#e5e5e5}.axis{stroke:#888}.note{color:#666}.legend span{margin-right:14px}
table{border-collapse:collapse}th,td{padding:2px 8px;text-align:right}.metrics th{text-align:left;font-weight:normal;color:#555}
.heatmap td{font-size:11px;min-width:44px}.heatmap .year{font-weight:bold}.scroll{max-height:420px;overflow:auto}
.trades td,.trades th{border-bottom:1px solid #eee;font-size:12px}`;

/**
 * The tear sheet as one offline HTML document: metrics table, equity (log scale, with the
 * benchmark's when given), underwater (drawdown), monthly returns heatmap, rolling Sharpe, return
 * histogram, per-pair attribution (when given) and trades (when given). Every number comes from
 * `tearSheet(returns, options)`; the page has no script and references nothing outside itself.
 * @throws what tearSheet throws for bad returns/options; RangeError for a bad histogramBins
 * @example writeFileSync("report.html", tearSheetHtml(returns, { periodsPerYear: 252, timestamps }))
 */
export function tearSheetHtml(returns: ArrayLike<number>, options: TearSheetHtmlOptions): string {
  const sheet = tearSheet(returns, options);
  const bins = options.histogramBins ?? 40;
  if (!Number.isInteger(bins) || bins < 2 || bins > 1000)
    throw new RangeError(`tearSheetHtml: histogramBins must be an integer in [2, 1000], got ${bins}`);
  const title = options.title ?? "Tear sheet";
  const r = Float64Array.from(returns);
  const equityLines: LineSpec[] = [{ values: sheet.equity, color: "#2166ac", label: "Strategy" }];
  if (options.benchmark !== undefined) {
    const b = Float64Array.from(options.benchmark);
    const benchmarkEquity = new Float64Array(b.length);
    let growth = 1;
    for (let t = 0; t < b.length; t++) benchmarkEquity[t] = growth *= 1 + b[t]; // drawing only: the benchmark's equity line
    equityLines.push({ values: benchmarkEquity, color: "#999999", label: "Benchmark" });
  }
  const underwater = sheet.drawdown.map((d) => -d);
  const sections = [
    metricsTable(sheet),
    lineChartSvg("Equity (log scale)", equityLines, (v) => formatNumber(v, 2), { log: true }),
    lineChartSvg("Underwater (drawdown)", [{ values: underwater, color: "#d73027", label: "Drawdown" }], (v) => formatPercent(v, 0), {
      fillToZero: true,
    }),
    monthlyHeatmapHtml(sheet),
    lineChartSvg(
      `Rolling Sharpe (${sheet.rollingWindow} periods)`,
      [{ values: sheet.rollingSharpe, color: "#5e3c99", label: "Rolling Sharpe" }],
      (v) => formatNumber(v, 1),
      { fillToZero: false },
    ),
    histogramSvg(r, bins),
  ];
  if (options.attribution !== undefined) sections.push(attributionSvg(options.attribution));
  if (options.trades !== undefined) sections.push(tradesTable(options.trades));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeText(title)}</h1>
${sections.join("\n")}
<p class="note">Generated by Arbitrage Lab tearSheetHtml; definitions in src/lib/report/tearSheet.ts.</p>
</body></html>
`;
}
