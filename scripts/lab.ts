/**
 * `npm run lab` (after `bash scripts/bootstrap.sh lab` has installed what is missing and the tslab
 * kernelspec; run from a cached esbuild bundle by scripts/cached-bundle.mjs, or with tsx): start,
 * side by side,
 *   - the notebook bundle (rebuilt only when its sources' hash changed),
 *   - the store (loaded with the bundled data only when its stamp is stale; scripts/lab-store.ts),
 *   - the gRPC server (from its cached bundle; an already healthy one at GRPC_HOST:GRPC_PORT is reused),
 *   - Jupyter Notebook (serving notebooks/ with token authentication, this checkout's .jupyter/),
 *   - the research site (served at once when docs-site/dist is current, else rebuilt after "ready"),
 * and print "ready" with the notebook URL once the first four are, with one line of per-step
 * timings (steps overlap; LAB_TIMINGS=0 hides it). Ctrl-C (or SIGTERM) stops Jupyter (and its
 * kernels), the site build and then the server.
 *
 * Environment:
 *   LAB_PORT   Jupyter port (default 8889)
 *   LAB_IP     Jupyter bind address (default 127.0.0.1; 0.0.0.0 in containers)
 *   LAB_TOKEN  Jupyter token (default: random per run, printed in the URL)
 *   GRPC_HOST, GRPC_PORT  where notebooks reach the server (default 127.0.0.1:50051); if a server
 *              already answers its health check there it is reused, otherwise one is started
 *              there (GRPC_PORT=0: any free port)
 *   SITE_PORT  port of the research site (docs-site/dist) served beside Jupyter (default 8501;
 *              `off`: no site, neither built nor served, as in the compose stack's jupyter
 *              service, where the `lab` service serves the site built into its image)
 *   ARBLAB_STORE / ARBLAB_HOME  the lab's store (default .arblab/store.duckdb), initialised with the
 *              bundled data on first start and served to universe requests by the started server
 *   LAB_GRPC_BIND  bind host of the started server (default: GRPC_HOST when it is an IP, else
 *              127.0.0.1); the kernels then dial that host (loopback for 0.0.0.0)
 *   LAB_MARKET_DATA=1  also start the market-data service (src/data/market/main.ts) on
 *              127.0.0.1:MARKET_DATA_PORT (default 8000); kernels get MARKET_DATA_URL. Off by
 *              default: the service holds the store file open, and DuckDB (one process per file)
 *              then refuses notebooks that write to the store and the gRPC server's universe requests.
 *
 * While the lab runs, edits under src/lib, src/client and src/kernel-helpers rebuild the notebook
 * bundle (notebooks/lib/); restart a notebook's kernel to pick the new code up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { watch } from "node:fs";
import { randomBytes } from "node:crypto";
import { get } from "node:http";
import path from "node:path";
import { buildNotebookLib } from "./build-notebook-lib.js";
import { defaultStorePath } from "../src/data/store/defaultStorePath.js";
import { ensureLabStore } from "./lab-store.js";
import {
  JUPYTER_PYTHON,
  ROOT,
  freePort,
  grpcHealth,
  jupyterEnv,
  portIsFree,
  spawnGrpcServer,
  stopChild,
  waitForServing,
} from "./lab-support.js";
import { siteIsCurrent, startLabSite } from "./site-server.js";

const LAB_PORT = Number(process.env.LAB_PORT ?? 8889);
const LAB_IP = process.env.LAB_IP ?? "127.0.0.1";
// An empty LAB_TOKEN (e.g. compose passing an unset variable through) must not turn authentication off.
const TOKEN = process.env.LAB_TOKEN || randomBytes(24).toString("hex");
const GRPC_HOST = process.env.GRPC_HOST ?? "127.0.0.1";
const SERVER_START_TIMEOUT_MS = 60_000;
const JUPYTER_START_TIMEOUT_MS = 60_000;
const REBUILD_DEBOUNCE_MS = 1500;
/** Seconds since this process started (node's own start-up included), for the timings line. */
const sinceStart = (): number => process.uptime();

function log(message: string): void {
  console.log(`[lab] ${message}`);
}

function jupyterUp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path: `/api/status?token=${TOKEN}`, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
  });
}

let server: ChildProcess | null = null;
let marketData: ChildProcess | null = null;
let jupyter: ChildProcess | null = null;
let siteBuild: ChildProcess | null = null;
let stopping = false;

