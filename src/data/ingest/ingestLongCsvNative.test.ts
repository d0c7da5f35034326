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

  /** A date-major long CSV (every symbol each day) of `days` × `symbols`, ~45 bytes a row; `edit` may change row lines. */
  function dateMajorCsv(name: string, days: number, symbols: number, edit: (lines: string[]) => void = () => undefined): string {
    const lines = ["timestamp,symbol,open,high,low,close,volume"];
    for (let d = 0; d < days; d++) {
      const date = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      for (let s = 0; s < symbols; s++) {
        const close = 10 + s + (d % 7) / 4;
        lines.push(`${date},S${String(s).padStart(3, "0")},${close},${close + 0.5},${close - 0.5},${close},${100 + d}`);
      }
    }
    edit(lines);
    const p = join(dir, name);
    writeFileSync(p, `${lines.join("\n")}\n`);
    return p;
  }

  /** The bars of a store without source and ingested_at (which differ between two ingests). */
  async function barRows(store: Store): Promise<unknown[]> {
    return store.sql(`SELECT symbol, interval, ts::DOUBLE AS ts, open, high, low, close, volume FROM bars ORDER BY symbol, ts`);
  }

  async function jsStore(p: string): Promise<Store> {
    const js = await Store.open(":memory:");
    await js.upsertBarColumns((await readBars(p)).bars, { source: "t" });
    return js;
  }

  it("a date-major file is read once (sampled symbols, ISO dates checked per row) and stores what the JS reader reads", async () => {
    const p = dateMajorCsv("once.csv", 400, 50); // 20,000 rows, ~900 KB: four sample windows apart
    const native = await Store.open(":memory:");
    const js = await jsStore(p);
    try {
      const fast = await ingestLongCsvNative(native, p, { source: "t" });
      expect(fast).toMatchObject({ passes: 1, inserted: 20_000, bars: 20_000 });
      expect(fast!.symbols).toHaveLength(50);
      expect(await barRows(native)).toEqual(await barRows(js));
    } finally {
      await native.close();
      await js.close();
    }
  });

  it("a symbol or a timestamp format outside the sample rolls the one pass back; two passes store what the JS reader reads", async () => {
    // Row 3,000 of 20,000 (~130 KB in) lies between the head window and the first middle one.
    for (const [name, edit] of [
      ["late-symbol.csv", (lines: string[]) => lines.splice(3000, 0, "2020-01-05,LATE,5,6,4,5,1")],
      ["late-format.csv", (lines: string[]) => (lines[3000] = lines[3000]!.replace(/^(\d{4}-\d{2}-\d{2})/, "$1T00:00:00Z"))],
    ] as const) {
      const p = dateMajorCsv(name, 400, 50, edit);
      const native = await Store.open(":memory:");
      const js = await jsStore(p);
      try {
        const fast = await ingestLongCsvNative(native, p, { source: "t" });
        expect(fast, name).toMatchObject({ passes: 2 });
        expect(await barRows(native), name).toEqual(await barRows(js));
        expect(await native.sql(`SELECT count(*)::INTEGER AS n FROM batches`), name).toEqual([{ n: 1 }]);
      } finally {
        await native.close();
        await js.close();
      }
    }
  });

  it("a bar rule broken outside the sample declines with the store unchanged", async () => {
    const p = dateMajorCsv("late-bad.csv", 400, 50, (lines) => {
      lines[3000] = lines[3000]!.replace(/,(\d+(?:\.\d+)?),(\d+)$/, ",-1,$2");
    });
    const store = await Store.open(":memory:");
    try {
      const before = await store.checksum();
      expect(await ingestLongCsvNative(store, p, { source: "t" })).toBeNull();
      expect(await store.checksum()).toBe(before);
      await expect(readBars(p)).rejects.toThrow(/late-bad\.csv:3001/);
    } finally {
      await store.close();
    }
  });
});
