/**
 * The discovery step of a walk-forward fold: Engle–Granger `coint(y, x)` (trend "c", AIC lag) on
 * every pair i < j of the given series (y = series i, x = series j), Benjamini–Hochberg q-values over
 * all tested pairs, keep q ≤ fdr, rank by p-value (ties by pair order) and return the best `topK`.
 * One function so the walk-forward can swap it for a screening discovery (`discoverPairs`) without
 * touching anything else. Collinear pairs (coint's statistic −Infinity) are not selectable.
 * @see [1] Engle & Granger (1987); Benjamini & Hochberg (1995) (see coint.ts, benjaminiHochberg.ts).
 * @throws RangeError for fewer than 2 series, series of different lengths or shorter than 20 bars,
 *   constant or non-finite series, fdr outside (0, 1], topK < 1; the signal's reason when aborted
 * @example selectPairs([a, b, c], { fdr: 0.05, topK: 1 }).selected[0] // { y: 0, x: 1, pValue, qValue, hedgeRatio, intercept } for a cointegrated a, b
 */
import { cointKernel } from "../timeseries/coint.js";
import { benjaminiHochberg } from "../stats/benjaminiHochberg.js";
import { rangeError, requireFinite, requireInteger, requireNonConstant, requireOptions, toFloat64, typeError, describe } from "../util/validate.js";

const MIN_BARS = 20;
/** Pairs tested between two looks at the abort signal. */
const ABORT_CHECK_EVERY = 64;

export interface SelectPairsOptions {
  /** Benjamini–Hochberg level: keep pairs with q ≤ fdr (default 0.05). */
  readonly fdr?: number;
  /** Keep at most this many pairs (default 10). */
  readonly topK?: number;
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
  readonly tested: number;
  /** Pairs with q ≤ fdr (before topK). */
  readonly discovered: number;
  readonly selected: readonly SelectedPair[];
}

/** Test every pair and keep the FDR-controlled best; see the module comment. */
export function selectPairs(series: readonly ArrayLike<number>[], options: SelectPairsOptions = {}): SelectPairsResult {
  const fn = "selectPairs";
  const o = requireOptions<SelectPairsOptions>(fn, options);
  const fdr = o.fdr === undefined ? 0.05 : requireFinite(fn, "fdr", o.fdr, { minExclusive: 0, max: 1 });
  const topK = o.topK === undefined ? 10 : requireInteger(fn, "topK", o.topK, { min: 1 });
  if (!Array.isArray(series) || series.length < 2) typeError(fn, `series must be an array of at least 2 series, got ${describe(series)}`);
  const data = series.map((s, i) => toFloat64(s, `series[${i}]`, fn, { minLength: MIN_BARS }));
  data.forEach((s, i) => {
    if (s.length !== data[0].length) rangeError(fn, `series must all have one length, got ${s.length} at series[${i}] and ${data[0].length} at series[0]`);
    requireNonConstant(fn, `series[${i}]`, s);
  });
  return selectPairsKernel(data, fdr, topK, o.signal, fn);
}

/** Kernel on validated series. */
export function selectPairsKernel(data: readonly Float64Array[], fdr: number, topK: number, signal: AbortSignal | undefined, fn: string): SelectPairsResult {
  const m = data.length;
  const total = (m * (m - 1)) / 2;
  const pValues = new Float64Array(total);
  const betas = new Float64Array(total);
  const intercepts = new Float64Array(total);
  const collinear = new Uint8Array(total);
  const ys = new Int32Array(total);
  const xs = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      if (k % ABORT_CHECK_EVERY === 0) signal?.throwIfAborted();
      const r = cointKernel(data[i], [data[j]], "c", "aic", undefined, fn);
      pValues[k] = r.pValue;
      collinear[k] = r.statistic === -Infinity ? 1 : 0;
      betas[k] = r.beta[0];
      intercepts[k] = r.intercept;
      ys[k] = i;
      xs[k] = j;
      k++;
    }
  }
  const q = benjaminiHochberg(pValues);
  const kept: number[] = [];
  for (let c = 0; c < total; c++) if (q[c] <= fdr && collinear[c] === 0) kept.push(c);
  kept.sort((a, b) => pValues[a] - pValues[b] || a - b);
  const selected = kept.slice(0, topK).map((c) => ({ y: ys[c], x: xs[c], pValue: pValues[c], qValue: q[c], hedgeRatio: betas[c], intercept: intercepts[c] }));
  return { tested: total, discovered: kept.length, selected };
}
