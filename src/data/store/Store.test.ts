import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
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

  it("queryPanel over more than one result chunk (2,100 symbols), batches out of ts order, outlives later queries", async () => {
    const symbols = Array.from({ length: 2100 }, (_, s) => `S${String(s).padStart(4, "0")}`);
    const close = (s: number, day: number) => 10 + s + day / 10;
    // Days land in three batches, latest first, so list() may join a series' runs out of ts order.
    for (const day of [2, 0, 1])
      await store.upsertBars(
        symbols.map((sym, s) => bar(sym, day, close(s, day))),
        { source: "t" },
      );
    const p = await store.queryPanel({ symbols });
    const again = await store.queryPanel({ symbols, field: "open" });
    expect(p.symbols).toEqual(symbols);
    expect(Array.from(p.timestamps)).toEqual([T0, T0 + DAY, T0 + 2 * DAY]);
    for (let s = 0; s < symbols.length; s++) {
      const want = [0, 1, 2].map((day) => close(s, day));
      if (Array.from(p.values[s]!).join() !== want.join()) throw new Error(`${symbols[s]}: got ${Array.from(p.values[s]!)}, want ${want}`);
      if (Array.from(again.values[s]!).join() !== want.join())
        throw new Error(`open of ${symbols[s]}: got ${Array.from(again.values[s]!)}, want ${want}`);
    }
  });

  it("queryPanel of a scattered subset (ids with gaps, another interval between), a range, volume with NULLs: equals queryBars per symbol", async () => {
    const symbols = Array.from({ length: 40 }, (_, s) => `T${String(s).padStart(2, "0")}`);
    // Two batches: days 0..5 for all, then days 6..9 for every other symbol and a 1h series in between.
    await store.upsertBars(
      symbols.flatMap((sym, s) =>
        [0, 1, 2, 3, 4, 5].map((day) => ({ ...bar(sym, day, 10 + s + day), volume: day === 3 ? Number.NaN : 5 + s })),
      ),
      { source: "t" },
    );
    await store.upsertBars([bar("T07", 0, 99, "1h")], { source: "t" });
    await store.upsertBars(
      symbols.filter((_, s) => s % 2 === 0).flatMap((sym, s) => [9, 6, 8, 7].map((day) => bar(sym, day, 50 + s + day))),
      { source: "t" },
    );
    const pick = ["T30", "T03", "T07", "T12", "T38", "T21"];
    const startMs = T0 + 2 * DAY,
      endMs = T0 + 8 * DAY;
    for (const field of ["close", "volume"] as const) {
      const p = await store.queryPanel({ symbols: pick, startMs, endMs, field, alignment: "ffill", maxGap: 3 });
      expect(p.symbols).toEqual(pick);
      // Naive reference: queryBars per symbol, forward-filled by hand on the union grid.
      const per = await Promise.all(pick.map((symbol) => store.queryBars({ symbol, interval: "1d", startMs, endMs })));
      const grid = [...new Set(per.flatMap((bars) => bars.map((b) => b.ts)))].sort((a, b) => a - b);
      const want = per.map((bars) => {
        let last = Number.NaN;
        return grid.map((t) => {
          const b = bars.find((x) => x.ts === t);
          if (b && !Number.isNaN(b[field])) last = b[field];
          return last;
        });
      });
      const keep = grid.map((_, i) => want.every((w) => !Number.isNaN(w[i]!)));
      expect(Array.from(p.timestamps)).toEqual(grid.filter((_, i) => keep[i]));
      pick.forEach((sym, j) => {
        const expected = want[j]!.filter((_, i) => keep[i]);
        if (Array.from(p.values[j]!).join() !== expected.join())
          throw new Error(`${field} of ${sym}: got ${Array.from(p.values[j]!)}, want ${expected}`);
      });
    }
  });

  it("a store of the one-table layout (schema 1) is migrated on open with the same contents (checksum)", async () => {
    const old = join(dir, "old.duckdb");
    const instance = await DuckDBInstance.create(old);
    const con = await instance.connect();
    // The DDL that the store used before schema 2 (bars as one table with strings per bar).
    await con.run(`CREATE TABLE bars (symbol VARCHAR NOT NULL, interval VARCHAR NOT NULL, ts BIGINT NOT NULL,
      open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE,
      source VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL)`);
    await con.run(`CREATE TABLE universes (name VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, created_at BIGINT NOT NULL)`);
    await con.run(`CREATE TABLE universe_members (universe VARCHAR NOT NULL, symbol VARCHAR NOT NULL, position INTEGER NOT NULL,
      PRIMARY KEY (universe, symbol))`);
    await con.run(`INSERT INTO bars VALUES ('A', '1d', ${T0}, 10, 11, 9, 10.5, 100, 'file:a.csv', TIMESTAMP '2024-03-01 10:00:00'),
      ('A', '1d', ${T0 + DAY}, 10.5, 11, 10, 10.75, NULL, 'file:a.csv', TIMESTAMP '2024-03-01 10:00:00'),
      ('A', '1h', ${T0}, 10, 10, 10, 10, 1, 'binance', TIMESTAMP '2024-03-02 11:00:00'),
      ('B', '1d', ${T0}, 20, 21, 19, 20, 5, 'binance', TIMESTAMP '2024-03-02 11:00:00')`);
    await con.run(`INSERT INTO universes VALUES ('u', 'kept', 1)`);
    await con.run(`INSERT INTO universe_members VALUES ('u', 'B', 0), ('u', 'A', 1)`);
    const hash = async (table: string, columns: string) => {
      const r = (
        await con.runAndReadAll(`SELECT count(*)::VARCHAR, coalesce(bit_xor(hash(${columns})), 0)::VARCHAR FROM ${table}`)
      ).getRows()[0]!;
      return `${table}:${r[0]}:${r[1]}`;
    };
    const oldBars = await hash("bars", "symbol, interval, ts, open, high, low, close, volume, source, ingested_at");
    const oldMembers = await hash("universe_members", "universe, symbol, position");
    con.closeSync();
    instance.closeSync();

    const migrated = await Store.open(old);
    try {
      const sum = await migrated.checksum();
      expect(sum).toContain(oldBars);
      expect(sum).toContain(oldMembers);
      expect(await migrated.queryBars({ symbol: "A", interval: "1d" })).toEqual([
        { symbol: "A", interval: "1d", ts: T0, open: 10, high: 11, low: 9, close: 10.5, volume: 100 },
        { symbol: "A", interval: "1d", ts: T0 + DAY, open: 10.5, high: 11, low: 10, close: 10.75, volume: Number.NaN },
      ]);
      expect(await migrated.sql(`SELECT value FROM store_meta WHERE key = 'schema_version'`)).toEqual([{ value: "2" }]);
      expect(await migrated.sql(`SELECT DISTINCT source FROM bars WHERE symbol = 'A' AND interval = '1h'`)).toEqual([
        { source: "binance" },
      ]);
      expect((await migrated.getUniverse("u"))?.symbols).toEqual(["B", "A"]);
      // And it takes writes as a store of schema 2.
      expect(await migrated.upsertBars([bar("A", 2, 11)], { source: "t" })).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    } finally {
      await migrated.close();
    }
    const reopened = await Store.open(old);
    expect((await reopened.barSummary()).map((x) => `${x.symbol}/${x.interval}/${x.bars}`)).toEqual(["A/1d/3", "A/1h/1", "B/1d/1"]);
    await reopened.close();
  });

  it("a store written by a newer schema version is refused with both versions named", async () => {
    const path = join(dir, "new.duckdb");
    const instance = await DuckDBInstance.create(path);
    const con = await instance.connect();
    await con.run(`CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
    await con.run(`INSERT INTO store_meta VALUES ('schema_version', '3')`);
    con.closeSync();
    instance.closeSync();
    await expect(Store.open(path)).rejects.toThrow(/has store schema version 3; this arblab reads up to 2/);
  });

  it("an identical re-ingest leaves no empty batch; an update moves the bar to the new batch", async () => {
    await store.upsertBars([bar("A", 0, 10), bar("A", 1, 11)], { source: "first" });
    await store.upsertBars([bar("A", 0, 10), bar("A", 1, 11)], { source: "again" });
    expect(await store.sql(`SELECT source FROM batches ORDER BY batch_id`)).toEqual([{ source: "first" }]);
    await store.upsertBars([bar("A", 1, 12)], { source: "fix" });
    expect(await store.sql(`SELECT ts, close, source FROM bars ORDER BY ts`)).toMatchObject([
      { close: 10, source: "first" },
      { close: 12, source: "fix" },
    ]);
  });
});
