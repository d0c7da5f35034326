/**
 * The site's build-time universe source (docs-site/loaders/universe.ts): it reads the DuckDB store,
 * initialises an empty store from data/ (as `arblab init`), names the store and the universe when a
 * non-empty store lacks it, and falls back to the bundled CSV (saying so) when another process holds
 * the store. Real DuckDB files in a temp directory; the holder is a real second process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadUniverse } from "../docs-site/loaders/universe.js";
import { Store } from "../src/data/index.js";

const root = join(import.meta.dirname, "..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "site-universe-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bundled CSV as { symbols, columns } (every cell of these two files is a positive price). */
function csv(file: string): { symbols: string[]; dates: string[]; columns: number[][] } {
  const lines = readFileSync(join(root, "data", file), "utf8")
    .trim()
    .split(/\r?\n/);
  const symbols = lines[0].split(",").slice(1);
  const rows = lines.slice(1).map((l) => l.split(","));
  return { symbols, dates: rows.map((r) => r[0].slice(0, 10)), columns: symbols.map((_, j) => rows.map((r) => Number(r[j + 1]))) };
}

describe("loadUniverse (site loaders' store reader)", () => {
  it("initialises an empty store from data/ and then returns the bundled prices exactly", async () => {
    const store = join(dir, "fresh.duckdb");
    const first = await loadUniverse("stock_prices.csv", { store });
    expect(first.source).toMatch(/DuckDB store .*universe etf23, initialised from data\//);
    const expected = csv("stock_prices.csv");
    expect(first.symbols).toEqual(expected.symbols);
    expect(first.dates).toEqual(expected.dates);
    first.columns.forEach((c, j) => expect(Array.from(c), first.symbols[j]).toEqual(expected.columns[j]));
    const second = await loadUniverse("sp100_prices.csv", { store });
    expect(second.source).not.toMatch(/initialised/);
    expect(second.symbols.length).toBe(100);
    expect(second.dates.length).toBe(csv("sp100_prices.csv").dates.length);
  }, 60_000);

  it("a non-empty store without the universe is an error naming the store and the universe", async () => {
    const path = join(dir, "other.duckdb");
    const s = await Store.open(path);
    await s.upsertBars([{ symbol: "ZZZ", interval: "1d", ts: Date.UTC(2020, 0, 2), open: 1, high: 1, low: 1, close: 1, volume: 1 }], {
      source: "test",
    });
    await s.createUniverse("mine", ["ZZZ"]);
    await s.close();
    await expect(loadUniverse("sp100_prices.csv", { store: path })).rejects.toThrow(
      /other\.duckdb has no universe "sp100" \(it has mine\)/,
    );
    await expect(loadUniverse("nope.csv", { store: path })).rejects.toThrow(/loadUniverse: file must be one of .*got "nope.csv"/);
  }, 60_000);

  it("a store held by another process: after waitMs the bundled CSV, with the reason in source", async () => {
    const path = join(dir, "held.duckdb");
    await loadUniverse("gld_gdx_data.csv", { store: path }); // create and initialise it
    const holder: ChildProcess = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("${join(root, "src/data/index.ts")}").then(async ({ Store }) => { await Store.open(${JSON.stringify(path)}); console.log("held"); setInterval(() => {}, 1000); });`,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d) => String(d).includes("held") && resolve());
        holder.on("exit", (code) => reject(new Error(`the holder process exited with ${code}`)));
      });
      const panel = await loadUniverse("stock_prices.csv", { store: path, waitMs: 500 });
      expect(panel.source).toMatch(/^data\/stock_prices\.csv \(bundled CSV: the store .*held\.duckdb was busy\)$/);
      expect(panel.symbols).toEqual(csv("stock_prices.csv").symbols);
    } finally {
      holder.kill();
    }
  }, 60_000);
});
