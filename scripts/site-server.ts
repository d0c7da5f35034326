/**
 * A small static file server for the built research site (docs-site/dist): used by `npm run lab`
 * (beside Jupyter) and by test/site.test.ts. Serves files under `root` only (no path escapes),
 * maps "/" to index.html and extension-less paths to `.html` as Observable Framework's links expect.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize, relative, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".csv": "text/csv",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** Start serving `root` on host:port (port 0: any free port); resolves with the server and its URL. */
export async function serveStatic(root: string, host: string, port: number): Promise<{ server: Server; url: string }> {
  const base = normalize(root);
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    } catch {
      return void res.writeHead(400).end("bad request path");
    }
    let file = join(base, path);
    if (file !== base && !file.startsWith(base + sep)) return void res.writeHead(403).end();
    if (path.endsWith("/")) file = join(file, "index.html");
    else if (!extname(file)) file += ".html";
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return { server, url: `http://${shown}:${address.port}` };
}

/**
 * Everything the research site is built from: docs-site/ (pages, components, loaders and, through
 * its symlinks, src/lib and data/) without its build output and Framework's cache, plus
 * observablehq.config.ts and package-lock.json. Test files are left out (pages never import them).
 */
function siteInputs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > SITE_MAX_DEPTH) throw new Error(`site inputs: ${dir} is nested deeper than ${SITE_MAX_DEPTH} folders (a symlink loop?)`);
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (depth === 0 && (name === "dist" || name === ".observablehq")) continue;
      if (statSync(file).isDirectory()) walk(file, depth + 1);
      else if (!name.endsWith(".test.ts")) found.push(file);
    }
  };
  walk(join(root, "docs-site"), 0);
  found.push(join(root, "observablehq.config.ts"), join(root, "package-lock.json"));
  return found;
}

/** Deepest folder nesting walked under docs-site/ (guards against a symlink loop). */
const SITE_MAX_DEPTH = 12;

/** SHA-256 over the site's inputs (paths and contents): docs-site/dist is current when its stamp holds this value. */
export function siteInputsHash(root: string): string {
  const hash = createHash("sha256");
  for (const file of siteInputs(root)) {
    hash.update(relative(root, file));
    hash.update("\0");
    hash.update(existsSync(file) ? readFileSync(file) : "<missing>");
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Where `npm run lab` records the inputs' hash of the docs-site/dist it built (git-ignored .cache/). */
export function siteStampFile(root: string): string {
  return join(root, ".cache", "site-inputs-sha256");
}

/** True when docs-site/dist has an index.html and was built by the lab from exactly the current inputs. */
export function siteIsCurrent(root: string, hash = siteInputsHash(root)): boolean {
  const stamp = siteStampFile(root);
  return existsSync(join(root, "docs-site", "dist", "index.html")) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash;
}

/**
 * `observable build` (offline; see observablehq.config.ts) as a child process the caller can stop
 * (`onChild`), then the stamp. Resolves when built; rejects with the build's last stderr lines.
 */
export async function buildSite(root: string, onChild: (child: ChildProcess | null) => void = () => {}): Promise<void> {
  const hash = siteInputsHash(root);
  const bin = join(root, "node_modules", ".bin");
  const child = spawn(join(bin, "observable"), ["build"], {
    cwd: root,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true, // own process group: stopped by the lab on Ctrl-C, with its children
  });
  onChild(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c, s) => resolve([c, s]));
  });
  onChild(null);
  if (code !== 0) throw new Error(`observable build failed (${signal ?? code}): ${stderr.trim().split("\n").slice(-3).join(" ")}`);
  mkdirSync(dirname(siteStampFile(root)), { recursive: true });
  writeFileSync(siteStampFile(root), `${hash}\n`);
}

/**
 * `npm run lab`: serve the built research site beside Jupyter on SITE_PORT (default 8501, the old
 * Streamlit lab's port) on `host`. When docs-site/dist is current (siteIsCurrent) it is served at
 * once; otherwise it is (re)built first with `observable build` (offline), which the lab starts
 * only after it has printed "ready" (`build` below), so the site never delays the notebooks.
 * A failure here is reported and the lab goes on without the site.
 */
export async function startLabSite(
  root: string,
  host: string,
  log: (message: string) => void,
  options: { current: boolean; onChild?: (child: ChildProcess | null) => void },
): Promise<Server | null> {
  const port = Number(process.env.SITE_PORT ?? 8501);
  const dist = join(root, "docs-site", "dist");
  try {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SITE_PORT must be a TCP port, got ${process.env.SITE_PORT}`);
    if (!options.current) {
      const started = performance.now();
      log("building the research site (its sources changed or it was never built) …");
      await buildSite(root, options.onChild);
      log(`research site built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const { server, url } = await serveStatic(dist, host, port);
    const shown = host === "0.0.0.0" || host === "::" ? url.replace(/\/\/[^:]+:|\/\/\[[^\]]+\]:/, "//localhost:") : url;
    log(`research site: ${shown}/`);
    return server;
  } catch (error) {
    log(`research site not served: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
