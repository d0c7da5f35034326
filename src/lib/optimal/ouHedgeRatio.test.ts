import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fitOu } from "../ou/fitOu.js";
import { leungLi } from "./leungLi.js";
import { ouHedgeRatio } from "./ouHedgeRatio.js";
import { solveHjb } from "./solveHjb.js";

function loadGldGdx(): { gld: number[]; gdx: number[] } {
  const text = readFileSync(new URL("../../../data/gld_gdx_data.csv", import.meta.url), "utf8").trim();
  const [header, ...rows] = text.split(/\r?\n/);
  const cols = header.split(",");
  const iGld = cols.indexOf("GLD");
  const iGdx = cols.indexOf("GDX");
  const gld: number[] = [];
  const gdx: number[] = [];
  for (const row of rows) {
    const cells = row.split(",");
    gld.push(Number(cells[iGld]));
    gdx.push(Number(cells[iGdx]));
  }
  return { gld, gdx };
}

describe("ouHedgeRatio on Leung & Li's GLD/GDX pair (data/gld_gdx_data.csv, dt = 1/252)", () => {
  const { gld, gdx } = loadGldGdx();
  const result = ouHedgeRatio(gld, gdx, { dt: 1 / 252 });

  it("B maximises the OU log-likelihood: no point of a brute-force 1e-4 grid on (0, 1] beats it", () => {
    let best = -Infinity;
    for (let k = 1; k <= 10000; k++) {
      const b = k / 10000;
      const spread = gld.map((g, i) => g / gld[0] - (b * gdx[i]) / gdx[0]);
      const fit = fitOu(spread, { dt: 1 / 252 });
      if (fit.kappa > 0) best = Math.max(best, fit.logLikelihood);
    }
    expect(result.ou.logLikelihood, `B = ${result.hedgeRatio}`).toBeGreaterThanOrEqual(best - 1e-9);
    expect(result.hedgeRatio).toBeGreaterThan(0);
    expect(result.hedgeRatio).toBeLessThanOrEqual(1);
    expect(result.averageLogLikelihood).toBeCloseTo(result.ou.logLikelihood / result.ou.nobs, 12);
  });

  it("the spread is GLD/GLD₀ − B·GDX/GDX₀", () => {
    const i = 10;
    expect(result.spread[i]).toBeCloseTo(gld[i] / gld[0] - (result.hedgeRatio * gdx[i]) / gdx[0], 14);
  });

  it("Leung–Li levels with r = 0.05, c = 0.02 bracket theta (d* < θ < b*) and solveHjb agrees to 1e-6", () => {
    const { kappa, theta, sigma } = result.ou;
    const params = { kappa, theta, sigma, r: 0.05, c: 0.02 };
    const rule = leungLi(params);
    expect(rule.entryLevel as number, JSON.stringify({ ...params, rule })).toBeLessThan(theta);
    expect(rule.exitLevel).toBeGreaterThan(theta);
    const numeric = solveHjb(params);
    expect(Math.abs(numeric.exitLevel - rule.exitLevel)).toBeLessThan(1e-6);
    expect(Math.abs((numeric.entryLevel as number) - (rule.entryLevel as number))).toBeLessThan(1e-6);
  });

  it('scale "none" uses the raw prices y − B·x', () => {
    const raw = ouHedgeRatio(gld, gdx, { dt: 1 / 252, scale: "none" });
    expect(raw.spread[5]).toBeCloseTo(gld[5] - raw.hedgeRatio * gdx[5], 10);
  });

  it("rejects mismatched lengths and bad options", () => {
    expect(() => ouHedgeRatio([1, 2, 3, 4], [1, 2, 3], {})).toThrow(/ouHedgeRatio: y and x must have the same length/);
    expect(() => ouHedgeRatio(gld, gdx, { dt: 0 })).toThrow(/ouHedgeRatio: options.dt must be > 0/);
    expect(() => ouHedgeRatio(gld, gdx, { scale: "log" as never })).toThrow(/ouHedgeRatio: options.scale must be one of/);
  });
});
