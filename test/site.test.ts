/**
 * The research site is the lab: build it with Observable Framework with the network denied and an
 * empty npm cache (when `unshare -n` is available: a network namespace with no routes), serve
 * docs-site/dist on 127.0.0.1:0, and open every page of the navigation in Debian's headless Chromium.
 * Each page must render with zero console errors, request nothing outside the local server, draw at
 * least one chart with marks, change its numbers when an input changes, and show, in one case per
 * page, the numbers Node computes with src/lib on the same data. Screenshots go to output/site/.
 * The pair explorer's recompute time after an input change is measured and written to
 * output/site/timings.json (reported, not asserted), as is the build time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { avellanedaLeeScores, backtestPair, coint, leungLi, logReturns, maxSharpeWeights, solveHjb } from "../src/lib/index.js";
import { serveStatic } from "../scripts/site-server.js";

const root = join(import.meta.dirname, "..");
const dist = join(root, "docs-site", "dist");
const outDir = join(root, "output", "site");
const CHROMIUM = "/usr/bin/chromium";
/** Plot mark elements (not axes): a chart "has marks" when one of these exists. */
const MARKS =
  'svg g[aria-label="line"] path, svg g[aria-label="bar"] rect, svg g[aria-label="cell"] rect, svg g[aria-label="dot"] circle, svg g[aria-label="area"] path';

interface Panel {
  symbols: string[];
  dates: Date[];
  column(symbol: string): number[];
  aligned(a: string, b: string): { date: Date; y: number; x: number }[];
  complete(symbols: string[]): { dates: Date[]; rows: number[][] };
}
type PanelModule = { loadPanel(text: string): Panel; DATASETS: { file: string }[] };

let server: Server;
let browser: Browser;
let base = "";
let panels: PanelModule;
const timings: Record<string, number | string> = {};

function panelOf(file: string): Panel {
  return panels.loadPanel(readFileSync(join(root, "data", file), "utf8"));
}

