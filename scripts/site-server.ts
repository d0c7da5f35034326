/**
 * A small static file server for the built research site (docs-site/dist): used by `npm run lab`
 * (beside Jupyter) and by test/site.test.ts. Serves files under `root` only (no path escapes),
 * maps "/" to index.html and extension-less paths to `.html` as Observable Framework's links expect.
 */
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
