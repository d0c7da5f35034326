import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPricePanel, parseIsoDate } from "./loadPricePanel.js";

const dir = mkdtempSync(path.join(tmpdir(), "panel-"));
function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("loadPricePanel", () => {
  const a = csv("a.csv", "Date,A,B\n1/3/2020,10,\n1/2/2020,9,20\n1/6/2020,11,22\n1/7/2020,NA,23\n");
  const b = csv("b.csv", "Date,C\n2020-01-02,5\n2020-01-03,6\n2020-01-07,7\n");

  it("parses M/D/YYYY and ISO dates, sorts ascending and drops rows with any missing price by default", () => {
    const p = loadPricePanel(a);
    expect(p.dates).toEqual(["2020-01-02", "2020-01-06"]);
    expect(Array.from(p.prices("A"))).toEqual([9, 11]);
    expect(p.missingCounts).toEqual({ A: 1, B: 1 });
    expect(p.droppedDates).toBe(2);
    expect(p.table.columnNames()).toEqual(["date", "A", "B"]);
  });

  it("forward-fills when asked, dropping only dates before a symbol's first price", () => {
    const p = loadPricePanel(a, { missing: "forward-fill" });
    expect(p.dates).toEqual(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"]);
    expect(Array.from(p.prices("B"))).toEqual([20, 20, 22, 23]);
    expect(Array.from(p.prices("A"))).toEqual([9, 10, 11, 11]);
  });

  it("keeps NaN under 'keep' and aligns several files on their common dates", () => {
    const p = loadPricePanel([a, b], { missing: "keep", symbols: ["C", "A"] });
    expect(p.dates).toEqual(["2020-01-02", "2020-01-03", "2020-01-07"]);
    expect(p.symbols).toEqual(["C", "A"]);
    expect(Array.from(p.prices("A"))).toEqual([9, 10, NaN]);
  });

  it("drops symbols below minCoverage and filters by date range", () => {
    const sparse = csv("sparse.csv", "Date,C,D\n2020-01-02,1,\n2020-01-03,2,\n2020-01-06,3,\n2020-01-07,4,9\n");
    const p = loadPricePanel(sparse, { minCoverage: 0.5 });
    expect(p.droppedSymbols).toEqual(["D"]);
    expect(p.symbols).toEqual(["C"]);
    expect(p.dates.length).toBe(4);
    expect(() => loadPricePanel(sparse, { minCoverage: 1.5 })).toThrow(/options.minCoverage must be in \[0, 1\], got 1.5/);
    const q = loadPricePanel(a, { start: "2020-01-03", end: "2020-01-06", missing: "forward-fill", symbols: ["A"] });
    expect(q.dates).toEqual(["2020-01-03", "2020-01-06"]);
  });

  it("reads the bundled data (stock_prices.csv: 23 ETFs, no gaps)", () => {
    const p = loadPricePanel(path.resolve("data/stock_prices.csv"));
    expect(p.symbols.length).toBe(23);
    expect(p.dates[0]).toBe("2008-01-02");
    expect(Object.values(p.missingCounts).every((n) => n === 0)).toBe(true);
  });

  it("names the function, the argument and the requirement in errors", () => {
    expect(() => loadPricePanel(a, { symbols: ["Z"] })).toThrow(/loadPricePanel: symbol "Z" is not in/);
    expect(() => loadPricePanel(a, { missing: "zero" as never })).toThrow(/options.missing must be "drop", "forward-fill" or "keep"/);
    expect(() => loadPricePanel(csv("dup.csv", "Date,A\n2020-01-02,1\n1/2/2020,2\n"))).toThrow(/has date 2020-01-02 twice/);
    expect(() => loadPricePanel(path.join(dir, "missing.csv"))).toThrow(/loadPricePanel: cannot read/);
    expect(() => parseIsoDate("2020-02-30", "test")).toThrow(/invalid calendar date/);
    expect(() => loadPricePanel(a).prices("Q")).toThrow(/prices\("Q"\): not in the panel/);
  });
});
