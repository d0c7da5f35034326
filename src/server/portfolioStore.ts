/**
 * Server-side price memory behind PortfolioHealthStream: the last prices seen per asset_id.
 * Fed by every PriceUpdate streamed into EstimateOUParams and by prices supplied in a
 * HealthRequest's metadata JSON. Bounded in assets and points so memory cannot grow without
 * limit; the oldest points are dropped first.
 */

/** Most points kept per asset. */
export const MAX_POINTS_PER_ASSET = 20_000;
/** Most assets kept; further new asset_ids are not recorded (existing ones still update). */
export const MAX_TRACKED_ASSETS = 5_000;

/** One observed price. */
export interface PricePoint {
  readonly timestampMs: number;
  readonly price: number;
}

export class PortfolioStore {
  private readonly series = new Map<string, PricePoint[]>();
  private closed = false;

  /** Record a price; returns false when the asset could not be tracked (limit reached or closed). */
  record(assetId: string, price: number, timestampMs: number): boolean {
    if (this.closed || !Number.isFinite(price) || !Number.isFinite(timestampMs)) return false;
    let points = this.series.get(assetId);
    if (points === undefined) {
      if (this.series.size >= MAX_TRACKED_ASSETS) return false;
      points = [];
      this.series.set(assetId, points);
    }
    points.push({ timestampMs, price });
    if (points.length > MAX_POINTS_PER_ASSET + MAX_POINTS_PER_ASSET / 4) points.splice(0, points.length - MAX_POINTS_PER_ASSET);
    return true;
  }

  /** The recorded points of an asset in arrival order (a copy), or an empty array. */
  history(assetId: string): PricePoint[] {
    const points = this.series.get(assetId);
    return points === undefined ? [] : points.slice(-MAX_POINTS_PER_ASSET);
  }

  /** Number of tracked assets. */
  get size(): number {
    return this.series.size;
  }

  close(): void {
    this.closed = true;
  }
}
