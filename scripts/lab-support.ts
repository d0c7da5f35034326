/**
 * Process plumbing shared by `npm run lab` (scripts/lab.ts) and `npm run test:notebooks`
 * (scripts/test-notebooks.ts): start the gRPC server as a child process, wait for its
 * grpc.health.v1 check, stop children cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "../src/client/index.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Jupyter's Python (Debian); the `python3` first on PATH may be another interpreter. */
export const JUPYTER_PYTHON = process.env.LAB_PYTHON ?? "/usr/bin/python3";

/**
 * Environment for Jupyter and its kernels: the project-local folders that scripts/install-kernel.sh
 * fills (.jupyter/ in the checkout, git-ignored), so this checkout's "tslab" kernelspec is found
 * first and nothing is read from or written to the per-user or system-wide Jupyter folders that
 * another checkout may use. Every other variable is inherited.
 */
export function jupyterEnv(root = ROOT, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const data = path.join(root, ".jupyter", "data");
  return {
    ...base,
    JUPYTER_DATA_DIR: data,
    JUPYTER_PATH: data,
    JUPYTER_CONFIG_DIR: path.join(root, ".jupyter", "config"),
    JUPYTER_RUNTIME_DIR: path.join(root, ".jupyter", "runtime"),
  };
}

/** An ephemeral TCP port that was free a moment ago on `host`. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("freePort: no port"))));
    });
  });
}

/** True when nothing listens on host:port. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Health of a gRPC server at host:port ("SERVING", ...) or null when it does not answer in time. */
export async function grpcHealth(host: string, port: number, timeoutMs: number): Promise<string | null> {
  try {
    const lab = await connect({ host, port, waitForReadyMs: timeoutMs });
    try {
      return await lab.checkHealth();
    } finally {
      lab.close();
    }
  } catch {
    return null;
  }
}

/**
 * Start `npm run server`'s entry (src/server/main.ts) bound to host:port, metrics off unless set.
 * It runs from its esbuild bundle, rebuilt when a bundled source changed (scripts/cached-bundle.mjs):
 * no tsx loader, ~2.5 s less CPU to SERVING.
 */
export function spawnGrpcServer(host: string, port: number, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, "scripts", "cached-bundle.mjs"), "server"], {
    cwd: ROOT,
    env: {
      ...process.env,
      GRPC_BIND_ADDRESS: `${host}:${port}`,
      METRICS_PORT: process.env.METRICS_PORT ?? "-1",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      ...extraEnv,
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true, // own process group: a terminal Ctrl-C reaches only the parent, which stops it in order
  });
}

/** Wait until the server at host:port reports SERVING, failing early if `child` exits. */
export async function waitForServing(host: string, port: number, child: ChildProcess | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child?.once("exit", (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`gRPC server exited with code ${exited} before becoming healthy`);
    const status = await grpcHealth(host, port, 1000);
    if (status === "SERVING") return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gRPC server at ${host}:${port} not SERVING after ${timeoutMs} ms`);
}

/** SIGTERM a child (its process group when detached), SIGKILL after `graceMs`; resolves when it has exited. */
export function stopChild(child: ChildProcess | null, graceMs = 8000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    signal("SIGTERM");
  });
}

/**
 * The shipped notebooks, from notebooks/manifest.json ({"notebooks": ["01-….ipynb", …]}): only these
 * run, so a notebook a user saves (notebooks/user/, git-ignored) never fails `npm test`.
 */
export function readManifest(file = path.join(ROOT, "notebooks", "manifest.json")): string[] {
  const where = path.relative(ROOT, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${where}: cannot read the notebook manifest (${error instanceof Error ? error.message : String(error)})`);
  }
  const list = (parsed as { notebooks?: unknown }).notebooks;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${where}: "notebooks" must be a non-empty array of file names`);
  for (const name of list) {
    if (typeof name !== "string" || !/^[\w.-]+\.ipynb$/.test(name)) {
      throw new Error(`${where}: each entry of "notebooks" must be an .ipynb file name in notebooks/, got ${JSON.stringify(name)}`);
    }
    if (!existsSync(path.join(path.dirname(file), name))) throw new Error(`${where}: ${name} does not exist in notebooks/`);
  }
  if (new Set(list).size !== list.length) throw new Error(`${where}: "notebooks" lists a file twice`);
  return list as string[];
}
