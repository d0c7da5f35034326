import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../store/Store.js";
import { ingestFiles } from "../ingest/ingestFiles.js";
import { writeBars } from "../writers/writeBars.js";
import { barsToPanel, panelTable } from "../panel/barsToPanel.js";
import { readBars } from "./readBars.js";
import { parseTimestamp } from "./parseTimestamp.js";
import type { BarColumns } from "../store/Store.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);

/** Three symbols × 6 days of consistent OHLCV with awkward decimals (exact round-trip is the test). */
function sampleBars(symbols = ["AAA", "BBB", "CCC"], days = 6): BarColumns {
  const c = {
    symbol: [] as string[],
    interval: [] as string[],
    ts: [] as number[],
    open: [] as number[],
    high: [] as number[],
    low: [] as number[],
    close: [] as number[],
    volume: [] as number[],
  };
  symbols.forEach((s, k) => {
    for (let d = 0; d < days; d++) {
      const close = 10 * (k + 1) + d * 0.123456789 + 1 / 3;
      const open = close * 0.997;
      c.symbol.push(s);
      c.interval.push("1d");
      c.ts.push(T0 + d * DAY);
      c.open.push(open);
      c.high.push(close * 1.01);
      c.low.push(open * 0.99);
      c.close.push(close);
      c.volume.push(1000 * (d + 1) + k);
    }
  });
  return {
    ...c,
    ts: Float64Array.from(c.ts),
    open: Float64Array.from(c.open),
    high: Float64Array.from(c.high),
    low: Float64Array.from(c.low),
    close: Float64Array.from(c.close),
    volume: Float64Array.from(c.volume),
  };
}

