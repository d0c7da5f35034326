import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store } from "../../data/store/Store.js";
import { syntheticBars } from "../../data/market/testSupport.js";
import { grpcHealth } from "../../../scripts/lab-support.js";
import { PairTestRequest } from "../../server/generated/pair_discovery.js";
import { connectClients, unary } from "../../server/testSupport.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "bin", "arblab.js");
const T0 = Date.UTC(2024, 0, 1);
const BARS = 2100;
const START_TIMEOUT_MS = 60_000;
/** Each test spawns up to three `arblab` processes (tsx compiles on start): generous on a shared 2-core machine. */
const CLI_TEST_TIMEOUT_MS = 240_000;

let dir: string;
let servedStore: string;

function arblab(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Run to completion; stdout, stderr and the exit code. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = arblab(args);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d));
    child.stderr!.on("data", (d: Buffer) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Start `arblab serve` on ephemeral ports and wait for its JSON address line. */
async function startServe(): Promise<{ child: ChildProcess; marketData: string; grpc: string; exited: Promise<number | null> }> {
  const child = arblab(["--store", servedStore, "--json", "serve", "--port", "0", "--grpc", "127.0.0.1:0", "--metrics-port", "-1"]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  const addresses = await new Promise<{ marketData: string; grpc: string }>((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(
      () => reject(new Error(`arblab serve printed no addresses within ${START_TIMEOUT_MS} ms; stderr: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on("data", (d: Buffer) => {
      buffered += d;
      for (const line of buffered.split("\n")) {
        if (!line.startsWith("{")) continue;
        const parsed = JSON.parse(line);
        if (parsed.marketData) {
          clearTimeout(timer);
          resolve(parsed);
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`arblab serve exited with ${code}: ${stderr}`));
    });
  });
  return { child, exited, ...addresses };
}

async function expectStopped(marketData: string, grpc: string): Promise<void> {
  await expect(fetch(`${marketData}/health`)).rejects.toThrow();
  const [host, port] = [grpc.slice(0, grpc.lastIndexOf(":")), Number(grpc.slice(grpc.lastIndexOf(":") + 1))];
  expect(await grpcHealth(host, port, 1000)).toBeNull();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "arblab-serve-"));
  servedStore = join(dir, "served.duckdb");
  const store = await Store.open(servedStore);
  await store.upsertBars(syntheticBars("BTCUSDT", "1m", T0, BARS, { seed: 3, startPrice: 42_000 }), { source: "test" });
  await store.upsertBars(syntheticBars("ETHUSDT", "1m", T0, BARS, { seed: 4, startPrice: 2_300 }), { source: "test" });
  await store.createUniverse("crypto", ["BTCUSDT", "ETHUSDT"]);
  await store.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("arblab serve + arblab ingest-exchange", () => {
  it(
    "serve runs the gRPC server and the market-data service; ingest-exchange --url downloads from it; SIGTERM stops both",
    async () => {
      const served = await startServe();
      try {
        expect(await (await fetch(`${served.marketData}/health`)).json()).toMatchObject({ status: "ok", symbols: 2 });
        const [host, port] = [
          served.grpc.slice(0, served.grpc.lastIndexOf(":")),
          Number(served.grpc.slice(served.grpc.lastIndexOf(":") + 1)),
        ];
        expect(await grpcHealth(host, port, 5000)).toBe("SERVING");
        // The gRPC server reads universes from the same store.
        const clients = connectClients(port);
        try {
          const tested = await unary(
            clients.pairs,
            clients.pairs.testPair,
            PairTestRequest.fromPartial({ symbol1: "BTCUSDT", symbol2: "ETHUSDT", universe: "crypto", interval: "1m" }),
          );
          expect(tested.nObservations).toBe(BARS);
        } finally {
          clients.close();
        }

        const target = join(dir, "ingested.duckdb");
        const args = [
          "--store",
          target,
          "--json",
          "ingest-exchange",
          "--exchange",
          "binance",
          "--symbols",
          "BTC/USDT",
          "--interval",
          "1m",
          "--since",
          "2024-01-01",
          "--until",
          String(T0 + (BARS - 1) * 60_000),
          "--url",
          served.marketData,
        ];
        const first = await run(args);
        expect(first.code, first.stderr).toBe(0);
        const result = JSON.parse(first.stdout);
        expect(result.symbols[0]).toMatchObject({ symbol: "BTC/USDT", storeSymbol: "BTCUSDT", pages: 3, bars: BARS, inserted: BARS });
        const again = JSON.parse((await run(args)).stdout);
        expect(again.symbols[0]).toMatchObject({ resumed: true, inserted: 0 });
        const check = await Store.open(target);
        try {
          expect(await check.queryBars({ symbol: "BTCUSDT", interval: "1m" })).toHaveLength(BARS);
        } finally {
          await check.close();
        }

        served.child.kill("SIGTERM");
        expect(await served.exited).toBe(0);
        await expectStopped(served.marketData, served.grpc);
      } finally {
        if (served.child.exitCode === null) served.child.kill("SIGKILL");
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "Ctrl-C (SIGINT) stops both and releases the store",
    async () => {
      const served = await startServe();
      try {
        served.child.kill("SIGINT");
        expect(await served.exited).toBe(0);
        await expectStopped(served.marketData, served.grpc);
        const reopened = await Store.open(servedStore); // DuckDB's file lock is gone with the process
        await reopened.close();
      } finally {
        if (served.child.exitCode === null) served.child.kill("SIGKILL");
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "ingest-exchange rejects bad options naming them",
    async () => {
      const missing = await run(["--store", join(dir, "x.duckdb"), "ingest-exchange", "--symbols", "BTC/USDT", "--interval", "1m"]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/--since/);
      const badSince = await run([
        "--store",
        join(dir, "x.duckdb"),
        "ingest-exchange",
        "--symbols",
        "BTC/USDT",
        "--interval",
        "1m",
        "--since",
        "last tuesday",
      ]);
      expect(badSince.code).not.toBe(0);
      expect(badSince.stderr).toMatch(/--since must be a date/);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
