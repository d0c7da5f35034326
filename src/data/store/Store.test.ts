import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Bar, Store, defaultStorePath } from "./Store.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 2);

function bar(symbol: string, day: number, close: number, interval = "1d"): Bar {
  return { symbol, interval, ts: T0 + day * DAY, open: close, high: close * 1.01, low: close * 0.99, close, volume: 1000 + day };
}

describe("Store", () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "arblab-store-"));
    store = await Store.open(join(dir, "s.duckdb"));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("default path: ARBLAB_STORE, else ARBLAB_HOME/store.duckdb, else .arblab/store.duckdb", () => {
    expect(defaultStorePath({ ARBLAB_STORE: "/x/y.duckdb" }, "/w")).toBe("/x/y.duckdb");
    expect(defaultStorePath({ ARBLAB_HOME: "h" }, "/w")).toBe("/w/h/store.duckdb");
    expect(defaultStorePath({}, "/w")).toBe("/w/.arblab/store.duckdb");
  });

  it("upsert is idempotent on (symbol, interval, ts) and counts inserted/updated/unchanged", async () => {
    const bars = [bar("A", 0, 10), bar("A", 1, 11), bar("B", 0, 20)];
    expect(await store.upsertBars(bars, { source: "t" })).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    const sum = await store.checksum();
    expect(await store.upsertBars(bars, { source: "t" })).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await store.checksum()).toBe(sum);
    expect(await store.upsertBars([bar("A", 1, 12), bar("A", 2, 13)], { source: "t" })).toEqual({ inserted: 1, updated: 1, unchanged: 0 });
    const a = await store.queryBars({ symbol: "A", interval: "1d" });
    expect(a.map((b) => b.close)).toEqual([10, 12, 13]);
    expect(a[0]).toEqual(bar("A", 0, 10));
    expect(await store.lastBarTime("A", "1d")).toBe(T0 + 2 * DAY);
    expect(await store.lastBarTime("A", "1h")).toBeNull();
    expect(await store.listSymbols()).toEqual(["A", "B"]);
    expect(await store.queryBars({ symbol: "A", interval: "1d", startMs: T0 + DAY, endMs: T0 + 2 * DAY, limit: 1 })).toHaveLength(1);
  });

  it("a failing upsert leaves every table's checksum unchanged", async () => {
    await store.upsertBars([bar("A", 0, 10)], { source: "t" });
    const before = await store.checksum();
    await expect(store.upsertBars([bar("A", 1, 11), { ...bar("A", 2, 12), close: -1 }], { source: "t" })).rejects.toThrow(
      /bars\[1\]\.close must be a finite price > 0/,
    );
    await expect(store.upsertBars([bar("A", 1, 11), bar("A", 1, 12)], { source: "t" })).rejects.toThrow(
      /duplicate \(symbol, interval, ts\)/,
    );
    expect(await store.checksum()).toBe(before);
  });

  it("universes, instruments, results and panels", async () => {
    await store.upsertBars([bar("A", 0, 10), bar("A", 1, 11), bar("A", 2, 12), bar("B", 0, 20), bar("B", 2, 22)], { source: "t" });
    await store.upsertInstruments([{ symbol: "A", sector: "Tech", assetClass: "equity" }]);
    expect((await store.listInstruments())[0]).toMatchObject({ symbol: "A", sector: "Tech", assetClass: "equity", name: null });
    await store.createUniverse("u", ["B", "A"], { description: "two" });
    await expect(store.createUniverse("u", ["A"])).rejects.toThrow(/exists/);
    await expect(store.createUniverse("v", ["A", "ZZZ"])).rejects.toThrow(/symbols has no bars in the store: ZZZ/);
    expect(await store.getUniverse("u")).toMatchObject({ symbols: ["B", "A"], description: "two" });
    expect(await store.listUniverses()).toMatchObject([{ name: "u", size: 2 }]);
    const p = await store.queryPanel({ universe: "u" });
    expect(p.symbols).toEqual(["B", "A"]);
    expect(Array.from(p.values[0]!)).toEqual([20, 22]);
    expect(p.droppedTimestamps).toBe(1);
    const f = await store.queryPanel({ symbols: ["A", "B"], alignment: "ffill", maxGap: 1 });
    expect(Array.from(f.values[1]!)).toEqual([20, 20, 22]);
    expect(f.filled).toEqual({ A: 0, B: 1 });
    await expect(store.queryPanel({ symbols: ["A", "Q"] })).rejects.toThrow(/symbols: no 1d bars stored for Q/);
    await expect(store.queryPanel({ universe: "nope" })).rejects.toThrow(/universe "nope" does not exist/);
    await expect(store.queryPanel({ symbols: ["A"], startMs: T0 + 10 * DAY })).rejects.toThrow(/startMs\.\.endMs: no 1d bars/);
    const id = await store.saveResult({ kind: "discover", params: { fdr: 0.05 }, summary: { pairs: 1 }, codeVersion: "abc" });
    expect(await store.listResults("discover")).toMatchObject([{ id, params: { fdr: 0.05 }, summary: { pairs: 1 }, codeVersion: "abc" }]);
  });
});
