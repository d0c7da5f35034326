/**
 * The stored bars of several series, one field, as per-series (ts, values) arrays: what queryPanel
 * aligns. One flat scan of bar_values, no join, no aggregate, no ORDER BY:
 *   SELECT series_id, ts, <field> FROM bar_values
 *   WHERE series_id BETWEEN lo AND hi [AND get_bit(wanted, series_id − lo) = 1] AND startMs ≤ ts ≤ endMs
 * `lo..hi` is the span of the requested ids (zone maps skip row groups outside it: ids follow ingest
 * order and a batch is inserted sorted by (series_id, ts)); the bit string marks the requested ids
 * inside the span and is left out when they fill it. The result chunks are read synchronously from
 * the materialized result; pass 1 finds the runs of equal series_id (long: a batch is stored sorted
 * by series) and counts rows per series, pass 2 copies each run into its series' slice of one ts
 * block and one value block and checks ts order. Nothing relies on the scan's row order: a series
 * whose rows arrived out of ts order (bars of several batches) is merged in place by sortSeriesByTs.
 *
 * Measured on the store bench (500 of 1,000 series × 2,520 days, DuckDB 1.5, 2 threads), valgrind
 * callgrind instructions per queryPanel, whole process with DuckDB's threads: list() per series
 * over a join to the request 837 M; list() per series with this WHERE clause 714 M; this scan 561 M.
 * By parts (process CPU, loaded machine): the IN (…) list planned as a hash mark join cost ~45 ms
 * for the scan alone, this WHERE clause ~21 ms; fetching ~600 result chunks ~30 ms.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { sortSeriesByTs } from "../panel/sortSeriesByTs.js";
import { doubles, int32s } from "./vectorViews.js";

/** Runs shorter than this are copied row by row (a subarray + set costs more than a short loop). */
const SHORT_RUN = 16;

/** A bar field of bar_values (the table's column names). */
export type SeriesField = "open" | "high" | "low" | "close" | "volume";

/** One series' bars: ts (epoch ms) ascending, values of the field (NULL volume → NaN). */
export interface SeriesValues {
  readonly ts: Float64Array;
  readonly values: Float64Array;
}

/**
 * Read `field` of the series `seriesIds` (distinct) with startMs ≤ ts ≤ endMs; entry k belongs to
 * seriesIds[k] (empty arrays when it has no bars in range). The arrays are views into two blocks
 * shared by all series. Runs on the caller's connection (inside its exclusive section).
 */
export async function readSeriesValues(
  con: DuckDBConnection,
  q: { readonly seriesIds: Int32Array; readonly field: SeriesField; readonly startMs: number; readonly endMs: number },
): Promise<SeriesValues[]> {
  const { seriesIds } = q;
  const n = seriesIds.length;
  if (n === 0) return [];
  let lo = seriesIds[0]!,
    hi = seriesIds[0]!;
  for (let k = 1; k < n; k++) {
    lo = Math.min(lo, seriesIds[k]!);
    hi = Math.max(hi, seriesIds[k]!);
  }
  // slot[id − lo] = position k of series id in the request, −1 for ids in the span not asked for.
  const span = hi - lo + 1;
  const slot = new Int32Array(span).fill(-1);
  for (let k = 0; k < n; k++) {
    if (slot[seriesIds[k]! - lo] !== -1) throw new RangeError(`readSeriesValues: series id ${seriesIds[k]} requested twice`);
    slot[seriesIds[k]! - lo] = k;
  }
  const params: (number | string)[] = [lo, hi, q.startMs, q.endMs];
  let membership = "";
  if (n < span) {
    const bits = new Uint8Array(span).fill(0x30); // "0"
    for (let k = 0; k < n; k++) bits[seriesIds[k]! - lo] = 0x31; // "1"
    params.push(new TextDecoder().decode(bits));
    membership = "AND get_bit($5::BITSTRING, series_id - $1) = 1";
  }
  const value = q.field === "volume" ? `coalesce(volume, 'NaN'::DOUBLE)` : q.field;
  const result = await con.run(
    `SELECT series_id, ts::DOUBLE AS ts, ${value} AS v FROM bar_values
      WHERE series_id BETWEEN $1 AND $2 ${membership} AND ts >= $3 AND ts <= $4`,
    params,
  );
  // Pass 1: the runs of equal series_id in each chunk (a batch is stored sorted by series, so runs
  // are long: ~2 per chunk in the bench) and the rows per series. The chunks are kept (their vectors
  // are views into DuckDB memory) for pass 2.
  const chunkCount = result.chunkCount;
  const chunks = [];
  const runs: number[] = []; // (chunk, first row, end row, k) per run
  const counts = new Int32Array(n);
  for (let c = 0; c < chunkCount; c++) {
    const chunk = result.getChunk(c);
    chunks.push(chunk);
    const ids = int32s(chunk.getColumnVector(0));
    const rows = ids.length;
    for (let i = 0; i < rows; ) {
      const id = ids[i]!;
      let end = i + 1;
      while (end < rows && ids[end] === id) end++;
      const k = id >= lo && id <= hi ? slot[id - lo]! : -1;
      if (k < 0) throw new Error(`readSeriesValues: internal: the scan returned series id ${id}, not requested`);
      counts[k] += end - i;
      runs.push(c, i, end, k);
      i = end;
    }
  }
  const offsets = new Int32Array(n + 1);
  for (let k = 0; k < n; k++) offsets[k + 1] = offsets[k]! + counts[k]!;
  const total = offsets[n]!;
  const tsBlock = new Float64Array(total),
    valueBlock = new Float64Array(total);
  // Pass 2: each run is one block copy into its series' slice; its ts order is checked against the
  // series' previous row.
  const next = offsets.slice(0, n);
  const lastTs = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const unsorted = new Uint8Array(n);
  let ts: Float64Array = new Float64Array(0),
    v: Float64Array = ts,
    current = -1;
  for (let r = 0; r < runs.length; r += 4) {
    const c = runs[r]!,
      from = runs[r + 1]!,
      end = runs[r + 2]!,
      k = runs[r + 3]!;
    if (c !== current) {
      ts = doubles(chunks[c]!.getColumnVector(1), false);
      v = doubles(chunks[c]!.getColumnVector(2), false);
      current = c;
    }
    let previous = lastTs[k]!;
    for (let i = from; i < end; i++) {
      if (ts[i]! < previous) unsorted[k] = 1;
      previous = ts[i]!;
    }
    lastTs[k] = previous;
    const at = next[k]!;
    if (end - from < SHORT_RUN) {
      // A store grown by small appends (a bar per series per batch) has runs of a row or two.
      for (let i = from, to = at; i < end; i++, to++) {
        tsBlock[to] = ts[i]!;
        valueBlock[to] = v[i]!;
      }
    } else {
      tsBlock.set(ts.subarray(from, end), at);
      valueBlock.set(v.subarray(from, end), at);
    }
    next[k] = at + end - from;
  }
  chunks.length = 0;
  const out: SeriesValues[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const series = { ts: tsBlock.subarray(offsets[k]!, offsets[k + 1]!), values: valueBlock.subarray(offsets[k]!, offsets[k + 1]!) };
    if (unsorted[k]) sortSeriesByTs(series);
    out[k] = series;
  }
  return out;
}
