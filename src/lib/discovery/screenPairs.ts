import { describe, rangeError, requireFinite, requireInteger, requireOptions, toFloat64, typeError } from "../util/validate.js";
import { ANALYSE_PAIR_MIN_OBSERVATIONS } from "./analysePair.js";
import { meanCrossingsKernel } from "./meanCrossings.js";
import { normalisedDistanceKernel, normalisePath } from "./sumOfSquaredDistances.js";

/** Most symbols in one panel: 2,000 symbols are 1,999,000 candidate pairs. */
export const DISCOVER_MAX_SYMBOLS = 2000;

/** A price panel: one aligned series per symbol, all of the same length. */
export interface DiscoveryPanel {
  readonly symbols: readonly string[];
  readonly prices: readonly ArrayLike<number>[];
}

/** The screens of {@link screenPairs} (all off by default). */
export interface PairScreenOptions {
  /** Sector of each symbol; when given, only pairs within one sector are kept (unknown sector = removed). */
  sectors?: Readonly<Record<string, string>>;
  /** Keep pairs whose simple-return Pearson correlation is ≥ this, in [−1, 1]. */
  minReturnCorrelation?: number;
  /** Keep a pair if either symbol is among the other's k nearest partners by SSD (Gatev et al. 2006). */
  nearestPartners?: number;
  /** Keep pairs whose OLS-spread AR(1) half-life, in bars, lies in [min, max]. */
  halfLifeBand?: { readonly min: number; readonly max: number };
  /** Keep pairs whose OLS spread crosses its mean at least this many times (Sarmento & Horta 2020). */
  minMeanCrossings?: number;
  /** Checked between pairs; an aborted signal throws its reason. */
  signal?: AbortSignal;
}

/** Pairs removed by each screen, applied in this order to the survivors of the ones before. */
export interface ScreenCounts {
  readonly sector: number;
  readonly correlation: number;
  readonly distance: number;
  readonly halfLife: number;
  readonly crossings: number;
}

/** Result of {@link screenPairs}. */
export interface ScreenPairsResult {
  /** C(n, 2) candidate pairs of the panel. */
  readonly candidates: number;
  readonly removed: ScreenCounts;
  /** Surviving pairs as flat (i, j) symbol indices, i < j, in lexicographic order. */
  readonly pairs: Int32Array;
}

/**
 * The screens of the discovery scan, without the scan: which pairs (i < j) of a panel survive.
 * Screens, each removing pairs from the survivors of the previous, counted in `removed`:
 *   sector      — both symbols' sectors known and equal (when `sectors` is given);
 *   correlation — Pearson correlation of simple returns r_t = p_t/p_{t−1} − 1 ≥ minReturnCorrelation;
 *   distance    — SSD of the paths normalised to start at 1 (Gatev, Goetzmann & Rouwenhorst 2006):
 *                 keep (i, j) if j is among i's k nearest partners or i among j's, partners ranked
 *                 among the pairs that survived the screens before (ties by index);
 *   halfLife    — the OLS spread e_t = y_t − a − b·x_t has AR(1) half-life −ln 2/ln φ (bars, φ from
 *                 Δe_t = c + (φ−1)·e_{t−1}; ∞ unless 0 < φ < 1) within [min, max];
 *   crossings   — that spread crosses its mean ≥ minMeanCrossings times (Sarmento & Horta 2020).
 * The spread screens use the closed-form OLS of y = prices[i] on [1, x = prices[j]].
 * This is exactly the screening step of {@link discoverPairs} (which calls it), exported so that
 * a caller who distributes the per-pair scan (the DiscoverPairs RPC) screens identically.
 * Bounded: at most 2,000 symbols; cancellable between pairs by `signal`.
 * @see [1] Gatev, Goetzmann & Rouwenhorst (2006), Review of Financial Studies 19(3).
 * @see [2] Sarmento, S.M. & Horta, N. (2020), Expert Systems with Applications 158.
 * @throws RangeError/TypeError for a malformed panel (unequal lengths, < 20 prices, non-finite or,
 *   for the correlation and distance screens, zero prices, duplicate symbols) or bad options
 * @example screenPairs({ symbols, prices }, { nearestPartners: 3 }).removed.distance // as discoverPairs(...).removed.distance
 */
export function screenPairs(panel: DiscoveryPanel, options?: PairScreenOptions): ScreenPairsResult {
  const fn = "screenPairs";
  const o = requireOptions<PairScreenOptions>(fn, options);
  const { symbols, series } = validatePanel(fn, panel);
  return screenPairsKernel(fn, symbols, series, o);
}

