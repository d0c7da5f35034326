/**
 * The CLI's discovery over an aligned panel: the DiscoverPairs RPC's numbers without the server.
 * Every pair (i < j, lexicographic, the RPC's order) goes through the server's own per-pair
 * pipeline `testPairCore` (src/server/compute/pairPipeline.ts) with the RPC's defaults
 * (`resolvePairOptions`), then Benjamini–Hochberg q-values across every pair that produced a
 * p-value (`benjaminiHochberg`, as the RPC's final summary). This file is the one place the CLI
 * calls the per-pair function, so moving it into src/lib/discovery/ is a one-line change here.
 */
import { createPairAnalysisWorkspace } from "../lib/discovery/analysePair.js";
import { benjaminiHochberg, screenPairs, type PairScreenOptions, type ScreenCounts } from "../lib/index.js";
import {
  resolvePairOptions,
  testPairCore,
  type PairOptionFields,
  type PairOptions,
  type PartialPairResult,
} from "../server/compute/pairPipeline.js";

/** What discovery needs of a panel (an AlignedPanel has these and more): aligned series, one per symbol. */
export interface DiscoveryInput {
  readonly symbols: readonly string[];
  readonly values: readonly Float64Array[];
}

/** One discovery row (one pair). Hurst and half-life are NaN when the pipeline stopped before them (as in the RPC). */
export interface DiscoveryRow {
  readonly symbol1: string;
  readonly symbol2: string;
  readonly pValue: number;
  readonly qValue: number;
  readonly statistic: number;
  readonly beta: number;
  readonly intercept: number;
  readonly halfLife: number;
  readonly hurst: number;
  readonly isCointegrated: boolean;
  readonly success: boolean;
  readonly error: string;
}

/** Options: the RPC's option fields (0 = the RPC default), progress and cancellation. */
export interface DiscoverPanelOptions extends Partial<PairOptionFields> {
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Screens before the scan (library screenPairs, as the DiscoverPairs RPC's screen fields); none by default. */
  readonly screens?: Omit<PairScreenOptions, "signal">;
  /** Receives how many pairs each screen removed (only when screens are given). */
  readonly onScreened?: (removed: ScreenCounts) => void;
}

/** The RPC's option fields with the RPC's defaults for the ones not given. */
export function pairOptionsOf(options: Partial<PairOptionFields>): PairOptions {
  return resolvePairOptions("discover", {
    significance: options.significance ?? 0,
    minHurst: options.minHurst ?? 0,
    transactionCost: options.transactionCost ?? 0,
    dt: options.dt ?? 0,
    rho: options.rho ?? 0,
    maxLag: options.maxLag ?? 0,
    hurstMethod: options.hurstMethod ?? "",
    hedge: options.hedge ?? "",
    hedgeWindow: options.hedgeWindow ?? 0,
    hedgeDelta: options.hedgeDelta ?? 0,
    hedgeVe: options.hedgeVe ?? 0,
  });
}

/** Test every pair of the panel's symbols. @throws RangeError for bad options or fewer than 2 symbols */
export function discoverPanel(panel: DiscoveryInput, options: DiscoverPanelOptions = {}): DiscoveryRow[] {
  const o = pairOptionsOf(options);
  const n = panel.symbols.length;
  if (n < 2) throw new RangeError(`discover: need at least 2 symbols after alignment, got ${n}`);
  let pairs: Int32Array | null = null;
  if (options.screens !== undefined) {
    const screened = screenPairs(
      { symbols: panel.symbols, prices: panel.values },
      { ...options.screens, ...(options.signal ? { signal: options.signal } : {}) },
    );
    pairs = screened.pairs;
    options.onScreened?.(screened.removed);
  }
  const total = pairs === null ? (n * (n - 1)) / 2 : pairs.length / 2;
  const results: PartialPairResult[] = [];
  let done = 0;
  const workspace = createPairAnalysisWorkspace(); // the library's scratch arrays, once per run
  for (const [i, j] of pairOrder(n, pairs)) {
    options.signal?.throwIfAborted();
    let r: PartialPairResult;
    try {
      r = testPairCore(panel.symbols[i]!, panel.symbols[j]!, panel.values[i]!, panel.values[j]!, o, workspace);
    } catch (err) {
      r = failedPair(panel.symbols[i]!, panel.symbols[j]!, (err as Error).message);
    }
    results.push(r);
    done++;
    if (done % 25 === 0 || done === total) options.onProgress?.(done, total);
  }
  return discoveryRows(results);
}

/** The pairs to test: the screens' survivors, else every (i < j) in lexicographic order (the RPC's). */
function* pairOrder(n: number, pairs: Int32Array | null): Generator<[number, number]> {
  if (pairs !== null) {
    for (let k = 0; k < pairs.length; k += 2) yield [pairs[k]!, pairs[k + 1]!];
    return;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) yield [i, j];
}

/** The row of a pair the library rejected (e.g. a constant leg): the RPC reports it as failed, not the whole call. */
export function failedPair(symbol1: string, symbol2: string, message: string): PartialPairResult {
  return { symbol1, symbol2, success: false, error: message };
}

/**
 * Rows from per-pair results in pair order, with Benjamini–Hochberg q-values across every pair
 * that produced a finite p-value (the RPC's final summary). Shared by the in-process loop above
 * and the distributed run (src/distributed/), so both finish identically.
 */
export function discoveryRows(results: readonly PartialPairResult[]): DiscoveryRow[] {
  const withP = results.map((r, k) => (r.pValue !== undefined && Number.isFinite(r.pValue) ? k : -1)).filter((k) => k >= 0);
  const q = benjaminiHochberg(withP.map((k) => results[k]!.pValue!));
  const qOf = new Float64Array(results.length).fill(Number.NaN);
  withP.forEach((k, m) => {
    qOf[k] = q[m]!;
  });
  return results.map((r, k) => ({
    symbol1: r.symbol1!,
    symbol2: r.symbol2!,
    pValue: r.pValue ?? Number.NaN,
    qValue: qOf[k]!,
    statistic: r.adfStatistic ?? Number.NaN,
    beta: r.beta ?? Number.NaN,
    intercept: r.intercept ?? Number.NaN,
    halfLife: r.halfLife ?? Number.NaN,
    hurst: r.hurst ?? Number.NaN,
    isCointegrated: r.isCointegrated ?? false,
    success: r.success ?? false,
    error: r.error ?? "",
  }));
}
