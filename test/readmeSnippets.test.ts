/**
 * The README's code blocks run as written where they say they run, and their commented numbers
 * are what the code prints.
 *
 * Every ```ts block of README.md must be preceded by one HTML comment line saying how it runs:
 *   <!-- snippet: tsx -->            saved as a file in the repository root and run with `npx tsx`
 *   <!-- snippet: tsx, continues --> appended to the previous runnable block (shares its variables)
 *   <!-- snippet: skip (reason) -->  not run; the reason is required
 * In a runnable block, a statement line `expr;` or `a, b;` with a trailing `// …` comment is
 * checked: its values (arrays flattened) must equal the comment's first numbers to the digits
 * shown (±half a unit in the last printed digit), or its quoted string exactly.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../scripts/lab-support.js";

interface Snippet {
  readonly line: number;
  readonly mode: "tsx" | "continues" | "skip";
  readonly reason: string;
  readonly code: string;
}

interface Check {
  readonly line: number;
  readonly expression: string;
  readonly comment: string;
}

/** The README's ts blocks with their run instructions; throws naming the line of a block without one. */
function readSnippets(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: unterminated code block`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === "") k--;
    const marker = /^<!--\s*snippet:\s*(tsx, continues|tsx|skip)\s*(?:\((.*)\))?\s*-->$/.exec(lines[k]?.trim() ?? "");
    if (!marker) {
      throw new Error(
        `README.md:${i + 1}: a ts block must follow <!-- snippet: tsx -->, <!-- snippet: tsx, continues --> or <!-- snippet: skip (reason) -->`,
      );
    }
    const mode = marker[1] === "tsx, continues" ? "continues" : (marker[1] as "tsx" | "skip");
    const reason = (marker[2] ?? "").trim();
    if (mode === "skip" && !reason) throw new Error(`README.md:${k + 1}: <!-- snippet: skip (…) --> needs a reason`);
    snippets.push({ line: i + 2, mode, reason, code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return snippets;
}

/** Checked statement lines of a block: `expr;  // comment`, not declarations or control flow. */
function checksOf(snippet: Snippet): Check[] {
  const checks: Check[] = [];
  snippet.code.split("\n").forEach((text, index) => {
    const m = /^([A-Za-z_$][^;]*?);\s*\/\/\s*(.+)$/.exec(text.trim());
    if (!m || /^(const|let|var|import|export|if|for|while|return|await|try)\b/.test(m[1]!)) return;
    if (/[^=!<>]=[^=>]/.test(m[1]!)) return; // an assignment, not a value
    checks.push({ line: snippet.line + index, expression: m[1]!, comment: m[2]! });
  });
  return checks;
}

/** Numbers as printed in a comment, with the half-unit of their last digit. */
function printedNumbers(comment: string): { value: number; tolerance: number; text: string }[] {
  return [...comment.replace(/−/g, "-").matchAll(/-?\d[\d_]*(?:\.(\d+))?(?:e-?\d+)?/g)].map((m) => {
    const text = m[0].replace(/_/g, "");
    const decimals = m[1]?.length ?? 0;
    return { value: Number(text), tolerance: 0.5 * 10 ** -decimals * (1 + 1e-9), text };
  });
}

/** The program that runs `code` and prints every check's values as one JSON line. */
function instrument(code: string, checks: readonly Check[]): string {
  const lines = code.split("\n");
  const prints = checks.map((c) => `[${c.expression}]`).join(", ");
  const typedArraysAsArrays = "(_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)";
  return `${lines.join("\n")}\nconsole.log("README-CHECKS " + JSON.stringify([${prints}], ${typedArraysAsArrays}));\n`;
}

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const snippets = readSnippets(readme);

describe("README snippets", () => {
  it("every ts block says how it runs; skipped ones say why", () => {
    expect(snippets.length).toBeGreaterThan(0);
    for (const s of snippets.filter((x) => x.mode === "skip")) expect(s.reason.length, `README.md:${s.line}`).toBeGreaterThan(10);
    expect(snippets[0]!.mode, "the first runnable block cannot continue another").not.toBe("continues");
  });

  // Group each tsx block with the blocks that continue it.
  const programs: { line: number; code: string; checks: Check[] }[] = [];
  for (const s of snippets) {
    if (s.mode === "skip") continue;
    if (s.mode === "continues" && programs.length > 0) {
      const last = programs[programs.length - 1]!;
      last.code += `\n${s.code}`;
      last.checks.push(...checksOf(s));
    } else programs.push({ line: s.line, code: s.code, checks: checksOf(s) });
  }

  for (const program of programs) {
    it(`README.md:${program.line} runs with tsx from the repository root and prints its commented values`, () => {
      const file = path.join(ROOT, `.readme-snippet-${process.pid}-${program.line}.ts`);
      writeFileSync(file, instrument(program.code, program.checks));
      let result: ReturnType<typeof spawnSync>;
      try {
        result = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
      } finally {
        rmSync(file, { force: true });
      }
      expect(result.status, `README.md:${program.line} exited ${result.status}:\n${result.stderr}`).toBe(0);
      const out = String(result.stdout)
        .split("\n")
        .find((l) => l.startsWith("README-CHECKS "));
      expect(out, "the snippet printed its checked values").toBeDefined();
      const values = JSON.parse(out!.slice("README-CHECKS ".length)) as unknown[][];
      expect(program.checks.length).toBeGreaterThan(0);
      program.checks.forEach((check, i) => {
        const actual = (values[i] ?? []).flat(2);
        const where = `README.md:${check.line} \`${check.expression}\` // ${check.comment}: got ${JSON.stringify(actual)}`;
        if (actual.length === 1 && typeof actual[0] === "string") {
          expect(check.comment.startsWith(JSON.stringify(actual[0])), where).toBe(true);
          return;
        }
        const printed = printedNumbers(check.comment);
        expect(printed.length, where).toBeGreaterThanOrEqual(actual.length);
        actual.forEach((v, j) => {
          expect(typeof v, where).toBe("number");
          const want = printed[j]!;
          expect(Math.abs((v as number) - want.value), `${where} (value ${j + 1} vs ${want.text})`).toBeLessThanOrEqual(
            want.tolerance + Math.abs(want.value) * 1e-15,
          );
        });
      });
    }, 150_000);
  }
});
