import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../store/Store.js";
import { readBars } from "../readers/readBars.js";
import { ingestLongCsvNative } from "./ingestLongCsvNative.js";

describe("DuckDB-native long CSV ingest", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "arblab-native-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stores exactly the bars the JS reader reads (timestamps with offsets, exact repeats, missing OHLC columns)", async () => {
    const p = join(dir, "long.csv");
    writeFileSync(
      p,
      [
        "Date,Ticker,Close,Volume",
        "2021-01-04T00:00:00+01:00,AAA,10.125,5",
        "2021-01-05,AAA,10.5,6",
        "2021-01-05,AAA,10.5,6",
        "1609718400,BBB,0.1,7",
        "2021-01-05,BBB,0.30000000000000004,",
      ].join("\n"),
    );
    const native = await Store.open(":memory:");
    const js = await Store.open(":memory:");
    try {
      const fast = await ingestLongCsvNative(native, p, { source: "t" });
      expect(fast).not.toBeNull();
      const read = await readBars(p);
      await js.upsertBarColumns(read.bars, { source: "t" });
      expect(fast!.inserted).toBe(read.bars.ts.length);
      for (const symbol of ["AAA", "BBB"]) {
        expect(await native.queryBars({ symbol, interval: "1d" })).toEqual(await js.queryBars({ symbol, interval: "1d" }));
      }
      expect((await native.queryBars({ symbol: "AAA", interval: "1d" }))[0]!.ts).toBe(Date.UTC(2021, 0, 3, 23));
    } finally {
      await native.close();
      await js.close();
    }
  });

  it("declines (null, nothing written) what only the JS reader can judge", async () => {
    const store = await Store.open(":memory:");
    try {
      const before = await store.checksum();
      for (const [name, text] of [
        ["na.csv", "timestamp,symbol,close,volume\n2021-01-04,A,1,NA\n"],
        ["neg.csv", "timestamp,symbol,close\n2021-01-04,A,-1\n"],
        ["dup.csv", "timestamp,symbol,close\n2021-01-04,A,1\n2021-01-04,A,2\n"],
        ["short.csv", "timestamp,symbol,close\n2021-01-04,A\n"],
        ["wide.csv", "date,A,B\n2021-01-04,1,2\n"],
      ] as const) {
        const p = join(dir, name);
        writeFileSync(p, text);
        expect(await ingestLongCsvNative(store, p, { source: "t" }), name).toBeNull();
        expect(await store.checksum(), name).toBe(before);
      }
    } finally {
      await store.close();
    }
  });

  it("a re-ingest is an upsert: identical file unchanged (same checksum), a changed close updated, a new day inserted", async () => {
    const store = await Store.open(":memory:");
    try {
      const p = join(dir, "again.csv");
      const rows = [
        "timestamp,symbol,open,high,low,close,volume",
        "2021-01-04,A,1,2,1,1.5,10",
        "2021-01-04,B,5,5,5,5,1",
        "2021-01-05,A,1.5,2,1,2,11",
      ];
      writeFileSync(p, rows.join("\n"));
      expect(await ingestLongCsvNative(store, p, { source: "t" })).toMatchObject({ inserted: 3, updated: 0, unchanged: 0, bars: 3 });
      const sum = await store.checksum();
      expect(await ingestLongCsvNative(store, p, { source: "t2" })).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
      expect(await store.checksum()).toBe(sum);
      writeFileSync(p, [...rows.slice(0, 3), "2021-01-05,A,1.5,2,1,1.75,11", "2021-01-06,A,1.75,2,1,1.8,12"].join("\n"));
      expect(await ingestLongCsvNative(store, p, { source: "t3" })).toMatchObject({ inserted: 1, updated: 1, unchanged: 2 });
      expect((await store.queryBars({ symbol: "A", interval: "1d" })).map((b) => b.close)).toEqual([1.5, 1.75, 1.8]);
      expect(await store.sql(`SELECT source, count(*)::INTEGER AS n FROM bars GROUP BY source ORDER BY source`)).toEqual([
        { source: "t", n: 2 },
        { source: "t3", n: 2 },
      ]);
    } finally {
      await store.close();
    }
  });

  it("dates DuckDB would read but parseTimestamp rejects (2021-1-4) decline; bars closer than the interval decline", async () => {
    const store = await Store.open(":memory:");
    try {
      const before = await store.checksum();
      for (const [name, text, interval] of [
        ["short-date.csv", "timestamp,symbol,close\n2021-01-04,A,1\n2021-1-5,A,2\n", "1d"],
        ["close.csv", "timestamp,symbol,close\n2021-01-04T00:00:00Z,A,1\n2021-01-04T12:00:00Z,A,2\n", "1d"],
      ] as const) {
        const p = join(dir, name);
        writeFileSync(p, text);
        expect(await ingestLongCsvNative(store, p, { source: "t", interval }), name).toBeNull();
        expect(await store.checksum(), name).toBe(before);
      }
    } finally {
      await store.close();
    }
  });
});
