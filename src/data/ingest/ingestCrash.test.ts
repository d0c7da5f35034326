import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../store/Store.js";
import { ingestFiles } from "./ingestFiles.js";

/** Symbols × days of the large file: 1.26M rows, a write of several seconds on the reference machine. */
const SYMBOLS = 500;
const DAYS = 2520;

async function writeLargeLongCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write("timestamp,symbol,open,high,low,close,volume\n");
  const t0 = Date.UTC(2010, 0, 4);
  for (let d = 0; d < DAYS; d++) {
    const date = new Date(t0 + d * 86_400_000).toISOString().slice(0, 10);
    const lines: string[] = [];
    for (let s = 0; s < SYMBOLS; s++) {
      const c = (100 + s + Math.sin(d / 7 + s)).toFixed(4);
      lines.push(`${date},S${s},${c},${c},${c},${c},${1000 + s}`);
    }
    if (!out.write(`${lines.join("\n")}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

describe("kill -9 during a large ingest", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "arblab-kill-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the store opens afterwards with exactly its previous contents (checksum)", async () => {
    const storePath = join(dir, "store.duckdb");
    const small = join(dir, "small.csv");
    writeFileSync(small, "timestamp,symbol,open,high,low,close,volume\n2021-01-04,KEEP,1,1,1,1,1\n2021-01-05,KEEP,2,2,2,2,1\n");
    const store = await Store.open(storePath);
    await ingestFiles(store, [small], { universe: "keep" });
    const before = await store.checksum();
    await store.close();

    const big = join(dir, "big.csv");
    await writeLargeLongCsv(big);
    const child = spawn(process.execPath, ["--import", "tsx", new URL("./ingestChild.ts", import.meta.url).pathname, storePath, big], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "";
    child.stderr.on("data", (b) => {
      stderr += String(b);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (b) => {
        stdout += String(b);
        // The file is validated and the write transaction is under way: kill it 150 ms in.
        if (stdout.includes("READ"))
          setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 150);
      });
      child.on("exit", () => reject(new Error(`child exited before the write began: ${stderr}`)));
    });
    const signal = await exited;
    expect(signal).toBe("SIGKILL");
    // If the write had committed before the kill, the test proves nothing: it must not have.
    expect(stdout).not.toContain("DONE");

    const reopened = await Store.open(storePath);
    try {
      expect(await reopened.checksum()).toBe(before);
      expect(await reopened.listSymbols()).toEqual(["KEEP"]);
      // And it still takes writes.
      expect((await ingestFiles(reopened, [small])).unchanged).toBe(2);
    } finally {
      await reopened.close();
    }
  }, 300_000);
});
