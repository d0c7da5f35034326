/**
 * Intake of market-data messages for one live pair: parses the market-data service's kline stream
 * (Binance format, plain or combined `{stream, data}`; README "Market-data service"), rejects and
 * counts every malformed message, and pairs the two legs' closed bars by open time.
 *
 * Rejected (counted by reason in `rejected`, never traded):
 *   "json"        not parseable JSON (e.g. truncated)
 *   "shape"       not a kline event, or a field of the wrong type
 *   "symbol"      a symbol that is not one of the pair's legs
 *   "price"       a close / high / low that is not a finite number > 0 (NaN, negative, "abc")
 *   "duplicate"   a bar whose open time equals the leg's last accepted one
 *   "outOfOrder"  a bar whose open time is before the leg's last accepted one
 * Ignored (counted in `ignored`, not an error): klines not yet closed (k.x false).
 * Pairing: a pair bar is emitted when both legs have a closed bar with the same open time; a leg's
 * bar without a partner (the other leg moved past it) is dropped and counted as "unpaired".
 */

/** One closed bar of one leg, as parsed from a kline event. */
export interface LegBar {
  readonly symbol: string;
  /** Bar open time, epoch ms. */
  readonly ts: number;
  readonly close: number;
  readonly high: number;
  readonly low: number;
  /** 0 when the store did not know it (the service sends "0"). */
  readonly volume: number;
}

/** Both legs' bars at one open time. */
export interface PairBar {
  readonly ts: number;
  readonly y: LegBar;
  readonly x: LegBar;
}

export type RejectReason = "json" | "shape" | "symbol" | "price" | "duplicate" | "outOfOrder";

export const REJECT_REASONS: readonly RejectReason[] = ["json", "shape", "symbol", "price", "duplicate", "outOfOrder"];

/** What `accept` made of one message. */
export type IntakeOutcome =
  | { readonly kind: "pair"; readonly bar: PairBar }
  | { readonly kind: "leg" }
  | { readonly kind: "ignored" }
  | { readonly kind: "rejected"; readonly reason: RejectReason; readonly message: string };

function positivePrice(value: unknown): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return n > 0 && n < Infinity ? n : Number.NaN;
}

export class KlineIntake {
  readonly rejected: Record<RejectReason, number> = { json: 0, shape: 0, symbol: 0, price: 0, duplicate: 0, outOfOrder: 0 };
  ignored = 0;
  unpaired = 0;
  private readonly lastTs = new Map<string, number>();
  private pendingY: LegBar | null = null;
  private pendingX: LegBar | null = null;

  /**
   * @param ySymbol, xSymbol the legs (upper case, as the store keeps them)
   * @param resumeAfter bars with open time ≤ this are duplicates (a restart resumes after its last processed bar)
   */
  constructor(
    readonly ySymbol: string,
    readonly xSymbol: string,
    resumeAfter = -Infinity,
  ) {
    this.lastTs.set(ySymbol, resumeAfter);
    this.lastTs.set(xSymbol, resumeAfter);
  }

  private reject(reason: RejectReason, message: string): IntakeOutcome {
    this.rejected[reason]++;
    return { kind: "rejected", reason, message };
  }

  /** Parse one text message; see the module comment for the outcomes. */
  accept(text: string): IntakeOutcome {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return this.reject("json", `message is not valid JSON (${(error as Error).message})`);
    }
    return this.acceptEvent(parsed);
  }

  /** An already parsed event (plain or combined-stream wrapper). */
  acceptEvent(parsed: unknown): IntakeOutcome {
    let event = parsed as Record<string, unknown> | null;
    if (event !== null && typeof event === "object" && "stream" in event && "data" in event)
      event = event.data as Record<string, unknown> | null;
    if (event === null || typeof event !== "object" || event.e !== "kline")
      return this.reject("shape", `message is not a kline event (e must be "kline")`);
    const k = event.k as Record<string, unknown> | null;
    if (k === null || typeof k !== "object") return this.reject("shape", "kline event has no object k");
    if (typeof k.s !== "string") return this.reject("shape", "k.s (symbol) must be a string");
    if (typeof k.t !== "number" || !Number.isSafeInteger(k.t))
      return this.reject("shape", `k.t (open time) must be an integer, got ${JSON.stringify(k.t)}`);
    const symbol = k.s;
    if (symbol !== this.ySymbol && symbol !== this.xSymbol)
      return this.reject("symbol", `symbol ${JSON.stringify(symbol)} is not a leg of this pair (${this.ySymbol}/${this.xSymbol})`);
    const close = positivePrice(k.c);
    const high = positivePrice(k.h);
    const low = positivePrice(k.l);
    if (Number.isNaN(close) || Number.isNaN(high) || Number.isNaN(low)) {
      return this.reject(
        "price",
        `${symbol} bar at ${k.t}: close, high and low must be finite numbers > 0, got c ${JSON.stringify(k.c)}, h ${JSON.stringify(k.h)}, l ${JSON.stringify(k.l)}`,
      );
    }
    if (k.x !== true) {
      this.ignored++;
      return { kind: "ignored" };
    }
    const ts = k.t;
    const last = this.lastTs.get(symbol) as number;
    if (ts === last) return this.reject("duplicate", `${symbol} bar at ${ts} was already received`);
    if (ts < last) return this.reject("outOfOrder", `${symbol} bar at ${ts} is before the last one (${last})`);
    this.lastTs.set(symbol, ts);
    const volume = positivePrice(k.v);
    const bar: LegBar = { symbol, ts, close, high, low, volume: Number.isNaN(volume) ? 0 : volume };
    if (symbol === this.ySymbol) this.pendingY = bar;
    else this.pendingX = bar;
    return this.pair();
  }

  private pair(): IntakeOutcome {
    const y = this.pendingY;
    const x = this.pendingX;
    if (y === null || x === null) return { kind: "leg" };
    if (y.ts === x.ts) {
      this.pendingY = null;
      this.pendingX = null;
      return { kind: "pair", bar: { ts: y.ts, y, x } };
    }
    // the older leg's bar has no partner any more
    this.unpaired++;
    if (y.ts < x.ts) this.pendingY = null;
    else this.pendingX = null;
    return { kind: "leg" };
  }

  /** Total rejected messages. */
  get rejectedCount(): number {
    let total = 0;
    for (const reason of REJECT_REASONS) total += this.rejected[reason];
    return total;
  }
}
