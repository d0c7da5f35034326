/**
 * When each pair of a book acts next: its rule read ahead on its own signal (pairSignal.ts), as a
 * plan of events, and the pairs filed under the bar of their next event so the book's bar loop
 * visits a pair only there.
 *
 * A pair's rule depends on the book only through entries the book refuses (a cap, or a size that
 * is not a positive finite number). So the plan is made once per pair (`plan`), assuming every
 * entry is taken: from startBar, the first entry (t ≥ 1, t < n − 1), then the first exit after it
 * (t ≥ entry + 1; the last bar n − 1, reason "end", if none), then the next entry after that exit,
 * and so on. When the book refuses an entry at bar t, the rest of that pair's plan is redrawn from
 * t + 1 as flat (`replan`). The book never holds every pair's signal at once (n·N doubles): a
 * rolling window is planned in one pass over the legs (below); other windows compute the signal
 * into a scratch buffer and scan it; a refused pair's signal is computed at its first refusal,
 * kept, and scanned from t + 1 (for every window).
 *
 * Decisions are decideAction's (tradingRule.ts), in entryKind/exitKind and, thresholds in locals,
 * in the scans firstEntry/firstExit (pairPlans.test.ts checks both against decideAction):
 * - flat: buy when v_t ≤ longEntry < v_{t−1} and v_t > longStop, else sell when
 *   v_t ≥ shortEntry > v_{t−1} and v_t < shortStop;
 * - long: stop when v_t ≤ longStop, else exit when v_t ≥ longExit; short: stop when
 *   v_t ≥ shortStop, else exit when v_t ≤ shortExit.
 * A NaN v_t or v_{t−1} fails every comparison (hold). Internal: inputs validated by the caller.
 *
 * Rolling z-score windows (the common case) are planned in one pass over the legs that computes
 * the window (pairSignal.ts's arithmetic, bit for bit) and decides as it goes (`drawRolling`),
 * without forming v_t = d_t/√var_t (d_t = s_t − mean) at most bars: a decision depends only on
 * where v_t lies against the thresholds, and inside the open interval where the pair's state
 * (flat, long, short) cannot act (flat: (longEntry, shortEntry); long: (longStop, longExit); short:
 * (shortExit, shortStop)) nothing happens at t, and a flat bar there compares as `previous` like
 * any value inside, e.g. 0. The interval test compares the signed squares d_t·|d_t| with
 * T·|T|·var_t for both ends T (x·|x| is increasing, and var_t > 0), with ends moved inwards by a
 * relative QUIET_MARGIN that exceeds the rounding of v_t, the squares and the products ~1000-fold:
 * a bar judged inside has its exact v_t inside too. Every other bar (near or beyond an end, an
 * undefined window, a variance outside a safe range) computes v_t exactly as pairSignalKernel does
 * and decides on it, so the plan is the one the scans below draw on pairSignalKernel's signal
 * (pairPlans.test.ts checks this on adversarial series, with refusals).
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
/** Relative margin of the quiet interval's ends in the signed-square domain (see the module comment). */
const QUIET_MARGIN = 2 ** -40;
/** The quiet test needs var_t in this range and finite thresholds of 0 or magnitude in [1e-40, 1e40]: every product it forms is then a normal double. */
const QUIET_VARIANCE_MIN = 1e-200;
const QUIET_VARIANCE_MAX = 1e200;
const QUIET_THRESHOLD_MIN = 1e-40;
const QUIET_THRESHOLD_MAX = 1e40;
/** Relative threshold below which a window's variance counts as zero (pairSignal.ts, signalEstimator.ts). */
const ZERO_VARIANCE = 1e-24;

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
  private signal: Float64Array | null = null; // scratch: the signal of a pair planned by scan (windows other than rolling)
  private readonly spread: Float64Array; // scratch: s_t of the pair being planned
  private readonly quietScratch = new Float64Array(9); // drawRolling's interval ends and constants
  private sumsScratch: Float64Array | null = null; // drawRolling's window sums
  private readonly kept: (Float64Array | null)[]; // signals of scan-planned pairs replanned once
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
    this.spread = new Float64Array(n);
    this.kept = new Array<Float64Array | null>(count).fill(null);
    this.events = new Float64Array(Math.max(64, count * 48));
  }

  /**
   * Draw pair p's plan from startBar (one pass for a rolling window; else its signal in scratch,
   * then a scan) and file its first event; once per pair. Returns false, planning nothing, when a
   * price of its legs is not positive finite.
   */
  plan(p: number): boolean {
    const begin = this.planLength;
    let undefinedCount = 0;
    if (this.rules[p].windowType === "rolling") undefinedCount = this.drawRolling(p);
    else {
      if (this.signal === null) this.signal = new Float64Array(this.n);
      const signal = this.signal;
      undefinedCount = pairSignalKernel(this.pricesY[p], this.pricesX[p], this.betas[p], this.rules[p], signal, this.startBar, this.spread);
      if (undefinedCount >= 0) this.draw(p, signal, this.startBar);
    }
    if (undefinedCount < 0) {
      this.planLength = begin;
      return false;
    }
    this.undefinedSignals += undefinedCount;
    this.cursor[p] = begin;
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
    // every window: the signal, computed at the pair's first refusal and kept, then a scan (a pair
    // refused once is often refused again; a scan of a kept signal is ~4× cheaper per bar than a
    // rolling pass, and the two draw the same plan)
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

  /**
   * Append pair p's events from startBar, every entry taken, for a rolling z-score window of w bars,
   * in one pass over its legs (see the module comment). The window is pairSignalKernel's, step for
   * step: blocks of w bars starting at the bars t ≡ w − 1 (mod w), each opened by an exact
   * recomputation of the shifted sums over the window ending there. Returns the number of undefined
   * v_t at t ≥ startBar, or −1 at the first price of either leg that is not positive finite (the
   * events appended by then are garbage).
   */
  private drawRolling(p: number): number {
    const n = this.n;
    const y = this.pricesY[p];
    const x = this.pricesX[p];
    const beta = this.betas[p];
    const th = this.thresholds[p];
    const w = this.rules[p].windowLength;
    const spread = this.spread;
    const invW = 1 / w;
    const invDdof = 1 / (w - 1);
    const countFrom = this.startBar;
    // the loop's bounds as int32 (`| 0`): V8 keeps a Math.min/max result a double, converted in every test
    const first = Math.max(countFrom, 1) | 0; // first bar a decision is made
    // quiet intervals of the three states in the signed-square domain, ends moved inwards; empty
    // (low +∞, high −∞: no bar is quiet) when the test does not apply to these thresholds. Read
    // into locals from a Float64Array, with the constants of the loop: V8 then holds them as
    // doubles (from a call or a module constant it re-checks and unboxes them at every use)
    const q = this.quietScratch;
    const quietTest = quietTestApplies(th);
    q[0] = !quietTest ? Infinity : th.longEnabled ? lowerEnd(th.longEntry) : -Infinity;
    q[1] = !quietTest ? -Infinity : th.shortEnabled ? upperEnd(th.shortEntry) : Infinity;
    q[2] = quietTest ? lowerEnd(th.longStop) : Infinity;
    q[3] = quietTest ? upperEnd(th.longExit) : -Infinity;
    q[4] = quietTest ? lowerEnd(th.shortExit) : Infinity;
    q[5] = quietTest ? upperEnd(th.shortStop) : -Infinity;
    q[6] = ZERO_VARIANCE;
    q[7] = QUIET_VARIANCE_MIN;
    q[8] = QUIET_VARIANCE_MAX;
    const flatLow = q[0];
    const flatHigh = q[1];
    const longLow = q[2];
    const longHigh = q[3];
    const shortLow = q[4];
    const shortHigh = q[5];
    const zeroVariance = q[6];
    const varianceMin = q[7];
    const varianceMax = q[8];
    let side = 0; // the state: 0 flat, 1 long, −1 short
    let low = flatLow;
    let high = flatHigh;
    let previous = NaN; // v_{t−1} on flat bars (0 for a quiet one); NaN through the warm-up
    let undefinedCount = Math.max(0, Math.min(w - 1, n) - countFrom); // the warm-up bars
    // the spreads, each price checked as it is read, in chunks of w bars: the window of block
    // `start` is the chunk [start − w + 1, start], so the chunk's shifted sums, added here in bar
    // order as the block would add them, are its recomputation
    const sums = this.windowSums(n);
    for (let chunk = 0, slot = 0; chunk < n; chunk += w, slot += 2) {
      const chunkEnd = Math.min(chunk + w, n) | 0;
      const shift = y[chunk] - beta * x[chunk];
      let sum = 0;
      let sumSq = 0;
      for (let t = chunk; t < chunkEnd; t++) {
        const priceY = y[t];
        const priceX = x[t];
        if (!(priceY > 0 && priceY < Infinity && priceX > 0 && priceX < Infinity)) return -1;
        const spreadValue = priceY - beta * priceX;
        spread[t] = spreadValue;
        const d = spreadValue - shift;
        sum += d;
        sumSq += d * d;
      }
      sums[slot] = sum;
      sums[slot + 1] = sumSq;
    }
    for (let start = w - 1, slot = 0; start < n; start += w, slot += 2) {
      // exact recomputation over the window ending at `start`, shifted by its first value
      const shift = spread[start - w + 1];
      let sum = sums[slot];
      let sumSq = sums[slot + 1];
      const end = Math.min(start + w, n) | 0;
      let s = spread[start];
      for (let t = start; ; ) {
        const mean = sum * invW;
        const variance = (sumSq - sum * mean) * invDdof;
        const centre = mean + shift;
        if (variance > 0 && variance > zeroVariance * centre * centre) {
          const d = s - centre;
          const signedSquare = d * Math.abs(d);
          if (variance >= varianceMin && variance <= varianceMax && signedSquare > low * variance && signedSquare < high * variance) {
            if (side === 0) previous = 0; // quiet: no event, and inside the flat interval like 0
          } else {
            const v = d / Math.sqrt(variance); // pairSignalKernel's v_t
            if (variance === Infinity && v !== v && t >= countFrom) undefinedCount++;
            if (t < first || t >= n - 1) {
              if (side === 0) previous = v;
            } else if (side === 0) {
              const kind = entryKind(th, v, previous);
              previous = v;
              if (kind !== 0) {
                this.push(t * KINDS + kind, y[t], x[t]);
                side = kind === EVENT_BUY ? 1 : -1;
                low = side > 0 ? longLow : shortLow;
                high = side > 0 ? longHigh : shortHigh;
              }
            } else {
              const kind = exitKind(th, side, v);
              if (kind !== 0) {
                this.push(t * KINDS + kind, y[t], x[t]);
                side = 0;
                previous = v;
                low = flatLow;
                high = flatHigh;
              }
            }
          }
        } else {
          // undefined v_t: no event (a NaN fails every comparison), and NaN as `previous`
          if (t >= countFrom) undefinedCount++;
          if (side === 0) previous = Number.NaN;
        }
        if (++t >= end) break;
        s = spread[t];
        const old = spread[t - w] - shift;
        const d = s - shift;
        sum += d - old;
        sumSq += d * d - old * old;
      }
    }
    if (side !== 0) this.push((n - 1) * KINDS + EVENT_END, y[n - 1], x[n - 1]);
    return undefinedCount;
  }

  /** Scratch for the shifted window sums of drawRolling (2 per chunk of w ≥ 2 bars: n + 2 suffice). */
  private windowSums(n: number): Float64Array {
    if (this.sumsScratch === null) this.sumsScratch = new Float64Array(n + 2);
    return this.sumsScratch;
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

/** A flat pair's entry at a bar with signal v after `previous`: EVENT_BUY, EVENT_SELL or 0 (the module comment's rule). */
function entryKind(th: RuleThresholds, v: number, previous: number): number {
  if (v <= th.longEntry && previous > th.longEntry && v > th.longStop && th.longEnabled) return EVENT_BUY;
  if (v >= th.shortEntry && previous < th.shortEntry && v < th.shortStop && th.shortEnabled) return EVENT_SELL;
  return 0;
}

/** A position's exit on `side` (1 long, −1 short) at a bar with signal v: EVENT_STOP, EVENT_EXIT or 0. */
function exitKind(th: RuleThresholds, side: number, v: number): number {
  if (side > 0) {
    if (v <= th.longStop) return EVENT_STOP;
    if (v >= th.longExit) return EVENT_EXIT;
    return 0;
  }
  if (v >= th.shortStop) return EVENT_STOP;
  if (v <= th.shortExit) return EVENT_EXIT;
  return 0;
}

/**
 * The first entry at t ≥ first (≥ 1), t < n − 1, as t·8 + (EVENT_BUY or EVENT_SELL), or −1:
 * entryKind's test with the thresholds in locals (a scan of a kept signal runs over many bars).
 */
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

/** The first stop or exit of a position on `side` at t ≥ from, t < n − 1, else n − 1 with EVENT_END (exitKind's test, locals). */
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

/** Whether the quiet test is exact for these thresholds: 0 inside the flat interval, every finite one 0 or in range. */
function quietTestApplies(th: RuleThresholds): boolean {
  const { longEntry, longExit, longStop, shortEntry, shortExit, shortStop } = th;
  for (const level of [longEntry, longExit, longStop, shortEntry, shortExit, shortStop]) {
    const size = Math.abs(level);
    if (size < Infinity && size !== 0 && !(size >= QUIET_THRESHOLD_MIN && size <= QUIET_THRESHOLD_MAX)) return false;
  }
  return (!th.longEnabled || longEntry < 0) && (!th.shortEnabled || shortEntry > 0);
}

/** The lower end a·|a| of a quiet interval in the signed-square domain, moved up by QUIET_MARGIN (−∞ stays). */
function lowerEnd(a: number): number {
  if (a === -Infinity) return -Infinity;
  const square = a * Math.abs(a);
  return square + QUIET_MARGIN * Math.abs(square);
}

/** The upper end b·|b|, moved down by QUIET_MARGIN (+∞ stays). */
function upperEnd(b: number): number {
  if (b === Infinity) return Infinity;
  const square = b * Math.abs(b);
  return square - QUIET_MARGIN * Math.abs(square);
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
