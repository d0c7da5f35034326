import { duplicateParameter, illegalCharacters, mandatoryParameter, unreadParameter } from "./BinanceApiError.js";

/** The raw query string as fastify parses it (a repeated key gives an array). */
export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

/** Binance's syntax for integer parameters (startTime, endTime, limit). */
const INTEGER_SYNTAX = /^[0-9]{1,20}$/;
/** Binance's syntax for symbols, e.g. "BTCUSDT"; the store's tickers ("BRK.B") fit it too. */
export const SYMBOL_SYNTAX = /^[A-Za-z0-9\-_.]{1,20}$/;

/**
 * One endpoint's query parameters, validated as Binance validates them: unknown names (-1104),
 * repeated names (-1101) and missing mandatory ones (-1102) are rejected before any value is read.
 */
export class QueryParams {
  readonly #values: Map<string, string>;

  constructor(query: RawQuery, allowed: readonly string[]) {
    this.#values = new Map();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (!allowed.includes(name)) throw unreadParameter(name, allowed);
      if (Array.isArray(value)) throw duplicateParameter(name);
      this.#values.set(name, value);
    }
  }

  /** The value, or undefined when absent or empty. */
  optionalString(name: string): string | undefined {
    const value = this.#values.get(name);
    return value === undefined || value === "" ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw mandatoryParameter(name);
    return value;
  }

  /** A symbol (-1100 when it does not match Binance's syntax). */
  requiredSymbol(name: string): string {
    const value = this.requiredString(name);
    if (!SYMBOL_SYNTAX.test(value)) throw illegalCharacters(name, SYMBOL_SYNTAX.source);
    return value;
  }

  /** A non-negative integer (-1100 when it is not digits, or not a safe integer). */
  optionalInteger(name: string): number | undefined {
    const value = this.optionalString(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!INTEGER_SYNTAX.test(value) || !Number.isSafeInteger(parsed)) throw illegalCharacters(name, INTEGER_SYNTAX.source);
    return parsed;
  }
}
