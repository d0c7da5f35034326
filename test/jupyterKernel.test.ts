/**
 * The tslab kernelspec is per checkout (scripts/install-kernel.sh writes it under .jupyter/ in the
 * checkout; scripts/lab-support.ts jupyterEnv() points Jupyter there). A second clone of this
 * repository under the OS temp folder bootstraps its kernel; this checkout's kernel must still be
 * this checkout's (its kernel.json byte-identical, and resolved first even when the per-user or
 * system-wide "tslab" kernelspec points at another checkout) and still start and run a cell.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JUPYTER_PYTHON, ROOT, jupyterEnv } from "../scripts/lab-support.js";

/** The kernelspec file of a checkout (written by its scripts/install-kernel.sh). */
function kernelJson(root: string): string {
  return readFileSync(path.join(root, ".jupyter", "data", "kernels", "tslab", "kernel.json"), "utf8");
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  const result = spawnSync(command, args, { ...options, encoding: "utf8", timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${options.cwd}) exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** argv[0] of the "tslab" kernelspec Jupyter resolves for a checkout. */
function resolvedKernel(root: string): string {
  const code = 'from jupyter_client.kernelspec import KernelSpecManager as K; print(K().get_kernel_spec("tslab").argv[0])';
  return run(JUPYTER_PYTHON, ["-c", code], { cwd: root, env: jupyterEnv(root) }).trim();
}

describe("per-checkout Jupyter kernelspec", () => {
  let clone = "";
  let before = "";

  beforeAll(() => {
    run("bash", ["scripts/install-kernel.sh"], { cwd: ROOT });
    before = kernelJson(ROOT);
    clone = mkdtempSync(path.join(tmpdir(), "arbitrage-lab-second-checkout-"));
    run("git", ["clone", "--quiet", "--shared", ROOT, clone], { cwd: tmpdir() });
    // The clone shares the installed packages (no second npm install); its kernelspec still names
    // the clone's own node_modules/.bin/tslab path.
    symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"));
    run("bash", ["scripts/install-kernel.sh"], { cwd: clone });
  }, 240_000);

  afterAll(() => {
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it("each checkout resolves its own tslab; the second bootstrap leaves the first's kernelspec as it was", () => {
    expect(resolvedKernel(ROOT)).toBe(path.join(ROOT, "node_modules", ".bin", "tslab"));
    expect(resolvedKernel(clone)).toBe(path.join(clone, "node_modules", ".bin", "tslab"));
    expect(kernelJson(ROOT)).toBe(before);
    // The bootstrap's outputs (.jupyter/, the notebook bundle) are git-ignored: the clone stays clean.
    expect(run("git", ["status", "--porcelain"], { cwd: clone })).toBe("");
  });

  it("this checkout's kernel still starts and runs a TypeScript cell after the second bootstrap", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "arbitrage-lab-kernel-check-"));
    try {
      const notebook = {
        cells: [
          {
            cell_type: "code",
            execution_count: null,
            metadata: {},
            outputs: [],
            source: 'const answer: number = 6 * 7;\nconsole.log("answer " + answer);',
          },
        ],
        metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      };
      const file = path.join(dir, "check.ipynb");
      writeFileSync(file, JSON.stringify(notebook));
      const code = [
        "import nbformat, sys",
        "from nbclient import NotebookClient",
        "nb = nbformat.read(sys.argv[1], as_version=4)",
        'NotebookClient(nb, timeout=120, kernel_name="tslab").execute()',
        'print("".join(o.get("text", "") for o in nb.cells[0].outputs))',
      ].join("\n");
      const out = run(JUPYTER_PYTHON, ["-c", code, file], { cwd: dir, env: jupyterEnv(ROOT) });
      expect(out).toContain("answer 42");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
