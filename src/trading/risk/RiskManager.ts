/**
 * Risk manager in front of every order of a paper session. Each strategy's engine asks it through
 * the order gate (BacktestEngine.setOrderGate) before any fill; orders that reduce risk (target
 * side 0: exits, stops, the engine's own daily-loss flatten) always pass. An entry is refused, with
 * an alert, when:
 *   "killSwitch"   the drawdown kill-switch has fired (session stopped);
 *   "symbolHalt"   either leg's symbol is halted (haltSymbol);
 *   "stale"        the strategy had no bar for staleAfterMs of wall clock (checkStale): halted
 *                  until a bar after the gap has been processed (that bar's entry is refused);
 *   "dailyLoss"    session equity − the day's starting equity ≤ −maxDailyLoss (UTC days of bar time);
 *   "maxPosition"  a leg's notional |q|·price would exceed maxPositionNotional;
 *   "gross"        Σ|q·p| over all strategies after the entry would exceed maxGrossExposure;
 *   "net"          |Σ q·p| after the entry would exceed maxNetExposure.
 * Drawdown: when session equity falls maxDrawdown (a fraction) below its peak, `onEquity` returns
 * true once and the session flattens every strategy and stops (kill-switch).
 * Alerts are raised once per (strategy, limit) until that strategy's next approved entry.
 */

export type RiskLimitName = "killSwitch" | "symbolHalt" | "stale" | "dailyLoss" | "maxPosition" | "gross" | "net" | "drawdown";

export interface RiskLimits {
  readonly maxPositionNotional?: number;
  readonly maxGrossExposure?: number;
  readonly maxNetExposure?: number;
  readonly maxDailyLoss?: number;
  /** Fraction of peak equity, e.g. 0.2. */
  readonly maxDrawdown?: number;
  /** Wall-clock ms without a bar after which a strategy may not enter. */
  readonly staleAfterMs?: number;
  readonly haltedSymbols?: readonly string[];
}

export interface Alert {
  /** Wall clock, epoch ms. */
  readonly at: number;
  readonly kind: "risk" | "killSwitch" | "marketData" | "stability";
  readonly limit: string;
  readonly strategyId: string;
  readonly message: string;
}

/** An entry the engine wants: legs after the fill, at the bar's prices. */
export interface EntryCheck {
  readonly strategyId: string;
  readonly ySymbol: string;
  readonly xSymbol: string;
  readonly yQuantity: number;
  readonly xQuantity: number;
  readonly yPrice: number;
  readonly xPrice: number;
  /** Gross and net exposure of every other strategy (the session's accounts at their marks). */
  readonly otherGross: number;
  readonly otherNet: number;
}

function limit(name: string, value: number | undefined): number {
  if (value === undefined) return Infinity;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))
    throw new RangeError(`RiskManager: limits.${name} must be a finite number > 0, got ${String(value)}`);
  return value;
}

export class RiskManager {
  readonly breaches = new Map<RiskLimitName, number>();
  killed = false;
  private readonly maxPosition: number;
  private readonly maxGross: number;
  private readonly maxNet: number;
  private readonly maxDailyLoss: number;
  private readonly maxDrawdown: number;
  private readonly staleAfterMs: number;
  private readonly halted = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly lastBarAt = new Map<string, number>();
  private readonly alerted = new Set<string>();
  private peak = -Infinity;
  private day = Number.NaN;
  private dayStart = Number.NaN;
  private lastEquity = Number.NaN;

  constructor(
    limits: RiskLimits,
    private readonly raise: (alert: Alert) => void,
    private readonly clock: () => number = Date.now,
  ) {
    this.maxPosition = limit("maxPositionNotional", limits.maxPositionNotional);
    this.maxGross = limit("maxGrossExposure", limits.maxGrossExposure);
    this.maxNet = limit("maxNetExposure", limits.maxNetExposure);
    this.maxDailyLoss = limit("maxDailyLoss", limits.maxDailyLoss);
    this.maxDrawdown = limit("maxDrawdown", limits.maxDrawdown);
    this.staleAfterMs = limit("staleAfterMs", limits.staleAfterMs);
    for (const symbol of limits.haltedSymbols ?? []) this.halted.add(symbol);
  }

  haltSymbol(symbol: string): void {
    this.halted.add(symbol);
  }

