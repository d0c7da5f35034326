/**
 * Cross-language: the Python check (test/python/check_python_client.py) generates stubs from OUR
 * protos with Debian's grpc_tools.protoc into a temporary directory and calls TestPair,
 * DiscoverPairs, SolveHJB and the EstimateOUParams bidi stream the way the existing rust-arblab
 * Python client does (insecure channel, no channel options, dict conversion), against a real
 * server started here on 127.0.0.1:0. Requires /usr/bin/python3 with python3-grpcio and
 * python3-grpc-tools (installed by `scripts/bootstrap.sh test`, i.e. by `npm test` and CI).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/testServer.js";

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = "/usr/bin/python3";
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ workers: 2 });
});

afterAll(async () => {
  await t?.stop();
});

/** Run a child without blocking this event loop (the server under test lives in this process). */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: join(here, "..", ".."), env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Python client (grpcio 1.51, stubs from our protos) against our server", () => {
  it("python3 with grpcio and grpc_tools is available", async () => {
    const probe = await run(PYTHON, ["-c", "import grpc, grpc_tools.protoc; print(grpc.__version__)"]);
    expect(probe.code, `${PYTHON} lacks grpcio/grpc_tools (run: bash scripts/bootstrap.sh test)\n${probe.stderr}`).toBe(0);
  });

  it("TestPair, DiscoverPairs, SolveHJB and the EstimateOUParams bidi stream pass every check", async () => {
    const result = await run(PYTHON, [join(here, "check_python_client.py"), "--host", "127.0.0.1", "--port", String(t.port)]);
    const summaryLine = result.stdout.trim().split("\n").at(-1) ?? "";
    expect(result.code, `python check failed (exit ${result.code})\nstderr:\n${result.stderr}\nstdout:\n${result.stdout}`).toBe(0);
    const summary = JSON.parse(summaryLine) as {
      failures: string[];
      test_pair: { beta: number; is_cointegrated: boolean } | null;
      discover_pairs: { updates: number; found: string[] };
      solve_hjb: { lower: number; upper: number };
      estimate_ou_params: { estimates: number };
    };
    expect(summary.failures).toEqual([]);
    expect(summary.test_pair?.is_cointegrated).toBe(true);
    expect(summary.discover_pairs.updates).toBe(7); // 6 pairs + the final summary
    expect(summary.solve_hjb.lower).toBeLessThan(summary.solve_hjb.upper);
    expect(summary.estimate_ou_params.estimates).toBe(400);
  }, 120_000);
});
