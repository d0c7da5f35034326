/**
 * The library's one error policy (see README "Errors").
 *
 * - Misuse by the caller (wrong length, bad option, too few points, non-finite input) throws
 *   `RangeError` (a value outside what is allowed) or `TypeError` (a value of the wrong kind).
 *   The message starts with the public function's name, names the argument and states the
 *   requirement, e.g. `"adfuller: maxlag must be <= 47 (nobs/2 - 1 - trend terms), got 60"`.
 * - Degenerate but legal input returns a documented value plus an entry in the result's
 *   `warnings` array. src/lib never writes to the console.
 * - Scalar special functions may follow IEEE and return NaN for NaN input, documented per function.
 *
 * Every public function validates through these helpers, passing its own name (`fn`) and the
 * argument's name, so the server can turn the message into an INVALID_ARGUMENT detail unchanged.
 */

/** Describe a value for an error message without dumping a whole array. */
export function describe(value: unknown): string {
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
}

/** Throw a RangeError whose message starts with the function name. */
export function rangeError(fn: string, message: string): never {
  throw new RangeError(`${fn}: ${message}`);
}

/** Throw a TypeError whose message starts with the function name. */
export function typeError(fn: string, message: string): never {
  throw new TypeError(`${fn}: ${message}`);
}

function isArrayLikeOfNumbers(x: unknown): x is ArrayLike<number> {
  return x !== null && typeof x === "object" && typeof (x as { length?: unknown }).length === "number";
}

/**
 * Convert an `ArrayLike<number>` to a fresh Float64Array once, at the public boundary, checking
 * that every element is a finite number.
 * @throws TypeError if x is not array-like or holds a non-number
 * @throws RangeError if an element is NaN or ±Infinity, or x has fewer than `minLength` elements
 */
export function toFloat64(
  x: unknown,
  name: string,
  fn: string,
  options: { minLength?: number; allowNonFinite?: boolean } = {},
): Float64Array {
  if (!isArrayLikeOfNumbers(x)) {
    typeError(fn, `${name} must be an array of numbers, got ${describe(x)}`);
  }
  const n = x.length;
  if (x instanceof Float64Array) {
    // Fast path: a typed array holds only numbers, so only finiteness needs checking.
    const out = x.slice();
    if (!options.allowNonFinite) {
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(out[i])) {
          rangeError(fn, `${name} must contain only finite numbers, got ${describe(out[i])} at index ${i}`);
        }
      }
    }
    const minLength = options.minLength ?? 0;
    if (n < minLength) rangeError(fn, `${name} must have at least ${minLength} observations, got ${n}`);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== "number") {
      typeError(fn, `${name}[${i}] must be a number, got ${describe(v)}`);
    }
    if (!options.allowNonFinite && !Number.isFinite(v)) {
      rangeError(fn, `${name} must contain only finite numbers, got ${describe(v)} at index ${i}`);
    }
    out[i] = v;
  }
  const minLength = options.minLength ?? 0;
  if (n < minLength) {
    rangeError(fn, `${name} must have at least ${minLength} observations, got ${n}`);
  }
  return out;
}

/**
 * Like `toFloat64`, but for a read-only use: a Float64Array input is checked (finiteness, length)
 * and returned AS IS, without the copy; any other `ArrayLike<number>` is converted into a fresh
 * Float64Array exactly as `toFloat64` does. Same checks, same messages, same order.
 *
 * Aliasing rule: use it only where the function neither writes to the returned array nor keeps it
 * (or a view of it) after returning: not in a result, not in an object that outlives the call. A
 * result must never alias the caller's input, so anything that is returned or mutated needs
 * `toFloat64`. The caller must also not modify the array while the function runs (synchronous
 * functions only).
 * @throws TypeError if x is not array-like or holds a non-number
 * @throws RangeError if an element is NaN or ±Infinity, or x has fewer than `minLength` elements
 * @example asFloat64ReadOnly(prices, "y", "backtestPair") === prices // true for a finite Float64Array
 */
