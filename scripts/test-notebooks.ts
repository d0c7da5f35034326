/**
 * `npm run test:notebooks`: the demo notebooks as tests.
 *
 * 1. Install the tslab kernelspec if needed and build the notebook bundle if src/ changed
 *    (scripts/install-kernel.sh, so `npm run test:notebooks` also works on its own); start the gRPC server on 127.0.0.1 (free port)
 *    and wait for its health check; kernels reach it through GRPC_HOST/GRPC_PORT.
 * 2. Execute the notebooks listed in notebooks/manifest.json headless (scripts/run-notebook.py: nbclient, never
 *    allow_errors), two at a time; write executed notebooks and HTML exports to output/notebooks/.
 * 3. Fail on a failing cell (its stderr text is printed) and on ANY stderr output in any cell
 *    (tslab reports compile and runtime errors only there).
 * 4. Check every HTML export: plotly.js inlined exactly once, at least one chart, every chart
 *    container followed by its drawing script; then open each export in headless Chromium
 *    (playwright-core with Debian's /usr/bin/chromium, offline) and require that every chart
 *    actually rendered (a Plotly SVG inside each container) with no page errors.
 *    Set NOTEBOOK_BROWSER_CHECK=0 to skip step 4's browser part where Chromium is absent.
 *
 * Usage: tsx scripts/test-notebooks.ts [--external-server] [name-substring ...]
 *   --external-server  use the server already running at GRPC_HOST:GRPC_PORT (the compose stack's
 *                      grpc-server) instead of starting one; it must answer its health check.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { JUPYTER_PYTHON, ROOT, freePort, jupyterEnv, readManifest, spawnGrpcServer, stopChild, waitForServing } from "./lab-support.js";

const NOTEBOOK_DIR = path.join(ROOT, "notebooks");
const OUTPUT_DIR = path.join(ROOT, "output", "notebooks");
const CELL_TIMEOUT_S = 150;
const CONCURRENCY = 2;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
const PLOT_CLASS = "arbitrage-lab-plot";

interface RunResult {
  readonly name: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly failedCell: number | null;
  readonly error: string | null;
}

function runNotebook(file: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const name = path.basename(file, ".ipynb");
  return new Promise((resolve) => {
    const child = spawn(JUPYTER_PYTHON, [path.join(ROOT, "scripts", "run-notebook.py"), file, OUTPUT_DIR, String(CELL_TIMEOUT_S)], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        const parsed = JSON.parse(line) as Omit<RunResult, "name">;
        resolve({ name, ...parsed });
      } catch {
        resolve({ name, ok: false, seconds: 0, failedCell: null, error: `run-notebook.py exited with ${code}:\n${stderr.slice(-3000)}` });
      }
    });
  });
}

interface NotebookJson {
  cells: {
    cell_type: string;
    source: string | string[];
    outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[];
  }[];
}

/** Problems found in an executed notebook and its HTML export. Returns the number of charts. */
function checkOutputs(name: string, problems: string[]): number {
  const executed = JSON.parse(readFileSync(path.join(OUTPUT_DIR, `${name}.ipynb`), "utf8")) as NotebookJson;
  executed.cells.forEach((cell, index) => {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "error" || (out.output_type === "stream" && out.name === "stderr")) {
        const text = Array.isArray(out.text) ? out.text.join("") : (out.text ?? "");
        problems.push(`${name}: cell ${index} wrote to stderr:\n${text.trim().slice(0, 3000)}`);
      }
    }
  });
  const html = readFileSync(path.join(OUTPUT_DIR, `${name}.html`), "utf8");
  const plotlyCopies = html.split('data-arbitrage-lab="plotly.js"').length - 1;
  if (plotlyCopies !== 1) problems.push(`${name}: HTML export embeds plotly.js ${plotlyCopies} times (expected exactly once)`);
  const charts = html.split(`class="${PLOT_CLASS}"`).length - 1;
  const drawCalls = html.split("window.Plotly.newPlot(el, figure.data").length - 1;
  if (charts === 0) problems.push(`${name}: HTML export has no chart`);
  if (drawCalls !== charts) problems.push(`${name}: ${charts} chart containers but ${drawCalls} drawing scripts`);
  return charts;
}