describe("readers", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "arblab-read-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it("timestamps: ISO dates, US dates, offsets converted to UTC, epoch seconds and milliseconds", () => {
    expect(parseTimestamp("2021-01-04")).toBe(T0);
    expect(parseTimestamp("1/4/2021")).toBe(T0);
    expect(parseTimestamp("2021-01-04T09:30:00-05:00")).toBe(T0 + 14.5 * 3_600_000);
    expect(parseTimestamp("2021-01-04T14:30:00Z")).toBe(T0 + 14.5 * 3_600_000);
    expect(parseTimestamp(String(T0 / 1000))).toBe(T0);
    expect(parseTimestamp(String(T0))).toBe(T0);
    expect(parseTimestamp(String(T0 / 1000), "s")).toBe(T0);
    expect(parseTimestamp("2021-02-30")).toBeNull();
    expect(parseTimestamp("yesterday")).toBeNull();
  });

  for (const [shape, ext] of [
    ["long", "csv"],
    ["long", "parquet"],
    ["long", "arrow"],
    ["per-symbol", "csv"],
    ["per-symbol", "parquet"],
    ["wide", "csv"],
    ["wide", "parquet"],
    ["wide", "arrow"],
  ] as const) {
    it(`${shape} ${ext} round-trips bit for bit through writeBars → readBars`, async () => {
      const bars = shape === "per-symbol" ? sampleBars(["AAA"]) : sampleBars();
      const p = join(dir, `rt-${shape}.${ext}`.replace("rt-per-symbol", "AAA"));
      writeBars(p, bars, shape);
      const back = await readBars(p, { format: "auto" });
      expect(back.shape).toBe(shape);
      expect(back.symbols).toEqual([...new Set(bars.symbol)]);
      expect(Array.from(back.bars.ts)).toEqual(Array.from(bars.ts));
      expect(Array.from(back.bars.close)).toEqual(Array.from(bars.close));
      if (shape !== "wide") {
        for (const k of ["open", "high", "low", "volume"] as const) expect(Array.from(back.bars[k])).toEqual(Array.from(bars[k]));
      } else {
        expect(back.bars.volume.every(Number.isNaN)).toBe(true);
      }
    });
  }

  it("reads the original lab's long export (timestamp,symbol,open,high,low,close,volume) with repeated dates", async () => {
    const p = file(
      "lab_export.csv",
      [
        "timestamp,symbol,open,high,low,close,volume",
        "2021-01-04,GLD,180.1,181.2,179.5,180.9,1200",
        "2021-01-04,GDX,35.1,35.9,34.8,35.5,900",
        "2021-01-05,GLD,180.9,182.0,180.0,181.7,1300",
        "2021-01-05,GDX,35.5,36.1,35.2,35.8,950",
      ].join("\n"),
    );
    const r = await readBars(p);
    expect(r.shape).toBe("long");
    const panel = barsToPanel(r.bars);
    expect(panel.symbols).toEqual(["GLD", "GDX"]);
    expect(Array.from(panel.values[1]!)).toEqual([35.5, 35.8]);
    const t = panelTable(panel);
    expect(t.columnNames()).toEqual(["ts", "GLD", "GDX"]);
    expect(t.get("ts", 1)).toBe("2021-01-05");
  });

  it("two per-symbol OHLCV files ingest together, symbols from the file names", async () => {
    const store = await Store.open(":memory:");
    try {
      const gld = file("gld.csv", "Date,Open,High,Low,Close,Volume\n2021-01-04,180,182,179,181,10\n2021-01-05,181,183,180,182,11\n");
      const gdx = file("gdx.csv", "Date,Open,High,Low,Close,Volume\n2021-01-04,35,36,34,35.5,20\n2021-01-05,35.5,36.5,35,36,21\n");
      const report = await ingestFiles(store, [gld, gdx], { universe: "metals" });
      expect(report.inserted).toBe(4);
      const panel = await store.queryPanel({ universe: "metals" });
      expect(panel.symbols).toEqual(["GLD", "GDX"]);
      expect(Array.from(panel.values[1]!)).toEqual([35.5, 36]);
    } finally {
      await store.close();
    }
  });

  it("accepts aliases (Date, Adj Close) and adjusts open/high/low by adjClose/close with field adjClose", async () => {
    const p = file(
      "msft.csv",
      "Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,100,110,90,105,52.5,10\n2021-01-05,105,106,104,105,52.5,11\n",
    );
    const r = await readBars(p, { field: "adjClose" });
    expect(r.symbols).toEqual(["MSFT"]);
    expect(Array.from(r.bars.close)).toEqual([52.5, 52.5]);
    expect(r.bars.open[0]).toBeCloseTo(50, 12);
    expect(r.bars.high[0]).toBeCloseTo(55, 12);
  });

  it("alignment: ffill fills gaps up to maxGap, maxMissingFraction drops sparse symbols, both reported", async () => {
    const p = file("gappy.csv", "date,A,B,C\n2021-01-04,1,1,\n2021-01-05,2,,\n2021-01-06,3,,\n2021-01-07,4,4,4\n");
    const r = await readBars(p);
    expect(r.missingCells).toBe(5);
    const inter = barsToPanel(r.bars, { maxMissingFraction: 0.5 });
    expect(inter.droppedSymbols).toEqual([{ symbol: "C", missingFraction: 0.75 }]);
    expect(Array.from(inter.timestamps)).toEqual([T0, T0 + 3 * DAY]);
    const one = barsToPanel(r.bars, { alignment: "ffill", maxGap: 1, maxMissingFraction: 0.5 });
    expect(Array.from(one.timestamps)).toEqual([T0, T0 + 3 * DAY]);
    const two = barsToPanel(r.bars, { alignment: "ffill", maxGap: 2, maxMissingFraction: 0.5 });
    expect(Array.from(two.values[1]!)).toEqual([1, 1, 1, 4]);
    expect(two.filled).toEqual({ A: 0, B: 2 });
  });
});

