import { axisArray, baseLayout, indexAxis, numberArray, type AxisValues, type Figure, type PlotlyTrace } from "./Figure.js";

/** One line of a `lineChart`. */
export interface LineSeries {
  readonly name: string;
  readonly y: ArrayLike<number>;
  /** X values for this series (default: the chart's `x`, else 0..n−1). */
  readonly x?: AxisValues;
  /** Draw against a second y axis on the right. */
  readonly rightAxis?: boolean;
  readonly dash?: "solid" | "dash" | "dot" | "dashdot";
  readonly color?: string;
  readonly mode?: "lines" | "markers" | "lines+markers";
}

/** A horizontal reference line (a mean, an entry level). */
export interface ReferenceLine {
  readonly y: number;
  readonly name: string;
  readonly color?: string;
  readonly dash?: "solid" | "dash" | "dot" | "dashdot";
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  readonly title?: string;
  /** Shared x values (dates or numbers) for series that have none. */
  readonly x?: AxisValues;
  readonly xTitle?: string;
  readonly yTitle?: string;
  /** Title of the right-hand axis when a series sets `rightAxis`. */
  readonly y2Title?: string;
  /** Horizontal reference lines drawn across the whole chart. */
  readonly referenceLines?: readonly ReferenceLine[];
  readonly height?: number;
}

/**
 * Line chart of one or more series (prices, a spread, a rolling statistic).
 * @example show(lineChart([{ name: "spread", y: spread }], { x: dates, referenceLines: [{ y: theta, name: "θ" }] }))
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new TypeError("lineChart: series must be a non-empty array of { name, y }");
  }
  const data: PlotlyTrace[] = series.map((s, i) => {
    if (!s || typeof s.y !== "object" || typeof s.y.length !== "number") {
      throw new TypeError(`lineChart: series[${i}].y must be an array of numbers`);
    }
    const x = s.x ?? options.x;
    if (x && x.length !== s.y.length) {
      throw new RangeError(`lineChart: series[${i}] ("${s.name}") has ${s.y.length} y values but ${x.length} x values`);
    }
    return {
      type: "scatter",
      mode: s.mode ?? "lines",
      name: s.name,
      x: x ? axisArray(x) : indexAxis(s.y.length),
      y: numberArray(s.y),
      yaxis: s.rightAxis ? "y2" : "y",
      line: { dash: s.dash ?? "solid", color: s.color, width: 1.5 },
    };
  });
  const layout = baseLayout(options);
  if (series.some((s) => s.rightAxis)) {
    // automargin makes room for the tick labels, so the title sits beside them rather than on them
    layout.yaxis2 = {
      title: options.y2Title ? { text: options.y2Title, standoff: 10 } : undefined,
      overlaying: "y",
      side: "right",
      automargin: true,
    };
  }
  if (options.referenceLines?.length) {
    layout.shapes = options.referenceLines.map((line) => ({
      type: "line",
      xref: "paper",
      x0: 0,
      x1: 1,
      yref: "y",
      y0: line.y,
      y1: line.y,
      line: { color: line.color ?? "#888", dash: line.dash ?? "dash", width: 1 },
    }));
    layout.annotations = options.referenceLines.map((line) => ({
      xref: "paper",
      x: 1,
      xanchor: "right",
      yref: "y",
      y: line.y,
      yanchor: "bottom",
      text: line.name,
      showarrow: false,
      font: { size: 11, color: line.color ?? "#555" },
    }));
  }
  return { data, layout };
}
