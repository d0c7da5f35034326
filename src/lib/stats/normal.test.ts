import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalCdf, normalPdf, normalQuantile } from "./normal.js";
import { studentTCdf } from "./studentT.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/ols.json", import.meta.url), "utf8")) as {
  normal: { x: number; cdf: number; pdf: number }[];
  normalQuantile: { p: number; quantile: number }[];
  studentT: { t: number; df: number; cdf: number }[];
};

function relErr(a: number, e: number): number {
  return a === e ? 0 : Math.abs(a - e) / Math.abs(e);
}

describe("normal distribution matches scipy.stats.norm", () => {
  // Same Cephes ndtr algorithm and coefficients as scipy: agreement to a few ulp, even deep in the tail.
  it("normalCdf to 8ε relative (x from −38.4 to 12)", () => {
    for (const { x, cdf } of fixture.normal) {
      expect(relErr(normalCdf(x), cdf), `x = ${x}: ${normalCdf(x)} vs ${cdf}`).toBeLessThanOrEqual(8 * Number.EPSILON);
    }
  });
  it("normalPdf to 8ε relative", () => {
    for (const { x, pdf } of fixture.normal) {
      if (pdf === 0) continue;
      expect(relErr(normalPdf(x), pdf), `x = ${x}`).toBeLessThanOrEqual(8 * Number.EPSILON * Math.max(1, x * x));
    }
  });
  it("normalQuantile to 1e-14 relative after the Halley step (p from 1e-300 to 1 − 1e-12)", () => {
    for (const { p, quantile } of fixture.normalQuantile) {
      const got = normalQuantile(p);
      if (quantile === 0) expect(Math.abs(got)).toBeLessThan(1e-15);
      else expect(relErr(got, quantile), `p = ${p}: ${got} vs ${quantile}`).toBeLessThanOrEqual(1e-14 * (p > 0.999 ? 1e3 : 1));
    }
  });
  it("normalQuantile is monotone in p and inverts normalCdf", () => {
    let prev = -Infinity;
    for (let p = 0.001; p < 1; p += 0.001) {
      const q = normalQuantile(p);
      expect(q).toBeGreaterThan(prev);
      prev = q;
      expect(Math.abs(normalCdf(q) - p)).toBeLessThan(4 * Number.EPSILON);
    }
  });
  it("IEEE convention: NaN in, NaN out; limits at 0 and 1", () => {
    expect(normalCdf(NaN)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
  });
});

describe("studentTCdf matches scipy.stats.t.cdf", () => {
  // Incomplete beta by continued fraction: ~1e-13 relative for ν ≤ 2500 (we test at 1e-11).
  it("to 1e-11 relative over ν ∈ {1, 2, 3.5, 7, 30, 250, 2500} and t ∈ [−40, 10]", () => {
    for (const { t, df, cdf } of fixture.studentT) {
      expect(relErr(studentTCdf(t, df), cdf), `t = ${t}, df = ${df}: ${studentTCdf(t, df)} vs ${cdf}`).toBeLessThanOrEqual(1e-11);
    }
  });
  it("NaN for NaN or non-positive ν", () => {
    expect(studentTCdf(NaN, 3)).toBeNaN();
    expect(studentTCdf(1, 0)).toBeNaN();
  });
});
