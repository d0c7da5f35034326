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

/**
 * Machine speed check: best of 30 timed sums of 1,000,000 doubles (a 4-cycle add chain, no memory
 * or JIT effects once warm). This VM's speed moves by up to ~50 % between minutes (shared host), so
 * each section records the check before it runs: a section measured in a slow phase shows it.
 */
const speedProbe = new Float64Array(1_000_000).map((_, i) => (i % 7) - 3);
function speedCheckMs(): number {
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < 30; r++) {
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < speedProbe.length; i++) s += speedProbe[i];
    best = Math.min(best, performance.now() - t0);
    sink += s;
  }
  if (sink === 42) console.log(""); // keep the loop observable
  return best;
}

const sections: BenchSection[] = [];
for (const file of files) {
  console.log(`[bench] ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchSection> };
  const speed = speedCheckMs();
  const section = await mod.run();
  section.markdown = `Machine speed check before this section: ${speed.toFixed(2)} ms per 10⁶ additions (~1.05 in a fast phase of this VM, ~1.6 in a slow one).\n\n${section.markdown}`;
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
