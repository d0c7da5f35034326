/**
 * Server-side price memory behind PortfolioHealthStream: the last prices seen per asset_id, fed by
 * every PriceUpdate streamed into EstimateOUParams and by prices supplied in a HealthRequest's
 * metadata JSON.
 *
 * Bounded in bytes (issue #10 item 4): points live in typed arrays (16 B per point: timestamp and
 * price as doubles, not ~105 B per boxed object), each asset keeps at most MAX_POINTS_PER_ASSET
 * latest points (a ring), and the whole store at most `maxBytes` (PRICE_STORE_MAX_BYTES, default
 * DEFAULT_PRICE_STORE_BYTES) counted as 16 B per allocated slot plus ASSET_OVERHEAD_BYTES per asset.
 * When a write would exceed it, the least recently used assets (written or read) are evicted
 * first; the assets of the write itself are never evicted to make room for it. A batch larger than
 * the whole store is refused before anything is written (`canHold`), and `wasEvicted` lets a
 * "no_data" answer say that the asset's prices were evicted rather than never sent.
 */

/** Most points kept per asset (the latest). */
export const MAX_POINTS_PER_ASSET = 20_000;
/** Default byte cap of the store (PRICE_STORE_MAX_BYTES). */
export const DEFAULT_PRICE_STORE_BYTES = 64 * 1024 * 1024;
/** Bytes per stored point: timestamp and price, both doubles. */
export const BYTES_PER_POINT = 16;
/** Accounted bytes per tracked asset besides its points (map entry, arrays, key). */
export const ASSET_OVERHEAD_BYTES = 256;
/** Names of evicted assets remembered to explain "no_data" (oldest forgotten first). */
export const MAX_REMEMBERED_EVICTIONS = 10_000;
/** First allocation of an asset's arrays (points); doubled as it grows. */
const INITIAL_CAPACITY = 64;

/** One observed price. */
export interface PricePoint {
  readonly timestampMs: number;
  readonly price: number;
}

/** Per-asset ring of the latest points. */
class AssetSeries {
  timestamps: Float64Array;
  prices: Float64Array;
  /** Index of the oldest point. */
  start = 0;
  length = 0;
  constructor(capacity: number) {
    this.timestamps = new Float64Array(capacity);
    this.prices = new Float64Array(capacity);
  }
  get capacity(): number {
    return this.prices.length;
  }
  /** Grow to `capacity` slots (unrolling the ring). */
  grow(capacity: number): void {
    const timestamps = new Float64Array(capacity);
    const prices = new Float64Array(capacity);
    for (let k = 0; k < this.length; k++) {
      const i = (this.start + k) % this.capacity;
      timestamps[k] = this.timestamps[i];
      prices[k] = this.prices[i];
    }
    this.timestamps = timestamps;
    this.prices = prices;
    this.start = 0;
  }
  push(timestampMs: number, price: number): void {
    if (this.length < this.capacity) {
      const i = (this.start + this.length) % this.capacity;
      this.timestamps[i] = timestampMs;
      this.prices[i] = price;
      this.length++;
      return;
    }
    // full at MAX_POINTS_PER_ASSET: overwrite the oldest
    this.timestamps[this.start] = timestampMs;
    this.prices[this.start] = price;
    this.start = (this.start + 1) % this.capacity;
  }
  points(): PricePoint[] {
    const out = new Array<PricePoint>(this.length);
    for (let k = 0; k < this.length; k++) {
      const i = (this.start + k) % this.capacity;
      out[k] = { timestampMs: this.timestamps[i], price: this.prices[i] };
    }
    return out;
  }
}

/** Store numbers for metrics, tests and responses. */
export interface PortfolioStoreStats {
  readonly assets: number;
  readonly points: number;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly evictedAssets: number;
}

export class PortfolioStore {
  /** Insertion order = recency order (least recently used first). */
  private readonly series = new Map<string, AssetSeries>();
  private readonly evicted = new Map<string, number>();
  private bytes = 0;
  private evictions = 0;
  private closed = false;

