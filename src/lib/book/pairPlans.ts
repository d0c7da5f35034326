/**
 * When each pair of a book acts next: its rule read ahead on its own signal (pairSignal.ts), as a
 * plan of events, and the pairs filed under the bar of their next event so the book's bar loop
 * visits a pair only there.
 *
 * A pair's rule depends on the book only through entries the book refuses (a cap, or a size that
 * is not a positive finite number). So the plan is made once per pair (`plan`), right after its signal is
 * computed into a scratch buffer, assuming every entry is taken: from startBar, the first entry
 * (t ≥ 1, t < n − 1), then the first exit after it (t ≥ entry + 1; the last bar n − 1, reason
 * "end", if none), then the next entry after that exit, and so on. When the book refuses an entry
 * at bar t, the rest of that pair's plan is redrawn from t + 1 as flat (`replan`), from the pair's
 * signal, kept from then on. The book never holds every pair's signal at once (n·N doubles).
 *
 * The scans make decideAction's decisions (tradingRule.ts) with the thresholds in locals:
 * - flat: buy when v_t ≤ longEntry < v_{t−1} and v_t > longStop, else sell when
 *   v_t ≥ shortEntry > v_{t−1} and v_t < shortStop;
 * - long: stop when v_t ≤ longStop, else exit when v_t ≥ longExit; short: stop when
 *   v_t ≥ shortStop, else exit when v_t ≤ shortExit.
 * A NaN v_t or v_{t−1} fails every comparison (hold). Internal: inputs validated by the caller.
 */
import type { NormalizedRule, RuleThresholds } from "../backtest/tradingRule.js";
import { pairSignalKernel } from "./pairSignal.js";

/** Event kinds: an event is stored as bar·8 + kind (a double: exact for any bar count). */
export const EVENT_BUY = 1;
export const EVENT_SELL = 2;
export const EVENT_EXIT = 3;
export const EVENT_STOP = 4;
export const EVENT_END = 5;
const KINDS = 8;

export class PairPlans {
  /** Kind and bar of the event each pair is filed under (EVENT_*). */
  readonly kind: Int8Array;
  readonly bar: Int32Array;
  /** Prices of the pair's y and x legs at the bar of the event it is filed under (copied at planning). */
  readonly priceY: Float64Array;
  readonly priceX: Float64Array;
  /** Undefined (NaN) signal values at bars ≥ startBar, over the pairs planned. */
  undefinedSignals = 0;
  /** Entries in the first plans (every entry taken): a capacity hint for the trade and fill logs. */
  plannedEntries = 0;
  // every pair's plan, back to back, 3 numbers per event: bar·8 + kind, P_y and P_x at that bar
  // (read from the legs while they are in cache: the bar loop then reads one line per event)
  private events: Float64Array;
  private planLength = 0;
  private readonly cursor: Int32Array; // next event of pair p in plan
  private readonly end: Int32Array; // end of pair p's events in plan
  private readonly head: Int32Array; // first pair filed under bar t
  private readonly next: Int32Array; // next pair filed under the same bar
  private readonly signal: Float64Array; // scratch: the signal of the pair being planned
  private readonly spread: Float64Array; // scratch of pairSignalKernel
  private readonly kept: (Float64Array | null)[]; // signals of pairs replanned once
  private readonly thresholds: readonly RuleThresholds[];

  constructor(
    private readonly pricesY: readonly Float64Array[],
    private readonly pricesX: readonly Float64Array[],
    private readonly betas: Float64Array,
    private readonly rules: readonly NormalizedRule[],
    private readonly n: number,
    private readonly startBar: number,
  ) {
    const count = rules.length;
    this.thresholds = rules.map((r) => r.thresholds);
    this.kind = new Int8Array(count);
    this.bar = new Int32Array(count);
    this.priceY = new Float64Array(count);
    this.priceX = new Float64Array(count);
    this.cursor = new Int32Array(count);
    this.end = new Int32Array(count);
    this.head = new Int32Array(n).fill(-1);
    this.next = new Int32Array(count).fill(-1);
    this.signal = new Float64Array(n);
    this.spread = new Float64Array(n);
    this.kept = new Array<Float64Array | null>(count).fill(null);
    this.events = new Float64Array(Math.max(64, count * 48));
  }

  /**
   * Compute pair p's signal (in scratch), draw its plan from startBar and file its first event; once
   * per pair. Returns false, planning nothing, when a price of its legs is not positive finite.
   */
  plan(p: number): boolean {
    const undefinedCount = pairSignalKernel(
      this.pricesY[p],
      this.pricesX[p],
      this.betas[p],
      this.rules[p],
      this.signal,
      this.startBar,
      this.spread,
    );
    if (undefinedCount < 0) return false;
    this.undefinedSignals += undefinedCount;
    const begin = this.planLength;
    this.cursor[p] = begin;
    this.draw(p, this.signal, this.startBar);
    this.end[p] = this.planLength;
    this.plannedEntries += (this.planLength - begin) / 6; // 3 numbers per event, every entry has its exit
    // size the store from the first pair planned (pairs of one book trade alike) instead of doubling
    if (begin === 0 && this.planLength > 0) this.reserve(Math.ceil(this.planLength * this.kept.length * 1.25));
    this.fileNext(p);
    return true;
  }

