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
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const RUNTIME_STAGES = ["server", "app", "site", "jupyter", "prometheus", "redis"];
const ONE_SHOT = new Set(["notebooks-test", "store-init"]);

interface Service {
  build?: { target?: string; args?: Record<string, string> };
  image?: string;
  command?: string[];
  restart?: string;
  cpus?: number;
  mem_limit?: string;
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  labels?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
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
      "store-init",
      "watchdog",
      "worker",
    ]);
  });

  it.each(services.filter(([name]) => !ONE_SHOT.has(name)))("%s: restart policy, limits, healthcheck", (name, service) => {
    expect(service.restart, `${name}.restart`).toBe("unless-stopped");
    expect(service.cpus, `${name}.cpus`).toBeGreaterThan(0);
    expect(service.mem_limit, `${name}.mem_limit`).toMatch(/^\d+[mg]$/);
    expect(service.labels?.["arblab.restart-after-kill"], `${name}: restarted by the watchdog after docker kill`).toBe(
      name === "watchdog" ? "false" : "true",
    );
    const test = service.healthcheck?.test ?? [];
    expect(test[0], `${name}.healthcheck.test`).toMatch(/^CMD(-SHELL)?$/);
    expect(test.slice(1).join(" "), `${name}.healthcheck probes something`).toMatch(
      /grpc-health|http-health|redis-health|redis-cli ping|curl|wget|watchdog\.mjs --check/,
    );
  });

  it("store-init loads the bundled data into the store volume once per up, before market-data opens it", () => {
    const init = compose.services["store-init"];
    expect(init.image).toBe("arbitrage-lab/app:latest");
    expect(init.command).toEqual(["node", "dist/server/arblab.js", "init", "--skip-if-held"]);
    expect(init.profiles).toEqual(["app"]);
    expect(init.restart, "a one-shot is not restarted").toBe("no");
    expect(init.labels?.["arblab.restart-after-kill"], "nor started again by the watchdog").toBeUndefined();
    expect(init.healthcheck).toBeUndefined();
    expect(init.cpus).toBeGreaterThan(0);
    expect(init.mem_limit).toMatch(/^\d+[mg]$/);
    expect(init.volumes).toEqual(["store:/var/lib/arblab"]);
    expect(compose.services["market-data"].volumes).toEqual(init.volumes);
    expect(compose.services["market-data"].depends_on?.["store-init"]).toEqual({ condition: "service_completed_successfully" });
    // the gateway trades the store's bars through market-data
    expect(compose.services.gateway.depends_on?.["market-data"]).toEqual({ condition: "service_healthy" });
  });

  it.skipIf(spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status !== 0)(
    "docker-compose config (v1.29, format 2.4) accepts service_completed_successfully",
    () => {
      const scratch = mkdtempSync(join(tmpdir(), "arblab-config-"));
      try {
        const envFile = join(scratch, "stack.env");
        writeFileSync(envFile, "LAB_TOKEN=a\nGRPC_AUTH_TOKEN=b\nARBLAB_PAPER_TOKEN=c\nGRAFANA_ADMIN_PASSWORD=d\n");
        const config = execFileSync("docker-compose", ["--env-file", envFile, "-p", "arblab-config", "config"], {
          cwd: root,
          env: { ...process.env, COMPOSE_PROFILES: "app" },
          encoding: "utf8",
          timeout: 60_000,
        });
        expect(config).toMatch(
          / {2}market-data:\n(?: {4}.*\n)*? {4}depends_on:\n {6}store-init:\n {8}condition: service_completed_successfully\n/,
        );
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );

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
        if (source === "/var/run/docker.sock") expect(name, "only the watchdog mounts the engine socket").toBe("watchdog");
        else if (source.startsWith(".") || source.startsWith("/"))
          expect(existsSync(join(root, source)) || source.includes("grafana"), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
    }
  });

  it("builds on the Dockerfile's digest-pinned base images unless ARBLAB_*_IMAGE overrides them", () => {
    const dockerfile = readFileSync(join(root, "docker", "Dockerfile"), "utf8");
    for (const arg of ["NODE_IMAGE", "DEBIAN_IMAGE"]) {
      const pinned = dockerfile.match(new RegExp(`^ARG ${arg}=(\\S+)$`, "m"))?.[1] ?? "";
      expect(pinned, `Dockerfile ARG ${arg}`).toMatch(/^[a-z0-9.-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
      for (const [name, service] of services) {
        if (!service.build) continue;
        expect(service.build.args?.[arg], `${name}.build.args.${arg}`).toBe(`\${ARBLAB_${arg}-${pinned}}`);
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

describe("docker/prometheus.yml", () => {
  it("scrapes every job the Grafana dashboards select", () => {
    const jobs = JSON.parse(
      execFileSync(
        "/usr/bin/python3",
        [
          "-c",
          "import json,sys,yaml; print(json.dumps([j['job_name'] for j in yaml.safe_load(open(sys.argv[1]))['scrape_configs']]))",
          join(root, "docker", "prometheus.yml"),
        ],
        { encoding: "utf8" },
      ),
    ) as string[];
    const dashboards = join(root, "docker", "grafana", "dashboards");
    const selected = new Set<string>();
    for (const file of readdirSync(dashboards).filter((f) => f.endsWith(".json")))
      for (const m of readFileSync(join(dashboards, file), "utf8").matchAll(/job=\\"([^"\\]+)\\"/g)) selected.add(m[1]);
    expect(selected.size).toBeGreaterThan(0);
    for (const job of selected) expect(jobs, `job ${job}`).toContain(job);
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

/** Bare package names a source imports (`from "x"`, `import("x")`), without node: built-ins and type-only imports. */
function barePackages(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*import\s+(type\s+)?[^;]*?from\s+["']([^"'./][^"']*)["']|import\(\s*["']([^"'./][^"']*)["']\s*\)/gm)) {
    if (m[1]) continue;
    const spec = m[2] ?? m[3];
    if (spec.startsWith("node:") || spec.startsWith("npm:")) continue;
    names.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
  }
  return [...names];
}

function walkFiles(dir: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) found.push(...walkFiles(file, keep));
    else if (keep(name)) found.push(file);
  }
  return found;
}

describe("site image stages (docker/Dockerfile, scripts/site-loaders.mjs)", () => {
  it("site-node-cache pre-bundles every package the pages and src/lib import", () => {
    const dockerfile = readFileSync(join(root, "docker", "Dockerfile"), "utf8");
    const listed = dockerfile.match(/^RUN node scripts\/site-node-cache\.mjs docs-site (.+)$/m)?.[1].split(/\s+/) ?? [];
    expect(listed.length, "the RUN line of stage site-node-cache").toBeGreaterThan(0);
    const pages = readdirSync(join(root, "docs-site"))
      .filter((name) => name.endsWith(".md"))
      .map((name) => join(root, "docs-site", name));
    const components = walkFiles(join(root, "docs-site", "components"), (name) => name.endsWith(".js"));
    const library = walkFiles(
      join(root, "src", "lib"),
      (name) => name.endsWith(".ts") && !name.includes(".test") && !name.endsWith(".d.ts"),
    );
    const imported = new Set([...pages, ...components, ...library].flatMap((file) => barePackages(readFileSync(file, "utf8"))));
    expect(imported.size, "bare imports found").toBeGreaterThan(0);
    for (const name of imported) expect(listed, `${name} (imported by the site or src/lib)`).toContain(name);
  });

  it("loader bundles are byte-identical after a comment-only edit in src/lib and differ after a code edit", () => {
    // A scratch copy of the inputs (the script bundles the checkout it sits in).
    const scratch = mkdtempSync(join(tmpdir(), "arblab-site-loaders-"));
    try {
      for (const path of ["scripts/site-loaders.mjs", "scripts/build-externals.json", "tsconfig.json", "src", "docs-site"])
        cpSync(join(root, path), join(scratch, path), { recursive: true, verbatimSymlinks: true });
      execFileSync("ln", ["-s", join(root, "node_modules"), join(scratch, "node_modules")]);
      const bundle = (out: string) => {
        execFileSync(process.execPath, [join(scratch, "scripts", "site-loaders.mjs"), "bundle", join(scratch, out)], { stdio: "pipe" });
        const files = walkFiles(join(scratch, out), () => true).sort();
        return new Map(files.map((file) => [file.slice(join(scratch, out).length), readFileSync(file, "utf8")]));
      };
      const before = bundle("a");
      expect([...before.keys()]).toEqual(
        expect.arrayContaining(["/discovery/pairs.json.js", "/paper/session.json.js", "/walk-forward/book.json.js", "/init-store.js"]),
      );
      const coint = join(scratch, "src", "lib", "timeseries", "coint.ts");
      const source = readFileSync(coint, "utf8");
      writeFileSync(coint, `// a one-line comment edit\n${source}`);
      const comment = bundle("b");
      for (const [file, text] of before) expect(comment.get(file) === text, `${file} unchanged by a comment`).toBe(true);
      // A one-line code edit in a function the discovery loader runs changes that loader's bundle.
      const signature = /^export function coint\(.*\{$/m;
      expect(source, "coint.ts declares `export function coint(…) {` on one line").toMatch(signature);
      writeFileSync(
        coint,
        source.replace(signature, (line) => `${line}\n  if (options === null) throw new TypeError("coint: edited");`),
      );
      const code = bundle("c");
      expect(code.get("/discovery/pairs.json.js"), "discovery runs coint").not.toBe(before.get("/discovery/pairs.json.js"));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("site image stages: src/lib as the pages load it (scripts/site-lib.mjs)", () => {
  it("transpiles every module as Framework's readJavaScript does, and a comment edit changes nothing", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "arblab-site-lib-"));
    try {
      const lib = join(scratch, "lib");
      cpSync(join(root, "src", "lib"), lib, { recursive: true });
      const transpile = (out: string) => {
        execFileSync(process.execPath, [join(root, "scripts", "site-lib.mjs"), lib, join(scratch, out)], { stdio: "pipe" });
        const files = walkFiles(join(scratch, out), () => true).sort();
        return new Map(files.map((file) => [file.slice(join(scratch, out).length), readFileSync(file, "utf8")]));
      };
      const before = transpile("a");
      const sources = walkFiles(lib, (name) => name.endsWith(".ts") && !/\.test\.ts$|\.test-helper\.ts$|\.d\.ts$/.test(name));
      expect([...before.keys()].sort()).toEqual(sources.map((file) => file.slice(lib.length).replace(/\.ts$/, ".js")).sort());
      // The same code Framework serves for the .ts module itself (its own esbuild transform).
      // Framework ships no type declarations: a non-literal specifier keeps tsc from resolving it.
      const frameworkModule = "@observablehq/framework/dist/javascript/module.js";
      const { readJavaScript } = (await import(frameworkModule)) as { readJavaScript: (path: string) => Promise<string> };
      for (const module of ["/timeseries/coint", "/stats/ols", "/index"])
        expect(before.get(`${module}.js`), module).toBe(await readJavaScript(join(lib, `${module}.ts`)));

      const coint = join(lib, "timeseries", "coint.ts");
      const source = readFileSync(coint, "utf8");
      writeFileSync(coint, `/** a one-line doc comment edit */\n${source}`);
      const comment = transpile("b");
      for (const [file, text] of before) expect(comment.get(file) === text, `${file} unchanged by a comment`).toBe(true);
      writeFileSync(
        coint,
        source.replace(/^export function coint\(.*\{$/m, (line) => `${line}\n  if (options === null) throw new TypeError("edited");`),
      );
      expect(transpile("c").get("/timeseries/coint.js")).not.toBe(before.get("/timeseries/coint.js"));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
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

  it("init --skip-if-held: a store held by another process is skipped only when loaded from the same data/", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "arblab-held-"));
    const storePath = join(scratch, "store.duckdb");
    const init = (env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [join(root, "dist", "server", "arblab.js"), "init", "--store", storePath, "--skip-if-held", "--json"], {
        cwd: scratch,
        env: { PATH: process.env.PATH, ...env },
        encoding: "utf8",
        timeout: 120_000,
      });
    try {
      const first = init();
      expect(first.status, first.stderr).toBe(0);
      const marker = JSON.parse(readFileSync(`${storePath}.init.json`, "utf8")) as { fingerprint: string; dataDir: string };
      expect(marker.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(marker.dataDir).toBe(join(root, "data"));
      // a copy of data/ with one price changed: a different fingerprint
      const changed = join(scratch, "data");
      cpSync(join(root, "data"), changed, { recursive: true });
      const gld = join(changed, "gld_gdx_data.csv");
      writeFileSync(gld, readFileSync(gld, "utf8").replace("13.68765831", "13.68765832"));

      const { Store } = await import("../src/data/store/Store.js");
      const holder = await Store.open(storePath); // what market-data does in the stack
      try {
        const skipped = init();
        expect(skipped.status, skipped.stderr).toBe(0);
        expect(JSON.parse(skipped.stdout)).toMatchObject({ store: storePath, fingerprint: marker.fingerprint });
        const stale = init({ ARBLAB_DATA_DIR: changed });
        expect(stale.status).toBe(1);
        expect(stale.stderr).toContain(`init: ${storePath} is held by another process and was not initialised from this data/`);
        expect(stale.stderr).toContain("(in the compose stack: market-data)");
        const plain = spawnSync(process.execPath, [join(root, "dist", "server", "arblab.js"), "init", "--store", storePath], {
          encoding: "utf8",
          timeout: 120_000,
        });
        expect(plain.status, "without the flag a held store stays an error").toBe(1);
        expect(plain.stderr).toContain("Could not set lock on file");
      } finally {
        await holder.close();
      }
      const reloaded = init({ ARBLAB_DATA_DIR: changed });
      expect(reloaded.status, reloaded.stderr).toBe(0);
      const report = JSON.parse(reloaded.stdout) as { files: { universe: string; updated: number }[] };
      expect(report.files.find((f) => f.universe === "gld-gdx")?.updated, "the changed bar is upserted").toBe(1);
      expect(JSON.parse(readFileSync(`${storePath}.init.json`, "utf8")).fingerprint).not.toBe(marker.fingerprint);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 240_000);

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

/**
 * Live check where an engine answers and the images are built (`bash docker/stack.sh build`);
 * skipped elsewhere (CI has no Docker). In its own compose project with ephemeral ports: redis,
 * grpc-server and the watchdog; `docker kill` of the grpc-server container must bring it back
 * healthy, `docker stop` must keep it stopped (the `unless-stopped` meaning of a stop).
 */
const SERVER_IMAGE = "arbitrage-lab/server:latest";
function dockerStackReady(): boolean {
  const quiet = { stdio: "ignore", timeout: 30_000 } as const;
  if (spawnSync("docker", ["info"], quiet).status !== 0) return false;
  if (spawnSync("docker-compose", ["version"], quiet).status !== 0) return false;
  if (spawnSync("docker", ["image", "inspect", "arbitrage-lab/redis:latest"], quiet).status !== 0) return false;
  // The image must be new enough to hold the watchdog (rebuild with `bash docker/stack.sh build`).
  return spawnSync("docker", ["run", "--rm", "--entrypoint", "test", SERVER_IMAGE, "-f", "scripts/watchdog.mjs"], quiet).status === 0;
}

/** A scratch folder with a compose env file of random secrets for a live test's own project. */
function liveStackEnvFile(prefix: string): { scratch: string; envFile: string } {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const envFile = join(scratch, "stack.env");
  writeFileSync(
    envFile,
    ["LAB_TOKEN", "GRPC_AUTH_TOKEN", "ARBLAB_PAPER_TOKEN", "GRAFANA_ADMIN_PASSWORD"]
      .map((k) => `${k}=${randomBytes(12).toString("hex")}\n`)
      .join(""),
  );
  return { scratch, envFile };
}

describe.skipIf(!dockerStackReady())("docker kill of the server's container (live, Docker engine)", () => {
  const project = `arblab-killtest-${process.pid}`;
  // Created in beforeAll: a skipped suite's body still runs at collection, where there may be no engine.
  let scratch = "";
  let envFile = "";
  let env: NodeJS.ProcessEnv = {};
  beforeAll(() => {
    ({ scratch, envFile } = liveStackEnvFile("arblab-killtest-"));
    env = {
      ...process.env,
      ARBLAB_GRPC_PORT: "", // ephemeral host port: never collides with a running stack
      DOCKER_SOCKET_GID: String(statSync("/var/run/docker.sock").gid),
      COMPOSE_PROFILES: "",
    };
  });
  const compose = (...args: string[]) =>
    execFileSync("docker-compose", ["--env-file", envFile, "-p", project, ...args], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 180_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  const inspect = (id: string) =>
    JSON.parse(execFileSync("docker", ["inspect", id], { encoding: "utf8" }))[0] as {
      State: { Running: boolean; StartedAt: string; Health?: { Status: string } };
    };
  /** Poll every 250 ms until `done` holds; fail after `timeoutMs` with the last state. */
  async function waitFor(id: string, what: string, timeoutMs: number, done: (s: ReturnType<typeof inspect>["State"]) => boolean) {
    const started = performance.now();
    let state = inspect(id).State;
    while (!done(state)) {
      if (performance.now() - started > timeoutMs)
        throw new Error(`${what}: not within ${timeoutMs} ms; last state ${JSON.stringify(state)}`);
      await new Promise((r) => setTimeout(r, 250));
      state = inspect(id).State;
    }
    return performance.now() - started;
  }
  const healthy = (s: { Running: boolean; Health?: { Status: string } }) => s.Running && s.Health?.Status === "healthy";

  afterAll(() => {
    try {
      compose("down", "-v", "--remove-orphans");
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  }, 180_000);

  it("comes back healthy after `docker kill`; stays stopped after `docker stop`", async () => {
    compose("up", "-d", "--no-build", "grpc-server", "watchdog");
    const server = compose("ps", "-q", "grpc-server").trim();
    const watchdog = compose("ps", "-q", "watchdog").trim();
    await waitFor(server, "grpc-server healthy", 120_000, healthy);
    await waitFor(watchdog, "watchdog healthy", 60_000, healthy);
    const before = inspect(server).State.StartedAt;

    execFileSync("docker", ["kill", server]);
    const restartMs = await waitFor(
      server,
      "grpc-server healthy again after docker kill",
      120_000,
      (s) => healthy(s) && s.StartedAt !== before,
    );
    console.log(`[dockerStack] docker kill ${project}_grpc-server → healthy again in ${(restartMs / 1000).toFixed(1)} s`);
    expect(inspect(server).State.StartedAt).not.toBe(before);

    execFileSync("docker", ["stop", server]);
    await new Promise((r) => setTimeout(r, 6_000)); // 3 × the watchdog's 2 s grace
    expect(inspect(server).State.Running, "docker stop keeps the server stopped").toBe(false);
  }, 400_000);
});

/**
 * Live, gated like the test above and on an app image that has `init --skip-if-held` (rebuild with
 * `bash docker/stack.sh build worker`): in its own project, `up market-data` runs store-init first,
 * so market-data serves the bundled bars; a second `up` while market-data holds the store is a
 * no-op for the one-shot (exit 0) and leaves market-data running.
 */
const APP_IMAGE = "arbitrage-lab/app:latest";
function storeInitReady(): boolean {
  if (!dockerStackReady()) return false;
  const help = spawnSync("docker", ["run", "--rm", APP_IMAGE, "node", "dist/server/arblab.js", "init", "--help"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return help.status === 0 && help.stdout.includes("--skip-if-held");
}

describe.skipIf(!storeInitReady())("store-init before market-data (live, Docker engine)", () => {
  const project = `arblab-storeinit-${process.pid}`;
  let scratch = "";
  let envFile = "";
  beforeAll(() => {
    ({ scratch, envFile } = liveStackEnvFile("arblab-storeinit-"));
  });
  const env = { ...process.env, ARBLAB_MARKET_DATA_PORT: "", COMPOSE_PROFILES: "app" };
  const compose = (...args: string[]) =>
    execFileSync("docker-compose", ["--env-file", envFile, "-p", project, ...args], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 240_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  const state = (id: string) =>
    JSON.parse(execFileSync("docker", ["inspect", id], { encoding: "utf8" }))[0].State as {
      Running: boolean;
      ExitCode: number;
      StartedAt: string;
      FinishedAt: string;
      Health?: { Status: string };
    };

  afterAll(() => {
    try {
      compose("down", "-v", "--remove-orphans");
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  }, 240_000);

  it("market-data serves the bundled klines after up; a second up skips the held store", async () => {
    compose("up", "-d", "--no-build", "market-data");
    const init = compose("ps", "-aq", "store-init").trim();
    const market = compose("ps", "-q", "market-data").trim();
    const first = state(init);
    expect(first.ExitCode, compose("logs", "store-init")).toBe(0);
    const initSeconds = (Date.parse(first.FinishedAt) - Date.parse(first.StartedAt)) / 1000;
    console.log(`[dockerStack] store-init on an empty store volume: ${initSeconds.toFixed(1)} s`);
    const started = performance.now();
    while (state(market).Health?.Status !== "healthy") {
      if (performance.now() - started > 120_000) throw new Error(`market-data not healthy within 120 s: ${JSON.stringify(state(market))}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const address = compose("port", "market-data", "8000").trim();
    // one symbol from each of two bundled universes (sp100_prices.csv, gld_gdx_data.csv)
    for (const [symbol, firstClose] of [
      ["AAPL", null],
      ["GLD", 110.5299988],
    ] as const) {
      const response = await fetch(`http://${address}/api/v3/klines?symbol=${symbol}&interval=1d&limit=1000`);
      expect(response.status, `klines ${symbol}`).toBe(200);
      const bars = (await response.json()) as [number, string, string, string, string][];
      expect(bars.length, `klines ${symbol}`).toBeGreaterThanOrEqual(1);
      if (firstClose !== null)
        expect(Number(bars[0][4]), `${symbol} first close = data/gld_gdx_data.csv 8/24/2015`).toBeCloseTo(firstClose, 5);
    }

    compose("up", "-d", "--no-build", "market-data");
    const second = state(init);
    expect(second.StartedAt, "compose started the one-shot again").not.toBe(first.StartedAt);
    expect(second.ExitCode, compose("logs", "store-init")).toBe(0);
    expect(compose("logs", "--tail", "1", "store-init")).toContain("held by another process, already initialised from this data/");
    expect(state(market).Running).toBe(true);
    expect(compose("ps", "-q", "market-data").trim(), "market-data not recreated").toBe(market);
  }, 400_000);
});
