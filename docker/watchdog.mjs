#!/usr/bin/env node
// The stack's `watchdog` service: starts again a container of its own compose project that carries
// the label arblab.restart-after-kill=true and was stopped by `docker kill` (or `docker-compose
// kill`). The engine's restart policies do not cover that case: `docker kill` marks the container
// as stopped on purpose and cancels its restart manager, for `always` as for `unless-stopped`
// (moby/moby#21359; measured on Docker 20.10 in docker/README.md). Crashes and OOM kills stay with
// the engine's `restart: unless-stopped`.
//
// Rule: on a `die` event of a labelled container, wait GRACE_MS; if no `stop` or `destroy` event
// followed (those mean `docker stop`, `docker-compose stop|down|up --force-recreate`, which must
// keep it stopped) and the container is neither running nor restarting, POST /containers/<id>/start.
// At most MAX_STARTS starts per container per WINDOW_MS, so a container that dies on start cannot
// spin. The watchdog's own project is read from its container's labels (hostname = container id),
// so it watches `arblab` or `arblab-test`, never another stack.
//
// Talks to the Engine API over DOCKER_SOCKET (default /var/run/docker.sock; compose mounts it and
// adds the socket's group, DOCKER_SOCKET_GID, so the process stays uid 10001). The socket gives
// full control of the engine: the watchdog only reads events, inspects and starts containers.
// Usage: node scripts/watchdog.mjs          run (exits 1 when the event stream ends: compose
//                                           restarts it)
//        node scripts/watchdog.mjs --check  healthcheck: the engine answers /_ping, exit 0/1
import { request } from "node:http";
import { hostname } from "node:os";

const SOCKET = process.env.DOCKER_SOCKET || "/var/run/docker.sock";
const LABEL = "arblab.restart-after-kill=true";
const GRACE_MS = Number(process.env.WATCHDOG_GRACE_MS || 2000);
const MAX_STARTS = 5;
const WINDOW_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

const log = (fields) => console.log(JSON.stringify({ time: new Date().toISOString(), service: "watchdog", ...fields }));

/** One Engine API call; resolves { status, body } (body parsed as JSON when it is). */
function api(method, path) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: SOCKET, method, path, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => {
        let body = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {}
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end();
  });
}

if (process.argv[2] === "--check") {
  try {
    const { status, body } = await api("GET", "/_ping");
    console.log(`watchdog: engine ${SOCKET}: ${status} ${body}`);
    process.exit(status === 200 ? 0 : 1);
  } catch (error) {
    console.error(`watchdog: engine ${SOCKET}: ${error.message}`);
    process.exit(1);
  }
}

// WATCHDOG_PROJECT overrides the project (to run the watchdog outside a container).
const self = process.env.WATCHDOG_PROJECT
  ? { status: 200, body: { Config: { Labels: { "com.docker.compose.project": process.env.WATCHDOG_PROJECT } } } }
  : await api("GET", `/containers/${hostname()}/json`).catch((error) => ({ status: 0, body: error.message }));
const project = self.status === 200 ? self.body?.Config?.Labels?.["com.docker.compose.project"] : undefined;
if (!project) {
  console.error(`watchdog: cannot read this container's compose project via ${SOCKET} (${self.status}: ${JSON.stringify(self.body)})`);
  process.exit(1);
}

/** Container id → the signal of its last `kill` event. */
const lastSignal = new Map();
/** Container id → { signal, stopped } between a `die` and its reconsideration GRACE_MS later. */
const pending = new Map();
/** Container id → start times within WINDOW_MS. */
const starts = new Map();

async function reconsider(id, name) {
  const entry = pending.get(id);
  pending.delete(id);
  if (!entry || entry.stopped) return;
  const { status, body } = await api("GET", `/containers/${id}/json`);
  if (status !== 200) return; // removed meanwhile
  if (body.State.Running || body.State.Restarting) return; // the engine restarted it (crash) or someone started it
  const now = Date.now();
  const recent = (starts.get(id) ?? []).filter((t) => now - t < WINDOW_MS);
  if (recent.length >= MAX_STARTS) {
    log({ level: "error", msg: "not restarting: too many restarts", container: name, starts: recent.length, windowMs: WINDOW_MS });
    return;
  }
  recent.push(now);
  starts.set(id, recent);
  const started = await api("POST", `/containers/${id}/start`);
  log({
    level: started.status < 300 ? "info" : "error",
    msg: "restarted after kill",
    container: name,
    signal: entry.signal,
    status: started.status,
  });
}

const filters = encodeURIComponent(
  JSON.stringify({
    type: ["container"],
    label: [`com.docker.compose.project=${project}`, LABEL],
    event: ["kill", "die", "stop", "destroy"],
  }),
);
log({ level: "info", msg: "watching", project, label: LABEL, graceMs: GRACE_MS });
const req = request({ socketPath: SOCKET, method: "GET", path: `/events?filters=${filters}` }, (res) => {
  if (res.statusCode !== 200) {
    console.error(`watchdog: GET /events answered ${res.statusCode}`);
    process.exit(1);
  }
  let buffer = "";
  res.setEncoding("utf8");
  res.on("data", (chunk) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (!line) continue;
      const event = JSON.parse(line);
      const action = event.Action ?? event.status;
      const id = event.id;
      const name = event.Actor?.Attributes?.name ?? id;
      if (action === "kill") {
        lastSignal.set(id, event.Actor?.Attributes?.signal);
      } else if (action === "die" && !pending.has(id)) {
        pending.set(id, { signal: lastSignal.get(id), stopped: false });
        lastSignal.delete(id);
        setTimeout(() => {
          reconsider(id, name).catch((error) => log({ level: "error", msg: error.message, container: name }));
        }, GRACE_MS);
      } else if (action === "stop" || action === "destroy") {
        const entry = pending.get(id);
        if (entry) entry.stopped = true;
      }
    }
  });
  res.on("end", () => {
    console.error("watchdog: the engine closed the event stream; exiting (compose restarts the watchdog)");
    process.exit(1);
  });
});
req.on("error", (error) => {
  console.error(`watchdog: ${SOCKET}: ${error.message}`);
  process.exit(1);
});
req.end();
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
