/**
 * The Plotly figure shape the chart builders return and `show` renders: `{ data, layout, config }`
 * exactly as `Plotly.newPlot(el, data, layout, config)` takes them (plotly.js v3 schema). Traces and
 * layouts stay open records so any Plotly attribute can be added by hand.
 */

/** One Plotly trace (`type`, `x`, `y`, `z`, `mode`, `name`, ...). Typed arrays are accepted. */
export type PlotlyTrace = { readonly type?: string; readonly name?: string } & Record<string, unknown>;

/** Plotly layout (`title`, `xaxis`, `yaxis`, `shapes`, `annotations`, `height`, ...). */
export type PlotlyLayout = Record<string, unknown>;

/** A complete figure. */
export interface Figure {
  readonly data: readonly PlotlyTrace[];
  readonly layout: PlotlyLayout;
  readonly config?: Record<string, unknown>;
}

/** X-axis values: numbers, ISO date strings or Dates. */
export type AxisValues = ArrayLike<number> | readonly (string | Date)[];

/** Default chart height in pixels. */
export const DEFAULT_CHART_HEIGHT = 380;

/** Plain array copy of axis values, so figures serialise to JSON arrays (typed arrays do not). */
export function axisArray(values: AxisValues): (number | string | null)[] {
  const out: (number | string | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number | string | Date;
    if (v instanceof Date) out[i] = v.toISOString();
    else if (typeof v === "number") out[i] = Number.isFinite(v) ? v : null;
    else out[i] = v;
  }
  return out;
}

/** Plain number array copy with non-finite values as null (Plotly draws a gap). */
export function numberArray(values: ArrayLike<number>): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = Number.isFinite(v) ? v : null;
  }
  return out;
}

/** 0, 1, ..., n − 1 (the default x of a series without one). */
export function indexAxis(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The common layout every builder starts from. */
export function baseLayout(options: {
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly height?: number;
}): PlotlyLayout {
  return {
    title: options.title ? { text: options.title } : undefined,
    height: options.height ?? DEFAULT_CHART_HEIGHT,
    margin: { l: 60, r: 30, t: options.title ? 50 : 20, b: 50 },
    xaxis: { title: options.xTitle ? { text: options.xTitle } : undefined, automargin: true },
    yaxis: { title: options.yTitle ? { text: options.yTitle } : undefined, automargin: true },
    legend: { orientation: "h", y: -0.2 },
  };
}