async function browserCheck(names: readonly string[], expected: Map<string, number>, problems: string[]): Promise<void> {
  if (process.env.NOTEBOOK_BROWSER_CHECK === "0") {
    console.log("[notebooks] browser check skipped (NOTEBOOK_BROWSER_CHECK=0)");
    return;
  }
  if (!existsSync(CHROMIUM)) {
    problems.push(
      `browser check: ${CHROMIUM} not found (bootstrap test mode installs Debian chromium; set NOTEBOOK_BROWSER_CHECK=0 to skip)`,
    );
    return;
  }
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    for (const name of names) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      await page.route(/^https?:/, (route) => route.abort()); // offline: nothing may come from the network
      await page.goto(`file://${path.join(OUTPUT_DIR, `${name}.html`)}`, { waitUntil: "load" });
      const want = expected.get(name) ?? 0;
      const selector = `.${PLOT_CLASS} .main-svg`;
      try {
        await page.waitForFunction(
          ([cls, n]) =>
            document.querySelectorAll(`.${cls}`).length === n &&
            Array.from(document.querySelectorAll(`.${cls}`)).every((el) => el.querySelector(".main-svg")),
          [PLOT_CLASS, want] as const,
          { timeout: 20_000 },
        );
      } catch {
        const rendered = await page.locator(`.${PLOT_CLASS}:has(.main-svg)`).count();
        problems.push(`${name}: only ${rendered} of ${want} charts rendered in Chromium`);
      }
      const traces = await page.locator(selector).count();
      if (pageErrors.length) problems.push(`${name}: page errors in Chromium: ${pageErrors.join("; ")}`);
      console.log(`[notebooks] ${name}: ${want} charts rendered in Chromium (${traces} Plotly SVG layers)`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

/** For scripts/test.sh's closing line: one test per notebook, failed when any problem names it. */
function writeTestCount(files: readonly string[], problems: readonly string[]): void {
  const countFile = process.env.TEST_COUNT_FILE;
  if (!countFile) return;
  const names = files.map((f) => path.basename(f, ".ipynb"));
  const total = names.length;
  const failed = names.filter((name) => problems.some((p) => p.startsWith(`${name}:`))).length;
  const unattributed = failed === 0 && problems.length > 0 ? 1 : 0;
  writeFileSync(countFile, `${total - failed} ${failed + unattributed}\n`);
}

async function main(): Promise<number> {
  const started = performance.now();
  const args = process.argv.slice(2);
  const external = args.includes("--external-server");
  const filters = args.filter((a) => a !== "--external-server");
  const files = readManifest()
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .map((f) => path.join(NOTEBOOK_DIR, f));
  if (files.length === 0) {
    console.error(`[notebooks] no notebook of ${"notebooks/manifest.json"} matches ${filters.join(", ")}`);
    return 1;
  }
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const kernel = spawnSync("bash", [path.join(ROOT, "scripts", "install-kernel.sh")], { cwd: ROOT, stdio: "inherit" });
  if (kernel.status !== 0) {
    console.error("[notebooks] scripts/install-kernel.sh failed (is Jupyter installed? run: bash scripts/bootstrap.sh test)");
    return 1;
  }

  const grpcHost = external ? (process.env.GRPC_HOST ?? "localhost") : "127.0.0.1";
  const port = external ? Number(process.env.GRPC_PORT ?? 50051) : await freePort("127.0.0.1");
  const server = external ? null : spawnGrpcServer("127.0.0.1", port);
  let serverExit: string | null = null;
  server?.once("exit", (code, signal) => (serverExit = `code ${code}, signal ${signal}`));
  try {
    await waitForServing(grpcHost, port, server, 60_000);
    console.log(`[notebooks] gRPC server SERVING on ${grpcHost}:${port}; executing ${files.length} notebooks, ${CONCURRENCY} at a time`);
    const env = { ...jupyterEnv(), GRPC_HOST: grpcHost, GRPC_PORT: String(port) };
    const results: RunResult[] = [];
    const queue = [...files];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          const result = await runNotebook(file, env);
          console.log(`[notebooks] ${result.ok ? "ran" : "FAILED"} ${result.name} in ${result.seconds} s`);
          results.push(result);
        }
      }),
    );
    const problems: string[] = [];
    if (serverExit) problems.push(`the gRPC server exited during the run (${serverExit}); its log is above`);
    const charts = new Map<string, number>();
    for (const r of results.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!r.ok) problems.push(`${r.name}: cell ${r.failedCell} failed:\n${r.error}`);
      else charts.set(r.name, checkOutputs(r.name, problems)); // a failed run's partial HTML is not checked further
    }
    await browserCheck(
      results.filter((r) => r.ok).map((r) => r.name),
      charts,
      problems,
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    writeTestCount(files, problems);
    if (problems.length) {
      console.error(`\n[notebooks] ${problems.length} problem(s):\n\n${[...new Set(problems)].join("\n\n")}\n`);
      console.error(`[notebooks] FAILED in ${seconds} s (executed notebooks and HTML in ${path.relative(ROOT, OUTPUT_DIR)}/)`);
      return 1;
    }
    console.log(
      `[notebooks] ${results.length} notebooks passed in ${seconds} s (executed notebooks and HTML in ${path.relative(ROOT, OUTPUT_DIR)}/)`,
    );
    return 0;
  } finally {
    await stopChild(server);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[notebooks] ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
