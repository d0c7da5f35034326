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
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import {
  avellanedaLeeScores,
  backtestPair,
  coint,
  deflatedSharpe,
  leungLi,
  logReturns,
  maxSharpeWeights,
  probabilityOfBacktestOverfitting,
  solveHjb,
  sweepBacktests,
  tearSheet,
  tlsHedge,
  variance,
  walkForward,
} from "../src/lib/index.js";
import { serveStatic } from "../scripts/site-server.js";
import { PaperSession } from "../src/trading/PaperSession.js";
import { startGateway } from "../src/gateway/startGateway.js";
import { klineEvent } from "../src/data/market/klineFormat.js";

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
let storeDir = "";
let buildChangedTree = true;
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
  // The loaders read the DuckDB store; a fresh one here, so the build initialises it from data/ as
  // on a fresh clone (and the checkout's own .arblab/ store is left alone).
  storeDir = mkdtempSync(join(tmpdir(), "site-store-"));
  const { ARBLAB_HOME: _home, ...rest } = process.env;
  const env = {
    ...rest,
    ARBLAB_STORE: join(storeDir, "store.duckdb"),
    NPM_CONFIG_CACHE: npmCache,
    PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
  };
  const gitStatus = () => execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: root, encoding: "utf8" });
  const statusBefore = gitStatus();
  const observable = join(root, "node_modules", ".bin", "observable");
  const isolated = spawnSync("unshare", ["-n", "true"]).status === 0;
  const started = performance.now();
  if (isolated) execFileSync("unshare", ["-n", observable, "build"], { cwd: root, env, stdio: "pipe" });
  else execFileSync(observable, ["build"], { cwd: root, env, stdio: "pipe" });
  timings.buildSeconds = (performance.now() - started) / 1000;
  timings.buildNetwork = isolated ? "denied (unshare -n)" : "not isolated (unshare unavailable)";
  rmSync(npmCache, { recursive: true, force: true });
  buildChangedTree = gitStatus() !== statusBefore;
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
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

