import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaperSession } from "./PaperSession.js";
import { PaperState } from "./PaperState.js";
import { backtestOf, expectedFills, parityConfigs, startMarketFixture, type MarketFixture } from "./testSupport.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Fills the first run prints before it is killed: mid-replay (each strategy makes dozens). */
const KILL_AFTER_FILLS = 25;

let market: MarketFixture;
let dir: string;

beforeAll(async () => {
  market = await startMarketFixture();
  dir = mkdtempSync(join(tmpdir(), "arblab-paper-crash-"));
});

afterAll(async () => {
  await market?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `arblab paper start` as a child process (tsx), with its stdout lines. */
function startEngine(
  configPath: string,
  statePath: string,
): { child: ChildProcess; lines: string[]; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/arblab.ts",
      "paper",
      "start",
      "--config",
      configPath,
      "--state",
      statePath,
      "--market",
      market.service.url,
      "--port",
      "0",
      "--exit-when-done",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ARBLAB_PAPER_TOKEN: "crash-test-token-0123456789" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: string[] = [];
  let buffered = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() as string;
    lines.push(...parts);
    child.emit("lines");
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, lines, exited };
}

describe("paper trading crash safety", () => {
  it("kill -9 of the engine mid-replay, restart: the same fills, positions and P&L as an uninterrupted run, none lost or duplicated", async () => {
    const configs = parityConfigs(market.times);
    const configPath = join(dir, "strategies.json");
    writeFileSync(configPath, JSON.stringify(configs));

    // uninterrupted reference run (in process)
    const reference = await PaperSession.open({ statePath: join(dir, "reference.duckdb"), marketUrl: market.service.url });
    for (const config of configs) await reference.start(config);
    await Promise.all(configs.map((c) => reference.ended(c.id)));
    const referenceFills = await reference.state.fills();
    const referenceAccounts = await Promise.all(configs.map((c) => reference.state.account(c.id)));
    await reference.close();

    // first run: killed with SIGKILL once it has printed KILL_AFTER_FILLS fills
    const statePath = join(dir, "paper.duckdb");
    const first = startEngine(configPath, statePath);
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (first.lines.filter((l) => l.startsWith('{"type":"fill"')).length >= KILL_AFTER_FILLS) {
          first.child.kill("SIGKILL");
          resolve();
        }
      };
      first.child.on("lines", check);
      first.exited.then((r) => reject(new Error(`the engine exited before the kill: ${JSON.stringify(r)}`)));
    });
    const killed = await first.exited;
    expect(killed.signal).toBe("SIGKILL");
    const midway = await PaperState.open(statePath);
    const fillsAtKill = (await midway.fills()).length;
    await midway.close();
    expect(fillsAtKill, "the kill must land mid-replay").toBeGreaterThanOrEqual(KILL_AFTER_FILLS);
    expect(fillsAtKill).toBeLessThan(referenceFills.length);

    // restart: resumes every strategy after its last stored bar and runs to the end
    const second = startEngine(configPath, statePath);
    const done = await second.exited;
    expect(done.code, done.stderr).toBe(0);

    const state = await PaperState.open(statePath);
    try {
      const fills = await state.fills();
      const ids = fills.map((f) => f.fillId);
      expect(new Set(ids).size, "no duplicated fill").toBe(ids.length);
      expect(fills).toEqual(referenceFills);
      for (const [i, config] of configs.entries()) {
        const account = await state.account(config.id);
        expect(account, config.id).toEqual(referenceAccounts[i]);
        // and both equal the backtest's fills
        const mine = fills
          .filter((f) => f.strategyId === config.id)
          .map((f) => ({ symbol: f.symbol, quantity: f.quantity, price: f.price, ts: f.ts }));
        expect(mine).toEqual(expectedFills(backtestOf(config, market.ys, market.xs), config, market.times));
      }
      const bars = await Promise.all(configs.map((c) => state.bars(c.id)));
      for (const b of bars) expect(b.map((r) => r.seq)).toEqual(market.times.map((_, i) => i));
    } finally {
      await state.close();
    }
  }, 120_000);
});
