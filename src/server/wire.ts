/**
 * Validation and defaults for wire fields. Every failure names the RPC and the field (snake_case,
 * as on the wire) and becomes INVALID_ARGUMENT (or RESOURCE_EXHAUSTED for sizes beyond the
 * server's limits). Proto3 scalars have no presence: for fields with a documented default, 0 or a
 * negative value means "use the default" (the contract's rule); NaN and ±Infinity are rejected.
 */
import { toFloat64, describe } from "../lib/util/validate.js";
import type { MatrixRowMajor } from "../lib/util/matrix.js";
import { invalidArgument, resourceExhausted } from "./errors.js";

/** Largest matrix (rows × cols) accepted by the portfolio RPCs. */
export const MAX_MATRIX_ELEMENTS = 4_000_000;
/** Largest number of assets (columns) for the O(N³) portfolio RPCs. */
export const MAX_ASSETS = 2_000;

/** A finite series of at least `minLength` values, converted once to Float64Array. */
export function wireSeries(rpc: string, field: string, values: ArrayLike<number> | undefined, minLength = 0): Float64Array {
  return toFloat64(values ?? [], field, rpc, { minLength });
}

/**
 * A double with a default: non-finite -> INVALID_ARGUMENT, <= 0 -> `fallback`, otherwise checked
 * against `bounds` (inclusive max / exclusive maxExclusive).
 */
export function positiveOrDefault(
  rpc: string,
  field: string,
  value: number | undefined,
  fallback: number,
  bounds: { max?: number; maxExclusive?: number } = {},
): number {
  const v = value ?? 0;
  if (!Number.isFinite(v)) invalidArgument(rpc, `${field} must be a finite number, got ${describe(v)}`);
  if (v <= 0) return fallback;
  if (bounds.max !== undefined && v > bounds.max) invalidArgument(rpc, `${field} must be <= ${bounds.max}, got ${v}`);
  if (bounds.maxExclusive !== undefined && !(v < bounds.maxExclusive)) {
    invalidArgument(rpc, `${field} must be < ${bounds.maxExclusive}, got ${v}`);
  }
  return v;
}

/** A finite double used as-is (no default; 0 is a legal value). */
export function finiteValue(rpc: string, field: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!Number.isFinite(v)) invalidArgument(rpc, `${field} must be a finite number, got ${describe(v)}`);
  return v;
}

/** A non-negative finite double (0 legal). */
export function nonNegativeValue(rpc: string, field: string, value: number | undefined): number {
  const v = finiteValue(rpc, field, value);
  if (v < 0) invalidArgument(rpc, `${field} must be >= 0, got ${v}`);
  return v;
}

/**
 * An int32 with a default: <= 0 -> `fallback`; above `max` -> RESOURCE_EXHAUSTED when `resource`
 * (a size the server refuses to spend), else INVALID_ARGUMENT.
 */
export function positiveIntOrDefault(
  rpc: string,
  field: string,
  value: number | undefined,
  fallback: number,
  limits: { min?: number; max?: number; resource?: boolean } = {},
): number {
  const v = value ?? 0;
  if (!Number.isInteger(v)) invalidArgument(rpc, `${field} must be an integer, got ${describe(v)}`);
  if (v <= 0) return fallback;
  if (limits.min !== undefined && v < limits.min)
    invalidArgument(rpc, `${field} must be >= ${limits.min} (or 0 for the default ${fallback}), got ${v}`);
  if (limits.max !== undefined && v > limits.max) {
    const message = `${field} must be <= ${limits.max}, got ${v}`;
    if (limits.resource) resourceExhausted(rpc, message);
    invalidArgument(rpc, message);
  }
  return v;
}

/** One of a fixed set of strings (trimmed, case-insensitive); "" -> `fallback`. */
export function enumOrDefault<T extends string>(
  rpc: string,
  field: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "") return fallback;
  const hit = allowed.find((a) => a.toLowerCase() === v);
  if (hit === undefined) {
    invalidArgument(
      rpc,
      `${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")} (or empty for ${JSON.stringify(fallback)}), got ${JSON.stringify(value)}`,
    );
  }
  return hit;
}

/** A JSON object carried in a `metadata` string field; "" -> {}. */
export function metadataObject(rpc: string, field: string, text: string | undefined): Record<string, unknown> {
  const t = (text ?? "").trim();
  if (t === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (error) {
    invalidArgument(rpc, `${field} must be a JSON object, got invalid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    invalidArgument(rpc, `${field} must be a JSON object, got ${Array.isArray(parsed) ? "an array" : describe(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

/** Read an optional boolean key of a metadata object. */
export function metadataBoolean(rpc: string, field: string, meta: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = meta[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") invalidArgument(rpc, `${field}.${key} must be a boolean, got ${describe(v)}`);
  return v;
}

/** Read an optional finite number key of a metadata object. */
export function metadataNumber(rpc: string, field: string, meta: Record<string, unknown>, key: string): number | undefined {
  const v = meta[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) invalidArgument(rpc, `${field}.${key} must be a finite number, got ${describe(v)}`);
  return v;
}

/** The wire `Matrix` message shape (rows, cols, row-major values). */
export interface WireMatrix {
  rows: number;
  cols: number;
  values: number[];
}

/** A required T×N wire matrix: consistent shape, finite values, within the server's size limits. */
export function wireMatrix(
  rpc: string,
  field: string,
  m: WireMatrix | undefined,
  limits: { minRows?: number; minCols?: number } = {},
): MatrixRowMajor {
  if (m === undefined || m === null) invalidArgument(rpc, `${field} is required`);
  const { rows, cols } = m;
  if (!Number.isInteger(rows) || rows <= 0) invalidArgument(rpc, `${field}.rows must be a positive integer, got ${describe(rows)}`);
  if (!Number.isInteger(cols) || cols <= 0) invalidArgument(rpc, `${field}.cols must be a positive integer, got ${describe(cols)}`);
  if (rows * cols > MAX_MATRIX_ELEMENTS)
    resourceExhausted(rpc, `${field} must have at most ${MAX_MATRIX_ELEMENTS} elements, got ${rows}x${cols}`);
  if (cols > MAX_ASSETS) resourceExhausted(rpc, `${field}.cols must be <= ${MAX_ASSETS}, got ${cols}`);
  const values = m.values ?? [];
  if (values.length !== rows * cols) {
    invalidArgument(rpc, `${field}.values must have rows*cols = ${rows}x${cols} = ${rows * cols} elements, got ${values.length}`);
  }
  if (limits.minRows !== undefined && rows < limits.minRows)
    invalidArgument(rpc, `${field}.rows must be >= ${limits.minRows}, got ${rows}`);
  if (limits.minCols !== undefined && cols < limits.minCols)
    invalidArgument(rpc, `${field}.cols must be >= ${limits.minCols}, got ${cols}`);
  return { rows, cols, data: toFloat64(values, `${field}.values`, rpc) };
}

/** A lib matrix as a wire `Matrix`. */
export function toWireMatrix(m: MatrixRowMajor): WireMatrix {
  return { rows: m.rows, cols: m.cols, values: Array.from(m.data) };
}