/** Stop Jupyter (it shuts its kernels down) and then the server, and exit with `code`. */
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (jupyter || server) log("stopping Jupyter and the gRPC server …");
    await Promise.all([stopChild(jupyter), stopChild(siteBuild)]);
    await stopChild(marketData);
    await stopChild(server);
    if (jupyter || server) log("stopped");
  }
  process.exit(code);
}

/** Run `step`, recording when it ended (seconds since start) under `name` for the timings line. */
const timings: string[] = [];
async function timed<T>(name: string, step: () => Promise<T>, note: (result: T) => string = () => ""): Promise<T> {
  const result = await step();
  const extra = note(result);
  timings.push(`${name} ${sinceStart().toFixed(1)} s${extra ? ` (${extra})` : ""}`);
  return result;
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  const launched = sinceStart();
  if (!Number.isInteger(LAB_PORT) || LAB_PORT <= 0 || LAB_PORT > 65535)
    throw new Error(`LAB_PORT must be a TCP port, got ${process.env.LAB_PORT}`);
  if (!(await portIsFree(LAB_IP, LAB_PORT)))
    throw new Error(`port ${LAB_PORT} on ${LAB_IP} is already in use (another lab?); set LAB_PORT`);

  // The store's path is all the server needs at start (it opens the file on the first universe request).
  const storePath = defaultStorePath(process.env, ROOT);
  process.env.ARBLAB_STORE = storePath;

  // gRPC server: reuse a healthy one, else start ours. When GRPC_HOST is this machine and nothing
  // listens on the port there is nothing to reuse: skip the health check (it waits up to 500 ms).
  let grpcPort = Number(process.env.GRPC_PORT ?? 50051);
  let grpcHost = GRPC_HOST; // what the kernels dial
  const bindHost = process.env.LAB_GRPC_BIND ?? (/^[\d.]+$|:/.test(GRPC_HOST) ? GRPC_HOST : "127.0.0.1");
  const localTarget = [bindHost, "127.0.0.1", "localhost", "::1"].includes(GRPC_HOST);
  const nothingListens = grpcPort <= 0 || (localTarget && (await portIsFree(bindHost, grpcPort)));
  const reuse = !nothingListens && (await grpcHealth(GRPC_HOST, grpcPort, 500)) === "SERVING";
  let serverReady: Promise<void> = Promise.resolve();
  if (reuse) {
    log(`reusing the gRPC server already serving at ${GRPC_HOST}:${grpcPort}`);
  } else {
    if (grpcPort <= 0) grpcPort = await freePort(bindHost);
    else if (!(await portIsFree(bindHost, grpcPort))) {
      throw new Error(
        `port ${grpcPort} on ${bindHost} is in use by something that is not a healthy gRPC server; set GRPC_PORT to another port (or 0 for any)`,
      );
    }
    log(`starting the gRPC server on ${bindHost}:${grpcPort} …`);
    const child = spawnGrpcServer(bindHost, grpcPort);
    server = child;
    child.on("exit", (code, signal) => {
      if (!stopping) {
        log(`gRPC server exited (${signal ?? code}); stopping`);
        void stopAll(1);
      }
    });
    grpcHost = bindHost === "0.0.0.0" ? "127.0.0.1" : bindHost === "::" ? "::1" : bindHost;
    serverReady = timed("gRPC server", () => waitForServing(grpcHost, grpcPort, child, SERVER_START_TIMEOUT_MS));
    serverReady.catch(() => {}); // awaited below; no unhandled rejection while the market-data service starts
  }

  const marketDataUrl = process.env.LAB_MARKET_DATA === "1" ? await startMarketData() : process.env.MARKET_DATA_URL;
  const jupyterReady = timed("Jupyter", () => startJupyter(grpcHost, grpcPort, marketDataUrl));
  // The site is served at once when current; otherwise rebuilt after "ready" (never delays the notebooks).
  const siteWanted = process.env.SITE_PORT !== "off";
  const siteCurrent = siteWanted && siteIsCurrent(ROOT);
  if (siteCurrent) void startLabSite(ROOT, LAB_IP, log, { current: true }).then((site) => site?.unref());
  await Promise.all([
    timed(
      "notebook bundle",
      () => buildNotebookLib(),
      (built) => (built ? "rebuilt" : "current"),
    ),
    timed(
      "store",
      () => ensureLabStore(ROOT, storePath, log),
      (outcome) => outcome,
    ),
    serverReady,
    jupyterReady,
  ]);
  watchSources();
  const shownHost = LAB_IP === "0.0.0.0" || LAB_IP === "::" ? "localhost" : LAB_IP;
  console.log(
    `\n[lab] Arbitrage Lab is ready (gRPC ${grpcHost}:${grpcPort}, TypeScript kernel "tslab"):\n` +
      `\n    http://${shownHost}:${LAB_PORT}/tree?token=${TOKEN}\n\n` +
      `[lab] Open 01-single-pair.ipynb to start. Ctrl-C stops Jupyter and the server.\n`,
  );
  if (process.env.LAB_TIMINGS !== "0")
    log(
      `ready ${sinceStart().toFixed(1)} s after node started (lab code loaded at ${launched.toFixed(1)} s); steps done at: ${timings.join(", ")}`,
    );
  if (siteWanted && !siteCurrent)
    void startLabSite(ROOT, LAB_IP, (message) => stopping || log(message), {
      current: false,
      onChild: (child) => (siteBuild = child),
    }).then((site) => site?.unref());
}

