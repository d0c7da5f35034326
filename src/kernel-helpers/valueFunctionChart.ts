import { axisArray, baseLayout, numberArray, type Figure, type PlotlyTrace } from "./Figure.js";

/** Input of `valueFunctionChart`: curves on a common grid and the levels to mark. */
export interface ValueFunctionChartInput {
  /** The state grid (spread values). */
  readonly x: ArrayLike<number>;
  /** Curves on that grid, e.g. exit value V(x), entry value J(x), obstacle x − c. */
  readonly curves: readonly { readonly name: string; readonly y: ArrayLike<number>; readonly dash?: "solid" | "dash" | "dot" }[];
  /** Vertical markers, e.g. entry d*, exit b*, stop-loss L, long-run mean θ. Null levels are skipped. */
  readonly levels: readonly { readonly name: string; readonly value: number | null; readonly color?: string }[];
}

/** Options of `valueFunctionChart`. */
export interface ValueFunctionChartOptions {
  readonly title?: string;
  readonly xTitle?: string;
  readonly yTitle?: string;
  readonly height?: number;
}

const LEVEL_COLORS = ["#2ca02c", "#d62728", "#9467bd", "#7f7f7f", "#ff7f0e"];

/**
 * Value functions of an optimal stopping problem with vertical lines at the optimal levels.
 * @example show(valueFunctionChart({ x: hjb.x, curves: [{ name: "V (exit)", y: hjb.exitValue }], levels: [{ name: "b*", value: hjb.exitLevel }] }))
 */
export function valueFunctionChart(input: ValueFunctionChartInput, options: ValueFunctionChartOptions = {}): Figure {
  const n = input?.x?.length;
  if (typeof n !== "number" || n < 2) throw new TypeError("valueFunctionChart: input.x must be a grid of at least 2 points");
  const x = axisArray(input.x);
  const data: PlotlyTrace[] = input.curves.map((curve) => {
    if (curve.y.length !== n) {
      throw new RangeError(`valueFunctionChart: curve "${curve.name}" has ${curve.y.length} values on a grid of ${n}`);
    }
    return {
      type: "scatter",
      mode: "lines",
      name: curve.name,
      x,
      y: numberArray(curve.y),
      line: { dash: curve.dash ?? "solid", width: 2 },
    };
  });
  const levels = input.levels.filter(
    (l): l is { name: string; value: number; color?: string } => typeof l.value === "number" && Number.isFinite(l.value),
  );
  const layout = baseLayout({ xTitle: "spread x", yTitle: "value", ...options });
  layout.shapes = levels.map((level, i) => ({
    type: "line",
    xref: "x",
    x0: level.value,
    x1: level.value,
    yref: "paper",
    y0: 0,
    y1: 1,
    line: { color: level.color ?? LEVEL_COLORS[i % LEVEL_COLORS.length], dash: "dash", width: 1.5 },
  }));
  layout.annotations = levels.map((level, i) => ({
    xref: "x",
    x: level.value,
    yref: "paper",
    y: 1,
    yanchor: "bottom",
    showarrow: false,
    text: `${level.name} = ${level.value.toPrecision(4)}`,
    font: { size: 11, color: level.color ?? LEVEL_COLORS[i % LEVEL_COLORS.length] },
  }));
  return { data, layout };
}
