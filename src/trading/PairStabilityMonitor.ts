/**
 * Pair-stability monitor of one live pair strategy (issue 14, item 6): every `every` bars, the
 * Engle–Granger test (`coint`, src/lib/timeseries) and the spread's half-life (`halfLife`, src/lib/ou,
 * on coint's residuals û_t = log y_t − α̂ − β̂·log x_t) over the trailing `window` bars of log closes.
 * No statistics live here: this file only keeps the trailing window and compares the library's
 * results with the thresholds.
 *
 * The relation counts as broken when the p-value exceeds `maxPValue` (H0 "no cointegration" is no
 * longer rejected) or the half-life exceeds `maxHalfLife` bars (Infinity when the residuals do not
 * mean-revert at all), on `confirm` consecutive checks. The monitor reports the transition into the
 * broken state once (`broke: true`), then again only after a check has found the pair stable.
 *
 * Cost: one coint + halfLife per `every` bars on `window` points, O(window · maxlag²) with
 * maxlag = ⌈12·(window/100)^{1/4}⌉: window ≤ 5000 and every ≥ 1 bound it (a window of 250 costs
 * about a millisecond). Memory: two ring buffers of `window` doubles.
 */
import { coint } from "../lib/timeseries/coint.js";
import { halfLife } from "../lib/ou/halfLife.js";

export interface StabilityConfig {
  /** Trailing bars tested (20 … 5000, default 250). */
  readonly window?: number;
  /** Bars between two checks (1 … 100 000, default 50). */
  readonly every?: number;
  /** Engle–Granger p-value above which the relation counts as broken (0 < · ≤ 1, default 0.1). */
  readonly maxPValue?: number;
  /** Half-life of the residuals, in bars, above which the relation counts as broken (> 0, default window / 2). */
  readonly maxHalfLife?: number;
  /** Consecutive broken checks before the alert (1 … 100, default 1). */
  readonly confirm?: number;
  /** Flatten and stop the strategy when the relation breaks (default false: alert only). */
  readonly retire?: boolean;
}

/** One check's outcome (fixed shape). */
export interface StabilityCheck {
  /** Sequence number of the bar the check ran after (the window ends there). */
  readonly seq: number;
  readonly pValue: number;
  readonly halfLife: number;
  readonly beta: number;
  /** This check's thresholds were exceeded. */
  readonly exceeded: boolean;
  /** The relation has just been confirmed broken (alert now). */
  readonly broke: boolean;
  /** Which thresholds were exceeded, e.g. "pValue 0.41 > 0.1"; empty when stable. */
  readonly reasons: string[];
}

/** The JSON schema of StabilityConfig (part of STRATEGY_CONFIG_SCHEMA). */
export const STABILITY_CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    window: { type: "integer", minimum: 20, maximum: 5000 },
    every: { type: "integer", minimum: 1, maximum: 100_000 },
    maxPValue: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    maxHalfLife: { type: "number", exclusiveMinimum: 0 },
    confirm: { type: "integer", minimum: 1, maximum: 100 },
    retire: { type: "boolean" },
  },
} as const;

function integerIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`PairStabilityMonitor: stability.${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  return value;
}

export class PairStabilityMonitor {
  readonly window: number;
  readonly every: number;
  readonly maxPValue: number;
  readonly maxHalfLife: number;
  readonly confirm: number;
  readonly retire: boolean;
  /** The last check, or null before the first. */
  last: StabilityCheck | null = null;
  private readonly logY: Float64Array;
  private readonly logX: Float64Array;
  private count = 0;
  private exceededRun = 0;
  private broken = false;

  constructor(config: StabilityConfig) {
    this.window = integerIn("window", config.window, 250, 20, 5000);
    this.every = integerIn("every", config.every, 50, 1, 100_000);
    this.confirm = integerIn("confirm", config.confirm, 1, 1, 100);
    const p = config.maxPValue ?? 0.1;
    if (typeof p !== "number" || !(p > 0 && p <= 1))
      throw new RangeError(`PairStabilityMonitor: stability.maxPValue must be in (0, 1], got ${String(p)}`);
    this.maxPValue = p;
    const h = config.maxHalfLife ?? this.window / 2;
    if (typeof h !== "number" || !(h > 0) || Number.isNaN(h))
      throw new RangeError(`PairStabilityMonitor: stability.maxHalfLife must be a number > 0, got ${String(h)}`);
    this.maxHalfLife = h;
    if (config.retire !== undefined && typeof config.retire !== "boolean")
      throw new TypeError(`PairStabilityMonitor: stability.retire must be a boolean, got ${String(config.retire)}`);
    this.retire = config.retire ?? false;
    this.logY = new Float64Array(this.window);
    this.logX = new Float64Array(this.window);
  }

  /**
   * Add one bar's closes (seq = the strategy's bar number); every `every` bars once the window is
   * full, run the check and return it, otherwise null.
   */
  push(seq: number, y: number, x: number): StabilityCheck | null {
    const slot = this.count % this.window;
    this.logY[slot] = Math.log(y);
    this.logX[slot] = Math.log(x);
    this.count++;
    if (this.count < this.window || (this.count - this.window) % this.every !== 0) return null;
    return this.check(seq);
  }

  private check(seq: number): StabilityCheck {
    // the window in time order (oldest first)
    const n = this.window;
    const start = this.count % n;
    const ys = new Float64Array(n);
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = this.logY[(start + i) % n];
      xs[i] = this.logX[(start + i) % n];
    }
    let pValue: number;
    let life: number;
    let beta: number;
    const reasons: string[] = [];
    try {
      const eg = coint(ys, xs);
      pValue = eg.pValue;
      beta = eg.beta[0];
      life = halfLife(eg.residuals);
    } catch (error) {
      // a constant leg over the window (a halted market) leaves no relation to test: broken
      pValue = NaN;
      life = NaN;
      beta = NaN;
      reasons.push(`test failed: ${(error as Error).message}`);
    }
    if (pValue > this.maxPValue) reasons.push(`Engle–Granger p-value ${pValue.toPrecision(3)} > maxPValue ${this.maxPValue}`);
    if (life > this.maxHalfLife) reasons.push(`half-life ${life.toPrecision(3)} bars > maxHalfLife ${this.maxHalfLife}`);
    const exceeded = reasons.length > 0;
    this.exceededRun = exceeded ? this.exceededRun + 1 : 0;
    let broke = false;
    if (!exceeded) this.broken = false;
    else if (!this.broken && this.exceededRun >= this.confirm) {
      this.broken = true;
      broke = true;
    }
    this.last = { seq, pValue, halfLife: life, beta, exceeded, broke, reasons };
    return this.last;
  }
}