/** Open a page recording console errors, page errors and requests leaving the local server. */
async function open(path: string): Promise<{ page: Page; errors: string[]; outside: string[] }> {
  // Chromium aborts in-flight requests, even to 127.0.0.1, with net::ERR_NETWORK_CHANGED when the
  // host's interfaces change (other containers or namespaces starting on a shared machine). That is
  // not the site's error: such a load is discarded and the page opened again (at most
  // NETWORK_CHANGE_RETRIES times); any other failed request or console error still counts.
  for (let attempt = 0; ; attempt++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const outside: string[] = [];
    let networkChanged = false;
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => {
      if (!r.url().startsWith(`${base}/`) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) outside.push(r.url());
    });
    page.on("requestfailed", (r) => {
      if (r.failure()?.errorText === "net::ERR_NETWORK_CHANGED") networkChanged = true;
    });
    await page.goto(`${base}${path}`, { waitUntil: "load" });
    await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
    if (!networkChanged || attempt >= NETWORK_CHANGE_RETRIES) {
      if (attempt > 0) timings[`networkChangeRetries ${path}`] = attempt;
      return { page, errors, outside };
    }
    await page.close();
  }
}
const NETWORK_CHANGE_RETRIES = 3;

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
        "./walk-forward",
        "./sweeps",
        "./paper-monitor",
      ]),
    );
    expect(errors).toEqual([]);
    // the loaders initialised the empty store given to the build and wrote nothing into the checkout
    expect(existsSync(join(storeDir, "store.duckdb"))).toBe(true);
    expect(buildChangedTree, "the build changed git status of the checkout").toBe(false);
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

    // TLS and Kalman hedges (EWG on EFA): the browser's β and Sharpe are Node's
    const efaRows = etf.aligned("EWG", "EFA");
    const ey = efaRows.map((r) => r.y);
    const ex = efaRows.map((r) => r.x);
    await setInput(page, "hedge", "TLS, full sample");
    const tls = await markerData(page, "explorer-ready", (m) => m.hedge !== rolling.hedge);
    const tlsBeta = tlsHedge(ey, ex).beta;
    close(Number(tls.hedge), tlsBeta, "TLS β");
    const tlsBt = backtestPair({
      y: ey,
      x: ex,
      hedge: { method: "static", beta: tlsBeta },
      rule: { kind: "zscore", entry: 2, exit: 0.5, window: { type: "rolling", length: 60 } },
      costs: { bps: 5 },
      capital: 100_000,
      execution: { fill: "nextClose" },
    });
    close(Number(tls.sharpe), tlsBt.metrics.sharpe, "Sharpe with the TLS hedge");
    await setInput(page, "hedge", "Kalman filter");
    const kalman = await markerData(page, "explorer-ready", (m) => m.sharpe !== tls.sharpe && m.hedge !== tls.hedge);
    const kalmanBt = backtestPair({
      y: ey,
      x: ex,
      hedge: { method: "kalman", delta: 1e-4, ve: 1e-3 },
      rule: { kind: "zscore", entry: 2, exit: 0.5 },
      costs: { bps: 5 },
      capital: 100_000,
      execution: { fill: "nextClose" },
      diagnostics: true,
    });
    close(Number(kalman.sharpe), kalmanBt.metrics.sharpe, "Sharpe with the Kalman hedge");
    close(Number(kalman.hedge), kalmanBt.diagnostics!.hedgeRatios.find(Number.isFinite)!, "first Kalman β");
    await page.screenshot({ path: join(outDir, "pair-explorer-kalman.png"), fullPage: true });

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
    // the loader read the store (initialised from data/ by this build), not the CSV
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text, not the DOM property
    expect(await page.locator("main").innerText()).toContain("DuckDB store");
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
  it("Walk-forward book: the browser's stitched book equals Node's walkForward; top k and costs change it", async () => {
    const opened = await open("/walk-forward");
    const { page } = opened;
    const d = await markerData(page, "walkforward-ready");
    const sp = panelOf("sp100_prices.csv");
    const capital = 1_000_000;
    const wf = walkForward(
      { prices: sp.symbols.map((s) => sp.column(s)), names: sp.symbols },
      {
        formation: 252,
        trading: 63,
        topK: 10,
        fdr: 0.2,
        screens: { nearestPartners: 5 },
        rule: { kind: "zscore", entry: 2, exit: 0.5, stop: 4 },
        allocation: "riskParity",
        costs: { bps: 5 },
        borrowFee: 0.01,
        capital,
      },
    );
    const nodeFinal = wf.oos.equity[wf.oos.equity.length - 1];
    // the loader's walkForward (store data) and the browser's re-run of the fold books (backtestBook)
    close(Number(d.loaderFinalEquity), nodeFinal, "loader final equity", 1e-12);
    close(Number(d.finalEquity), nodeFinal, "browser final equity", 1e-10);
    close(Number(d.sharpe), tearSheet(wf.oos.returns, { periodsPerYear: 252 }).sharpe, "out-of-sample Sharpe", 1e-9);
    expect(Number(d.folds)).toBe(wf.folds.length);
    // attribution sums to the books' P&L
    expect(Math.abs(Number(d.attributed) - Number(d.booksPnl))).toBeLessThanOrEqual(1e-6 * capital);
    timings.walkForwardComputeMs = Number(d.computeMs);
    await setInput(page, "pairs traded per fold (best by p-value)", 3);
    const fewer = await markerData(page, "walkforward-ready", (m) => m.topK === "3");
    expect(fewer.finalEquity).not.toBe(d.finalEquity);
    expect(Math.abs(Number(fewer.attributed) - Number(fewer.booksPnl))).toBeLessThanOrEqual(1e-6 * capital);
    await setInput(page, "cost (bps of net traded notional)", 20);
    const costly = await markerData(page, "walkforward-ready", (m) => m.costBps === "20");
    expect(Number(costly.finalEquity)).toBeLessThan(Number(fewer.finalEquity));
    await finish("walk-forward", opened);
  }, 180_000);

  it("Sweeps: best Sharpe, deflated Sharpe and PBO equal Node's; the grid follows its inputs", async () => {
    const opened = await open("/sweeps");
    const { page } = opened;
    const d = await markerData(page, "sweeps-ready");
    expect(d.error).toBeUndefined();
    const rows = panelOf("stock_prices.csv").aligned("EFA", "VPL");
    const n = Number(d.gridSize);
    const zWindow = [...new Set(Array.from({ length: n }, (_, i) => Math.round(20 * (250 / 20) ** (i / (n - 1)))))];
    const entry = Array.from({ length: n }, (_, i) => Math.round((1 + ((3 - 1) * i) / (n - 1)) * 100) / 100);
    const sweep = sweepBacktests({
      y: rows.map((r) => r.y),
      x: rows.map((r) => r.x),
      space: { hedge: [{ method: "rolling", window: 120 }], zWindow, entry, exit: [0.5], stop: [null] },
      costs: { bps: 5 },
      returns: true,
    });
    const best = sweep.results.reduce((a, b) => (b.sharpe > a.sharpe ? b : a));
    const shape = tearSheet(best.returns!, { periodsPerYear: 252 });
    const dsr = deflatedSharpe({
      sharpe: best.sharpe,
      trials: sweep.results.length,
      sharpeVariance: variance(sweep.results.map((r) => r.sharpe)),
      nObs: rows.length,
      skewness: shape.skewness,
      kurtosis: shape.excessKurtosis + 3,
    });
    const pbo = probabilityOfBacktestOverfitting(
      sweep.results.map((r) => r.returns!),
      { partitions: 12 },
    );
    expect(Number(d.trials)).toBe(sweep.results.length);
    close(Number(d.bestSharpe), best.sharpe, "best Sharpe");
    expect(Number(d.bestWindow)).toBe(best.zWindow);
    expect(Number(d.bestEntry)).toBe(best.entry);
    close(Number(d.dsr), dsr.dsr, "deflated Sharpe", 1e-9);
    close(Number(d.pbo), pbo.pbo, "PBO");
    timings.sweepsComputeMs = Number(d.computeMs);
    await setInput(page, "cost (bps per leg)", 15);
    const costly = await markerData(page, "sweeps-ready", (m) => m.costBps === "15");
    expect(costly.bestSharpe).not.toBe(d.bestSharpe);
    await setInput(page, "grid points per axis", 5);
    const coarse = await markerData(page, "sweeps-ready", (m) => m.gridSize === "5");
    expect(Number(coarse.trials)).toBe(25);
    timings.sweepsComputeMs25 = Number(coarse.computeMs);
    await finish("sweeps", opened);
  }, 180_000);

  it("Paper monitor, recorded: the real engine's session ends at Node's backtestPair equity; the replay day changes the numbers", async () => {
    const opened = await open("/paper-monitor");
    const { page } = opened;
    const d = await markerData(page, "paper-ready");
    expect(d.mode).toBe("recorded");
    expect(d.strategies).toBe("ewg-ewq efa-vpl");
    const etf = panelOf("stock_prices.csv");
    const last = (s: string) => etf.column(s).slice(-500);
    const common = { capital: 100_000, costs: { bps: 5, fixedFee: 1 } };
    const ewg = backtestPair({
      y: last("EWG"),
      x: last("EWQ"),
      ...common,
      hedge: { method: "rolling", window: 60 },
      rule: { kind: "zscore", entry: 1.5, exit: 0, stop: 4, window: { type: "rolling", length: 20 } },
    });
    const efa = backtestPair({
      y: last("EFA"),
      x: last("VPL"),
      ...common,
      hedge: { method: "kalman" },
      rule: { kind: "zscore", entry: 1, exit: 0 },
    });
    const [e0, e1] = d.equities.split(" ").map(Number);
    // the broker sums cash + q·p, the engine marks incrementally: equal up to rounding (paper parity test)
    close(e0, ewg.equity[ewg.equity.length - 1], "EWG/EWQ paper equity vs backtestPair", 1e-9);
    close(e1, efa.equity[efa.equity.length - 1], "EFA/VPL paper equity vs backtestPair", 1e-9);
    expect(Number(d.fills)).toBe(4 * (ewg.trades.pnl.length + efa.trades.pnl.length));
    await setInput(page, "replay up to day", 200);
    const early = await markerData(page, "paper-ready", (m) => m.day === "200");
    expect(Number(early.fills)).toBeLessThan(Number(d.fills));
    expect(early.equities).not.toBe(d.equities);
    await finish("paper-monitor", opened);
  }, 180_000);

  it("Paper monitor, live: a real gateway on 127.0.0.1 pushes fills over /ws and the page shows them", async () => {
    const session = await PaperSession.open({ statePath: ":memory:" });
    const token = "site-test-token-0123456789";
    const gateway = await startGateway({ session, token, host: "127.0.0.1", port: 0 });
    try {
      const opened = await open(`/paper-monitor?gateway=${encodeURIComponent(gateway.url)}&token=${token}`);
      const { page } = opened;
      await page.waitForFunction(() => document.body.textContent?.includes("connected"), null, { timeout: 60_000 });
      const etf = panelOf("stock_prices.csv");
      const ys = etf.column("EWG").slice(0, 300);
      const xs = etf.column("EWQ").slice(0, 300);
      const config = {
        id: "live-ewg-ewq",
        y: "EWG",
        x: "EWQ",
        interval: "1d",
        capital: 100_000,
        costs: { bps: 5 },
        hedge: { method: "rolling" as const, window: 60 },
        rule: { kind: "zscore" as const, entry: 1.5, exit: 0, window: { type: "rolling" as const, length: 20 } },
      };
      let pushed = 0;
      session.on("event", () => pushed++);
      await session.start(config);
      const t0 = Date.UTC(2024, 0, 1);
      for (let i = 0; i < ys.length; i++) {
        const ts = t0 + i * 86_400_000;
        for (const [symbol, close] of [
          ["EWG", ys[i]],
          ["EWQ", xs[i]],
        ] as const)
          session.ingest(
            config.id,
            JSON.stringify(klineEvent({ symbol, ts, open: close, high: close, low: close, close, volume: 0 }, "1d", ts + 86_400_000)),
          );
      }
      await session.idle();
      const fills = (await session.state.fills()).length;
      expect(fills, "the live session must trade for the test to mean anything").toBeGreaterThan(0);
      // every event the session emitted reaches the page (the gateway pushes each one)
      const d = await markerData(page, "paper-ready", (m) => m.mode === "live" && Number(m.events) === pushed);
      expect(Number(d.fills)).toBe(fills);
      close(Number(d.equities), session.strategies()[0].equity, "live equity");
      // the only request outside the static server is the WebSocket to the configured gateway
      opened.outside.splice(0, opened.outside.length, ...opened.outside.filter((u) => !u.startsWith(gateway.url.replace("http", "ws"))));
      await finish("paper-monitor-live", opened);
    } finally {
      await gateway.close();
      await session.close();
    }
  }, 180_000);
});
