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
/** Assumed plot width and label font metrics for spacing level labels (px). */
const ASSUMED_PLOT_WIDTH_PX = 900;
const LABEL_CHAR_WIDTH_PX = 6.5;
const LABEL_GAP_PX = 8;
/** Height of one row of level labels above the plot (px). */
const LABEL_ROW_PX = 16;

/**
 * Row of each level label (0 = just above the plot): labels are placed left to right and each
 * goes to the lowest row whose previous label ends before it starts, so close levels (a stop-loss
 * next to an entry level) stack instead of overprinting. Widths are estimated from the text.
 */
export function labelRows(positions: readonly { readonly x: number; readonly text: string }[], xMin: number, xMax: number): number[] {
  const span = xMax > xMin ? xMax - xMin : 1;
  const toPx = (v: number): number => ((v - xMin) / span) * ASSUMED_PLOT_WIDTH_PX;
  const order = positions.map((_, i) => i).sort((a, b) => positions[a]!.x - positions[b]!.x);
  const rowEnds: number[] = [];
  const rows = new Array<number>(positions.length).fill(0);
  for (const i of order) {
    const half = (positions[i]!.text.length * LABEL_CHAR_WIDTH_PX) / 2;
    const start = toPx(positions[i]!.x) - half;
    let row = rowEnds.findIndex((end) => end + LABEL_GAP_PX <= start);
    if (row < 0) row = rowEnds.length;
    rowEnds[row] = start + 2 * half;
    rows[i] = row;
  }
  return rows;
}

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
  const texts = levels.map((level) => `${level.name} = ${level.value.toPrecision(4)}`);
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = input.x[i]!;
    if (v < xMin) xMin = v;
    if (v > xMax) xMax = v;
  }
  for (const level of levels) {
    xMin = Math.min(xMin, level.value);
    xMax = Math.max(xMax, level.value);
  }
  const rows = labelRows(
    levels.map((level, i) => ({ x: level.value, text: texts[i]! })),
    xMin,
    xMax,
  );
  layout.annotations = levels.map((level, i) => ({
    xref: "x",
    x: level.value,
    yref: "paper",
    y: 1,
    yanchor: "bottom",
    yshift: rows[i]! * LABEL_ROW_PX,
    showarrow: false,
    text: texts[i],
    font: { size: 11, color: level.color ?? LEVEL_COLORS[i % LEVEL_COLORS.length] },
  }));
  const extraRows = rows.length ? Math.max(...rows) : 0;
  const margin = layout.margin as { t: number };
  layout.margin = { ...margin, t: margin.t + 18 + extraRows * LABEL_ROW_PX };
  return { data, layout };
}
