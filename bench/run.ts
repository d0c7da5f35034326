/**
 * `npm run bench`: runs every bench/*.bench.ts module in one process, one after another on the
 * same machine, and writes BENCHMARKS.md with the command, the machine and each section.
 * Each module exports `run(): Promise<BenchSection>`; `only=<name>` runs a subset
 * (`npm run bench -- coint`).
 */
import { readdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { cpus, totalmem, platform, release } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

export interface BenchSection {
  /** Section heading, e.g. "Engle–Granger coint over all pairs of 50 random walks". */
  title: string;
  /** Markdown body: what was measured, a table of results, targets and verdicts. */
  markdown: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const filter = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filter.length === 0 || filter.some((name) => f.startsWith(name)))
  .sort();

const sections: BenchSection[] = [];
for (const file of files) {
  console.log(`[bench] ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchSection> };
  const section = await mod.run();
  console.log(section.markdown);
  sections.push(section);
}

const cpu = cpus();
const machine = [
  `- CPU: ${cpu[0]?.model ?? "unknown"} × ${cpu.length} logical cores`,
  `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  `- OS: ${platform()} ${release()}; Node ${process.version}`,
  `- Date: ${new Date().toISOString()}`,
].join("\n");

const command = filter.length ? `npm run bench -- ${filter.join(" ")}` : "npm run bench";
let body = `# Benchmarks\n\nWritten by \`${command}\` (bench/run.ts). Timings are wall-clock medians on the machine below;\nspeed targets are checked here, never in timed tests.\n\n## Machine\n\n${machine}\n`;
// A partial run keeps the other sections of the previous file.
const previous = existsSync(join(root, "BENCHMARKS.md")) ? readFileSync(join(root, "BENCHMARKS.md"), "utf8") : "";
const kept = new Map<string, string>();
if (filter.length) {
  for (const block of previous.split(/\n(?=## )/).slice(1)) {
    const title = block.split("\n")[0].slice(3).trim();
    if (title !== "Machine") kept.set(title, block.trim());
  }
}
for (const s of sections) kept.set(s.title, `## ${s.title}\n\n${s.markdown.trim()}`);
body += "\n" + [...kept.values()].join("\n\n") + "\n";
writeFileSync(join(root, "BENCHMARKS.md"), body);
console.log(`[bench] wrote BENCHMARKS.md (${kept.size} sections)`);
