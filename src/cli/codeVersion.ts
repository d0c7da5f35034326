import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The code version stored with results: the git commit (with "+dirty" for local changes), else "unknown". */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const cwd = fileURLToPath(new URL("../..", import.meta.url));
  try {
    const head = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd, encoding: "utf8", timeout: 5000 }).trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8", timeout: 5000 }).trim() !== "";
    cached = dirty ? `${head}+dirty` : head;
  } catch {
    cached = "unknown";
  }
  return cached;
}
