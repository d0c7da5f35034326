import { axisArray, indexAxis, numberArray, type AxisValues, type Figure, type PlotlyTrace } from "./Figure.js";

/**
 * Input of `equityChart`: series the caller computed (this helper computes nothing). The
 * backtester returns `equity`; the drawdown series is derived from it in the notebook (see
 * notebooks/04-backtest.ipynb), since backtest results carry only the `maxDrawdown` metric.
 */
export interface EquityChartInput {
  /** Account value per bar. */
  readonly equity: ArrayLike<number>;
  /** Drawdown per bar as a positive fraction of the running peak (0.1 = 10 % below the peak). */
  readonly drawdown: ArrayLike<number>;
  /** Dates or bar numbers (default 0..n−1). */
  readonly x?: AxisValues;
  /** Optional comparison curves on the equity panel (e.g. the same strategy with higher costs). */
  readonly others?: readonly { readonly name: string; readonly equity: ArrayLike<number> }[];
  /** Optional trade markers on the equity panel. */
  readonly trades?: readonly { readonly index: number; readonly label: string; readonly side: "entry" | "exit" }[];
}

/** Options of `equityChart`. */
export interface EquityChartOptions {
  readonly title?: string;
  readonly equityTitle?: string;
  readonly height?: number;
}

/**
 * Two stacked panels sharing the x axis: equity curve on top, drawdown (filled, shown downwards)
 * below.
 * @example show(equityChart({ equity: result.equity, drawdown, x: dates })) // drawdown[i] = (peak_i − equity[i]) / peak_i
 */
export function equityChart(input: EquityChartInput, options: EquityChartOptions = {}): Figure {
  const n = input?.equity?.length;
  if (typeof n !== "number" || n === 0) throw new TypeError("equityChart: input.equity must be a non-empty array");
  if (!input.drawdown || input.drawdown.length !== n) {
    throw new RangeError(`equityChart: input.drawdown must have the equity's length ${n}, got ${input.drawdown?.length}`);
  }
  if (input.x && input.x.length !== n) {
    throw new RangeError(`equityChart: input.x must have the equity's length ${n}, got ${input.x.length}`);
  }
  const x = input.x ? axisArray(input.x) : indexAxis(n);
  const negDrawdown = numberArray(input.drawdown).map((v) => (v === null ? null : -Math.abs(v) * 100));
  const data: PlotlyTrace[] = [
    { type: "scatter", mode: "lines", name: "equity", x, y: numberArray(input.equity), xaxis: "x", yaxis: "y", line: { width: 1.5 } },
  ];
  for (const other of input.others ?? []) {
    if (other.equity.length !== n) throw new RangeError(`equityChart: others["${other.name}"] must have length ${n}`);
    data.push({
      type: "scatter",
      mode: "lines",
      name: other.name,
      x,
      y: numberArray(other.equity),
      xaxis: "x",
      yaxis: "y",
      line: { width: 1, dash: "dot" },
    });
  }
  for (const side of ["entry", "exit"] as const) {
    const marks = (input.trades ?? []).filter((t) => t.side === side && t.index >= 0 && t.index < n);
    if (marks.length === 0) continue;
    data.push({
      type: "scatter",
      mode: "markers",
      name: side === "entry" ? "entries" : "exits",
      x: marks.map((t) => x[t.index]),
      y: marks.map((t) => input.equity[t.index]),
      text: marks.map((t) => t.label),
      marker: { symbol: side === "entry" ? "triangle-up" : "x", size: 7 },
      xaxis: "x",
      yaxis: "y",
    });
  }
  data.push({
    type: "scatter",
    mode: "lines",
    name: "drawdown (%)",
    x,
    y: negDrawdown,
    fill: "tozeroy",
    xaxis: "x",
    yaxis: "y2",
    line: { width: 1, color: "#d62728" },
  });
  return {
    data,
    layout: {
      title: options.title ? { text: options.title } : undefined,
      height: options.height ?? 520,
      margin: { l: 60, r: 30, t: options.title ? 50 : 20, b: 50 },
      xaxis: { anchor: "y2" },
      yaxis: { domain: [0.35, 1], title: { text: options.equityTitle ?? "equity" } },
      yaxis2: { domain: [0, 0.28], title: { text: "drawdown %" } },
      legend: { orientation: "h", y: -0.15 },
    },
  };
}
