/**
 * The container stack, checked without Docker (CI has none): docker-compose.yml parsed with
 * Debian's python3-yaml must keep the production rules of docker/README.md — a restart policy, CPU
 * and memory limits and a real healthcheck on every long-running service, every published port on
 * 127.0.0.1, workers without published ports, volumes declared, build targets present in
 * docker/Dockerfile, every COPY source present in the repository and a non-root USER in every
 * runtime stage. And the compiled build the images run: `npm run build` output starts the gRPC
 * server with `node` alone (no tsx), its piscina workers load dist/server/worker.js (warm-up runs
 * a task in each) and grpc.health.v1 answers SERVING.
 */

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const RUNTIME_STAGES = ["server", "app", "site", "jupyter", "prometheus", "redis"];
const ONE_SHOT = new Set(["notebooks-test"]);

interface Service {
  build?: { target?: string };
  image?: string;
  restart?: string;
  cpus?: number;
  mem_limit?: string;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  healthcheck?: { test?: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

function loadCompose(): ComposeFile {
  const json = execFileSync(
    "/usr/bin/python3",
    ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", join(root, "docker-compose.yml")],
    { encoding: "utf8" },
  );
  return JSON.parse(json) as ComposeFile;
}

describe("docker-compose.yml", () => {
  const compose = loadCompose();
  const services = Object.entries(compose.services);

  it("has the services of issue 15", () => {
    const names = Object.keys(compose.services).sort();
    expect(names).toEqual([
      "gateway",
      "grafana",
      "grpc-server",
      "jupyter",
      "lab",
      "market-data",
      "notebooks-test",
      "prometheus",
      "redis",
      "worker",
    ]);
  });

  it.each(services.filter(([name]) => !ONE_SHOT.has(name)))("%s: restart policy, limits, healthcheck", (name, service) => {
    expect(service.restart, `${name}.restart`).toBe("unless-stopped");
    expect(service.cpus, `${name}.cpus`).toBeGreaterThan(0);
    expect(service.mem_limit, `${name}.mem_limit`).toMatch(/^\d+[mg]$/);
    const test = service.healthcheck?.test ?? [];
    expect(test[0], `${name}.healthcheck.test`).toMatch(/^CMD(-SHELL)?$/);
    expect(test.slice(1).join(" "), `${name}.healthcheck probes something`).toMatch(
      /grpc-health|http-health|redis-health|redis-cli ping|curl|wget/,
    );
  });

  it("publishes ports on 127.0.0.1 only, and none for workers", () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) expect(port, `${name} port ${port}`).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services.worker.ports).toBeUndefined();
  });

  it("declares every named volume it mounts", () => {
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0];
        if (source.startsWith(".") || source.startsWith("/"))
          expect(existsSync(join(root, source)) || source.includes("grafana"), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
    }
  });

  it("builds only targets that docker/Dockerfile defines", () => {
    const dockerfile = readFileSync(join(root, "docker", "Dockerfile"), "utf8");
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]);
    for (const [name, service] of services) {
      if (service.build) expect(stages, `${name}.build.target`).toContain(service.build.target);
    }
  });
});

describe("docker/Dockerfile", () => {
  const dockerfile = readFileSync(join(root, "docker", "Dockerfile"), "utf8");
  const stages = dockerfile.split(/^(?=FROM )/m).filter((s) => s.startsWith("FROM "));

  it("copies only paths that exist in the repository", () => {
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(?:--chown=\S+ )?(.+) (\S+)$/gm)) {
      for (const source of m[1].split(/\s+/)) {
        if (source === ".") continue;
        expect(existsSync(join(root, source)), `COPY ${source}`).toBe(true);
      }
    }
  });

  it.each(RUNTIME_STAGES)("stage %s runs as a non-root user", (target) => {
    const stage = stages.find((s) => new RegExp(`^FROM \\S+ AS ${target}$`, "m").test(s));
    expect(stage, `stage ${target}`).toBeDefined();
    const user = [...(stage ?? "").matchAll(/^USER (\S+)$/gm)].at(-1)?.[1];
    expect(user, `USER in stage ${target}`).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it("installs dependencies before copying the source (a src/ edit keeps the npm and apt layers)", () => {
    const depsStage = stages.find((s) => /AS deps-full$/m.test(s)) ?? "";
    expect(depsStage).toMatch(/npm ci/);
    expect(depsStage).not.toMatch(/^COPY (src|\.) /m);
    const jupyter = stages.find((s) => /AS jupyter$/m.test(s)) ?? "";
    expect(jupyter.indexOf("apt-get install")).toBeGreaterThan(-1);
    expect(jupyter.indexOf("apt-get install")).toBeLessThan(jupyter.indexOf("COPY --chown=arblab:arblab . ."));
  });
});

describe("compiled build (npm run build)", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "pipe" });
  }, 120_000);

  it("node dist/server/arblab.js init finds the bundled data/ from dist/server/ (no ARBLAB_DATA_DIR)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "arblab-init-"));
    try {
      const run = (env: Record<string, string>) =>
        spawnSync(
          process.execPath,
          [join(root, "dist", "server", "arblab.js"), "init", "--store", join(scratch, "store.duckdb"), "--json"],
          {
            cwd: scratch, // not the repository: the bundle must not depend on the working directory
            env: { PATH: process.env.PATH, ...env },
            encoding: "utf8",
            timeout: 120_000,
          },
        );
      const ok = run({});
      expect(ok.status, ok.stderr).toBe(0);
      const report = JSON.parse(ok.stdout) as { files: { universe: string; files: { file: string }[] }[]; instruments: number };
      expect(report.files.map((f) => f.universe)).toEqual(["sp100", "etf23", "country-etfs", "gld-gdx", "anz-adb"]);
      expect(report.files[0].files[0].file).toBe(join(root, "data", "sp100_prices.csv"));
      expect(report.instruments).toBeGreaterThan(100);
      const missing = run({ ARBLAB_DATA_DIR: join(scratch, "nowhere") });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain(
        `ARBLAB_DATA_DIR=${join(scratch, "nowhere")} is not a bundled data directory (no instruments.csv there)`,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 180_000);

  it("node dist/server/main.js serves gRPC health with compiled compute workers", async () => {
    const externals = JSON.parse(readFileSync(join(root, "dist", "externals.json"), "utf8")) as Record<string, string[]>;
    expect(externals.main).toContain("piscina");
    const server = spawn(process.execPath, [join(root, "dist", "server", "main.js")], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        GRPC_BIND_ADDRESS: "127.0.0.1:0",
        METRICS_PORT: "-1",
        COMPUTE_WORKERS: "2",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`server did not listen within 30 s:\n${out}`)), 30_000);
        server.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const m = out.match(/"port":(\d+)/);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        server.stderr.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        server.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`server exited with ${code}:\n${out}`));
        });
      });
      const health = execFileSync(process.execPath, [join(root, "scripts", "grpc-health.mjs"), `127.0.0.1:${port}`, "5000"], {
        encoding: "utf8",
      });
      expect(health.trim()).toBe(`health 127.0.0.1:${port}: SERVING`);
    } finally {
      server.kill("SIGTERM");
    }
  });
});