  resumeSymbol(symbol: string): void {
    this.halted.delete(symbol);
  }

  private breach(name: RiskLimitName, strategyId: string, message: string, kind: Alert["kind"] = "risk"): false {
    this.breaches.set(name, (this.breaches.get(name) ?? 0) + 1);
    const key = `${strategyId}\u0000${name}`;
    if (!this.alerted.has(key)) {
      this.alerted.add(key);
      this.raise({ at: this.clock(), kind, limit: name, strategyId, message });
    }
    return false;
  }

  /**
   * A strategy's bar has been processed: resets its stale timer and lifts a stale halt, so the
   * first bar after a gap is not traded into (its entry is refused) and the next one may be.
   */
  afterBar(strategyId: string): void {
    this.lastBarAt.set(strategyId, this.clock());
    this.stale.delete(strategyId);
  }

  /** Mark strategies stale that had no bar for staleAfterMs; returns their ids (each alerted once). */
  checkStale(): string[] {
    const now = this.clock();
    const out: string[] = [];
    for (const [id, at] of this.lastBarAt) {
      if (!this.stale.has(id) && now - at > this.staleAfterMs) {
        this.stale.add(id);
        out.push(id);
        this.breach(
          "stale",
          id,
          `no bar for ${now - at} ms (limit staleAfterMs ${this.staleAfterMs}): no entry before a bar after the gap`,
        );
      }
    }
    return out;
  }

  /**
   * Session equity after a bar at bar time `ts` (epoch ms): tracks the day's start and the peak.
   * Returns true when the drawdown kill-switch fires (once).
   */
  onEquity(ts: number, equity: number): boolean {
    const day = Math.floor(ts / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.dayStart = Number.isNaN(this.lastEquity) ? equity : this.lastEquity;
    }
    this.lastEquity = equity;
    if (equity > this.peak) this.peak = equity;
    if (!this.killed && this.peak > 0 && (this.peak - equity) / this.peak >= this.maxDrawdown) {
      this.killed = true;
      this.breach(
        "drawdown",
        "*",
        `drawdown ${(((this.peak - equity) / this.peak) * 100).toFixed(2)} % from peak ${this.peak} reached maxDrawdown ${this.maxDrawdown * 100} %: kill-switch, every strategy flattened and stopped`,
        "killSwitch",
      );
      return true;
    }
    return false;
  }

  /** The order gate's check of an entry; true approves. */
  approveEntry(c: EntryCheck): boolean {
    const id = c.strategyId;
    if (this.killed) return this.breach("killSwitch", id, "the kill-switch has fired: no new positions");
    for (const symbol of [c.ySymbol, c.xSymbol])
      if (this.halted.has(symbol)) return this.breach("symbolHalt", id, `trading in ${symbol} is halted`);
    if (this.stale.has(id)) return this.breach("stale", id, "market data is stale: no new positions");
    if (this.lastEquity - this.dayStart <= -this.maxDailyLoss)
      return this.breach(
        "dailyLoss",
        id,
        `session lost ${this.dayStart - this.lastEquity} today (limit maxDailyLoss ${this.maxDailyLoss}): no new positions`,
      );
    const yNotional = c.yQuantity * c.yPrice;
    const xNotional = c.xQuantity * c.xPrice;
    for (const [symbol, notional] of [
      [c.ySymbol, yNotional],
      [c.xSymbol, xNotional],
    ] as const) {
      if (Math.abs(notional) > this.maxPosition)
        return this.breach(
          "maxPosition",
          id,
          `${symbol} position notional ${Math.abs(notional)} would exceed maxPositionNotional ${this.maxPosition}`,
        );
    }
    const gross = c.otherGross + Math.abs(yNotional) + Math.abs(xNotional);
    if (gross > this.maxGross) return this.breach("gross", id, `gross exposure ${gross} would exceed maxGrossExposure ${this.maxGross}`);
    const net = c.otherNet + yNotional + xNotional;
    if (Math.abs(net) > this.maxNet) return this.breach("net", id, `net exposure ${net} would exceed maxNetExposure ${this.maxNet}`);
    for (const key of this.alerted) if (key.startsWith(`${id}\u0000`)) this.alerted.delete(key);
    return true;
  }
}
