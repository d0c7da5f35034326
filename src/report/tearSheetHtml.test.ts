import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tearSheet } from "../lib/report/tearSheet.js";
import { normalSource, randomSource } from "../lib/util/random.js";
import { tearSheetHtml } from "./tearSheetHtml.js";

const CHROMIUM = "/usr/bin/chromium";
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

function sample(n: number, seed: number): { returns: number[]; benchmark: number[]; timestamps: number[] } {
  const normal = normalSource(randomSource(seed));
  const returns = Array.from({ length: n }, () => 0.0004 + 0.01 * normal());
  const benchmark = Array.from({ length: n }, () => 0.0002 + 0.008 * normal());
  const start = Date.UTC(2022, 0, 3);
  const timestamps = Array.from({ length: n }, (_, k) => start + k * 86_400_000);
  return { returns, benchmark, timestamps };
}

describe("tearSheetHtml writes one self-contained offline page", () => {
  const { returns, benchmark, timestamps } = sample(500, 1);
  const attribution = [
    { name: "KO/PEP", pnl: 0.031 },
    { name: "XOM/CVX", pnl: -0.012 },
    { name: "<script>alert(1)</script>", pnl: 0.004 },
  ];
  const trades = [
    { pair: "KO/PEP", entry: "2022-02-01", exit: "2022-02-15", side: "long", pnl: 0.004 },
    { pair: "XOM/CVX", entry: "2022-03-01", exit: "2022-03-09", side: "short", pnl: -0.002 },
  ];
  const html = tearSheetHtml(returns, { periodsPerYear: 252, benchmark, timestamps, attribution, trades, title: "Book & test" });

  it("references nothing outside itself and has no script", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*"(?!#)/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;"); // names are escaped
    expect(html).toContain("<title>Book &amp; test</title>");
  });

  it("renders in Chromium with zero network requests, every chart present, and the library's numbers", async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.setContent(html, { waitUntil: "load" });
    const headings = await page.locator("h2").allTextContents();
    expect(headings).toEqual([
      "Metrics",
      "Equity (log scale)",
      "Underwater (drawdown)",
      "Monthly returns",
      "Rolling Sharpe (63 periods)",
      "Return distribution",
      "Per-pair attribution",
      "Trades (2)",
    ]);
    expect(await page.locator("svg").count()).toBe(5); // equity, underwater, rolling Sharpe, histogram, attribution
    // the heatmap has one row per year in the data and the trades table one row per trade
    const sheet = tearSheet(returns, { periodsPerYear: 252, benchmark, timestamps });
    const years = new Set(sheet.monthly.map((m) => m.year)).size;
    expect(await page.locator("table.heatmap tbody tr").count()).toBe(years);
    expect(await page.locator("table.trades tbody tr").count()).toBe(2);
    const sharpeCell = await page
      .locator("table.metrics tr", { hasText: /^Sharpe/ })
      .locator("td")
      .textContent();
    expect(sharpeCell).toBe(sheet.sharpe.toFixed(2));
    const histogramBars = await page.locator("section", { hasText: "Return distribution" }).locator("rect").count();
    expect(histogramBars).toBe(40);
    expect(requests.filter((u) => !u.startsWith("about:") && !u.startsWith("data:"))).toEqual([]);
    await page.close();
  }, 60_000);

  it("without timestamps, attribution and trades those sections are replaced or left out", () => {
    const plain = tearSheetHtml(returns, { periodsPerYear: 252 });
    expect(plain).toContain("No timestamps were given");
    expect(plain).not.toContain("Per-pair attribution");
    expect(plain).not.toContain("Trades (");
  });

  it("rejects bad options with the function's name", () => {
    expect(() => tearSheetHtml(returns, { periodsPerYear: 252, histogramBins: 1 })).toThrow(
      /tearSheetHtml: histogramBins must be an integer in \[2, 1000\], got 1/,
    );
    expect(() => tearSheetHtml([0.1], { periodsPerYear: 252 })).toThrow(/tearSheet: returns must have at least 2 observations, got 1/);
  });
});
