/**
 * Align per-symbol price series on one time grid, with an explicit policy, and report what the
 * policy did. Steps, in order:
 *   1. grid = the union of every symbol's timestamps;
 *   2. drop symbols whose missing fraction on that grid (absent or NaN) exceeds maxMissingFraction;
 *   3. "intersect" (default): keep the timestamps where every remaining symbol has a price;
 *      "ffill": carry a symbol's last price over gaps of at most maxGap consecutive grid points,
 *      then keep the timestamps where every remaining symbol has a price (leading gaps and longer
 *      gaps are never filled; those timestamps are dropped).
 * No statistics: data handling only.
 */

/** One symbol's series: ts ascending and unique (epoch ms), values NaN where missing. */
export interface SymbolSeries {
  readonly symbol: string;
  readonly ts: Float64Array;
  readonly values: Float64Array;
}

/** Alignment policy. */
export interface AlignmentOptions {
  /** "intersect" (default) or "ffill" (forward-fill with maxGap). */
  readonly alignment?: "intersect" | "ffill";
  /** Longest run of consecutive missing grid points that "ffill" fills (default 5). */
  readonly maxGap?: number;
  /** Drop a symbol whose share of missing grid points exceeds this (default 1: drop none). */
  readonly maxMissingFraction?: number;
}

/** The aligned panel: one Float64Array per kept symbol over `timestamps`. */
export interface AlignedPanel {
  readonly symbols: readonly string[];
  /** Epoch ms, ascending. */
  readonly timestamps: Float64Array;
  /** values[i] is the series of symbols[i] (no NaN). */
  readonly values: readonly Float64Array[];
  readonly alignment: "intersect" | "ffill";
  /** Symbols dropped by maxMissingFraction, with their missing fraction. */
  readonly droppedSymbols: readonly { readonly symbol: string; readonly missingFraction: number }[];
  /** Grid points (of the union grid) removed because some kept symbol had no price there. */
  readonly droppedTimestamps: number;
  /** Per kept symbol, how many prices forward-fill supplied (0 under intersect). */
  readonly filled: Readonly<Record<string, number>>;
}

export const DEFAULT_MAX_GAP = 5;

