/**
 * Test support for src/distributed: a real `redis-server` on 127.0.0.1 with a free port and a temp
 * dir (no persistence), restartable on the same port, and `arblab worker` child processes.
 * Everything started here is stopped by the returned handles.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { loadPricePanel } from "../kernel-helpers/loadPricePanel.js";
import { DISCOVER_QUEUE, redisOptions } from "./wire.js";

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
/** Longest wait for a process to print its ready line (ms). */
export const START_TIMEOUT_MS = 60_000;
/** Short BullMQ locks so a killed worker's shard is retried within ~2 s. */
export const TEST_LOCK_MS = 1500;

/** The first `count` (default all) of the bundled 100 stocks (data/sp100_prices.csv, 945 bars) as columns. */
export function sp100Columns(count?: number): { symbols: string[]; values: Float64Array[] } {
  const p = loadPricePanel(join(ROOT, "data", "sp100_prices.csv"));
  const symbols = p.symbols.slice(0, count ?? p.symbols.length);
  return { symbols, values: symbols.map((s) => Float64Array.from(p.table.array(s) as ArrayLike<number>)) };
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("freePort: no port"))));
    });
  });
}

/** Resolve once `child` writes a line matching `pattern` on `stream`; reject on exit or after timeoutMs. */
function waitForLine(
  child: ChildProcess,
  stream: "stdout" | "stderr",
  pattern: RegExp,
  what: string,
  timeoutMs = START_TIMEOUT_MS,
): Promise<void> {
  return new Promise((resolveLine, reject) => {
    let seen = "";
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${timeoutMs} ms; output:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) done(null);
    };
    const onExit = (code: number | null): void => done(new Error(`${what} exited with ${code} before it was ready; output:\n${seen}`));
    function done(err: Error | null): void {
      clearTimeout(timer);
      child[stream]!.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolveLine();
    }
    child[stream]!.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Wait for a child's exit (bounded: SIGKILL after timeoutMs). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** A redis-server for one test file. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kill -9 the server (state is lost: no persistence). */
  kill(): Promise<void>;
  /** Start it again on the same port. */
  start(): Promise<void>;
  /** Stop it and remove its temp dir. */
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "arblab-redis-"));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const c = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = c;
    await waitForLine(c, "stdout", /Ready to accept connections/, `redis-server on port ${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async kill() {
      if (child) await stopChild(child, "SIGKILL");
      child = null;
    },
    async stop() {
      if (child) await stopChild(child, "SIGTERM");
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Start `arblab worker` (bin/arblab.js, the real CLI) against `redisUrl`; resolves when it is ready.
 * `ownSession`: start it in a session of its own (setsid), as a service manager or a separate
 * terminal would; Linux's autogroup scheduler then gives it its own fair share of a busy machine
 * instead of a part of the caller's (the benchmark; tests keep one session so nothing outlives them).
 */
export async function startWorkerProcess(
  redisUrl: string,
  lockMs: number,
  log?: (line: string) => void,
  extraArgs: readonly string[] = [],
  { ownSession = false }: { readonly ownSession?: boolean } = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, "bin/arblab.js"), "worker", "--lock-ms", String(lockMs), ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ["ignore", "pipe", "pipe"],
    detached: ownSession,
  });
  if (log) child.stderr!.on("data", (chunk: Buffer) => log(chunk.toString()));
  await waitForLine(child, "stderr", /ready on/, "arblab worker");
  return child;
}

/** Job counts of the shard queue in every state. */
export async function queueCounts(redisUrl: string): Promise<Record<string, number>> {
  const queue = new Queue(DISCOVER_QUEUE, { connection: redisOptions(redisUrl) as never });
  try {
    return await queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized", "waiting-children");
  } finally {
    await queue.close();
  }
}

/** Keys of distributed runs (arblab:run:*) left in Redis. */
export async function runKeys(redisUrl: string): Promise<string[]> {
  const client = new Redis(redisOptions(redisUrl) as never);
  try {
    return await client.keys("arblab:run:*");
  } finally {
    client.disconnect();
  }
}

/**
 * Job counts once the queue is empty or `ms` have passed (polled every 100 ms). After a successful
 * run, jobs whose reports arrived may still be finishing (auto-removed on completion); a job held
 * by a killed worker is re-run by the stalled check as "run gone" and removed.
 */
export async function drainedQueueCounts(redisUrl: string, ms: number): Promise<Record<string, number>> {
  const deadline = performance.now() + ms;
  let counts = await queueCounts(redisUrl);
  while (Object.values(counts).some((c) => c > 0) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    counts = await queueCounts(redisUrl);
  }
  return counts;
}
