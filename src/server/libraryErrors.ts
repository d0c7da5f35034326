/**
 * Library refusals in wire terms. src/lib names its own arguments (`coint: y must not be
 * constant`, `hurst: options.maxLag …`, `solveHjb: grid.nStd …`); a client needs the RPC and the
 * field it sent. `withWireFields(rpc, names, body)` runs `body` and rewrites any RangeError or
 * TypeError that does not already start with the RPC: the library's function prefix is dropped,
 * each library name is replaced by its wire field (longest names first, whole words), and if no
 * wire field is named after that, the fields the computation read are listed.
 */
import { WireError } from "./errors.js";

/** A library argument name (as in its messages) -> the wire field(s) it came from. */
export type WireFieldNames = Readonly<Record<string, string>>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The INVALID_ARGUMENT message for a library refusal inside `rpc`. */
export function wireMessage(rpc: string, names: WireFieldNames, message: string): string {
  if (message.startsWith(`${rpc}:`)) return message;
  let text = message.replace(/^[A-Za-z][A-Za-z0-9]*: /, "");
  const libraryNames = Object.keys(names).sort((a, b) => b.length - a.length);
  if (libraryNames.length > 0) {
    const pattern = new RegExp(`(?<![A-Za-z0-9_.])(${libraryNames.map(escapeRegExp).join("|")})(?![A-Za-z0-9_])`, "g");
    text = text.replace(pattern, (name) => names[name]);
  }
  const wireFields = [...new Set(Object.values(names))];
  const named = wireFields.some((field) => new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(field)}(?![A-Za-z0-9_])`).test(text));
  return named || wireFields.length === 0 ? `${rpc}: ${text}` : `${rpc}: ${text} (from ${wireFields.join(", ")})`;
}

/** Run `body`; a RangeError/TypeError from the library becomes INVALID_ARGUMENT in wire terms. */
export function withWireFields<T>(rpc: string, names: WireFieldNames, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if ((error instanceof RangeError || error instanceof TypeError) && !(error instanceof WireError)) {
      throw new WireError("INVALID_ARGUMENT", wireMessage(rpc, names, error.message));
    }
    throw error;
  }
}