/** @internal Check a panel: unique string symbols, one finite series of ≥ 20 prices each, equal lengths. */
export function validatePanel(fn: string, panel: DiscoveryPanel): { symbols: readonly string[]; series: Float64Array[] } {
  if (panel === null || typeof panel !== "object") typeError(fn, `panel must be { symbols, prices }, got ${describe(panel)}`);
  const { symbols, prices } = panel;
  if (!Array.isArray(symbols)) typeError(fn, `panel.symbols must be an array of strings, got ${describe(symbols)}`);
  if (!Array.isArray(prices)) typeError(fn, `panel.prices must be an array of price series, got ${describe(prices)}`);
  const n = symbols.length;
  if (prices.length !== n) rangeError(fn, `panel.prices must have one series per symbol: ${n} symbols, ${prices.length} series`);
  if (n > DISCOVER_MAX_SYMBOLS) rangeError(fn, `panel must have at most ${DISCOVER_MAX_SYMBOLS} symbols, got ${n}`);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    if (typeof symbols[i] !== "string") typeError(fn, `panel.symbols[${i}] must be a string, got ${describe(symbols[i])}`);
    if (seen.has(symbols[i])) rangeError(fn, `panel.symbols must be unique, ${JSON.stringify(symbols[i])} repeats at index ${i}`);
    seen.add(symbols[i]);
  }
  const series: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    series.push(toFloat64(prices[i], `panel.prices[${i}]`, fn, { minLength: ANALYSE_PAIR_MIN_OBSERVATIONS }));
    if (series[i].length !== series[0].length) {
      rangeError(
        fn,
        `every series must have the same length: panel.prices[0] has ${series[0].length}, panel.prices[${i}] has ${series[i].length}`,
      );
    }
  }
  return { symbols, series };
}

/** @internal {@link screenPairs} on validated series (fn names the public caller in messages). */
export function screenPairsKernel(
  fn: string,
  symbols: readonly string[],
  series: readonly Float64Array[],
  o: PairScreenOptions,
): ScreenPairsResult {
  const n = series.length;
  const length = n > 0 ? series[0].length : 0;
  // Screen options.
  const sectors = o.sectors;
  if (sectors !== undefined && (sectors === null || typeof sectors !== "object")) {
    typeError(fn, `sectors must be an object mapping symbol to sector, got ${describe(sectors)}`);
  }
  const minCorrelation =
    o.minReturnCorrelation === undefined
      ? undefined
      : requireFinite(fn, "minReturnCorrelation", o.minReturnCorrelation, { min: -1, max: 1 });
  const nearest = o.nearestPartners === undefined ? undefined : requireInteger(fn, "nearestPartners", o.nearestPartners, { min: 1 });
  let band: { min: number; max: number } | undefined;
  if (o.halfLifeBand !== undefined) {
    const b = requireOptions<{ min: number; max: number }>(fn, o.halfLifeBand);
    const min = requireFinite(fn, "halfLifeBand.min", b.min, { min: 0 });
    const max = typeof b.max === "number" && b.max === Infinity ? Infinity : requireFinite(fn, "halfLifeBand.max", b.max);
    if (!(max >= min)) rangeError(fn, `halfLifeBand.max must be >= halfLifeBand.min (${min}), got ${max}`);
    band = { min, max };
  }
  const minCrossings =
    o.minMeanCrossings === undefined ? undefined : requireInteger(fn, "minMeanCrossings", o.minMeanCrossings, { min: 0 });
  const signal = o.signal;
  const checkAbort = (): void => {
    if (signal?.aborted) throw signal.reason;
  };
  if ((minCorrelation !== undefined || nearest !== undefined) && n > 0) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < length; t++) {
        if (series[i][t] === 0)
          rangeError(fn, `panel.prices[${i}] must be non-zero for the return and distance screens, got 0 at index ${t}`);
      }
    }
  }

  // Survivors as a flat upper-triangle mask, pair (i, j) at i·n + j.
  const alive = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) alive[i * n + j] = 1;
  const candidates = (n * (n - 1)) / 2;
  let sectorRemoved = 0;
  let correlationRemoved = 0;
  let distanceRemoved = 0;
  let halfLifeRemoved = 0;
  let crossingsRemoved = 0;

  if (sectors !== undefined) {
    for (let i = 0; i < n; i++) {
      const si = Object.hasOwn(sectors, symbols[i]) ? sectors[symbols[i]] : undefined;
      for (let j = i + 1; j < n; j++) {
        const sj = Object.hasOwn(sectors, symbols[j]) ? sectors[symbols[j]] : undefined;
        if (si === undefined || sj === undefined || si !== sj) {
          alive[i * n + j] = 0;
          sectorRemoved++;
        }
      }
    }
  }

  if (minCorrelation !== undefined) {
    const standardised = series.map(standardisedReturns);
    for (let i = 0; i < n; i++) {
      checkAbort();
      for (let j = i + 1; j < n; j++) {
        if (!alive[i * n + j]) continue;
        if (!(returnCorrelation(standardised[i], standardised[j]) >= minCorrelation)) {
          alive[i * n + j] = 0;
          correlationRemoved++;
        }
      }
    }
  }

  if (nearest !== undefined) {
    const normalised = series.map(normalisePath);
    const distance = new Float64Array(n * n).fill(Infinity);
    for (let i = 0; i < n; i++) {
      checkAbort();
      for (let j = i + 1; j < n; j++) {
        if (!alive[i * n + j]) continue;
        const d = normalisedDistanceKernel(normalised[i], normalised[j]);
        distance[i * n + j] = d;
        distance[j * n + i] = d;
      }
    }
    const keep = new Uint8Array(n * n);
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      order.length = 0;
      for (let j = 0; j < n; j++) if (j !== i && distance[i * n + j] !== Infinity) order.push(j);
      order.sort((a, b) => distance[i * n + a] - distance[i * n + b] || a - b);
      for (let r = 0; r < Math.min(nearest, order.length); r++) {
        const j = order[r];
        keep[Math.min(i, j) * n + Math.max(i, j)] = 1;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (alive[i * n + j] && !keep[i * n + j]) {
          alive[i * n + j] = 0;
          distanceRemoved++;
        }
      }
    }
  }

  if (band !== undefined || minCrossings !== undefined) {
    const spread = new Float64Array(length);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (!alive[i * n + j]) continue;
        checkAbort();
        olsSpread(series[i], series[j], spread);
        if (band !== undefined) {
          const h = ar1HalfLife(spread);
          if (!(h >= band.min && h <= band.max)) {
            alive[i * n + j] = 0;
            halfLifeRemoved++;
            continue;
          }
        }
        if (minCrossings !== undefined && meanCrossingsKernel(spread) < minCrossings) {
          alive[i * n + j] = 0;
          crossingsRemoved++;
        }
      }
    }
  }

  const survivors: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (alive[i * n + j]) survivors.push(i, j);
  return {
    candidates,
    removed: {
      sector: sectorRemoved,
      correlation: correlationRemoved,
      distance: distanceRemoved,
      halfLife: halfLifeRemoved,
      crossings: crossingsRemoved,
    },
    pairs: Int32Array.from(survivors),
  };
}

