import { baseLayout, numberArray, type Figure } from "./Figure.js";

/** Options of `heatmapChart`. */
export interface HeatmapChartOptions {
  readonly title?: string;
  /** Column labels (x axis). */
  readonly xLabels?: readonly string[];
  /** Row labels (y axis). */
  readonly yLabels?: readonly string[];
  readonly colorTitle?: string;
  /** Plotly colour scale name (default "Viridis"; "RdBu" suits correlations). */
  readonly colorscale?: string;
  readonly reverseScale?: boolean;
  readonly zmin?: number;
  readonly zmax?: number;
  readonly height?: number;
}

/** A matrix given as rows, or row-major `{ rows, cols, data }` (the library's MatrixRowMajor). */
export type HeatmapValues =
  | ArrayLike<ArrayLike<number>>
  | { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> };

/**
 * Heatmap of a matrix (pairwise p-values, a correlation matrix, eigenportfolio loadings).
 * Missing cells (NaN) are left blank.
 * @example show(heatmapChart(pValues, { xLabels: symbols, yLabels: symbols, colorTitle: "p" }))
 */
export function heatmapChart(values: HeatmapValues, options: HeatmapChartOptions = {}): Figure {
  const z: (number | null)[][] = [];
  if (values && typeof (values as { rows?: unknown }).rows === "number" && "data" in values) {
    const m = values as { rows: number; cols: number; data: ArrayLike<number> };
    if (m.data.length !== m.rows * m.cols) {
      throw new RangeError(`heatmapChart: values.data must hold rows·cols = ${m.rows * m.cols} numbers, got ${m.data.length}`);
    }
    for (let r = 0; r < m.rows; r++) {
      z.push(numberArray(Array.prototype.slice.call(m.data, r * m.cols, (r + 1) * m.cols) as number[]));
    }
  } else if (values && typeof (values as ArrayLike<unknown>).length === "number") {
    const rows = values as ArrayLike<ArrayLike<number>>;
    for (let r = 0; r < rows.length; r++) z.push(numberArray(rows[r]));
  } else {
    throw new TypeError("heatmapChart: values must be an array of rows or { rows, cols, data }");
  }
  const cols = z[0]?.length ?? 0;
  if (options.xLabels && options.xLabels.length !== cols) {
    throw new RangeError(`heatmapChart: xLabels has ${options.xLabels.length} labels for ${cols} columns`);
  }
  if (options.yLabels && options.yLabels.length !== z.length) {
    throw new RangeError(`heatmapChart: yLabels has ${options.yLabels.length} labels for ${z.length} rows`);
  }
  const layout = baseLayout({ ...options, height: options.height ?? 520 });
  layout.yaxis = { ...(layout.yaxis as object), autorange: "reversed" };
  return {
    data: [
      {
        type: "heatmap",
        z,
        x: options.xLabels ? [...options.xLabels] : undefined,
        y: options.yLabels ? [...options.yLabels] : undefined,
        colorscale: options.colorscale ?? "Viridis",
        reversescale: options.reverseScale ?? false,
        zmin: options.zmin,
        zmax: options.zmax,
        hoverongaps: false,
        colorbar: options.colorTitle ? { title: { text: options.colorTitle } } : undefined,
      },
    ],
    layout,
  };
}
