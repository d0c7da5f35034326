/**
 * `arblab report` and `arblab discover`'s screens through the bin shim on a fresh store (the
 * bundled data): the HTML file is written, holds the library's metrics and references nothing
 * outside itself; discover's screens give library screenPairs' survivors and counts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analysePair, backtestAnalysedPair, screenPairs, tearSheet } from "../lib/index.js";
import { Store } from "../data/index.js";
import { arblab, initialisedStore } from "./testSupport.js";

/** Every src/href/url() target in the page, and any http(s) URL at all. */
function externalReferences(html: string): string[] {
  const refs = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]!);
  const urls = [...html.matchAll(/url\(([^)]*)\)/gi)].map((m) => m[1]!);
  return [...refs, ...urls, ...(html.match(/https?:\/\//gi) ?? [])].filter((r) => !r.startsWith("#") && !r.startsWith("data:"));
}

describe("arblab report and discover screens", () => {
  let dir: string;
  let store: string;
  let remove = (): void => {};
  beforeAll(async () => {
    ({ dir, store, remove } = await initialisedStore("arblab-report-"));
  }, 300_000);
  afterAll(() => remove());

  it("a pair's backtest: the file holds the library's tear-sheet metrics and references nothing outside", async () => {
    const out = join(dir, "pair.html");
    const r = await arblab(store, "--json", "report", "--universe", "etf23", "--symbols", "FXI,VGK", "--significance", "0.2", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { metrics: Record<string, number | null>; out: string };
    const db = await Store.open(store);
    const panel = await db.queryPanel({ symbols: ["FXI", "VGK"] });
    await db.close();
    const y = panel.values[0]!;
    const x = panel.values[1]!;
    const options = { significance: 0.2 };
    const a = analysePair(y, x, options);
    expect(a.failedAt).toBeNull();
    const bt = backtestAnalysedPair(y, x, a, options);
    const sheet = tearSheet(bt.returns, { periodsPerYear: 252, timestamps: panel.timestamps });
    for (const key of ["totalReturn", "cagr", "volatility", "sharpe", "maxDrawdown", "winRate", "n"] as const) {
      expect(printed.metrics[key], key).toBe(Number.isFinite(sheet[key]) ? sheet[key] : null);
    }
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain(`${(100 * sheet.totalReturn).toFixed(2)}%`);
    expect(html).toContain(`${(100 * sheet.maxDrawdown).toFixed(2)}%`);
    expect(html).toContain("Pair FXI / VGK");
    expect(html).toMatch(/Trades \(\d+\)/);
    expect(html).not.toMatch(/<script/i);
    expect(externalReferences(html)).toEqual([]);
  }, 120_000);

  it("a returns CSV: metrics equal tearSheet on the file's returns; bad input names file:line", async () => {
    const csv = join(dir, "returns.csv");
    const returns = Array.from({ length: 300 }, (_, t) => 0.001 * Math.sin(t / 7) + 0.0004 * ((t * 7919) % 13) - 0.002);
    const dates = returns.map((_, t) => new Date(Date.UTC(2021, 0, 1) + t * 86_400_000).toISOString().slice(0, 10));
    writeFileSync(csv, `date,return\n${returns.map((v, t) => `${dates[t]},${v}`).join("\n")}\n`);
    const out = join(dir, "returns.html");
    const r = await arblab(store, "--json", "report", "--returns", csv, "--periods-per-year", "365", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { metrics: Record<string, number | null> };
    const sheet = tearSheet(returns, { periodsPerYear: 365, timestamps: dates.map((d) => Date.parse(`${d}T00:00:00Z`)) });
    expect(printed.metrics.sharpe).toBe(sheet.sharpe);
    expect(printed.metrics.sortino).toBe(sheet.sortino);
    expect(printed.metrics.valueAtRisk95).toBe(sheet.valueAtRisk95);
    const html = readFileSync(out, "utf8");
    expect(html).toContain(`${(100 * sheet.cagr).toFixed(2)}%`);
    expect(externalReferences(html)).toEqual([]);

    writeFileSync(csv, "date,return\n2021-01-01,0.01\n2021-01-02,abc\n");
    const bad = await arblab(store, "report", "--returns", csv, "--out", out);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/returns\.csv:3: return must be a finite number, got "abc"/);
    const neither = await arblab(store, "report", "--out", out);
    expect(neither.stderr).toMatch(/report: give exactly one of --symbols A,B \(a backtest\) and --returns FILE/);
    const noHtml = await arblab(store, "report", "--returns", csv, "--out", join(dir, "x.txt"));
    expect(noHtml.stderr).toMatch(/report: --out must end in \.html/);
  }, 120_000);

  it("discover --ssd-k --half-life --min-crossings --same-sector: screenPairs' survivors and counts", async () => {
    const out = join(dir, "screened.json");
    const r = await arblab(
      store,
      "--json",
      "discover",
      "--universe",
      "sp100",
      "--ssd-k",
      "3",
      "--half-life",
      "1,126",
      "--min-crossings",
      "20",
      "--same-sector",
      "--out",
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { summary: { removed: Record<string, number>; pairs: number; candidates: number } };
    const rows = JSON.parse(readFileSync(out, "utf8")) as { symbol1: string; symbol2: string }[];
    const db = await Store.open(store);
    const panel = await db.queryPanel({ universe: "sp100" });
    const sectors: Record<string, string> = {};
    for (const i of await db.listInstruments(panel.symbols)) if (i.sector) sectors[i.symbol] = i.sector;
    await db.close();
    const lib = screenPairs(
      { symbols: panel.symbols, prices: panel.values },
      { sectors, nearestPartners: 3, halfLifeBand: { min: 1, max: 126 }, minMeanCrossings: 20 },
    );
    expect(printed.summary.removed).toEqual(lib.removed);
    expect(printed.summary.candidates).toBe(4950);
    expect(printed.summary.pairs).toBe(lib.pairs.length / 2);
    expect(lib.removed.sector).toBeGreaterThan(0);
    const expected = [];
    for (let k = 0; k < lib.pairs.length; k += 2) expected.push(`${panel.symbols[lib.pairs[k]!]}/${panel.symbols[lib.pairs[k + 1]!]}`);
    expect(rows.map((row) => `${row.symbol1}/${row.symbol2}`).sort()).toEqual(expected.sort());
    const bad = await arblab(store, "discover", "--universe", "sp100", "--half-life", "5,2");
    expect(bad.stderr).toMatch(/discover: --half-life must be MIN,MAX bars with 0 <= MIN <= MAX/);
  }, 300_000);

  it("discover --hedge rolling --hedge-window N / --hedge kalman: analysePair's numbers for each pair", async () => {
    const symbols = ["FXI", "VGK", "EFA", "VPL"];
    const db = await Store.open(store);
    const panel = await db.queryPanel({ symbols });
    await db.close();
    const column = (s: string) => panel.values[panel.symbols.indexOf(s)]!;
    for (const [flags, options] of [
      [["--hedge", "rolling", "--hedge-window", "60"], { hedge: "rolling" as const, hedgeWindow: 60 }],
      [
        ["--hedge", "kalman", "--kalman-delta", "1e-5", "--kalman-ve", "0.05"],
        { hedge: "kalman" as const, hedgeDelta: 1e-5, hedgeVe: 0.05 },
      ],
    ] as const) {
      const out = join(dir, `dynamic-${options.hedge}.json`);
      const r = await arblab(store, "--json", "discover", "--symbols", symbols.join(","), ...flags, "--out", out);
      expect(r.code, r.stderr).toBe(0);
      const rows = JSON.parse(readFileSync(out, "utf8")) as {
        symbol1: string;
        symbol2: string;
        beta: number;
        hurst: number;
        pValue: number;
      }[];
      expect(rows.length).toBe(6);
      for (const row of rows) {
        const a = analysePair(column(row.symbol1), column(row.symbol2), options);
        expect([row.beta, row.pValue], `${row.symbol1}/${row.symbol2}`).toEqual([a.beta, a.pValue]);
        if (!Number.isNaN(a.hurst)) expect(row.hurst).toBe(a.hurst);
      }
    }
    const missing = await arblab(store, "discover", "--symbols", symbols.join(","), "--hedge", "rolling");
    expect(missing.stderr).toMatch(/discover: --hedge-window is required with --hedge "rolling"/);
  }, 300_000);

  it("backtest and report take the same hedge flags: the pipeline's numbers; bad flags are named", async () => {
    const db = await Store.open(store);
    const panel = await db.queryPanel({ symbols: ["FXI", "VGK"] });
    await db.close();
    const y = panel.values[0]!;
    const x = panel.values[1]!;
    const kalman = { significance: 0.2, hedge: "kalman" as const, hedgeDelta: 1e-5, hedgeVe: 0.05 };
    const bt = await arblab(
      store,
      "--json",
      "backtest",
      "--pair",
      "FXI,VGK",
      "--significance",
      "0.2",
      "--hedge",
      "kalman",
      "--kalman-delta",
      "1e-5",
      "--kalman-ve",
      "0.05",
    );
    expect(bt.code, bt.stderr).toBe(0);
    const printed = JSON.parse(bt.stdout) as { hedge: string; beta: number; pValue: number; success: boolean };
    const a = analysePair(y, x, kalman);
    expect(printed.hedge).toBe("kalman");
    expect([printed.beta, printed.pValue]).toEqual([a.beta, a.pValue]);
    expect(printed.success).toBe(a.failedAt === null);

    const rolling = { significance: 0.2, hedge: "rolling" as const, hedgeWindow: 60 };
    const out = join(dir, "rolling.html");
    const rep = await arblab(
      store,
      "--json",
      "report",
      "--symbols",
      "FXI,VGK",
      "--significance",
      "0.2",
      "--hedge",
      "rolling",
      "--hedge-window",
      "60",
      "--out",
      out,
    );
    expect(rep.code, rep.stderr).toBe(0);
    const r = analysePair(y, x, rolling);
    expect(r.failedAt).toBeNull();
    const sheet = tearSheet(backtestAnalysedPair(y, x, r, rolling).returns, { periodsPerYear: 252, timestamps: panel.timestamps });
    const report = JSON.parse(rep.stdout) as { metrics: Record<string, number | null>; source: { hedge: string } };
    expect(report.source.hedge).toBe("rolling");
    expect(report.metrics.sharpe).toBe(sheet.sharpe);
    expect(report.metrics.totalReturn).toBe(sheet.totalReturn);

    for (const [args, message] of [
      [["backtest", "--pair", "FXI,VGK", "--hedge", "rolling"], /backtest: --hedge-window is required with --hedge "rolling"/],
      [["backtest", "--pair", "FXI,VGK", "--hedge", "kalman", "--kalman-delta", "2"], /backtest: --kalman-delta must be < 1, got 2/],
      [["backtest", "--pair", "FXI,VGK", "--cost=-0.1"], /backtest: --cost must be a positive number, got -0.1/],
      [["backtest", "--pair", "FXI,VGK", "--significance", "abc"], /backtest: --significance must be a positive number, got NaN/],
      [
        ["report", "--symbols", "FXI,VGK", "--hedge", "ols", "--hedge-window", "60"],
        /report: --hedge-window applies to --hedge "rolling" only/,
      ],
      [["report", "--symbols", "FXI,VGK", "--hedge", "magic"], /report: --hedge must be one of/],
    ] as const) {
      const bad = await arblab(store, ...args);
      expect(bad.code, args.join(" ")).toBe(1);
      expect(bad.stderr, args.join(" ")).toMatch(message);
    }
  }, 300_000);
});
