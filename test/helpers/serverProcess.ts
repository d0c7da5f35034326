/**
 * A real server in its own process, for the tests that must observe the server alone: fuzz
 * ("the process stays alive") and load ("server RSS growth"). Runs E1's `startServer` under tsx
 * with --expose-gc and answers line commands on stdin with one JSON line on stdout:
 *   "gc"    -> a full GC in every pool worker (ComputePool.collectGarbage) and the main thread, a
 *              pause of GC_SETTLE_MS, the same again (global.gc() twice in the main thread), then
 *              { rss, heapUsed, external, main, workers } (bytes, after GC;
 *              main and workers[k] are each isolate's HeapNumbers, src/server/heapNumbers.ts)
 *   "mem"   -> { rss, heapUsed, external } without GC
 *   "pool"  -> the compute pool's stats()
 *   "discovery" -> { activeStreams, pairsTested, activeTasks, completed } (DiscoverPairs gauges + pool)
 *   "store" -> the price store's stats() (assets, points, bytes, maxBytes, evictedAssets)
 *   "close" -> graceful close, { closed: true }, exit 0
 * Closing stdin (parent died) also closes the server.
 * Launch with `spawnServerProcess(config)` from the test process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "../../src/server/config.js";
import { heapNumbers } from "../../src/server/heapNumbers.js";

const SELF = fileURLToPath(import.meta.url);
/** Pause between the two garbage collections of the "gc" command before RSS is read (see there). */
const GC_SETTLE_MS = 1000;

export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly metricsPort: number | null;
  readonly child: ChildProcess;
  /** Send a command, resolve with its JSON answer. */
  command<T = Record<string, number>>(cmd: "gc" | "mem" | "pool" | "discovery" | "store" | "close"): Promise<T>;
  /** True while the OS process exists and has not exited. */
  alive(): boolean;
  /** Graceful close; kills the process (by its pid) if it does not exit within 10 s. */
  stop(): Promise<void>;
}

/** Start the server in a child process; resolves once it listens. */
export async function spawnServerProcess(config: Partial<ServerConfig> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", SELF, JSON.stringify(config)], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ARBLAB_SERVER_PROCESS: "1" },
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`server process exited with code ${code} before answering`));
      child.once("exit", onExit);
      waiting.push((line) => {
        child.off("exit", onExit);
        resolve(line);
      });
    });
  const ready = JSON.parse(await nextLine()) as { port: number; metricsPort: number | null };
  const command = async <T>(cmd: string): Promise<T> => {
    const answer = nextLine();
    child.stdin!.write(`${cmd}\n`);
    return JSON.parse(await answer) as T;
  };
  return {
    pid: child.pid!,
    port: ready.port,
    metricsPort: ready.metricsPort,
    child,
    command,
    alive: () => !exited && child.exitCode === null && child.signalCode === null,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      try {
        await command("close");
      } catch {
        // already gone
      }
      await done;
      clearTimeout(timer);
    },
  };
}

// ---- child side -------------------------------------------------------------------------------
if (process.env.ARBLAB_SERVER_PROCESS === "1" && process.argv[1] === SELF) {
  const { startServer } = await import("../../src/server/startServer.js");
  const config = JSON.parse(process.argv[2] ?? "{}") as Partial<ServerConfig>;
  const server = await startServer({ bindAddress: "127.0.0.1:0", metricsPort: 0, logLevel: "silent", ...config });
  const gc = (globalThis as { gc?: () => void }).gc;
  const memory = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
  };
  process.stdout.write(`${JSON.stringify({ port: server.port, metricsPort: server.metricsPort })}\n`);
  const input = createInterface({ input: process.stdin });
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.stdout.write(`${JSON.stringify({ closed: true })}\n`);
    process.exit(0);
  };
  input.on("line", (line) => {
    const cmd = line.trim();
    if (cmd === "gc") {
      // the workers' heaps too (RSS covers every thread), then the main thread's; then again after
      // GC_SETTLE_MS: V8 frees dead ArrayBuffers' backing stores on a background sweeper after the
      // GC returns and closed connections release their buffers as their sessions end, so RSS read
      // at once swung by −4…+17 % between identical load runs; read after the settle and a second
      // collection it was −0.5…+0.2 % (test/load.test.ts, 3 runs each, 2026-12-05)
      void (async () => {
        await server.pool.collectGarbage();
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, GC_SETTLE_MS));
        const workers = await server.pool.collectGarbage();
        gc?.();
        gc?.();
        process.stdout.write(`${JSON.stringify({ ...memory(), main: heapNumbers(), workers })}\n`);
      })();
    } else if (cmd === "mem") {
      process.stdout.write(`${JSON.stringify(memory())}\n`);
    } else if (cmd === "pool") {
      process.stdout.write(`${JSON.stringify(server.pool.stats())}\n`);
    } else if (cmd === "discovery") {
      void Promise.all([server.metrics.discoveryActiveStreams.get(), server.metrics.discoveryPairsTested.get()]).then(
        ([streams, tested]) => {
          const sum = (m: { values: { value: number }[] }) => m.values.reduce((a, v) => a + v.value, 0);
          const pool = server.pool.stats();
          process.stdout.write(
            `${JSON.stringify({ activeStreams: sum(streams), pairsTested: sum(tested), activeTasks: pool.activeTasks, completed: pool.completed })}\n`,
          );
        },
      );
    } else if (cmd === "store") {
      process.stdout.write(`${JSON.stringify(server.store.stats())}\n`);
    } else if (cmd === "close") {
      void close();
    } else {
      process.stdout.write(`${JSON.stringify({ error: `unknown command ${cmd}` })}\n`);
    }
  });
  input.on("close", () => void close());
}
