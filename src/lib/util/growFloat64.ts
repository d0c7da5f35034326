/**
 * A scratch buffer of at least `length` elements for a caller-owned workspace: `buffer` itself
 * when it is long enough, otherwise a new zero-filled Float64Array of exactly `length`.
 * Workspaces reused across the calls of a hot kernel (adfuller per pair of a scan) allocate once
 * instead of once per call: every `new Float64Array(n)` longer than 64 bytes is an off-heap
 * ArrayBuffer that V8 frees by sweeping on background threads, CPU a worker process would
 * otherwise take from the other core (docs/scaling.md). A reused buffer may be longer than asked
 * and holds the previous call's values: callers write before they read and index [0, length) only.
 * Internal: used by the workspaces of adfuller and coint.
 * @example growFloat64(new Float64Array(0), 3).length // 3; growFloat64(b, 2) === b when b.length ≥ 2
 */
export function growFloat64(buffer: Float64Array, length: number): Float64Array {
  return buffer.length >= length ? buffer : new Float64Array(length);
}

/**
 * The first `length` elements of a workspace buffer as an array of exactly that length: `buffer`
 * itself when it has that length (no allocation: the usual case of a scan over equal-length
 * series), else a subarray view (a small heap object, no new backing store).
 * Internal: pairs with {@link growFloat64} where a kernel reads `.length` of its scratch array.
 * @example float64Prefix(growFloat64(new Float64Array(0), 3), 3).length // 3
 */
export function float64Prefix(buffer: Float64Array, length: number): Float64Array {
  return buffer.length === length ? buffer : buffer.subarray(0, length);
}