  /** File pair p under the bar of the next event of its plan, if any. */
  fileNext(p: number): void {
    const k = this.cursor[p];
    if (k === this.end[p]) return;
    const event = this.events[k];
    this.priceY[p] = this.events[k + 1];
    this.priceX[p] = this.events[k + 2];
    this.cursor[p] = k + 3;
    const bar = Math.floor(event / KINDS);
    this.kind[p] = event - bar * KINDS;
    this.bar[p] = bar;
    this.next[p] = this.head[bar];
    this.head[bar] = p;
  }

  /** The book refused pair p's entry at bar t: redraw its plan from t + 1 as flat and file its next event. */
  replan(p: number, t: number): void {
    let signal = this.kept[p];
    if (signal === null) {
      signal = new Float64Array(this.n);
      pairSignalKernel(this.pricesY[p], this.pricesX[p], this.betas[p], this.rules[p], signal, 0, this.spread);
      this.kept[p] = signal;
    }
    this.cursor[p] = this.planLength;
    this.draw(p, signal, t + 1);
    this.end[p] = this.planLength;
    this.fileNext(p);
  }

  /** Move the pairs filed under bar t into out, ascending; returns their number. */
  take(t: number, out: Int32Array): number {
    let count = 0;
    for (let p = this.head[t]; p >= 0; p = this.next[p]) out[count++] = p;
    if (count > 1) sortAscending(out, count);
    return count;
  }

  /** Grow the event store to at least `size` numbers. */
  private reserve(size: number): void {
    if (size <= this.events.length) return;
    const grown = new Float64Array(size);
    grown.set(this.events.subarray(0, this.planLength));
    this.events = grown;
  }

  /** Append pair p's events from bar `from` (flat there), every entry taken. */
  private draw(p: number, signal: Float64Array, from: number): void {
    const n = this.n;
    const th = this.thresholds[p];
    const y = this.pricesY[p];
    const x = this.pricesX[p];
    let t = Math.max(from, this.startBar, 1);
    while (t < n - 1) {
      const entry = firstEntry(signal, th, t, n);
      if (entry < 0) return;
      const entryBar = Math.floor(entry / KINDS);
      this.push(entry, y[entryBar], x[entryBar]);
      const exit = firstExit(signal, th, entry - entryBar * KINDS === EVENT_BUY ? 1 : -1, entryBar + 1, n);
      const exitBar = Math.floor(exit / KINDS);
      this.push(exit, y[exitBar], x[exitBar]);
      t = exitBar + 1;
    }
  }

  private push(event: number, priceY: number, priceX: number): void {
    if (this.planLength + 3 > this.events.length) this.reserve(this.events.length * 2);
    const k = this.planLength;
    this.events[k] = event;
    this.events[k + 1] = priceY;
    this.events[k + 2] = priceX;
    this.planLength = k + 3;
  }
}

/** The first entry at t ≥ first (≥ 1), t < n − 1, as t·8 + (EVENT_BUY or EVENT_SELL), or −1. */
function firstEntry(signal: Float64Array, th: RuleThresholds, first: number, n: number): number {
  const { longEnabled, shortEnabled, longEntry, longStop, shortEntry, shortStop } = th;
  let previous = signal[first - 1];
  for (let t = first; t < n - 1; t++) {
    const v = signal[t];
    if (v <= longEntry && previous > longEntry && v > longStop && longEnabled) return t * KINDS + EVENT_BUY;
    if (v >= shortEntry && previous < shortEntry && v < shortStop && shortEnabled) return t * KINDS + EVENT_SELL;
    previous = v;
  }
  return -1;
}

/** The first stop or exit of a position on `side` at t ≥ from, t < n − 1, else n − 1 with EVENT_END. */
function firstExit(signal: Float64Array, th: RuleThresholds, side: number, from: number, n: number): number {
  if (side > 0) {
    const { longStop, longExit } = th;
    for (let t = from; t < n - 1; t++) {
      const v = signal[t];
      if (v <= longStop) return t * KINDS + EVENT_STOP;
      if (v >= longExit) return t * KINDS + EVENT_EXIT;
    }
  } else {
    const { shortStop, shortExit } = th;
    for (let t = from; t < n - 1; t++) {
      const v = signal[t];
      if (v >= shortStop) return t * KINDS + EVENT_STOP;
      if (v <= shortExit) return t * KINDS + EVENT_EXIT;
    }
  }
  return (n - 1) * KINDS + EVENT_END;
}

/** Sort list[0 .. length) ascending (insertion sort: a bar has few events). */
function sortAscending(list: Int32Array, length: number): void {
  for (let i = 1; i < length; i++) {
    const v = list[i];
    let j = i - 1;
    for (; j >= 0 && list[j] > v; j--) list[j + 1] = list[j];
    list[j + 1] = v;
  }
}
