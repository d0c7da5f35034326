/**
 * Typed-array views of @duckdb/node-api result vectors, without a JS value per item. A view aliases
 * memory owned by its data chunk: read it (or copy it) while the chunk is still referenced.
 */

/** The parts of a DuckDB vector read here. */
export interface VectorLike {
  readonly itemCount: number;
  getItem(i: number): unknown;
}

/** The parts of @duckdb/node-api's DuckDBListVector read here (flat child vector plus per-row offset/length). */
export interface ListVector {
  readonly childVector: VectorLike;
  getEntryOffset(row: number): number;
  getEntryLength(row: number): number;
}

/**
 * A DOUBLE vector's values as a Float64Array. Without NULLs it is the vector's own Float64Array view
 * when @duckdb/node-api exposes it (DuckDBDoubleVector.items in v1.5); otherwise (or when NULLs may
 * occur) getItem per value, NULL → NaN.
 */
export function doubles(vector: VectorLike, mayBeNull: boolean): Float64Array {
  const n = vector.itemCount;
  const items = (vector as unknown as { items?: unknown }).items;
  if (!mayBeNull && items instanceof Float64Array && items.length === n) return items;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (vector.getItem(i) as number | null) ?? Number.NaN;
  return out;
}

/** An INTEGER vector's values as an Int32Array (its own view when exposed; NOT NULL columns only). */
export function int32s(vector: VectorLike): Int32Array {
  const n = vector.itemCount;
  const items = (vector as unknown as { items?: unknown }).items;
  if (items instanceof Int32Array && items.length === n) return items;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = vector.getItem(i) as number;
  return out;
}