beforeAll(async () => {
  panels = (await import(join(root, "docs-site", "components", "panel.js") as string)) as PanelModule;
  // Offline build from a clean Framework cache and an empty npm cache.
  rmSync(join(root, "docs-site", ".observablehq", "cache"), { recursive: true, force: true });
  rmSync(dist, { recursive: true, force: true });
  const npmCache = mkdtempSync(join(tmpdir(), "site-npm-cache-"));
  const env = { ...process.env, NPM_CONFIG_CACHE: npmCache, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` };
  const observable = join(root, "node_modules", ".bin", "observable");
  const isolated = spawnSync("unshare", ["-n", "true"]).status === 0;
  const started = performance.now();
  if (isolated) execFileSync("unshare", ["-n", observable, "build"], { cwd: root, env, stdio: "pipe" });
  else execFileSync(observable, ["build"], { cwd: root, env, stdio: "pipe" });
  timings.buildSeconds = (performance.now() - started) / 1000;
  timings.buildNetwork = isolated ? "denied (unshare -n)" : "not isolated (unshare unavailable)";
  rmSync(npmCache, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  ({ server, url: base } = await serveStatic(dist, "127.0.0.1", 0));
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
}, 240_000);

afterAll(async () => {
  writeFileSync(join(outDir, "timings.json"), `${JSON.stringify(timings, null, 2)}\n`);
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Open a page recording console errors, page errors and requests leaving the local server. */
async function open(path: string): Promise<{ page: Page; errors: string[]; outside: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const outside: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => {
    if (!r.url().startsWith(`${base}/`) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) outside.push(r.url());
  });
  await page.goto(`${base}${path}`);
  return { page, errors, outside };
}

/** The data-* attributes of a marker element, once it is attached (and optionally once `until` holds). */
async function markerData(
  page: Page,
  id: string,
  until: (d: Record<string, string>) => boolean = () => true,
): Promise<Record<string, string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const data = await page.evaluate((sel) => {
      const el = document.getElementById(sel);
      return el ? ({ ...el.dataset } as Record<string, string>) : null;
    }, id);
    if (data && until(data)) return data;
    if (Date.now() > deadline) throw new Error(`#${id} did not appear (or did not change) within 60 s; last ${JSON.stringify(data)}`);
    await page.waitForTimeout(100);
  }
}

/** Set an Observable Input found by its label text ("range", "select", "radio" or "toggle"). */
async function setInput(page: Page, label: string, value: string | number | boolean): Promise<void> {
  const ok = await page.evaluate(
    ([label, value]) => {
      for (const form of Array.from(document.querySelectorAll("form"))) {
        const text = form.querySelector("label")?.textContent ?? "";
        if (!text.startsWith(label as string)) continue;
        const select = form.querySelector("select");
        const range = form.querySelector("input[type=range]") as HTMLInputElement | null;
        const number = form.querySelector("input[type=number]") as HTMLInputElement | null;
        const checkbox = form.querySelector("input[type=checkbox]") as HTMLInputElement | null;
        const radios = form.querySelectorAll("input[type=radio]");
        if (select) {
          const index = Array.from(select.options).findIndex((o: HTMLOptionElement) => o.textContent === String(value));
          if (index < 0) return false;
          select.selectedIndex = index;
          select.dispatchEvent(new Event("input", { bubbles: true }));
        } else if (radios.length) {
          const radio = Array.from(radios).find((r: Element) => r.parentElement?.textContent?.trim() === String(value)) as
            | HTMLInputElement
            | undefined;
          if (!radio) return false;
          radio.checked = true;
          radio.dispatchEvent(new Event("input", { bubbles: true }));
        } else if (range) {
          range.value = String(value);
          range.dispatchEvent(new Event("input", { bubbles: true }));
        } else if (number) {
          number.value = String(value);
          number.dispatchEvent(new Event("input", { bubbles: true }));
        } else if (checkbox) {
          checkbox.checked = Boolean(value);
          checkbox.dispatchEvent(new Event("input", { bubbles: true }));
        } else return false;
        return true;
      }
      return false;
    },
    [label, value] as const,
  );
  if (!ok) throw new Error(`no input labelled "${label}" accepts ${JSON.stringify(value)}`);
}

/** Checks every page shares: no errors, nothing fetched from outside, a chart with marks, a screenshot. */
async function finish(name: string, opened: { page: Page; errors: string[]; outside: string[] }): Promise<void> {
  const { page, errors, outside } = opened;
  await page.waitForTimeout(300);
  expect(await page.locator(MARKS).count(), `${name}: a chart with marks`).toBeGreaterThan(0);
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  expect(errors, `${name}: console errors`).toEqual([]);
  expect(outside, `${name}: requests outside the local server`).toEqual([]);
  await page.close();
}

function close(actual: number, expected: number, what: string, tol = 1e-12): void {
  const delta = Math.abs(actual - expected);
  if (!(delta <= tol * Math.max(1, Math.abs(expected)))) throw new Error(`${what}: browser ${actual}, Node ${expected}, delta ${delta}`);
}

describe("research site (Observable Framework, offline build, headless Chromium)", () => {
  it("builds offline (time reported in output/site/timings.json) and lists the lab's pages in its navigation", async () => {
    const { page, errors } = await open("/");
    await markerData(page, "home-ready");
    const links = await page.locator("#observablehq-sidebar a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(links).toEqual(
      expect.arrayContaining([
        "./",
        "./data-browser",
        "./pair-explorer",
        "./discovery",
        "./optimal-levels",
        "./backtest-lab",
        "./portfolio",
        "./pca-arbitrage",
      ]),
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("Home: universe sizes equal the bundled files' column counts", async () => {
    const opened = await open("/");
    const d = await markerData(opened.page, "home-ready");
    const total = panels.DATASETS.reduce((s, ds) => s + panelOf(ds.file).symbols.length, 0);
    expect(Number(d.universes)).toBe(5);
    expect(Number(d.instruments)).toBe(total);
    await finish("home", opened);
  }, 180_000);

  it("Data: the symbol view follows the input and shows the file's last close", async () => {
    const opened = await open("/data-browser");
    const first = await markerData(opened.page, "data-ready");
    const etf = panelOf("stock_prices.csv");
    expect(first.symbol).toBe("EEM");
    expect(Number(first.last)).toBe(etf.column("EEM").at(-1));
    await setInput(opened.page, "symbol", "SPY");
    const second = await markerData(opened.page, "data-ready", (d) => d.symbol === "SPY");
    expect(Number(second.last)).toBe(etf.column("SPY").at(-1));
    expect(second.last).not.toBe(first.last);
    await finish("data", opened);
  }, 180_000);

  it("Pair explorer: Engle–Granger p-value and backtest equal Node's; recompute timed; same symbol twice gives one message", async () => {
    const opened = await open("/pair-explorer");
    const { page } = opened;
    const d = await markerData(page, "explorer-ready");
    const etf = panelOf("stock_prices.csv");
    const rows = etf.aligned("EWG", "EWQ");
    const y = rows.map((r) => r.y);
    const x = rows.map((r) => r.x);
    const eg = coint(y, x, { trend: "c", autolag: "aic" });
    close(Number(d.pvalue), eg.pValue, "EG p-value");
    const bt = backtestPair({
      y,
      x,
      hedge: { method: "static", beta: eg.beta[0] },
      rule: { kind: "zscore", entry: 2, exit: 0.5, window: { type: "rolling", length: 60 } },
      costs: { bps: 5 },
      capital: 100_000,
      execution: { fill: "nextClose" },
    });
    close(Number(d.sharpe), bt.metrics.sharpe, "backtest Sharpe");
    timings.pairExplorerComputeMsInitial = Number(d.computeMs);

    // Recompute after an input change, end to end in the browser: from the input event to the
    // page's last cell (the marker) showing the new pair. 2,141 days for EWG/EFA.
    const elapsed = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const form = Array.from(document.querySelectorAll("form")).find((f) =>
            (f.querySelector("label")?.textContent ?? "").startsWith("x (hedge leg)"),
          )!;
          const select = form.querySelector("select")!;
          const observer = new MutationObserver(() => {
            const m = document.getElementById("explorer-ready");
            if (m?.dataset.x === "EFA") {
              observer.disconnect();
              resolve(performance.now() - t0);
            }
          });
          observer.observe(document.body, { childList: true, subtree: true, attributes: true });
          const t0 = performance.now();
          select.selectedIndex = Array.from(select.options).findIndex((o) => o.textContent === "EFA");
          select.dispatchEvent(new Event("input", { bubbles: true }));
        }),
    );
    const changed = await markerData(page, "explorer-ready", (m) => m.x === "EFA");
    timings.pairExplorerRecomputeMs = elapsed;
    timings.pairExplorerComputeMs = Number(changed.computeMs);
    timings.pairExplorerDays = etf.aligned("EWG", "EFA").length;
    expect(changed.pvalue).not.toBe(d.pvalue);

    await setInput(page, "hedge", "Rolling OLS");
    const rolling = await markerData(page, "explorer-ready", (m) => m.hedge !== changed.hedge);
    expect(Number(rolling.hedge)).not.toBe(Number(changed.hedge));

    await setInput(page, "x (hedge leg)", "EWG");
    const same = await markerData(page, "explorer-ready", (m) => m.x === "EWG");
    expect(same.error).toMatch(/two different instruments/);
    expect(await page.locator(".lab-error").count()).toBe(1);
    // No stale results of the previous pair stay on the page.
    expect(await page.getByText("observations (both legs present)").count()).toBe(0);
    expect(await page.locator(MARKS).count()).toBe(0);
    await page.screenshot({ path: join(outDir, "pair-explorer-same-symbol.png"), fullPage: true });
    await setInput(page, "x (hedge leg)", "EWQ");
    await markerData(page, "explorer-ready", (m) => m.x === "EWQ" && m.pvalue !== undefined);
    expect(await page.locator(".lab-error").count()).toBe(0);
    await finish("pair-explorer", opened);
  }, 180_000);

  it("Discovery: the loader's p-values equal Node's coint; the screen follows its inputs; rows link to the explorer", async () => {
    const opened = await open("/discovery");
    const { page } = opened;
    const d = await markerData(page, "discovery-ready");
    const sp = panelOf("sp100_prices.csv");
    const rows = sp.aligned(d.firstY, d.firstX);
    const eg = coint(
      rows.map((r) => Math.log(r.y)),
      rows.map((r) => Math.log(r.x)),
      { trend: "c", autolag: "aic" },
    );
    close(Number(d.firstP), eg.pValue, `${d.firstY}/${d.firstX} p-value`);
    await setInput(page, "p-value at most", 0.01);
    const tighter = await markerData(page, "discovery-ready", (m) => m.screened !== d.screened);
    expect(Number(tighter.screened)).toBeLessThan(Number(d.screened));
    const href = await page.locator('a[href*="pair-explorer?data=sp100_prices.csv"]').first().getAttribute("href");
    expect(href).toMatch(/y=\w+&x=\w+/);
    await finish("discovery", opened);
  }, 180_000);

  it("Optimal levels: Leung–Li and HJB levels equal Node's and move with κ", async () => {
    const opened = await open("/optimal-levels");
    const { page } = opened;
    const d = await markerData(page, "optimal-ready");
    const params = { kappa: 8.5, theta: 0.54, sigma: 0.16, r: 0.05, c: 0.02 };
    close(Number(d.exit), leungLi(params).exitLevel, "Leung–Li exit");
    close(Number(d.hjbExit), solveHjb(params).exitLevel, "HJB exit");
    await setInput(page, "κ (speed, per year)", 15);
    const faster = await markerData(page, "optimal-ready", (m) => m.kappa === "15");
    close(Number(faster.exit), leungLi({ ...params, kappa: 15 }).exitLevel, "Leung–Li exit at κ = 15");
    expect(faster.exit).not.toBe(d.exit);
    await finish("optimal-levels", opened);
  }, 180_000);

  it("Backtest lab: metrics equal Node's backtestPair and move with costs", async () => {
    const opened = await open("/backtest-lab");
    const { page } = opened;
    const d = await markerData(page, "backtest-ready");
    const rows = panelOf("stock_prices.csv").aligned("EFA", "VPL");
    const input = {
      y: rows.map((r) => r.y),
      x: rows.map((r) => r.x),
      hedge: { method: "rolling", window: 120 } as const,
      rule: { kind: "zscore", entry: 2, exit: 0.5, stop: 4, window: { type: "rolling", length: 60 } } as const,
      costs: { bps: 5, slippageBps: 0, fixedFee: 1 },
      capital: 100_000,
      sizing: { method: "capital", leverage: 1 } as const,
      risk: {},
      execution: { fill: "nextClose" } as const,
    };
    const bt = backtestPair(input);
    close(Number(d.sharpe), bt.metrics.sharpe, "Sharpe");
    close(Number(d.finalEquity), bt.equity[bt.equity.length - 1], "final equity");
    // The displayed figures, as a reader sees them (totalReturn is already in percent).
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text, not the DOM property
    const text = await page.locator("main").innerText();
    expect(text).toContain(`${bt.metrics.totalReturn.toFixed(2)} %`);
    expect(text).toContain(`${(100 * bt.metrics.maxDrawdown).toFixed(2)} %`);
    await setInput(page, "cost (bps per leg)", 20);
    const costly = await markerData(page, "backtest-ready", (m) => m.finalEquity !== d.finalEquity);
    const bt2 = backtestPair({ ...input, costs: { ...input.costs, bps: 20 } });
    close(Number(costly.finalEquity), bt2.equity[bt2.equity.length - 1], "final equity at 20 bps");
    await finish("backtest-lab", opened);
  }, 180_000);

  it("Portfolio: the max-Sharpe portfolio equals Node's and CARA weights move with γ", async () => {
    const opened = await open("/portfolio");
    const { page } = opened;
    const d = await markerData(page, "portfolio-ready");
    const assets = d.assets.split(" ");
    const prices = panelOf("stock_prices.csv").complete(assets);
    const columns = assets.map((_, j) => logReturns(prices.rows.map((r) => r[j])));
    const total = columns[0].length;
    const returns = Array.from({ length: 400 }, (_, t) => columns.map((c) => c[total - 400 + t]));
    close(Number(d.sharpe), maxSharpeWeights(returns, { constraints: { longOnly: false }, shrinkage: "none" }).sharpe, "max-Sharpe Sharpe");
    await setInput(page, "CARA risk aversion γ", 200);
    const averse = await markerData(page, "portfolio-ready", (m) => m.gamma === "200");
    expect(averse.cara0).not.toBe(d.cara0);
    await finish("portfolio", opened);
  }, 180_000);

  it("PCA statistical arbitrage: s-scores equal Node's avellanedaLeeScores and move with the factor count", async () => {
    const opened = await open("/pca-arbitrage");
    const { page } = opened;
    const d = await markerData(page, "pca-ready");
    const etf = panelOf("stock_prices.csv");
    const prices = etf.complete(etf.symbols);
    const columns = etf.symbols.map((_, j) => logReturns(prices.rows.map((r) => r[j])));
    const returns = Array.from({ length: columns[0].length }, (_, t) => columns.map((c) => c[t]));
    const node = avellanedaLeeScores(returns, {
      factors: 5,
      correlationWindow: 252,
      regressionWindow: 60,
      entry: 1.25,
      end: Number(d.asOf),
    });
    close(Number(d.s0), node.sScore[0], "s-score of the first stock");
    await setInput(page, "factors (eigenportfolios)", 3);
    const fewer = await markerData(page, "pca-ready", (m) => m.factors === "3");
    expect(fewer.s0).not.toBe(d.s0);
    await finish("pca-arbitrage", opened);
  }, 180_000);
});
