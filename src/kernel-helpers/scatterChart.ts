import { axisArray, baseLayout, numberArray, type AxisValues, type Figure, type PlotlyTrace } from "./Figure.js";

/** One point cloud of a `scatterChart`. */
export interface ScatterSeries {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Hover text per point (e.g. the date or the pair name). */
  readonly text?: readonly string[];
  /** Marker colour values per point (a colour scale is shown) or one CSS colour. */
  readonly color?: ArrayLike<number> | string;
  readonly size?: number;
}

/** A straight line y = intercept + slope·x drawn over the points (e.g. the fitted hedge ratio). */
export interface FittedLine {
  readonly name: string;
  readonly slope: number;
  readonly intercept: number;
}

/** Options of `scatterChart`. */
export interface ScatterChartOptions {
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly lines?: readonly FittedLine[];
  readonly colorTitle?: string;
  readonly height?: number;
}

/**
 * Scatter plot of one or more point clouds, with optional straight lines computed elsewhere.
 * @example show(scatterChart([{ name: "GLD vs GDX", x: gdx, y: gld }], { lines: [{ name: "OLS", slope: beta, intercept }] }))
 */
export function scatterChart(series: readonly ScatterSeries[], options: ScatterChartOptions = {}): Figure {
  if (!Array.isArray(series) || series.length === 0) {
    throw new TypeError("scatterChart: series must be a non-empty array of { name, x, y }");
  }
  const data: PlotlyTrace[] = series.map((s, i) => {
    if (!s?.x || !s.y || s.x.length !== s.y.length) {
      throw new RangeError(`scatterChart: series[${i}] needs x and y of equal length`);
    }
    const colorValues = typeof s.color === "object" ? numberArray(s.color) : undefined;
    return {
      type: "scatter",
      mode: "markers",
      name: s.name,
      x: numberArray(s.x),
      y: numberArray(s.y),
      text: s.text ? [...s.text] : undefined,
      marker: {
        size: s.size ?? 5,
        opacity: 0.75,
        color: colorValues ?? s.color,
        colorscale: colorValues ? "Viridis" : undefined,
        showscale: colorValues ? true : undefined,
        colorbar: colorValues && options.colorTitle ? { title: { text: options.colorTitle } } : undefined,
      },
    };
  });
  for (const line of options.lines ?? []) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      for (let i = 0; i < s.x.length; i++) {
        if (s.x[i] < lo) lo = s.x[i];
        if (s.x[i] > hi) hi = s.x[i];
      }
    }
    const xs: AxisValues = [lo, hi];
    data.push({
      type: "scatter",
      mode: "lines",
      name: line.name,
      x: axisArray(xs),
      y: [line.intercept + line.slope * lo, line.intercept + line.slope * hi],
      line: { width: 2 },
    });
  }
  return { data, layout: baseLayout(options) };
}
