import { describe, expect, it } from "vitest";
import { leungLi } from "./leungLi.js";
import { solveHjb } from "./solveHjb.js";
import { randomSource } from "../util/random.js";
import { readLeungLiFixture, type LeungLiFixtureCase } from "./fixtures/leungLiFixture.js";

const fixture = readLeungLiFixture();

// The accuracy requirement for solveHjb: levels within 1e-6 of the closed form (the default grid reaches ~1e-8).
const LEVEL_TOL = 1e-6;

function near(actual: number | null, expected: number | null, tol: number, label: string): void {
  if (expected === null || actual === null) {
    expect(actual, `${label}: expected ${expected}, got ${actual}`).toBe(expected);
    return;
  }
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

// Fixture cases a uniform-grid VI solve cannot reach; solveHjb must refuse them with a RangeError (never
// return wrong levels): θ = 6.7e4 sd above c puts b* 1.6e3 sd below θ (needs ~1e9 nodes), and θ 110 sd
// below c with a stop-loss gives an entry interval whose edges touch too flatly for O(h²) values.
const outOfReach = (c: LeungLiFixtureCase): boolean => (c.theta === 1e4 && c.stopLoss === null) || c.theta === -185.81823329141108;

describe("solveHjb (policy iteration, default grid, Richardson) agrees with the mpmath Leung–Li levels to 1e-6", () => {
  it.each(fixture.cases.filter((c) => !outOfReach(c)).map((c) => [c.kappa, c.theta, c.stopLoss, c]))(
    "kappa %s theta %s stopLoss %s",
    (_k, _t, _l, c) => {
      const params = { kappa: c.kappa, theta: c.theta, sigma: c.sigma, r: c.r, c: c.c, stopLoss: c.stopLoss };
      const result = solveHjb(params);
      const label = JSON.stringify(params);
      near(result.exitLevel, c.exitLevel, LEVEL_TOL, `${label} exitLevel`);
      near(result.entryLevel, c.entryLevel, LEVEL_TOL, `${label} entryLevel`);
      near(result.entryLowerLevel, c.entryLowerLevel, LEVEL_TOL, `${label} entryLowerLevel`);
      expect(result.residual).toBeLessThan(1e-12);
      expect(result.iterations).toBeGreaterThan(0);
      expect(result.levelErrorEstimate).toBeLessThan(1e-3);
    },
  );
});

describe("solveHjb refuses (RangeError, never wrong levels) the fixture regimes a grid cannot resolve", () => {
  it.each(fixture.cases.filter(outOfReach).map((c) => [c.kappa, c.theta, c.stopLoss, c]))(
    "kappa %s theta %s stopLoss %s",
    (_k, _t, _l, c) => {
      const params = { kappa: c.kappa, theta: c.theta, sigma: c.sigma, r: c.r, c: c.c, stopLoss: c.stopLoss };
      expect(() => solveHjb(params)).toThrow(RangeError);
      expect(() => solveHjb(params)).toThrow(/^solveHjb: .*use leungLi for such parameters/);
    },
  );
});

describe("solveHjb in the regimes found by fuzzing (domain from the problem, y = x − θ internally)", () => {
  it("c ≫ sd (c = 10, sd = 0.15): the domain starts above c, levels agree with leungLi to 1e-6 (was 7.52 < c with a widening-limit warning)", () => {
    const params = { kappa: 2, theta: 0, sigma: 0.3, r: 0.05, c: 10 };
    const result = solveHjb(params);
    const exact = leungLi(params);
    near(result.exitLevel, exact.exitLevel, LEVEL_TOL, "exit");
    near(result.entryLevel, exact.entryLevel, LEVEL_TOL, "entry");
    expect(result.exitLevel).toBeGreaterThan(params.c);
    expect(result.warnings.join(" ")).not.toMatch(/widening limit/);
  });

  it("stop-loss above the free exit level (theta = 1e4, L = theta − 0.1): immediate exit b*_L = L exactly, no entry, as leungLi (was L + h/2)", () => {
    const params = { kappa: 2, theta: 1e4, sigma: 0.3, r: 0.05, c: 0.02, stopLoss: 1e4 - 0.1 };
    const result = solveHjb(params);
    expect(result.exitLevel).toBe(params.stopLoss);
    expect(result.entryLevel).toBeNull();
    expect(leungLi(params).exitLevel).toBe(params.stopLoss);
  });

  it("theta = 1e7 with c − theta = 0.04 sd and a stop-loss: agrees with leungLi to 1e-6 (obstacles formed as (θ − c) + sd·y)", () => {
    const params = { kappa: 2, theta: 1e7, sigma: 1, r: 0.05, c: 1e7 + 0.02, stopLoss: 1e7 - 0.5 };
    const result = solveHjb(params);
    const exact = leungLi(params);
    near(result.exitLevel, exact.exitLevel, LEVEL_TOL, "exit");
    near(result.entryLevel, exact.entryLevel, LEVEL_TOL, "entry");
  });

  it("scale invariance at 1e7: (theta, sigma, c) × 1e7 gives levels × 1e7 to 1e-12 relative (no cancellation against theta)", () => {
    const base = { kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 };
    const scaled = { ...base, theta: 0.5e7, sigma: 0.3e7, c: 0.02e7 };
    const a = solveHjb(base);
    const b = solveHjb(scaled);
    near(b.exitLevel / 1e7, a.exitLevel, 1e-12, "exit / 1e7");
    near((b.entryLevel as number) / 1e7, a.entryLevel, 1e-12, "entry / 1e7");
  });

  it.each([
    // θ − c = 2e7 sd: b* ≈ θ − ν(θ − c)/(1 + ν) (leungLi 9756097.56), 4.9e6 sd below θ — was 9999994.0 silently
    [{ kappa: 2, theta: 1e7, sigma: 1, r: 0.05, c: 0.02 }, /levels lie beyond|sds from theta/],
    // c ≈ θ = 1e7 without stop-loss: d* ≈ −c + 0.48 (polynomial tail of G), 4e7 sd below θ
    [{ kappa: 2, theta: 1e7, sigma: 1, r: 0.05, c: 1e7 + 0.02 }, /levels lie beyond|sds from theta/],
  ])("%j: levels out of grid reach -> RangeError naming theta and c, not wrong levels", (params, message) => {
    expect(() => solveHjb(params)).toThrow(RangeError);
    expect(() => solveHjb(params)).toThrow(message);
    expect(() => solveHjb(params)).toThrow(/solveHjb: .*theta = 10000000, c = .*use leungLi/);
    expect(Number.isFinite(leungLi(params).exitLevel)).toBe(true);
  });

  it("seeded random parameter sets (|theta|, c up to 1000 sd, stop-loss 0.1–3 sd below theta): solveHjb agrees with leungLi to 2e-5 sd (fine grid O(h²) at |y|·h ≤ 0.1, then Richardson) or throws a RangeError", () => {
    const rng = randomSource(20261121);
    let agreed = 0;
    for (let i = 0; i < 30; i++) {
      const kappa = 10 ** (rng() * 4 - 1);
      const sigma = 10 ** (rng() * 2 - 1.5);
      const sd = sigma / Math.sqrt(2 * kappa);
      const theta = (rng() - 0.5) * sd * 10 ** (rng() * 3);
      const c = rng() < 0.3 ? 0.02 : sd * 10 ** (rng() * 3 - 2);
      const stopLoss = rng() < 0.4 ? theta - sd * 10 ** (rng() * 1.5 - 1) : undefined;
      const params = { kappa, sigma, r: 10 ** (rng() * 2 - 2), c, theta, stopLoss };
      const exact = leungLi(params);
      let numeric;
      try {
        numeric = solveHjb(params);
      } catch (error) {
        expect(error, JSON.stringify(params)).toBeInstanceOf(RangeError);
        continue;
      }
      const label = JSON.stringify(params);
      near(numeric.exitLevel, exact.exitLevel, 2e-5 * sd, `${label} exit`);
      near(numeric.entryLevel, exact.entryLevel, 2e-5 * sd, `${label} entry`);
      near(numeric.entryLowerLevel, exact.entryLowerLevel, 2e-5 * sd, `${label} entryLower`);
      agreed++;
    }
    expect(agreed).toBeGreaterThanOrEqual(25);
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

describe("solveHjb refuses a kappa so small that the levels fall between grid nodes (issue #10 item 6)", () => {
  it.each([1e-300, 1e-12, 1e-5])("kappa = %s: RangeError naming kappa, r/kappa and grid.points", (kappa) => {
    expect(() => solveHjb({ kappa, theta: 0, sigma: 0.2, r: 0.04, c: 0.001, grid: { points: 200, nStd: 4 } })).toThrow(
      /^solveHjb: kappa = .* is too small for this grid: with r\/kappa = .*grid\.points/,
    );
  });
  it("the grid the message asks for solves it, and agrees with leungLi to 1 %", () => {
    const params = { kappa: 1e-5, theta: 0, sigma: 0.2, r: 0.04, c: 0.001 };
    let needed = 0;
    try {
      solveHjb({ ...params, grid: { points: 200, nStd: 4 } });
    } catch (error) {
      needed = Number(/grid\.points >= (\d+)/.exec((error as Error).message)?.[1]);
    }
    expect(needed).toBeGreaterThan(200);
    const fd = solveHjb({ ...params, grid: { points: needed, nStd: 4 } });
    const closed = leungLi(params);
    for (const v of [...fd.entryValue, ...fd.exitValue]) expect(Number.isFinite(v)).toBe(true);
    expect(Math.abs(fd.exitLevel - closed.exitLevel)).toBeLessThan(0.01 * closed.exitLevel);
  });
});
