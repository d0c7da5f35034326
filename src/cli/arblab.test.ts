import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benjaminiHochberg, coint, fitOu, hurst } from "../lib/index.js";
import { Store } from "../data/index.js";
import { arblab, initialisedStore } from "./testSupport.js";

describe("arblab CLI", () => {
  let dir: string;
  let store: string;
  let remove = (): void => {};
  beforeAll(async () => {
    ({ dir, store, remove } = await initialisedStore("arblab-cli-"));
  }, 300_000);
  afterAll(() => remove());

  it("--help on every command (in process) and through the bin shim", async () => {
    const { createProgram } = await import("./arblab.js");
    for (const args of [
      [],
      ["init"],
      ["ingest"],
      ["universe"],
      ["universe", "list"],
      ["universe", "show"],
      ["universe", "create"],
      ["discover"],
      ["backtest"],
      ["sweep"],
      ["walk-forward"],
    ]) {
      const program = createProgram();
      let text = "";
      const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
      for (const c of all(program))
        c.exitOverride().configureOutput({
          writeOut: (s) => {
            text += s;
          },
          writeErr: (s) => {
            text += s;
          },
        });
      await expect(program.parseAsync(["node", "arblab", ...args, "--help"])).rejects.toMatchObject({ code: "commander.helpDisplayed" });
      expect(text, args.join(" ")).toMatch(new RegExp(`^Usage: arblab ${args.join(" ")}`));
    }
    const r = await arblab(store, "discover", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: arblab discover/);
  }, 120_000);

  it("errors go to stderr with exit code 1 and name the argument", async () => {
    const r = await arblab(store, "discover", "--symbols", "AAPL,NOPE");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^arblab: Store\.queryPanel: symbols: no 1d bars stored for NOPE/);
    const both = await arblab(store, "discover", "--universe", "sp100", "--symbols", "A,B");
    expect(both.stderr).toMatch(/give exactly one of --universe and --symbols/);
  }, 60_000);

  it("universe list/show/create with --json", async () => {
    const list = JSON.parse((await arblab(store, "--json", "universe", "list")).stdout) as { name: string; size: number }[];
    expect(list.find((u) => u.name === "sp100")?.size).toBe(100);
    const created = await arblab(store, "--json", "universe", "create", "metals", "--symbols", "GLD,GDX", "--description", "gold");
    expect(created.code, created.stderr).toBe(0);
    const show = JSON.parse((await arblab(store, "--json", "universe", "show", "metals")).stdout);
    expect(show.members.map((m: { symbol: string }) => m.symbol)).toEqual(["GLD", "GDX"]);
    expect(show.members[0]).toMatchObject({ bars: 75, first: "2015-08-24", assetClass: "commodity-etf" });
  }, 60_000);

  it("discover over the bundled 100 stocks gives the library's statistics (coint, BH q-values, Hurst, OU half-life)", async () => {
    const out = join(dir, "pairs.json");
    const r = await arblab(store, "--json", "discover", "--universe", "sp100", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(readFileSync(out, "utf8")) as {
      symbol1: string;
      symbol2: string;
      pValue: number;
      qValue: number;
      statistic: number;
      beta: number;
      halfLife: number | null;
      hurst: number | null;
      isCointegrated: boolean;
    }[];
    expect(rows).toHaveLength(4950);
    // The library, called directly on the same aligned prices.
    const db = await Store.open(store);
    const panel = await db.queryPanel({ universe: "sp100" });
    await db.close();
    const col = new Map(panel.symbols.map((sym, i) => [sym, panel.values[i]!]));
    const byPair = new Map(rows.map((row) => [`${row.symbol1}/${row.symbol2}`, row]));
    const pValues: number[] = [];
    const keys: string[] = [];
    for (let i = 0; i < panel.symbols.length; i++) {
      for (let j = i + 1; j < panel.symbols.length; j++) {
        const key = `${panel.symbols[i]}/${panel.symbols[j]}`;
        const row = byPair.get(key)!;
        expect(row, key).toBeDefined();
        const eg = coint(col.get(panel.symbols[i]!)!, col.get(panel.symbols[j]!)!, { trend: "c", autolag: "aic" });
        // Same function on the same doubles: bit-identical (JSON keeps doubles exactly).
        expect(row.pValue, key).toBe(eg.pValue);
        expect(row.statistic, key).toBe(eg.statistic);
        expect(row.beta, key).toBe(eg.beta[0]);
        pValues.push(eg.pValue);
        keys.push(key);
        if (row.isCointegrated) {
          expect(row.hurst, key).toBe(hurst(eg.residuals, { method: "variance" }).H);
          if (row.halfLife !== null) expect(row.halfLife, key).toBe(fitOu(eg.residuals, { dt: 1 / 252 }).halfLifeSteps);
        } else {
          expect(row.hurst, key).toBeNull();
        }
      }
    }
    const q = benjaminiHochberg(pValues);
    keys.forEach((key, k) => expect(byPair.get(key)!.qValue, key).toBe(q[k]));
    expect(rows.filter((row) => row.isCointegrated).length).toBeGreaterThan(0);
  }, 600_000);
});
