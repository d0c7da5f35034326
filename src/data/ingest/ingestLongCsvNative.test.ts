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
});
