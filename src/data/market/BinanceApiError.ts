/**
 * An error the market-data service answers the way Binance spot does: HTTP status plus the JSON
 * body `{ "code": <negative int>, "msg": "<text>" }`. Codes and their meaning follow Binance's
 * error-code list (https://developers.binance.com/docs/binance-spot-api-docs/errors), so ccxt maps
 * them to its own classes (-1121 → BadSymbol, -1003 → RateLimitExceeded, -11xx → BadRequest).
 * Messages keep Binance's wording and always name the offending parameter.
 */
export class BinanceApiError extends Error {
  readonly httpStatus: number;
  readonly code: number;

  constructor(httpStatus: number, code: number, msg: string) {
    super(msg);
    this.name = "BinanceApiError";
    this.httpStatus = httpStatus;
    this.code = code;
  }

  /** The response body. */
  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

/** -1100: a value that does not match the parameter's syntax. */
export function illegalCharacters(parameter: string, legalRange: string): BinanceApiError {
  return new BinanceApiError(400, -1100, `Illegal characters found in parameter '${parameter}'; legal range is '${legalRange}'.`);
}

/** -1101: the same parameter sent more than once. */
export function duplicateParameter(parameter: string): BinanceApiError {
  return new BinanceApiError(400, -1101, `Duplicate values for a parameter detected: '${parameter}'.`);
}

/** -1102: a mandatory parameter missing or empty. */
export function mandatoryParameter(parameter: string): BinanceApiError {
  return new BinanceApiError(400, -1102, `Mandatory parameter '${parameter}' was not sent, was empty/null, or malformed.`);
}

/** -1104: a parameter the endpoint does not read. */
export function unreadParameter(parameter: string, read: readonly string[]): BinanceApiError {
  return new BinanceApiError(
    400,
    -1104,
    `Not all sent parameters were read: unknown parameter '${parameter}'; this endpoint reads ${read.map((p) => `'${p}'`).join(", ")}.`,
  );
}

/** -1120: an interval Binance does not have. */
export function invalidInterval(value: string): BinanceApiError {
  return new BinanceApiError(
    400,
    -1120,
    `Invalid interval: parameter 'interval' must be one of Binance's kline intervals (1s, 1m, …, 1w, 1M), got '${value}'.`,
  );
}

/** -1121: a symbol the store does not hold. */
export function invalidSymbol(value: string, parameter = "symbol"): BinanceApiError {
  return new BinanceApiError(400, -1121, `Invalid symbol: parameter '${parameter}' names no stored symbol, got '${value}'.`);
}

/** -1130: a well-formed value outside the allowed range. */
export function invalidParameterValue(parameter: string, rule: string): BinanceApiError {
  return new BinanceApiError(400, -1130, `Data sent for parameter '${parameter}' is not valid: ${rule}.`);
}
