/**
 * The research site recomputes in the browser with the same library: build it with Observable
 * Framework (offline), serve docs-site/dist on 127.0.0.1:0, open it in Debian's headless Chromium and
 * check the page's Engle–Granger p-value equals the one Node computes with src/lib on the same data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { coint } from "../src/lib/index.js";

const root = join(import.meta.dirname, "..");
const dist = join(root, "docs-site", "dist");
const CHROMIUM = "/usr/bin/chromium";
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".csv": "text/csv",
  ".json": "application/json",
};

let server: Server;
let browser: Browser;
let base = "";

beforeAll(async () => {
  execFileSync(join(root, "node_modules", ".bin", "observable"), ["build"], { cwd: root, stdio: "pipe" });
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    let file = join(dist, path);
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    if (path.endsWith("/")) file = join(file, "index.html");
    else if (!extname(file)) file += ".html";
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function nodePValue(first: string, second: string): number {
  const lines = readFileSync(join(root, "data", "stock_prices.csv"), "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const i = header.indexOf(first);
  const j = header.indexOf(second);
  const y: number[] = [];
  const x: number[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    const a = Number(cells[i]);
    const b = Number(cells[j]);
    if (cells[i] !== "" && cells[j] !== "" && a > 0 && b > 0) {
      y.push(Math.log(a));
      x.push(Math.log(b));
    }
  }
  return coint(y, x, { trend: "c", autolag: "aic" }).pValue;
}

describe("research site (Observable Framework, headless Chromium)", () => {
  it("the pair explorer computes the Engle–Granger p-value in the browser, equal to Node's", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}/pair-explorer`);
    const marker = page.locator("#explorer-ready");
    await marker.waitFor({ state: "attached", timeout: 60_000 });
    const pValue = Number(await marker.getAttribute("data-pvalue"));
    expect(errors).toEqual([]);
    expect(pValue).toBeGreaterThanOrEqual(0);
    expect(pValue).toBeLessThanOrEqual(1);
    // Same code, same data, same double arithmetic: equal to the last bits we print.
    expect(pValue).toBeCloseTo(nodePValue("EWG", "EWQ"), 12);
    // The chart rendered as SVG with a drawn line.
    expect(await page.locator("svg path").count()).toBeGreaterThan(0);
    await page.close();
  });
});
