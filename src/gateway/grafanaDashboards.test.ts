/**
 * The Grafana dashboards (docker/grafana/dashboards/*.json) against a real Prometheus: Grafana cannot
 * be installed here, so this loads every dashboard, extracts every panel target's PromQL, starts
 * Prometheus (Debian package `prometheus`) on 127.0.0.1 scraping a real gRPC compute server and a
 * real paper session's gateway (/metrics) every second, drives traffic across several scrapes (RPCs,
 * pair bars with fills, a risk breach, a rejected market-data message, stability checks) and
 * evaluates each query through Prometheus' HTTP API: it must parse and return at least one sample
 * with a finite value. Every wait is bounded; everything started is stopped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server/startServer.js";
import { connectClients, unary, type Clients } from "../server/testSupport.js";
import { OUEstimationRequest } from "../server/generated/pair_discovery.js";
import { PaperSession } from "../trading/PaperSession.js";
import { klineMessages, parityBars, parityConfigs } from "../trading/testSupport.js";
import { startGateway, type RunningGateway } from "./startGateway.js";

const PROMETHEUS = "/usr/bin/prometheus";
const DASHBOARDS = join(import.meta.dirname, "..", "..", "docker", "grafana", "dashboards");

interface Target {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

function dashboardTargets(): Target[] {
  const out: Target[] = [];
  for (const file of readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), "utf8")) as {
      panels: { title: string; targets?: { expr?: string }[] }[];
    };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        if (typeof target.expr !== "string" || target.expr.trim() === "")
          throw new Error(`${file}: panel "${panel.title}" has a target without expr`);
        out.push({ dashboard: file, panel: panel.title, expr: target.expr });
      }
    }
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` every 250 ms until it returns true or `ms` passes (then throw with `what`). */
async function waitFor(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    let ok = false;
    try {
      ok = await probe();
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // fetch failed (not listening yet): retry
    }
    if (ok) return;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

const hasPrometheus = existsSync(PROMETHEUS);

describe.skipIf(!hasPrometheus)("Grafana dashboards against a real Prometheus", () => {
  let dir = "";
  let grpc: RunningServer | null = null;
  let clients: Clients | null = null;
  let session: PaperSession | null = null;
  let gateway: RunningGateway | null = null;
  let prometheus: ChildProcess | null = null;
  let promUrl = "";
  let promLog = "";

  async function query(expr: string): Promise<QueryAnswer> {
    const response = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`, { signal: AbortSignal.timeout(5000) });
    return (await response.json()) as QueryAnswer;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "arblab-prom-"));
    grpc = await startServer({ workers: 1, metricsPort: 0 });
    clients = connectClients(grpc.port);
    session = await PaperSession.open({ statePath: ":memory:" });
    gateway = await startGateway({ session, host: "127.0.0.1", port: 0, token: "dashboards-test" });
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: arbitrage-lab-grpc",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${grpc.metricsPort}"]`,
      "  - job_name: arbitrage-lab-paper",
      "    static_configs:",
      `      - targets: ["127.0.0.1:${gateway.port}"]`,
      "",
    ].join("\n");
    writeFileSync(join(dir, "prometheus.yml"), config);
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--query.lookback-delta=30s",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr?.on("data", (d: Buffer) => (promLog = (promLog + String(d)).slice(-4000)));
    await waitFor(`Prometheus ready on ${promUrl}`, 30_000, async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited with ${prometheus?.exitCode}: ${promLog}`);
      return (await fetch(`${promUrl}/-/ready`)).ok;
    });
    await waitFor("both targets scraped (up == 1)", 30_000, async () => {
      const a = await query("sum(up)");
      return a.data?.result[0]?.value[1] === "2";
    });
    // traffic across several scrapes so that rates and histogram quantiles have two samples apart
    const bars = parityBars();
    const messages = klineMessages(bars);
    const times = [...new Set(bars.map((b) => b.ts))];
    const config0 = { ...parityConfigs(times)[0], startTime: undefined, endTime: undefined, stability: { window: 60, every: 20 } };
    await session.start(config0);
    const rounds = 8;
    const per = Math.floor(messages.length / rounds / 2) * 2;
    for (let round = 0; round < rounds; round++) {
      await unary(
        clients.pairs,
        clients.pairs.estimateOu,
        OUEstimationRequest.fromPartial({ spread: Array.from({ length: 200 }, (_, i) => Math.sin(i / 3) + 0.1 * Math.cos(i * 1.7)) }),
      );
      await unary(clients.pairs, clients.pairs.estimateOu, OUEstimationRequest.fromPartial({ spread: [1] })).catch(() => undefined);
      for (const m of messages.slice(round * per, (round + 1) * per)) session.ingest(config0.id, m);
      if (round === 3) {
        session.ingest(config0.id, '{"truncated'); // rejected and counted
        session.risk.haltSymbol("EWQ"); // entries refused (risk breaches) until round 5
      }
      if (round === 5) session.risk.resumeSymbol("EWQ");
      await session.idle();
      await sleep(1200);
    }
    await sleep(1500); // one more scrape after the last round
    expect(session.risk.breaches.get("symbolHalt") ?? 0, "a halted-symbol breach must have happened").toBeGreaterThan(0);
  }, 120_000);

  afterAll(async () => {
    if (prometheus !== null && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once("exit", r));
      prometheus.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
      if (prometheus.exitCode === null) prometheus.kill("SIGKILL");
    }
    clients?.close();
    await gateway?.close();
    await session?.close();
    await grpc?.close();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  const targets = dashboardTargets();

  it("the dashboards and the provisioning files are there", () => {
    expect(new Set(targets.map((t) => t.dashboard))).toEqual(new Set(["compute-server.json", "trading-engine.json"]));
    const root = join(DASHBOARDS, "..", "provisioning");
    expect(readFileSync(join(root, "datasources", "prometheus.yml"), "utf8")).toMatch(/uid: prometheus/);
    expect(readFileSync(join(root, "dashboards", "arblab.yml"), "utf8")).toMatch(/type: file/);
  });

  for (const t of targets) {
    it(`${t.dashboard} / ${t.panel}: ${t.expr}`, async () => {
      const answer = await query(t.expr);
      expect(answer.error ?? "", `PromQL error for ${t.expr}`).toBe("");
      expect(answer.status).toBe("success");
      const result = answer.data?.result ?? [];
      expect(result.length, `no data for ${t.expr}`).toBeGreaterThan(0);
      const finite = result.filter((r) => Number.isFinite(Number(r.value[1])));
      expect(finite.length, `only NaN/Inf for ${t.expr}: ${JSON.stringify(result)}`).toBeGreaterThan(0);
    });
  }
});
