import { describe, expect, it } from "vitest";
import { ASSET_OVERHEAD_BYTES, BYTES_PER_POINT, MAX_POINTS_PER_ASSET, PortfolioStore } from "./portfolioStore.js";

const ONE_FULL_ASSET = ASSET_OVERHEAD_BYTES + BYTES_PER_POINT * MAX_POINTS_PER_ASSET;

describe("PortfolioStore is bounded in bytes and evicts the least recently used assets (issue #10 item 4)", () => {
  it("never accounts more than maxBytes however much is written, and keeps the latest points per asset", () => {
    const store = new PortfolioStore(3 * ONE_FULL_ASSET);
    for (let a = 0; a < 10; a++) for (let k = 0; k < MAX_POINTS_PER_ASSET + 500; k++) store.record(`A${a}`, 100 + k, k);
    const stats = store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
    expect(stats.assets).toBeLessThanOrEqual(3);
    expect(stats.evictedAssets).toBeGreaterThanOrEqual(7);
    const last = store.history("A9");
    expect(last.length).toBe(MAX_POINTS_PER_ASSET);
    expect(last[0].timestampMs).toBe(500); // the oldest 500 dropped
    expect(last.at(-1)!.price).toBe(100 + MAX_POINTS_PER_ASSET + 499);
    expect(store.wasEvicted("A0")).toBe(true);
    expect(store.history("A0")).toEqual([]);
  });
  it("evicts by recency of use: an asset read recently survives one written long ago", () => {
    const store = new PortfolioStore(3 * ONE_FULL_ASSET);
    const fill = (id: string) => {
      for (let k = 0; k < MAX_POINTS_PER_ASSET; k++) store.record(id, 1 + k, k);
    };
    fill("old");
    fill("mid");
    fill("new");
    store.history("old"); // used: now the most recent
    fill("newest"); // needs room: evicts "mid", the least recently used
    expect(store.wasEvicted("mid")).toBe(true);
    expect(store.history("old").length).toBe(MAX_POINTS_PER_ASSET);
  });
  it("never evicts the assets of the same write: the write is refused instead", () => {
    const store = new PortfolioStore(ONE_FULL_ASSET + ASSET_OVERHEAD_BYTES + 64 * BYTES_PER_POINT);
    const protect = new Set(["P", "Q"]);
    for (let k = 0; k < MAX_POINTS_PER_ASSET; k++) store.record("P", 1, k, protect);
    let refused = 0;
    for (let k = 0; k < 200; k++) if (!store.record("Q", 1, k, protect)) refused++;
    expect(store.history("P").length).toBe(MAX_POINTS_PER_ASSET);
    expect(refused).toBeGreaterThan(0);
    expect(store.stats().bytes).toBeLessThanOrEqual(store.maxBytes);
  });
  it("canHold refuses a batch larger than the whole store; a cap below one full asset is refused", () => {
    const store = new PortfolioStore(2 * ONE_FULL_ASSET);
    expect(store.canHold([MAX_POINTS_PER_ASSET, MAX_POINTS_PER_ASSET])).toBe(true);
    expect(store.canHold([MAX_POINTS_PER_ASSET, MAX_POINTS_PER_ASSET, 10])).toBe(false);
    expect(store.canHold([10 * MAX_POINTS_PER_ASSET])).toBe(true); // only the latest MAX_POINTS_PER_ASSET are kept
    expect(() => new PortfolioStore(1000)).toThrow(/PortfolioStore: maxBytes must be an integer >= /);
  });
});