/** Start Jupyter Notebook (kernels reach the server at grpcHost:grpcPort) and wait until it answers. */
async function startJupyter(grpcHost: string, grpcPort: number, marketDataUrl: string | undefined): Promise<void> {
  const args = [
    "-m",
    "notebook",
    "--no-browser",
    `--ip=${LAB_IP}`,
    `--port=${LAB_PORT}`,
    "--port-retries=0",
    `--notebook-dir=${path.join(ROOT, "notebooks")}`,
    `--NotebookApp.token=${TOKEN}`,
    "--NotebookApp.password=",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  log(`starting Jupyter Notebook on ${LAB_IP}:${LAB_PORT} …`);
  const child = spawn(JUPYTER_PYTHON, args, {
    cwd: ROOT,
    env: {
      ...jupyterEnv(),
      GRPC_HOST: grpcHost,
      GRPC_PORT: String(grpcPort),
      ...(marketDataUrl ? { MARKET_DATA_URL: marketDataUrl } : {}),
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  jupyter = child;
  child.on("exit", (code, signal) => {
    if (!stopping) {
      log(`Jupyter exited (${signal ?? code}); stopping`);
      void stopAll(code === 0 ? 0 : 1);
    }
  });
  const deadline = Date.now() + JUPYTER_START_TIMEOUT_MS;
  while (!(await jupyterUp(LAB_PORT))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("Jupyter exited before answering");
    if (Date.now() > deadline) throw new Error(`Jupyter did not answer on port ${LAB_PORT} within ${JUPYTER_START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** LAB_MARKET_DATA=1: start the market-data service on 127.0.0.1:MARKET_DATA_PORT and wait for /health. */
async function startMarketData(): Promise<string> {
  const port = Number(process.env.MARKET_DATA_PORT ?? 8000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`MARKET_DATA_PORT must be a TCP port, got ${process.env.MARKET_DATA_PORT}`);
  if (!(await portIsFree("127.0.0.1", port))) throw new Error(`port ${port} on 127.0.0.1 is already in use; set MARKET_DATA_PORT`);
  log(`starting the market-data service on 127.0.0.1:${port} …`);
  marketData = spawn(process.execPath, ["--import", "tsx", path.join("src", "data", "market", "main.ts")], {
    cwd: ROOT,
    env: { ...process.env, MARKET_DATA_HOST: "127.0.0.1", MARKET_DATA_PORT: String(port) },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  marketData.on("exit", (code, signal) => {
    if (!stopping) {
      log(`market-data service exited (${signal ?? code}); stopping`);
      void stopAll(1);
    }
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (
    !(await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`market-data service did not answer on ${url}/health within ${SERVER_START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return url;
}

/** Rebuild the notebook bundle when the library, client or helpers change (debounced, one build at a time). */
function watchSources(): void {
  let timer: NodeJS.Timeout | null = null;
  let building = false;
  let again = false;
  const rebuild = async (): Promise<void> => {
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      await buildNotebookLib();
      log("src/ changed: notebook bundle rebuilt — restart a notebook's kernel to use it");
    } catch (error) {
      log(`notebook bundle rebuild failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      building = false;
      if (again) {
        again = false;
        void rebuild();
      }
    }
  };
  for (const dir of ["src/lib", "src/client", "src/kernel-helpers"]) {
    try {
      watch(path.join(ROOT, dir), { recursive: true }, (_event, file) => {
        if (!file || !String(file).endsWith(".ts") || String(file).endsWith(".test.ts")) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void rebuild(), REBUILD_DEBOUNCE_MS);
      }).unref();
    } catch {
      log(`cannot watch ${dir}; rebuild with: npx tsx scripts/build-notebook-lib.ts`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(`[lab] ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