export function asFloat64ReadOnly(
  x: unknown,
  name: string,
  fn: string,
  options: { minLength?: number; allowNonFinite?: boolean } = {},
): Float64Array {
  if (!(x instanceof Float64Array)) return toFloat64(x, name, fn, options);
  // options read before the scan: a function called once per backtest runs its long loop in
  // on-stack-replaced code, which would deoptimise at a first-seen property access after the loop
  const minLength = options.minLength ?? 0;
  const checkFinite = !options.allowNonFinite;
  const n = x.length;
  if (checkFinite) {
    for (let i = 0; i < n; i++) {
      // v − v is 0 for a finite v and NaN for NaN or ±Infinity: one subtraction per element
      const v = x[i];
      if (v - v !== 0) rangeError(fn, `${name} must contain only finite numbers, got ${describe(v)} at index ${i}`);
    }
  }
  if (n < minLength) rangeError(fn, `${name} must have at least ${minLength} observations, got ${n}`);
  return x;
}

/** Check that two series have the same length. */
export function requireSameLength(fn: string, aName: string, a: ArrayLike<number>, bName: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    rangeError(fn, `${aName} and ${bName} must have the same length, got ${a.length} and ${b.length}`);
  }
}

/** A finite number (optionally within bounds). */
export function requireFinite(
  fn: string,
  name: string,
  value: unknown,
  bounds: { min?: number; max?: number; minExclusive?: number; maxExclusive?: number } = {},
): number {
  if (typeof value !== "number") typeError(fn, `${name} must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) rangeError(fn, `${name} must be a finite number, got ${describe(value)}`);
  if (bounds.min !== undefined && value < bounds.min) rangeError(fn, `${name} must be >= ${bounds.min}, got ${value}`);
  if (bounds.max !== undefined && value > bounds.max) rangeError(fn, `${name} must be <= ${bounds.max}, got ${value}`);
  if (bounds.minExclusive !== undefined && !(value > bounds.minExclusive)) {
    rangeError(fn, `${name} must be > ${bounds.minExclusive}, got ${value}`);
  }
  if (bounds.maxExclusive !== undefined && !(value < bounds.maxExclusive)) {
    rangeError(fn, `${name} must be < ${bounds.maxExclusive}, got ${value}`);
  }
  return value;
}

/** A strictly positive finite number. */
export function requirePositive(fn: string, name: string, value: unknown): number {
  return requireFinite(fn, name, value, { minExclusive: 0 });
}

/** An integer (optionally within bounds). */
export function requireInteger(fn: string, name: string, value: unknown, bounds: { min?: number; max?: number } = {}): number {
  if (typeof value !== "number") typeError(fn, `${name} must be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value)) rangeError(fn, `${name} must be an integer, got ${describe(value)}`);
  if (bounds.min !== undefined && value < bounds.min) rangeError(fn, `${name} must be >= ${bounds.min}, got ${value}`);
  if (bounds.max !== undefined && value > bounds.max) rangeError(fn, `${name} must be <= ${bounds.max}, got ${value}`);
  return value;
}

/** One of a fixed set of string (or null) options. */
export function requireOneOf<T extends string | null>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    rangeError(
      fn,
      `${name} must be one of ${allowed.map((a) => (a === null ? "null" : JSON.stringify(a))).join(", ")}, got ${describe(value)}`,
    );
  }
  return value as T;
}

/** Options must be a plain object (or undefined). */
export function requireOptions<T extends object>(fn: string, options: unknown): Partial<T> {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) {
    typeError(fn, `options must be an object, got ${describe(options)}`);
  }
  return options as Partial<T>;
}

/** Reject a series with zero variance (all values equal), which makes regressions singular. */
export function requireNonConstant(fn: string, name: string, x: Float64Array): void {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return;
  rangeError(fn, `${name} must not be constant (all ${x.length} values equal ${x[0]})`);
}