  /** @param maxBytes byte cap (>= one asset at MAX_POINTS_PER_ASSET) */
  constructor(readonly maxBytes: number = DEFAULT_PRICE_STORE_BYTES) {
    if (!(Number.isInteger(maxBytes) && maxBytes >= ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * MAX_POINTS_PER_ASSET)) {
      throw new RangeError(
        `PortfolioStore: maxBytes must be an integer >= ${ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * MAX_POINTS_PER_ASSET} (one asset at ${MAX_POINTS_PER_ASSET} points), got ${maxBytes}`,
      );
    }
  }

  /** Bytes a batch of `pointsPerAsset` would need at most if stored alone. */
  static bytesFor(pointsPerAsset: readonly number[]): number {
    let total = 0;
    for (const n of pointsPerAsset) total += ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * Math.min(n, MAX_POINTS_PER_ASSET);
    return total;
  }

  /** True when a batch with these point counts per asset fits in the store at all. */
  canHold(pointsPerAsset: readonly number[]): boolean {
    return PortfolioStore.bytesFor(pointsPerAsset) <= this.maxBytes;
  }

  /**
   * Record a price. Returns false when nothing was recorded: the store is closed, a value is not
   * finite, or the store cannot make room without evicting an asset in `protect` (the assets of
   * the same write).
   */
  record(assetId: string, price: number, timestampMs: number, protect?: ReadonlySet<string>): boolean {
    if (this.closed || !Number.isFinite(price) || !Number.isFinite(timestampMs)) return false;
    let s = this.series.get(assetId);
    if (s === undefined) {
      if (!this.makeRoom(ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * INITIAL_CAPACITY, assetId, protect)) return false;
      s = new AssetSeries(INITIAL_CAPACITY);
      this.bytes += ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * INITIAL_CAPACITY;
      this.evicted.delete(assetId);
    } else {
      if (s.length === s.capacity && s.capacity < MAX_POINTS_PER_ASSET) {
        const grown = Math.min(MAX_POINTS_PER_ASSET, 2 * s.capacity);
        if (!this.makeRoom(BYTES_PER_POINT * (grown - s.capacity), assetId, protect)) return false;
        this.bytes += BYTES_PER_POINT * (grown - s.capacity);
        s.grow(grown);
      }
      this.series.delete(assetId); // re-inserted below: most recently used
    }
    this.series.set(assetId, s);
    s.push(timestampMs, price);
    return true;
  }

  /** Evict least recently used assets (never `keep` or `protect`) until `extra` more bytes fit. */
  private makeRoom(extra: number, keep: string, protect?: ReadonlySet<string>): boolean {
    if (this.bytes + extra <= this.maxBytes) return true;
    for (const [id, s] of this.series) {
      if (this.bytes + extra <= this.maxBytes) break;
      if (id === keep || protect?.has(id)) continue;
      this.series.delete(id);
      this.bytes -= ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * s.capacity;
      this.evictions++;
      this.evicted.set(id, Date.now());
      if (this.evicted.size > MAX_REMEMBERED_EVICTIONS) this.evicted.delete(this.evicted.keys().next().value as string);
    }
    return this.bytes + extra <= this.maxBytes;
  }

  /** The recorded points of an asset in arrival order (a copy), or an empty array; marks it used. */
  history(assetId: string): PricePoint[] {
    const s = this.series.get(assetId);
    if (s === undefined) return [];
    this.series.delete(assetId);
    this.series.set(assetId, s);
    return s.points();
  }

  /** True when the asset's prices were evicted to make room (and not recorded again since). */
  wasEvicted(assetId: string): boolean {
    return this.evicted.has(assetId);
  }

  /** Number of tracked assets. */
  get size(): number {
    return this.series.size;
  }

  stats(): PortfolioStoreStats {
    let points = 0;
    for (const s of this.series.values()) points += s.length;
    return { assets: this.series.size, points, bytes: this.bytes, maxBytes: this.maxBytes, evictedAssets: this.evictions };
  }

  close(): void {
    this.closed = true;
  }
}
