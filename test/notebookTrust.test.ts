/**
 * A notebook created and saved in the Jupyter UI reopens trusted with its charts, and stays small.
 *
 * Starts Jupyter Notebook the way `npm run lab` does (this checkout's .jupyter/ folders, see
 * scripts/lab-support.ts jupyterEnv), creates notebooks/user/<name>.ipynb (the git-ignored folder
 * for your own notebooks) with 5 charts of 2,000 points through the REST API, then in headless
 * Chromium runs all cells, saves, reloads the page and requires: no "Not Trusted" indicator, all
 * 5 charts drawn without re-running anything, and a saved file under 300 KB. A screenshot of the
 * reopened notebook goes to output/notebook-trust.png. The notebook is not in
 * notebooks/manifest.json, so the notebook tests never run it.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JUPYTER_PYTHON, ROOT, freePort, jupyterEnv, readManifest, stopChild } from "../scripts/lab-support.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
const TOKEN = `trust-test-${process.pid}`;
const CHARTS = 5;
const POINTS = 2000;
const MAX_BYTES = 300 * 1024;
const NAME = `trust-check-${process.pid}.ipynb`;
const FILE = path.join(ROOT, "notebooks", "user", NAME);

const cells = [
  'import { lineChart, show } from "../lib/arbitrage-lab";',
  `function wave(k: number): Float64Array {\n  return Float64Array.from({ length: ${POINTS} }, (_, i) => Math.sin(i / (10 + k)) + i / 997);\n}`,
  ...Array.from({ length: CHARTS }, (_, k) => `show(lineChart([{ name: "wave ${k}", y: wave(${k}) }], { title: "chart ${k}" }));`),
];

let jupyter: ChildProcess | null = null;
let port = 0;

async function api(method: string, route: string, body?: unknown): Promise<Response> {
  const response = await fetch(`http://127.0.0.1:${port}${route}?token=${TOKEN}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

describe("a notebook saved in the UI", () => {
  beforeAll(async () => {
    const install = spawnSync("bash", ["scripts/install-kernel.sh"], { cwd: ROOT, encoding: "utf8" });
    if (install.status !== 0) throw new Error(`scripts/install-kernel.sh failed:\n${install.stderr}`);
    mkdirSync(path.dirname(FILE), { recursive: true });
    port = await freePort();
    const args = ["-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0"];
    args.push(`--notebook-dir=${path.join(ROOT, "notebooks")}`, `--NotebookApp.token=${TOKEN}`, "--NotebookApp.password=");
    if (process.getuid?.() === 0) args.push("--allow-root");
    jupyter = spawn(JUPYTER_PYTHON, args, { cwd: ROOT, env: jupyterEnv(), stdio: "ignore", detached: true });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await api("GET", "/api/status");
        break;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`Jupyter did not answer on port ${port} within 60 s: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const notebook = {
      cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
      metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    await api("PUT", `/api/contents/user/${NAME}`, { type: "notebook", format: "json", content: notebook });
  }, 120_000);

  afterAll(async () => {
    if (port) {
      const sessions = (await api("GET", "/api/sessions")
        .then((r) => r.json())
        .catch(() => [])) as { id: string }[];
      for (const s of sessions) await api("DELETE", `/api/sessions/${s.id}`).catch(() => undefined);
    }
    await stopChild(jupyter);
    rmSync(FILE, { force: true });
  });

  it(`reopens trusted with its ${CHARTS} charts of ${POINTS} points and is < 300 KB; npm test does not run it`, async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      const url = `http://127.0.0.1:${port}/notebooks/user/${NAME}?token=${TOKEN}`;
      const charts = ".arbitrage-lab-plot:has(.main-svg)";
      const loaded = () =>
        page.waitForFunction(
          () => {
            const nb = (window as unknown as { Jupyter?: { notebook?: { _fully_loaded?: boolean; kernel?: { is_connected(): boolean } } } })
              .Jupyter?.notebook;
            return nb?._fully_loaded === true && nb.kernel?.is_connected() === true;
          },
          undefined,
          { timeout: 60_000 },
        );

      const consoleLines: string[] = [];
      page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      /** Wait for all charts drawn; on timeout, fail with what the page shows instead. */
      const waitForCharts = async (step: string, timeout: number): Promise<void> => {
        try {
          await page.waitForFunction(
            (n) => Array.from(document.querySelectorAll(".arbitrage-lab-plot")).filter((el) => el.querySelector(".main-svg")).length === n,
            CHARTS,
            { timeout },
          );
        } catch {
          await page.screenshot({ path: path.join(ROOT, "output", "notebook-trust-failed.png") });
          const shown = await page.evaluate(() => document.querySelector("#notebook-container")?.textContent?.slice(0, 3000) ?? "");
          throw new Error(
            `${step}: ${CHARTS} charts not drawn within ${timeout} ms; page text:\n${shown}\nconsole:\n${consoleLines.slice(-30).join("\n")}`,
          );
        }
      };

      await page.goto(url);
      await loaded();
      await page.evaluate(() =>
        (window as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }).Jupyter.notebook.execute_all_cells(),
      );
      await waitForCharts("after running all cells", 120_000);
      await page.evaluate(() =>
        (window as unknown as { Jupyter: { notebook: { save_notebook(): Promise<unknown> } } }).Jupyter.notebook.save_notebook(),
      );

      const bytes = statSync(FILE).size;
      console.log(`[notebook-trust] saved notebook with ${CHARTS} charts of ${POINTS} points: ${bytes} bytes`);
      expect(bytes, `saved notebook is ${bytes} bytes`).toBeLessThan(MAX_BYTES);

      await page.reload();
      await loaded();
      await waitForCharts("after reopening", 60_000);
      const trusted = await page.evaluate(
        () => (window as unknown as { Jupyter: { notebook: { trusted: boolean } } }).Jupyter.notebook.trusted,
      );
      const indicator = await page.locator("#notification_trusted").textContent();
      await page.screenshot({ path: path.join(ROOT, "output", "notebook-trust.png"), fullPage: false });
      expect(trusted).toBe(true);
      expect(indicator).not.toContain("Not Trusted");
      expect(await page.locator(charts).count()).toBe(CHARTS);
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
    expect(readManifest()).not.toContain(NAME);
    expect(readManifest().some((f) => f.includes("/"))).toBe(false);
    const ignored = spawnSync("git", ["check-ignore", "-q", FILE], { cwd: ROOT });
    expect(ignored.status, "notebooks/user/ is git-ignored").toBe(0);
  }, 300_000);
});
