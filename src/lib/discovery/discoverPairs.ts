import { benjaminiHochberg } from "../stats/benjaminiHochberg.js";
import { requireOptions } from "../util/validate.js";
import {
  analysePairKernel,
  createPairAnalysisWorkspace,
  resolvePairAnalysisOptions,
  type AnalysePairOptions,
  type PairAnalysis,
} from "./analysePair.js";
import { screenPairsKernel, validatePanel, type DiscoveryPanel, type PairScreenOptions, type ScreenCounts } from "./screenPairs.js";

export { DISCOVER_MAX_SYMBOLS } from "./screenPairs.js";
export type { DiscoveryPanel, ScreenCounts } from "./screenPairs.js";

/** Options of {@link discoverPairs}: the screens (all off by default, see screenPairs) and analysePair's options. */
export interface DiscoverPairsOptions extends AnalysePairOptions, PairScreenOptions {}

/** One pair that reached the cointegration scan; y = symbol1's prices, x = symbol2's. */
export interface DiscoveredPair {
  readonly symbol1: string;
  readonly symbol2: string;
  readonly index1: number;
  readonly index2: number;
  /** The pipeline's result, or null when it threw (see error). */
  readonly analysis: PairAnalysis | null;
  /** Benjamini–Hochberg q-value over every analysed pair's p-value (NaN when analysis is null). */
  readonly qValue: number;
  /** The message of the error the pipeline threw (empty when it did not). */
  readonly error: string;
}

/** Result of {@link discoverPairs}. */
export interface DiscoverPairsResult {
  /** C(n, 2) candidate pairs of the panel. */
  readonly candidates: number;
  readonly removed: ScreenCounts;
  /** Pairs that reached the cointegration scan, in lexicographic (i < j) order. */
  readonly pairs: readonly DiscoveredPair[];
}

/**
 * All-pairs discovery on a price panel: screens first, then the per-pair pipeline (`analysePair`:
 * Engle–Granger, Hurst, OU, Leung–Li levels, backtest) on every surviving pair (i < j, y = prices[i],
 * x = prices[j], the DiscoverPairs RPC's order), then Benjamini–Hochberg q-values over the p-values
 * of all analysed pairs (the FDR is controlled over what was tested, not over the screened-out ones).
 * Screens, each removing pairs from the survivors of the previous, counted in `removed`:
 *   sector      — both symbols' sectors known and equal (when `sectors` is given);
 *   correlation — Pearson correlation of simple returns r_t = p_t/p_{t−1} − 1 ≥ minReturnCorrelation;
 *   distance    — SSD of the paths normalised to start at 1 (Gatev, Goetzmann & Rouwenhorst 2006):
 *                 keep (i, j) if j is among i's k nearest partners or i among j's, partners ranked
 *                 among the pairs that survived the screens before (ties by index);
 *   halfLife    — the OLS spread e_t = y_t − a − b·x_t has AR(1) half-life −ln 2/ln φ (bars, φ from
 *                 Δe_t = c + (φ−1)·e_{t−1}; ∞ unless 0 < φ < 1) within [min, max];
 *   crossings   — that spread crosses its mean ≥ minMeanCrossings times (Sarmento & Horta 2020).
 * The spread screens use the closed-form OLS of y on [1, x], the first step of Engle–Granger.
 * Bounded: at most 2,000 symbols; cancellable between pairs by `signal`.
 * A pair whose pipeline throws (e.g. a constant leg) is reported with analysis null and the error.
 * @see [1] Gatev, Goetzmann & Rouwenhorst (2006), Review of Financial Studies 19(3).
 * @see [2] Sarmento, S.M. & Horta, N. (2020), Expert Systems with Applications 158.
 * @see [3] Benjamini, Y. & Hochberg, Y. (1995), JRSS B 57(1).
 * @throws RangeError/TypeError for a malformed panel (unequal lengths, < 20 prices, non-finite or,
 *   for the correlation and distance screens, zero prices, duplicate symbols) or bad options
 * @example discoverPairs({ symbols, prices }, { nearestPartners: 3, halfLifeBand: { min: 1, max: 126 }, minMeanCrossings: 50 }).removed
 *   // { sector: 0, correlation: 0, distance: 24, halfLife: 8, crossings: 1 } (EFA, VPL, EWG, EWQ, EWU, VGK, EEM, EWJ, SPY, DIA of data/stock_prices.csv; README)
 */
export function discoverPairs(panel: DiscoveryPanel, options?: DiscoverPairsOptions): DiscoverPairsResult {
  const fn = "discoverPairs";
  const o = requireOptions<DiscoverPairsOptions>(fn, options);
  const pairOptions = resolvePairAnalysisOptions(fn, o);
  const { symbols, series } = validatePanel(fn, panel);

  const screened = screenPairsKernel(fn, symbols, series, o);
  const signal = o.signal;
  const checkAbort = (): void => {
    if (signal?.aborted) throw signal.reason;
  };

  // scratch arrays shared by every pair of this call (one allocation, not one per pair)
  const workspace = createPairAnalysisWorkspace();
  const pairs: {
    symbol1: string;
    symbol2: string;
    index1: number;
    index2: number;
    analysis: PairAnalysis | null;
    qValue: number;
    error: string;
  }[] = [];
  for (let k = 0; k < screened.pairs.length; k += 2) {
    const i = screened.pairs[k];
    const j = screened.pairs[k + 1];
    checkAbort();
    let analysis: PairAnalysis | null = null;
    let error = "";
    try {
      analysis = analysePairKernel(series[i], series[j], pairOptions, workspace);
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
      error = e.message;
    }
    pairs.push({ symbol1: symbols[i], symbol2: symbols[j], index1: i, index2: j, analysis, qValue: Number.NaN, error });
  }
  const analysed = pairs.filter((p) => p.analysis !== null && Number.isFinite(p.analysis.pValue));
  if (analysed.length > 0) {
    const q = benjaminiHochberg(analysed.map((p) => p.analysis!.pValue));
    analysed.forEach((p, k) => {
      p.qValue = q[k];
    });
  }
  return { candidates: screened.candidates, removed: screened.removed, pairs };
}
