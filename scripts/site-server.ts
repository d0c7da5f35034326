/**
 * A small static file server for the built research site (docs-site/dist): used by `npm run lab`
 * (beside Jupyter) and by test/site.test.ts. Serves files under `root` only (no path escapes),
 * maps "/" to index.html and extension-less paths to `.html` as Observable Framework's links expect.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

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
 * `npm run lab`: serve the built research site beside Jupyter. Builds it once (`observable build`,
 * offline) when docs-site/dist is missing; otherwise serves what is there (rebuild with
 * `npm run docs:build`). Port SITE_PORT (default 8501, the old Streamlit lab's port) on `host`.
 * A failure here is reported and the lab goes on without the site.
 */
export async function startLabSite(root: string, host: string, log: (message: string) => void): Promise<Server | null> {
  const port = Number(process.env.SITE_PORT ?? 8501);
  const dist = join(root, "docs-site", "dist");
  try {
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SITE_PORT must be a TCP port, got ${process.env.SITE_PORT}`);
    if (!existsSync(join(dist, "index.html"))) {
      log("building the research site (first run; npm run docs:build rebuilds it) …");
      const bin = join(root, "node_modules", ".bin");
      const result = spawnSync(join(bin, "observable"), ["build"], {
        cwd: root,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        stdio: ["ignore", "ignore", "pipe"],
      });
      if (result.status !== 0) throw new Error(`observable build failed: ${String(result.stderr).trim().split("\n").slice(-3).join(" ")}`);
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