/** Simple returns centred and scaled to unit sum of squares (zero vector for constant returns). */
function standardisedReturns(p: Float64Array): Float64Array {
  const r = new Float64Array(p.length - 1);
  let m = 0;
  for (let t = 1; t < p.length; t++) {
    r[t - 1] = p[t] / p[t - 1] - 1;
    m += (r[t - 1] - m) / t;
  }
  let ss = 0;
  for (let t = 0; t < r.length; t++) {
    r[t] -= m;
    ss += r[t] * r[t];
  }
  const scale = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let t = 0; t < r.length; t++) r[t] *= scale;
  return r;
}

/** Pearson correlation of two standardised return vectors (NaN if either is constant, which fails any floor). */
function returnCorrelation(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let t = 0; t < a.length; t++) {
    dot += a[t] * b[t];
    aa += a[t] * a[t];
    bb += b[t] * b[t];
  }
  return aa > 0 && bb > 0 ? dot : Number.NaN;
}

/** out_t = y_t − a − b·x_t, the OLS residual of y on [1, x] (centred two-pass sums); x constant gives y − ȳ. */
function olsSpread(y: Float64Array, x: Float64Array, out: Float64Array): void {
  const n = y.length;
  let my = 0;
  let mx = 0;
  for (let t = 0; t < n; t++) {
    my += (y[t] - my) / (t + 1);
    mx += (x[t] - mx) / (t + 1);
  }
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    const dx = x[t] - mx;
    sxy += dx * (y[t] - my);
    sxx += dx * dx;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  for (let t = 0; t < n; t++) out[t] = y[t] - my - slope * (x[t] - mx);
}

/** −ln 2 / ln φ with φ − 1 the OLS slope of Δe_t on [1, e_{t−1}]; Infinity unless 0 < φ < 1. */
function ar1HalfLife(e: Float64Array): number {
  const n = e.length - 1;
  let mLag = 0;
  let mDiff = 0;
  for (let t = 1; t <= n; t++) {
    mLag += (e[t - 1] - mLag) / t;
    mDiff += (e[t] - e[t - 1] - mDiff) / t;
  }
  let sxy = 0;
  let sxx = 0;
  for (let t = 1; t <= n; t++) {
    const dx = e[t - 1] - mLag;
    sxy += dx * (e[t] - e[t - 1] - mDiff);
    sxx += dx * dx;
  }
  if (!(sxx > 0)) return Infinity;
  const phi = 1 + sxy / sxx;
  if (!(phi > 0 && phi < 1)) return Infinity;
  return -Math.LN2 / Math.log(phi);
}
