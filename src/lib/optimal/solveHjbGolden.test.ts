/**
 * Bit-identity guard for moving the PDE toolkit out of solveHjb.ts: SHA-256 of every output of a
 * few solves (both schemes, with and without stop-loss and extrapolation), recorded before the
 * move (commit d78fa25). Any changed bit changes a hash; update them only for an intended change
 * of results, and say why in the commit body.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { solveHjb, type SolveHjbParameters } from "./solveHjb.js";

function hashResult(r: ReturnType<typeof solveHjb>): string {
  const h = createHash("sha256");
  for (const a of [r.x, r.exitValue, r.entryValue]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const scalars = [
    r.exitLevel,
    r.entryLevel ?? NaN,
    r.entryLowerLevel ?? NaN,
    r.levelErrorEstimate,
    r.iterations,
    r.residual,
    r.gridSpacing,
  ];
  h.update(new Uint8Array(Float64Array.from(scalars).buffer));
  h.update(JSON.stringify([r.entryLevel === null, r.entryLowerLevel === null, r.warnings]));
  return h.digest("hex").slice(0, 24);
}

const cases: [string, SolveHjbParameters, string][] = [
  ["policy iteration, no stop-loss", { kappa: 2, theta: 0, sigma: 0.3, r: 0.05, c: 0.02 }, "4d4643ca7d22f705f3b5aaec"],
  ["policy iteration, stop-loss", { kappa: 8, theta: 0.5, sigma: 0.4, r: 0.05, c: 0.01, stopLoss: 0.2 }, "1a489ef727ddbdb72d47a326"],
  [
    "psor, coarse grid, no extrapolation",
    { kappa: 2, theta: 0, sigma: 0.3, r: 0.05, c: 0.02, scheme: "psor", grid: { points: 201 }, extrapolate: false },
    "5f2f672a9bc47b792e11fa36",
  ],
  [
    "psor, stop-loss",
    { kappa: 3, theta: 1, sigma: 0.5, r: 0.03, c: 0.05, stopLoss: 0.4, scheme: "psor", grid: { points: 301 } },
    "108bf85af8ec83a68186354e",
  ],
];

describe("solveHjb outputs are bit-identical to the recorded hashes (refactor guard)", () => {
  for (const [name, params, expected] of cases) it(name, () => expect(hashResult(solveHjb(params))).toBe(expected));
});
