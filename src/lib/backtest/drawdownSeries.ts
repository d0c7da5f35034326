/**
 * Drawdown path ("underwater curve") of a value path: d_t = V_t / max_{s≤t} V_s − 1, so d_t ≤ 0 and
 * d_t = 0 at every new peak. min_t d_t = −maxDrawdown(V).maxDrawdown.
 * Degenerate: a non-positive running peak makes the ratio meaningless, so values must be > 0.
 * @throws RangeError if values is empty, has non-finite entries or entries ≤ 0
 * @example drawdownSeries([100, 120, 90, 130]) // Float64Array [0, 0, −0.25, 0] (by hand: 90/120 − 1)
 */
import { rangeError, toFloat64 } from "../util/validate.js";

export function drawdownSeries(values: ArrayLike<number>): Float64Array {
  const v = toFloat64(values, "values", "drawdownSeries", { minLength: 1 });
  const out = new Float64Array(v.length);
  let peak = v[0];
  for (let t = 0; t < v.length; t++) {
    if (!(v[t] > 0)) rangeError("drawdownSeries", `values must be > 0, got ${v[t]} at index ${t}`);
    if (v[t] > peak) peak = v[t];
    out[t] = v[t] / peak - 1;
  }
  return out;
}
