import type { MatrixRowMajor } from "../util/matrix.js";
import { rangeError, requireInteger, requireOneOf, requireOptions, toFloat64 } from "../util/validate.js";

export interface LagMatrixOptions {
  /**
   * Which rows to keep (statsmodels `lagmat` trim): "forward" (default) drops the last maxlag rows,
   * "backward" the first maxlag, "both" both ends (only rows where every lag is observed), "none" none
   * (missing lags are 0).
   */
  trim?: "forward" | "backward" | "both" | "none";
  /** "ex" (default): columns are lags 1..maxlag; "in": column 0 is the series itself (lag 0). */
  original?: "ex" | "in";
}

/**
 * Matrix of lagged copies of a series, as statsmodels `tsa.tsatools.lagmat` for a 1-D input.
 * Column j holds x_{t−j} (j = 1..maxlag, plus j = 0 when original = "in"). With trim "both" the row
 * for t = maxlag..n−1 is [x_t, x_{t−1}, …, x_{t−maxlag}] ("in").
 * @see statsmodels.tsa.tsatools.lagmat (0.13.5).
 * @throws RangeError if maxlag is not an integer in [0, n − 1] or x has a non-finite value
 * @example lagMatrix([1, 2, 3, 4], 1, { trim: "both", original: "in" }).data // Float64Array [2, 1, 3, 2, 4, 3] (statsmodels lagmat)
 */
export function lagMatrix(x: ArrayLike<number>, maxlag: number, options?: LagMatrixOptions): MatrixRowMajor {
  const fn = "lagMatrix";
  const opts = requireOptions<LagMatrixOptions>(fn, options);
  const xs = toFloat64(x, "x", fn, { minLength: 1 });
  requireInteger(fn, "maxlag", maxlag, { min: 0 });
  if (maxlag >= xs.length) rangeError(fn, `maxlag must be < the length of x (${xs.length}), got ${maxlag}`);
  const trim = requireOneOf(fn, "trim", opts.trim ?? "forward", ["forward", "backward", "both", "none"] as const);
  const original = requireOneOf(fn, "original", opts.original ?? "ex", ["ex", "in"] as const);
  return lagMatrixKernel(xs, maxlag, trim, original);
}

/** Internal kernel without validation. */
export function lagMatrixKernel(
  x: Float64Array,
  maxlag: number,
  trim: "forward" | "backward" | "both" | "none",
  original: "ex" | "in",
): MatrixRowMajor {
  const n = x.length;
  // Full (n + maxlag) × (maxlag + 1) layout of statsmodels: row r, column k holds x[r − k].
  const start = trim === "backward" || trim === "both" ? maxlag : 0;
  const stop = trim === "none" || trim === "backward" ? n + maxlag : n;
  const firstCol = original === "in" ? 0 : 1;
  const cols = maxlag + 1 - firstCol;
  const rows = stop - start;
  const data = new Float64Array(rows * cols);
  for (let r = start; r < stop; r++) {
    const row = (r - start) * cols;
    for (let k = firstCol; k <= maxlag; k++) {
      const src = r - k;
      if (src >= 0 && src < n) data[row + k - firstCol] = x[src];
    }
  }
  return { rows, cols, data };
}