describe("bad input: each error names file:line (or the query argument) and the rule; the store is unchanged", () => {
  let dir: string;
  let store: Store;
  let before: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "arblab-bad-"));
    store = await Store.open(join(dir, "s.duckdb"));
    const good = join(dir, "good.csv");
    writeFileSync(good, "timestamp,symbol,open,high,low,close,volume\n2021-01-04,A,1,1,1,1,1\n2021-01-05,A,2,2,2,2,1\n");
    await ingestFiles(store, [good], { universe: "u" });
    before = await store.checksum();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const HEADER = "timestamp,symbol,open,high,low,close,volume";
  const cases: [string, string, RegExp][] = [
    [
      "non-numeric price",
      `${HEADER}\n2021-01-06,A,1,1,1,1,1\n2021-01-07,A,1,1,1,abc,1\n`,
      /bad\.csv:3: column "close": "abc" is not a number/,
    ],
    [
      "duplicate (symbol, timestamp) with different values",
      `${HEADER}\n2021-01-06,A,1,2,1,1,1\n2021-01-06,A,1,2,1,1.5,1\n`,
      /bad\.csv:3: duplicate \(symbol, timestamp\) = \(A, 2021-01-06\) with different values than .*bad\.csv:2/,
    ],
    ["non-positive price", `${HEADER}\n2021-01-06,A,1,1,1,0,1\n`, /bad\.csv:2: column "close": price must be finite and > 0, got 0/],
    [
      "missing required column",
      "timestamp,symbol,open,high,low,volume\n2021-01-06,A,1,1,1,1\n",
      /bad\.csv:1: missing required column "close"/,
    ],
    [
      "truncated file",
      `${HEADER}\n2021-01-06,A,1,1,1,1,1\n2021-01-07,A,1,1`,
      /bad\.csv:3: expected 7 fields as in the header, got 4 \(truncated file\?\)/,
    ],
    ["empty file", "", /bad\.csv: empty file \(no header line\)/],
    ["header only", `${HEADER}\n`, /bad\.csv:1: no data rows after the header/],
    [
      "mixed intervals in one file",
      `${HEADER}\n2021-01-06,A,1,1,1,1,1\n2021-01-06T01:00:00Z,A,1,1,1,1,1\n`,
      /bad\.csv:3: A bar at 2021-01-06T01:00:00.000Z is 60 min after the one at .*bad\.csv:2; interval 1d needs ≥ 1440 min \(mixed intervals in one file\?\)/,
    ],
    ["bad date", `${HEADER}\n2021-13-06,A,1,1,1,1,1\n`, /bad\.csv:2: column "timestamp": "2021-13-06" is not a date/],
    [
      "high below close",
      `${HEADER}\n2021-01-06,A,1,1,1,2,1\n`,
      /bad\.csv:2: columns open\/high\/low\/close: prices must satisfy low ≤ open, close ≤ high/,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, async () => {
      const p = join(dir, "bad.csv");
      writeFileSync(p, text);
      await expect(ingestFiles(store, [p], { universe: "u2" })).rejects.toThrow(message);
      expect(await store.checksum()).toBe(before);
    });
  }

  it("a bad file among good ones writes nothing", async () => {
    const ok = join(dir, "ok.csv"),
      bad = join(dir, "bad2.csv");
    writeFileSync(ok, `${HEADER}\n2021-01-06,B,1,1,1,1,1\n`);
    writeFileSync(bad, `${HEADER}\n2021-01-06,C,1,1,1,-3,1\n`);
    await expect(ingestFiles(store, [ok, bad])).rejects.toThrow(/bad2\.csv:2: column "close": price must be finite and > 0, got -3/);
    expect(await store.checksum()).toBe(before);
  });

  it("a truncated Parquet file names the file and the rule", async () => {
    const p = join(dir, "t.parquet");
    writeBars(p, sampleBars(), "long");
    const { readFileSync } = await import("node:fs");
    writeFileSync(p, readFileSync(p).subarray(0, 200));
    await expect(ingestFiles(store, [p])).rejects.toThrow(/t\.parquet: not a readable Parquet file \(truncated\?\)/);
    expect(await store.checksum()).toBe(before);
  });

  it("a bad value in Parquet names the row group and row", async () => {
    const p = join(dir, "v.parquet");
    const bars = sampleBars();
    const { writeColumns } = await import("../writers/writeBars.js");
    const close = Array.from(bars.close);
    close[4] = -1;
    writeColumns(p, { timestamp: Array.from(bars.ts, (t) => new Date(t).toISOString()), symbol: bars.symbol, close });
    await expect(ingestFiles(store, [p])).rejects.toThrow(
      /v\.parquet: row group 0, row 4: column "close": price must be finite and > 0, got -1/,
    );
    expect(await store.checksum()).toBe(before);
  });

  it("queries: unknown symbol and empty range name the argument", async () => {
    await expect(store.queryPanel({ symbols: ["A", "ZZZ"] })).rejects.toThrow(/Store\.queryPanel: symbols: no 1d bars stored for ZZZ/);
    await expect(store.queryPanel({ universe: "u", startMs: Date.UTC(2030, 0, 1) })).rejects.toThrow(
      /Store\.queryPanel: startMs\.\.endMs: no 1d bars between 2030-01-01/,
    );
    await expect(store.queryPanel({ universe: "u", startMs: 5, endMs: 1 })).rejects.toThrow(/startMs \(5\) must be ≤ endMs \(1\)/);
    await expect(store.queryBars({ symbol: "A", interval: "1d", limit: -1 })).rejects.toThrow(/limit must be an integer/);
  });
});
