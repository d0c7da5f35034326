import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { leungLi } from "./leungLi.js";
import { solveHjb } from "./solveHjb.js";

interface Case {
  kappa: number;
  theta: number;
  sigma: number;
  r: number;
  c: number;
  stopLoss: number | null;
  exitLevel: number;
  entryLevel: number | null;
  entryLowerLevel: number | null;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/leungLi.json", import.meta.url), "utf8")) as { cases: Case[] };

// The accuracy requirement: levels within 1e-6 of the closed form (the default grid reaches ~1e-8).
const LEVEL_TOL = 1e-6;

function near(actual: number | null, expected: number | null, tol: number, label: string): void {
  if (expected === null || actual === null) {
    expect(actual, `${label}: expected ${expected}, got ${actual}`).toBe(expected);
    return;
  }
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

describe("solveHjb (policy iteration, default grid, Richardson) agrees with the mpmath Leung–Li levels to 1e-6", () => {
  it.each(fixture.cases.map((c) => [c.kappa, c.theta, c.stopLoss, c]))("kappa %s theta %s stopLoss %s", (_k, _t, _l, c) => {
    const params = { kappa: c.kappa, theta: c.theta, sigma: c.sigma, r: c.r, c: c.c, stopLoss: c.stopLoss };
    const result = solveHjb(params);
    const label = JSON.stringify(params);
    near(result.exitLevel, c.exitLevel, LEVEL_TOL, `${label} exitLevel`);
    near(result.entryLevel, c.entryLevel, LEVEL_TOL, `${label} entryLevel`);
    near(result.entryLowerLevel, c.entryLowerLevel, LEVEL_TOL, `${label} entryLowerLevel`);
    expect(result.residual).toBeLessThan(1e-12);
    expect(result.iterations).toBeGreaterThan(0);
    expect(result.levelErrorEstimate).toBeLessThan(1e-3);
  });
});

describe("solveHjb value functions agree with leungLi's", () => {
  it.each([
    [{ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 }],
    [{ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02, stopLoss: 0.3 }],
  ])("%j: max |V_h − V| and |J_h − J| ≤ 1e-5 on the grid (values are the fine-grid O(h²) solution, not extrapolated)", (params) => {
    const numeric = solveHjb(params);
    const exact = leungLi(params).valueFunctions(numeric.x);
    let worstExit = 0;
    let worstEntry = 0;
    for (let i = 0; i < numeric.x.length; i++) {
      worstExit = Math.max(worstExit, Math.abs(numeric.exitValue[i] - exact.exitValue[i]));
      worstEntry = Math.max(worstEntry, Math.abs(numeric.entryValue[i] - exact.entryValue[i]));
    }
    expect(worstExit, `exit value max error ${worstExit}`).toBeLessThan(1e-5);
    expect(worstEntry, `entry value max error ${worstEntry}`).toBeLessThan(1e-5);
  });
});

describe("solveHjb grid refinement", () => {
  const params = { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 };
  const exact = leungLi(params);
  const errors = (extrapolate: boolean): number[] =>
    [801, 1601, 3201].map((points) => {
      const r = solveHjb({ ...params, grid: { points }, extrapolate });
      return Math.max(Math.abs(r.exitLevel - exact.exitLevel), Math.abs((r.entryLevel as number) - (exact.entryLevel as number)));
    });
  it("sub-grid levels converge at second order without extrapolation (error ratio ≈ 4 per halving of h)", () => {
    const e = errors(false);
    for (let i = 1; i < e.length; i++) {
      const order = Math.log2(e[i - 1] / e[i]);
      expect(order, `errors ${e.join(", ")}: observed order ${order}`).toBeGreaterThan(1.9);
      expect(order, `errors ${e.join(", ")}: observed order ${order}`).toBeLessThan(2.1);
    }
  });
  it("Richardson extrapolation raises the observed order to ≈ 4", () => {
    const e = errors(true);
    const order = Math.log2(e[0] / e[2]) / 2;
    expect(order, `errors ${e.join(", ")}: observed order ${order}`).toBeGreaterThan(3.3);
    expect(e[2]).toBeLessThan(1e-9);
  });
});

describe("solveHjb schemes", () => {
  it("PSOR and policy iteration solve the same discrete problem (levels agree to 1e-8 on a 161-point grid)", () => {
    const params = { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02, grid: { points: 161 }, extrapolate: false };
    const howard = solveHjb(params);
    const psor = solveHjb({ ...params, scheme: "psor" });
    near(psor.exitLevel, howard.exitLevel, 1e-8, "exit");
    near(psor.entryLevel, howard.entryLevel, 1e-8, "entry");
    expect(psor.iterations).toBeGreaterThan(howard.iterations);
  });

  it("widens the domain when a level lies far outside θ ± nStd·sd", () => {
    const params = { kappa: 5, theta: 0, sigma: 0.2, r: 0.05, c: 0.3, grid: { nStd: 3 } };
    const result = solveHjb(params);
    near(result.exitLevel, leungLi(params).exitLevel, LEVEL_TOL, "exit");
    expect(result.x[result.x.length - 1]).toBeGreaterThan(result.exitLevel);
  });
});

describe("solveHjb validation", () => {
  const base = { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 };
  it.each([
    [{ ...base, sigma: 0 }, /solveHjb: sigma must be > 0/],
    [{ ...base, kappa: -1 }, /solveHjb: kappa must be > 0/],
    [{ ...base, r: 0 }, /solveHjb: r must be > 0/],
    [{ ...base, c: -1 }, /solveHjb: c must be >= 0/],
    [{ ...base, stopLoss: 0.6 }, /solveHjb: stopLoss must be < theta/],
    [{ ...base, grid: { points: 10 } }, /solveHjb: grid.points must be >= 41/],
    [{ ...base, grid: { nStd: 1 } }, /solveHjb: grid.nStd must be >= 2/],
    [{ ...base, scheme: "explicit" }, /solveHjb: scheme must be one of/],
    [{ ...base, r: 5e-324 }, /solveHjb: r \/ kappa must be >= 1e-8/],
  ])("%j", (params, message) => {
    expect(() => solveHjb(params as never)).toThrow(RangeError);
    expect(() => solveHjb(params as never)).toThrow(message);
  });
});
