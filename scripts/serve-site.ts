/**
 * The research site alone (the compose `lab` service): serves the built docs-site/dist with
 * `serveStatic` from site-server.ts. SITE_HOST (default 127.0.0.1; 0.0.0.0 in containers),
 * SITE_PORT (default 8501), SITE_ROOT (default docs-site/dist under the working directory).
 * Refuses to start when the site is not built (`npm run docs:build`). SIGTERM / SIGINT stop it.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveStatic } from "./site-server.js";

const host = process.env.SITE_HOST || "127.0.0.1";
const port = Number(process.env.SITE_PORT ?? 8501);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SITE_PORT must be a TCP port, got ${process.env.SITE_PORT}`);
const root = resolve(process.env.SITE_ROOT || join("docs-site", "dist"));
if (!existsSync(join(root, "index.html")))
  throw new Error(`SITE_ROOT ${root} has no index.html: build the site first (npm run docs:build)`);
const { server, url } = await serveStatic(root, host, port);
console.log(`research site on ${url}/ (serving ${root})`);
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)));
