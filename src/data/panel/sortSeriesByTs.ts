/**
 * Sort one series (ts with its values) by ts in place, stably, by a natural merge sort: the ascending
 * runs already present are merged pairwise, O(n log r) for r runs. A series read back from the
 * store is one run (a no-op check) or the concatenation of a few runs, one per DuckDB thread that
 * built part of its list() aggregate, which this merges in one or two linear passes. A generic
 * comparator sort over an index array cost ~30× more per series there.
 */
export function sortSeriesByTs(series: { readonly ts: Float64Array; readonly values: Float64Array }): void {
  const { ts, values } = series;
  const n = ts.length;
  if (values.length !== n) throw new RangeError(`sortSeriesByTs: ${n} timestamps but ${values.length} values`);
  // Run boundaries b0 = 0 < b1 < … < bk = n; run i is [b_i, b_{i+1}).
  let bounds: number[] = [0];
  for (let i = 1; i < n; i++) if (ts[i]! < ts[i - 1]!) bounds.push(i);
  if (bounds.length === 1) return;
  bounds.push(n);
  let fromTs: Float64Array = ts,
    fromValues: Float64Array = values,
    toTs: Float64Array = new Float64Array(n),
    toValues: Float64Array = new Float64Array(n);
  // Each pass halves the number of runs (at most ⌈log2 r⌉ passes).
  while (bounds.length > 2) {
    const next: number[] = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const lo = bounds[r]!,
        mid = bounds[r + 1]!,
        hi = r + 2 < bounds.length ? bounds[r + 2]! : mid;
      let a = lo,
        b = mid,
        out = lo;
      while (a < mid && b < hi) {
        // ≤ keeps equal timestamps in their original order (stable).
        if (fromTs[a]! <= fromTs[b]!) {
          toTs[out] = fromTs[a]!;
          toValues[out++] = fromValues[a++]!;
        } else {
          toTs[out] = fromTs[b]!;
          toValues[out++] = fromValues[b++]!;
        }
      }
      while (a < mid) {
        toTs[out] = fromTs[a]!;
        toValues[out++] = fromValues[a++]!;
      }
      while (b < hi) {
        toTs[out] = fromTs[b]!;
        toValues[out++] = fromValues[b++]!;
      }
      next.push(hi);
    }
    bounds = next;
    [fromTs, toTs] = [toTs, fromTs];
    [fromValues, toValues] = [toValues, fromValues];
  }
  if (fromTs !== ts) {
    ts.set(fromTs);
    values.set(fromValues);
  }
}
