import { describe, expect, it } from "vitest";
import { levelsToZScores, zScoresToLevels } from "./levelsToZScores.js";

describe("levelsToZScores uses the stationary sd σ/√(2κ)", () => {
  const p = { kappa: 8, theta: 0.5, sigma: 0.3 }; // sd = 0.075
  it("maps θ ± k·sd to ±k and round-trips", () => {
    const z = levelsToZScores(p, [0.5, 0.65, 0.35]);
    expect(Array.from(z).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([0, 2, -2]);
    const back = zScoresToLevels(p, z);
    for (let i = 0; i < 3; i++) expect(Math.abs(back[i] - [0.5, 0.65, 0.35][i])).toBeLessThan(4 * Number.EPSILON);
  });
  it("rejects sigma ≤ 0 and non-finite levels", () => {
    expect(() => levelsToZScores({ ...p, sigma: 0 }, [1])).toThrow(/levelsToZScores: sigma must be > 0/);
    expect(() => zScoresToLevels(p, [NaN])).toThrow(/zScoresToLevels: zScores must contain only finite numbers/);
  });
});
