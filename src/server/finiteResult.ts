/**
 * The last line of defence against "OK with NaN/Inf where a number is promised" (issue #10 item 7):
 * every unary response is scanned for non-finite numbers before it leaves the worker. A
 * non-finite value is allowed only where the response says why in its standard field (a non-empty
 * `warnings` list, or an `error` string, as TestPair's failed screens) or where the contract
 * documents it (per RPC: e.g. WeightsOutput.utility is NaN for the Sharpe objective). Anything
 * else is refused with INVALID_ARGUMENT naming the RPC and the output fields: the inputs are
 * outside the range the computation supports, and a number that overflowed is not a result.
 */
import { WireError } from "./errors.js";

/** Paths (up to `limit`) of the non-finite numbers in a plain response object. */
export function nonFinitePaths(value: unknown, limit = 5): string[] {
  const out: string[] = [];
  const visit = (v: unknown, path: string, depth: number): void => {
    if (out.length >= limit || depth > 8) return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) out.push(path);
      return;
    }
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      const items = v as ArrayLike<unknown>;
      for (let i = 0; i < items.length && out.length < limit; i++) visit(items[i], `${path}[${i}]`, depth + 1);
      return;
    }
    for (const [key, item] of Object.entries(v)) visit(item, path === "" ? key : `${path}.${key}`, depth + 1);
  };
  visit(value, "", 0);
  return out;
}

/** True when the response explains its degenerate values (non-empty warnings, or an error text). */
function explained(response: Record<string, unknown>): boolean {
  const warnings = response.warnings;
  if (Array.isArray(warnings) && warnings.length > 0) return true;
  return typeof response.error === "string" && response.error !== "";
}

/**
 * Return `response` if every number in it is finite, explained, or listed in `documentedNaN`
 * (top-level field names); otherwise throw INVALID_ARGUMENT naming the RPC and the fields.
 */
export function requireFiniteResult<T>(rpc: string, response: T, documentedNaN: readonly string[] = []): T {
  const record = response as Record<string, unknown>;
  if (explained(record)) return response;
  const bad = nonFinitePaths(record, 50).filter((path) => !documentedNaN.includes(path.split(/[.[]/)[0]));
  if (bad.length === 0) return response;
  throw new WireError(
    "INVALID_ARGUMENT",
    `${rpc}: no finite result for these inputs (${bad.slice(0, 5).join(", ")}${bad.length > 5 ? ", …" : ""} not finite): the input magnitudes are outside the range this computation supports`,
  );
}