/** Align `series` under `options`. @throws RangeError for a bad option, unsorted ts or mismatched lengths */
export function alignPanel(series: readonly SymbolSeries[], options: AlignmentOptions = {}): AlignedPanel {
  const alignment = options.alignment ?? "intersect";
  if (alignment !== "intersect" && alignment !== "ffill")
    throw new RangeError(`alignPanel: alignment must be "intersect" or "ffill", got ${JSON.stringify(alignment)}`);
  const maxGap = options.maxGap ?? DEFAULT_MAX_GAP;
  if (!(Number.isInteger(maxGap) && maxGap >= 0)) throw new RangeError(`alignPanel: maxGap must be an integer ≥ 0, got ${maxGap}`);
  const maxMissing = options.maxMissingFraction ?? 1;
  if (!(maxMissing >= 0 && maxMissing <= 1)) throw new RangeError(`alignPanel: maxMissingFraction must lie in [0, 1], got ${maxMissing}`);
  // A series with exactly the first series' timestamps (checked ascending already) is ascending
  // too, so the common case costs one comparison pass per series, not two.
  let same = series.length > 0;
  for (const s of series) {
    if (s.ts.length !== s.values.length)
      throw new RangeError(`alignPanel: ${s.symbol} has ${s.ts.length} timestamps and ${s.values.length} values`);
    if (s !== series[0] && sameTimes(s.ts, series[0]!.ts)) continue;
    if (s !== series[0]) same = false;
    for (let i = 1; i < s.ts.length; i++) {
      if (!(s.ts[i]! > s.ts[i - 1]!)) throw new RangeError(`alignPanel: ${s.symbol} timestamps must be strictly ascending (index ${i})`);
    }
  }
  // 1. union grid (no sort when every symbol has the same timestamps, the common case)
  let grid: Float64Array;
  if (same) {
    grid = series[0]!.ts.slice();
  } else {
    let total = 0;
    for (const s of series) total += s.ts.length;
    const all = new Float64Array(total);
    let k = 0;
    for (const s of series) {
      all.set(s.ts, k);
      k += s.ts.length;
    }
    all.sort();
    let u = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[u++] = all[i]!;
    grid = all.slice(0, u);
  }
  const m = grid.length;
  // values on the grid (NaN where absent): one allocation for the whole panel, a row per symbol
  // (500 separate arrays cost more in allocation and GC than the copying itself).
  const block = new Float64Array(series.length * m);
  const onGrid = series.map((s, j) => {
    const out = block.subarray(j * m, (j + 1) * m);
    if (s.ts.length === m) {
      out.set(s.values); // ts ⊆ grid with as many points: ts is the grid
      return out;
    }
    out.fill(Number.NaN);
    let g = 0;
    for (let i = 0; i < s.ts.length; i++) {
      while (grid[g]! < s.ts[i]!) g++;
      out[g] = s.values[i]!;
    }
    return out;
  });
  // 2. missing fraction
  const kept: number[] = [];
  const droppedSymbols: { symbol: string; missingFraction: number }[] = [];
  let keptMissing = 0;
  series.forEach((s, j) => {
    let missing = 0;
    const v = onGrid[j]!;
    for (let i = 0; i < m; i++) if (Number.isNaN(v[i]!)) missing++;
    const fraction = m === 0 ? 1 : missing / m;
    if (fraction > maxMissing) droppedSymbols.push({ symbol: s.symbol, missingFraction: fraction });
    else {
      kept.push(j);
      keptMissing += missing;
    }
  });
  // Fast path: no kept symbol misses a grid point, so nothing is filled or dropped and the grid
  // values (fresh copies) are the panel as they stand.
  if (keptMissing === 0) {
    const filled: Record<string, number> = {};
    for (const j of kept) filled[series[j]!.symbol] = 0;
    return {
      symbols: kept.map((j) => series[j]!.symbol),
      timestamps: grid,
      values: kept.map((j) => onGrid[j]!),
      alignment,
      droppedSymbols,
      droppedTimestamps: 0,
      filled,
    };
  }
  // 3. fill, then intersect
  const filled: Record<string, number> = {};
  for (const j of kept) {
    const v = onGrid[j]!;
    let count = 0;
    if (alignment === "ffill") {
      let i = 0;
      while (i < m) {
        if (!Number.isNaN(v[i]!) || i === 0) {
          i++;
          continue;
        }
        let end = i;
        while (end < m && Number.isNaN(v[end]!)) end++;
        const last = v[i - 1]!;
        if (!Number.isNaN(last) && end - i <= maxGap) {
          for (let t = i; t < end; t++) v[t] = last;
          count += end - i;
        }
        i = end;
      }
    }
    filled[series[j]!.symbol] = count;
  }
  const keep = new Uint8Array(m).fill(1);
  for (const j of kept) {
    const v = onGrid[j]!;
    for (let i = 0; i < m; i++) if (Number.isNaN(v[i]!)) keep[i] = 0;
  }
  let n = 0;
  for (let i = 0; i < m; i++) n += keep[i]!;
  const timestamps = new Float64Array(n);
  const values = kept.map(() => new Float64Array(n));
  // Column by column (sequential memory per series); a plain copy when nothing is dropped.
  if (n === m) {
    timestamps.set(grid);
    for (let c = 0; c < kept.length; c++) values[c]!.set(onGrid[kept[c]!]!);
  } else {
    for (let i = 0, r = 0; i < m; i++) if (keep[i]) timestamps[r++] = grid[i]!;
    for (let c = 0; c < kept.length; c++) {
      const v = onGrid[kept[c]!]!,
        out = values[c]!;
      for (let i = 0, r = 0; i < m; i++) if (keep[i]) out[r++] = v[i]!;
    }
  }
  // Fills on dropped timestamps did not survive: count only the ones that did.
  if (alignment === "ffill") {
    for (let c = 0; c < kept.length; c++) {
      const j = kept[c]!;
      const s = series[j]!;
      let original = 0,
        p = 0;
      for (let i = 0; i < n; i++) {
        while (p < s.ts.length && s.ts[p]! < timestamps[i]!) p++;
        if (p < s.ts.length && s.ts[p] === timestamps[i] && !Number.isNaN(s.values[p]!)) original++;
      }
      filled[s.symbol] = n - original;
    }
  }
  return {
    symbols: kept.map((j) => series[j]!.symbol),
    timestamps,
    values,
    alignment,
    droppedSymbols,
    droppedTimestamps: m - n,
    filled,
  };
}

/** Equal length and equal values. */
function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
