/**
 * Request-weight accounting the way Binance spot does it: every endpoint has a weight, each client
 * (IP address) has a budget per fixed window (Binance: 6000 per 1 MINUTE, reset at the start of each
 * minute), the used weight is reported in `X-MBX-USED-WEIGHT-1M` on every response, and a request
 * that would exceed the budget gets HTTP 429 with `Retry-After` (seconds until the window resets).
 * See https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits.
 *
 * Unlike Binance, a rejected request is not charged, and there is no 418 IP ban for clients that
 * keep going after a 429; the window length is configurable so tests need not wait a minute.
 */

/** Most clients tracked at once; the map is cleared of finished windows before it grows past this. */
const MAX_TRACKED_CLIENTS = 10_000;

/** The outcome of charging one request. */
export interface WeightDecision {
  /** True when the request may proceed (its weight has been charged). */
  readonly allowed: boolean;
  /** Weight used by this client in the current window, after this request if allowed. */
  readonly usedWeight: number;
  /** Whole seconds until the window resets (what `Retry-After` carries); ≥ 1. */
  readonly retryAfterSeconds: number;
}

interface ClientWindow {
  windowStart: number;
  used: number;
}

/** Fixed-window weight budget per client key. `now` is injectable for tests. */
export class RequestWeightLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #clients = new Map<string, ClientWindow>();

  constructor(options: { limit: number; windowMs: number; now?: () => number }) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RangeError(`RequestWeightLimiter: limit must be an integer >= 1, got ${options.limit}`);
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1)
      throw new RangeError(`RequestWeightLimiter: windowMs must be an integer >= 1, got ${options.windowMs}`);
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.#limit;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Charge `weight` to `client` if it fits in the current window. */
  charge(client: string, weight: number): WeightDecision {
    const now = this.#now();
    // Windows are aligned to multiples of windowMs since the epoch, as Binance's minutes are.
    const windowStart = now - (now % this.#windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + this.#windowMs - now) / 1000));
    let state = this.#clients.get(client);
    if (state === undefined || state.windowStart !== windowStart) {
      if (state === undefined && this.#clients.size >= MAX_TRACKED_CLIENTS) this.#evict(windowStart);
      state = { windowStart, used: 0 };
      this.#clients.set(client, state);
    }
    if (state.used + weight > this.#limit) return { allowed: false, usedWeight: state.used, retryAfterSeconds };
    state.used += weight;
    return { allowed: true, usedWeight: state.used, retryAfterSeconds };
  }

  /** Weight `client` has used in the current window (0 if none). */
  used(client: string): number {
    const now = this.#now();
    const state = this.#clients.get(client);
    return state !== undefined && state.windowStart === now - (now % this.#windowMs) ? state.used : 0;
  }

  #evict(currentWindowStart: number): void {
    for (const [key, state] of this.#clients) if (state.windowStart !== currentWindowStart) this.#clients.delete(key);
    // Every tracked client is active in this window: drop the oldest entries (insertion order).
    for (const key of this.#clients.keys()) {
      if (this.#clients.size < MAX_TRACKED_CLIENTS) break;
      this.#clients.delete(key);
    }
  }
}
