/**
 * The discovery step of a walk-forward fold: screens, then Engle–Granger on every surviving pair
 * (`discoverPairs` from src/lib/discovery: y = series i, x = series j, i < j), Benjamini–Hochberg
 * q-values over the analysed pairs, keep q ≤ fdr, rank by p-value (ties by pair order) and return
 * the best `topK` with their cointegrating hedge (y = α + β·x + u). Screens (all off by default, see
 * discoverPairs): same sector, return-correlation floor, k nearest partners by the sum of squared
 * distances of normalised prices (Gatev et al. 2006), OLS-spread half-life band, minimum number of
 * mean crossings (Sarmento & Horta 2020); `removed` counts what each one removed.
 * Pairs whose pipeline failed before a p-value, and collinear pairs (ADF statistic −Infinity), are
 * not selectable.
 * @see [1] discoverPairs.ts (screens, pipeline); Benjamini & Hochberg (1995).
 * @throws RangeError/TypeError for fewer than 2 series, series of different lengths or shorter than
 *   20 bars, non-positive or non-finite prices, fdr outside (0, 1], topK < 1, bad screens; the
 *   signal's reason when aborted
 * @example selectPairs([a, b, c], { fdr: 0.05, topK: 1 }).selected[0] // { y: 0, x: 1, pValue, qValue, hedgeRatio, intercept } for a cointegrated a, b
 */
import { discoverPairs, type ScreenCounts } from "../discovery/discoverPairs.js";
import { describe, rangeError, requireFinite, requireInteger, requireOptions, typeError } from "../util/validate.js";

/** The screens applied before the cointegration scan (see discoverPairs). */
export interface PairScreens {
  /** Keep only pairs within one sector (needs `sectors`). */
  readonly sameSector?: boolean;
  readonly minReturnCorrelation?: number;
  readonly nearestPartners?: number;
  readonly halfLifeBand?: { readonly min: number; readonly max: number };
  readonly minMeanCrossings?: number;
}

export interface SelectPairsOptions {
  /** Benjamini–Hochberg level: keep pairs with q ≤ fdr (default 0.05). */
  readonly fdr?: number;
  /** Keep at most this many pairs (default 10). */
  readonly topK?: number;
  readonly screens?: PairScreens;
  /** Sector label per series (for screens.sameSector). */
  readonly sectors?: readonly string[];
  /** Checked between pairs; aborting throws the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface SelectedPair {
  readonly y: number;
  readonly x: number;
  readonly pValue: number;
  readonly qValue: number;
  /** β of the cointegrating regression y = α + β·x + u. */
  readonly hedgeRatio: number;
  readonly intercept: number;
}

export interface SelectPairsResult {
  /** C(n, 2) candidate pairs. */
  readonly candidates: number;
  /** Pairs each screen removed. */
  readonly removed: ScreenCounts;
  /** Pairs that reached the cointegration scan. */
  readonly tested: number;
  /** Pairs with q ≤ fdr (before topK). */
  readonly discovered: number;
  readonly selected: readonly SelectedPair[];
}

/** Screen, test every surviving pair and keep the FDR-controlled best; see the module comment. */
export function selectPairs(series: readonly ArrayLike<number>[], options: SelectPairsOptions = {}): SelectPairsResult {
  const fn = "selectPairs";
  const o = requireOptions<SelectPairsOptions>(fn, options);
  const fdr = o.fdr === undefined ? 0.05 : requireFinite(fn, "fdr", o.fdr, { minExclusive: 0, max: 1 });
  const topK = o.topK === undefined ? 10 : requireInteger(fn, "topK", o.topK, { min: 1 });
  if (!Array.isArray(series) || series.length < 2) typeError(fn, `series must be an array of at least 2 series, got ${describe(series)}`);
  const screens = requireOptions<PairScreens>(fn, o.screens);
  const symbols = series.map((_, i) => String(i));
  let sectors: Record<string, string> | undefined;
  if (screens.sameSector === true) {
    if (!Array.isArray(o.sectors) || o.sectors.length !== series.length)
      rangeError(fn, `screens.sameSector needs sectors with one label per series (${series.length}), got ${describe(o.sectors)}`);
    sectors = Object.fromEntries(o.sectors.map((label, i) => [String(i), label]));
  }
  const found = discoverPairs(
    { symbols, prices: series },
    {
      ...(sectors === undefined ? {} : { sectors }),
      ...(screens.minReturnCorrelation === undefined ? {} : { minReturnCorrelation: screens.minReturnCorrelation }),
      ...(screens.nearestPartners === undefined ? {} : { nearestPartners: screens.nearestPartners }),
      ...(screens.halfLifeBand === undefined ? {} : { halfLifeBand: screens.halfLifeBand }),
      ...(screens.minMeanCrossings === undefined ? {} : { minMeanCrossings: screens.minMeanCrossings }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    },
  );
  const kept = found.pairs.filter(
    (p) => p.analysis !== null && p.qValue <= fdr && p.analysis.adfStatistic !== -Infinity && Number.isFinite(p.analysis.beta),
  );
  kept.sort((a, b) => a.analysis!.pValue - b.analysis!.pValue || a.index1 - b.index1 || a.index2 - b.index2);
  const selected = kept.slice(0, topK).map((p) => ({
    y: p.index1,
    x: p.index2,
    pValue: p.analysis!.pValue,
    qValue: p.qValue,
    hedgeRatio: p.analysis!.beta,
    intercept: p.analysis!.intercept,
  }));
  return { candidates: found.candidates, removed: found.removed, tested: found.pairs.length, discovered: kept.length, selected };
}
