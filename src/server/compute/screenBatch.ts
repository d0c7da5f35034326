/**
 * Worker side of DiscoverPairs' screens: the library's `screenPairs` on the call's shared price
 * panel (one SharedArrayBuffer, no copy), cancellable through the call's shared flag (checked by
 * the library between pairs through a signal-shaped view of the flag).
 */
import { screenPairs, type PairScreenOptions, type ScreenPairsResult } from "../../lib/index.js";

export interface ScreenPanelPayload {
  /** All symbols' prices, symbol k at [k·length, (k+1)·length). */
  readonly series: Float64Array;
  readonly length: number;
  readonly symbols: readonly string[];
  /** The screens (no signal: the cancel flag below stands in for it). */
  readonly screens: Omit<PairScreenOptions, "signal">;
  /** cancel[0] !== 0 means stop (SharedArrayBuffer). */
  readonly cancel: Int32Array;
}

export function screenPanel(payload: ScreenPanelPayload): ScreenPairsResult {
  const { series, length, symbols, screens, cancel } = payload;
  const prices = symbols.map((_, k) => series.subarray(k * length, (k + 1) * length));
  // screenPairs reads only `aborted` and `reason` of its signal.
  const signal = {
    get aborted() {
      return Atomics.load(cancel, 0) !== 0;
    },
    reason: new Error("DiscoverPairs: cancelled"),
  } as unknown as AbortSignal;
  return screenPairs({ symbols, prices }, { ...screens, signal });
}
