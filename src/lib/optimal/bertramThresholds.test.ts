import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bertramCycleMoments, bertramThresholds } from "./bertramThresholds.js";
import { optimalThresholds } from "./optimalThresholds.js";

interface Case {
  kappa: number;
  theta: number;
  sigma: number;
  c: number;
  objective: "return" | "sharpe";
  rf: number;
  bandHalfWidth: number;
  expectedTradeLength: number;
  tradeLengthVariance: number;
  expectedReturn: number;
  sharpe: number;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/bertram.json", import.meta.url), "utf8")) as {
  cases: Case[];
  moments: { kappa: number; sigma: number; m: number; mean: number; variance: number }[];
};

function near(actual: number, expected: number, tol: number, label: string): void {
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tol ${tol}`).toBeLessThanOrEqual(tol);
}

describe("bertramCycleMoments: Bertram's series for E[T], V[T] match mpmath first-passage cumulants (Laplace transform) to 1e-12 relative", () => {
  it.each(fixture.moments.map((m) => [m.kappa, m.m, m]))("kappa %s, m %s", (_k, _m, row) => {
    const { mean, variance } = bertramCycleMoments(row.kappa, row.sigma, row.m);
    near(mean, row.mean, 1e-12 * row.mean, "E[T]");
    near(variance, row.variance, 1e-11 * row.variance, "V[T]");
  });
});

describe("bertramThresholds optimum matches mpmath", () => {
  // "return": root of a smooth equation, 1e-10 relative; "sharpe": a flat maximum located by golden
  // section in both implementations, so the band is good to ~√ε: 1e-6 relative; the Sharpe value to 1e-10.
  it.each(fixture.cases.map((c) => [c.objective, c.kappa, c]))("%s, kappa %s", (_o, _k, c) => {
    const result = bertramThresholds({ kappa: c.kappa, theta: c.theta, sigma: c.sigma, c: c.c, objective: c.objective, rf: c.rf });
    const bandTol = (c.objective === "return" ? 1e-10 : 1e-6) * c.bandHalfWidth;
    near(result.bandHalfWidth, c.bandHalfWidth, bandTol, "m");
    near(result.exitLevel, c.theta + c.bandHalfWidth, bandTol + 1e-15, "exit level");
    near(result.entryLevel, c.theta - c.bandHalfWidth, bandTol + 1e-15, "entry level");
    const momentTol = c.objective === "return" ? 1e-9 : 1e-5;
    near(result.expectedTradeLength, c.expectedTradeLength, momentTol * c.expectedTradeLength, "E[T]");
    near(result.expectedReturn, c.expectedReturn, momentTol * Math.abs(c.expectedReturn), "μ");
    near(result.sharpe, c.sharpe, 1e-9 * Math.abs(c.sharpe), "Sharpe");
  });

  it("the return optimum satisfies Bertram's eq.: e^{q²}(2m − c) = σ√(π/κ)·erfi(q)", () => {
    const p = { kappa: 5, theta: 0, sigma: 0.3, c: 0.02 };
    const m = bertramThresholds({ ...p, objective: "return" }).bandHalfWidth;
    const { mean } = bertramCycleMoments(p.kappa, p.sigma, m);
    const erfi = (mean * p.kappa) / (2 * Math.PI);
    const q = (m * Math.sqrt(p.kappa)) / p.sigma;
    near(Math.exp(q * q) * (2 * m - p.c), p.sigma * Math.sqrt(Math.PI / p.kappa) * erfi, 1e-12, "eq. 15");
  });

  it("with rf = 0 the Sharpe optimum is the break-even band m = c/2, with a warning", () => {
    const result = bertramThresholds({ kappa: 5, theta: 0, sigma: 0.3, c: 0.02, objective: "sharpe" });
    near(result.bandHalfWidth, 0.01, 1e-8, "m");
    expect(result.warnings.join(" ")).toMatch(/break-even/);
  });

  it.each([
    [{ kappa: 5, theta: 0, sigma: 0.3, c: 0, objective: "return" }, /bertramThresholds: c must be > 0/],
    [{ kappa: 0, theta: 0, sigma: 0.3, c: 0.01, objective: "return" }, /bertramThresholds: kappa must be > 0/],
    [{ kappa: 5, theta: 0, sigma: -1, c: 0.01, objective: "return" }, /bertramThresholds: sigma must be > 0/],
    [{ kappa: 5, theta: 0, sigma: 0.3, c: 0.01, objective: "kelly" }, /bertramThresholds: objective must be one of/],
    [{ kappa: 5, theta: 0, sigma: 0.3, c: 0.01, objective: "sharpe", rf: -0.1 }, /bertramThresholds: rf must be >= 0/],
  ])("rejects %j", (params, message) => {
    expect(() => bertramThresholds(params as never)).toThrow(RangeError);
    expect(() => bertramThresholds(params as never)).toThrow(message);
  });
});

describe("optimalThresholds (server view)", () => {
  const p = { kappa: 5, theta: 0, sigma: 0.3, c: 0.02 };
  it("profit = Bertram return band in z-scores; holding time is half the cycle", () => {
    const band = bertramThresholds({ ...p, objective: "return" });
    const view = optimalThresholds({ ...p, objective: "profit" });
    expect(view.exitZScore).toBe(band.exitZScore);
    expect(view.entryZScore).toBe(-band.exitZScore);
    expect(view.expectedHoldingTime).toBe(band.expectedTradeLength / 2);
    expect(view.expectedReturnPerTrade).toBe(2 * band.bandHalfWidth - p.c);
    expect(view.winRateEstimate).toBe(1);
  });
  it("kelly uses the Sharpe band and reports f* = (μ − rf)/σ²", () => {
    const sharpe = optimalThresholds({ ...p, objective: "sharpe", rf: 0.02 });
    const kelly = optimalThresholds({ ...p, objective: "kelly", rf: 0.02 });
    expect(kelly.exitZScore).toBe(sharpe.exitZScore);
    const band = bertramThresholds({ ...p, objective: "sharpe", rf: 0.02 });
    near(kelly.kellyFraction, (band.expectedReturn - 0.02) / band.returnVariance, 1e-12 * Math.abs(kelly.kellyFraction), "f*");
  });
  it("errors carry the optimalThresholds name", () => {
    expect(() => optimalThresholds({ ...p, sigma: 0, objective: "profit" })).toThrow(/^optimalThresholds: sigma must be > 0/);
    expect(() => optimalThresholds({ ...p, objective: "return" as never })).toThrow(/optimalThresholds: objective must be one of/);
  });
});

describe("bertramThresholds returns or refuses promptly where the band cannot be computed (issue #10 item 1)", () => {
  // The reproduction: a cost of 1e300 (or speed 1e300, or sigma 1e-300) made the Sharpe scan
  // x += step·sd stall below the resolution of x and the golden-section search loop forever.
  const cases: [string, { kappa: number; sigma: number; c: number }][] = [
    ["c = 1e300", { kappa: 0.1, sigma: 0.2, c: 1e300 }],
    ["kappa = 1e300", { kappa: 1e300, sigma: 0.2, c: 0.001 }],
    ["sigma = 1e-300", { kappa: 0.1, sigma: 1e-300, c: 0.001 }],
  ];
  for (const objective of ["return", "sharpe"] as const) {
    it.each(cases)(`${objective}: %s throws a RangeError naming c, kappa and sigma`, (_label, p) => {
      const started = Date.now();
      expect(() => bertramThresholds({ ...p, theta: 0, objective, rf: 0.001 })).toThrow(/bertramThresholds: c = .*kappa = .*sigma = /);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  }
  it("optimalThresholds refuses the same inputs under its own name (profit, sharpe, kelly)", () => {
    for (const objective of ["profit", "sharpe", "kelly"] as const) {
      expect(() => optimalThresholds({ kappa: 0.1, theta: 0, sigma: 0.2, c: 1e300, objective })).toThrow(/^optimalThresholds: c = /);
    }
  });
  it("just inside the limit (break-even q = 15) every output is finite", () => {
    const sigma = 0.2;
    const kappa = 0.1;
    const c = (2 * 15 * sigma) / Math.sqrt(kappa);
    for (const objective of ["return", "sharpe"] as const) {
      const r = bertramThresholds({ kappa, theta: 0, sigma, c, objective, rf: 0.001 });
      for (const v of [r.bandHalfWidth, r.expectedTradeLength, r.tradeLengthVariance, r.expectedReturn, r.sharpe])
        expect(Number.isFinite(v), `${objective}: ${JSON.stringify(r)}`).toBe(true);
      expect(r.bandHalfWidth).toBeGreaterThan(c / 2);
    }
  });
});
