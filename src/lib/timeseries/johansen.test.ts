import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { johansen } from "./johansen.js";
import { JOHANSEN_MAX_EIG_CRITICAL, JOHANSEN_TRACE_CRITICAL } from "./johansenTables.js";
import { randomSource, normalSource } from "../util/random.js";

interface Case {
  name: string;
  system: string;
  detOrder: -1 | 0 | 1;
  kArDiff: number;
  eig: number[];
  evec: number[][];
  lr1: number[];
  lr2: number[];
  cvt: number[][];
  cvm: number[][];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/johansen.json", import.meta.url), "utf8")) as {
  systems: Record<string, number[][]>;
  cases: Case[];
};

/**
 * Tolerances against statsmodels coint_johansen (LAPACK geev on S_kk⁻¹S_k0S_00⁻¹S_0k, pinv residuals):
 * - eigenvalues: 1e-8 relative + 1e-13 absolute; statistics: 1e-8 relative + 1e-10 absolute (= T·1e-13).
 *   The absolute floor covers tiny eigenvalues of ill-conditioned level systems, where statsmodels'
 *   nonsymmetric eig carries ~1e-13 absolute error: for etf_SPY_DIA_XLK det_order=-1 k_ar_diff=0,
 *   λ_3 is 7.70114556385214e-6 by mpmath at 40 digits; ours 7.701145563884212e-6 (error 3e-17),
 *   statsmodels 7.701145660129506e-6 (error 9.6e-14, i.e. 1.25e-8 relative);
 * - critical values: exact (same table);
 * - eigenvectors: column j compared after multiplying statsmodels' column by the sign that best
 *   matches ours (LAPACK's per-column sign is arbitrary; statsmodels fixes only evec[0,0] > 0, so
 *   column 0 is compared WITHOUT a sign flip); both are scaled so vᵀS_kk v = 1, so no rescaling is
 *   allowed; tolerance 1e-7 × ‖v‖∞ (eigenvector error grows as ε/eigen-gap).
 */
const TOL = { eigenvalues: 1e-8, statistics: 1e-8, eigenvectors: 1e-7 } as const;

function expectClose(actual: number, expected: number, rel: number, abs: number, label: string) {
  const delta = Math.abs(actual - expected);
  const tolerance = rel * Math.abs(expected) + abs;
  expect(delta <= tolerance, `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${tolerance}`).toBe(true);
}

function checkCase(c: Case) {
  const series = fixture.systems[c.system];
  const k = series.length;
  const r = johansen(series, { detOrder: c.detOrder, kArDiff: c.kArDiff });
  expect(r.nobs).toBe(series[0].length - 1 - c.kArDiff);
  expect(r.warnings).toEqual([]);
  for (let i = 0; i < k; i++) {
    expectClose(r.eigenvalues[i], c.eig[i], TOL.eigenvalues, 1e-13, `${c.name} eig[${i}]`);
    expectClose(r.traceStat[i], c.lr1[i], TOL.statistics, 1e-10, `${c.name} traceStat[${i}]`);
    expectClose(r.maxEigStat[i], c.lr2[i], TOL.statistics, 1e-10, `${c.name} maxEigStat[${i}]`);
    expect(r.traceCrit[i], `${c.name} traceCrit[${i}]`).toEqual(c.cvt[i]);
    expect(r.maxEigCrit[i], `${c.name} maxEigCrit[${i}]`).toEqual(c.cvm[i]);
  }
  for (let j = 0; j < k; j++) {
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < k; i++) {
      dot += r.eigenvectors.data[i * k + j] * c.evec[i][j];
      norm = Math.max(norm, Math.abs(c.evec[i][j]));
    }
    const sign = j === 0 ? 1 : Math.sign(dot);
    for (let i = 0; i < k; i++) {
      expectClose(
        r.eigenvectors.data[i * k + j],
        sign * c.evec[i][j],
        0,
        TOL.eigenvectors * norm,
        `${c.name} evec[${i}][${j}] (sign ${sign})`,
      );
    }
  }
}

for (const detOrder of [-1, 0, 1] as const) {
  describe(`johansen reproduces statsmodels coint_johansen with det_order = ${detOrder}`, () => {
    for (const c of fixture.cases.filter((x) => x.detOrder === detOrder)) {
      it(c.name, () => checkCase(c));
    }
  });
}

describe("johansen invariants", () => {
  const series = fixture.systems["synthetic_k3_rank2"];
  const base = johansen(series, { detOrder: 0, kArDiff: 1 });
  it("eigenvalues are in [0, 1) and sorted descending; traceStat[r] = Σ_{j≥r} maxEigStat[j]", () => {
    for (let i = 0; i < 3; i++) {
      expect(base.eigenvalues[i]).toBeGreaterThanOrEqual(0);
      expect(base.eigenvalues[i]).toBeLessThan(1);
      if (i > 0) expect(base.eigenvalues[i]).toBeLessThanOrEqual(base.eigenvalues[i - 1]);
      let s = 0;
      for (let j = i; j < 3; j++) s += base.maxEigStat[j];
      expectClose(base.traceStat[i], s, 1e-14, 0, `trace[${i}]`);
    }
  });
  it("statistics are invariant to rescaling and reordering the series (eigenvector rows follow the order)", () => {
    const scaled = johansen([series[2].map((v) => 3 * v), series[0], series[1].map((v) => -0.5 * v + 7)], { detOrder: 0, kArDiff: 1 });
    for (let i = 0; i < 3; i++) expectClose(scaled.traceStat[i], base.traceStat[i], 1e-9, 0, `trace[${i}]`);
  });
  it("each eigenvector column's first non-zero element is positive", () => {
    for (let j = 0; j < 3; j++) expect(base.eigenvectors.data[j]).toBeGreaterThan(0);
  });
  it("13 variables: statsmodels has no table for k − r = 13, so traceCrit[0]/maxEigCrit[0] are null with a warning", () => {
    const normal = normalSource(randomSource(5));
    const k = 13;
    const walks = Array.from({ length: k }, () => {
      let s = 0;
      return Array.from({ length: 300 }, () => (s += normal()));
    });
    const r = johansen(walks, { detOrder: 0, kArDiff: 1 });
    expect(r.traceCrit[0]).toBeNull();
    expect(r.maxEigCrit[0]).toBeNull();
    expect(r.traceCrit[1]).toEqual(JOHANSEN_TRACE_CRITICAL["0"][11]);
    expect(r.maxEigCrit[12]).toEqual(JOHANSEN_MAX_EIG_CRITICAL["0"][0]);
    expect(r.warnings.length).toBe(1);
    expect(r.warnings[0]).toMatch(/at most 12 variables/);
  });
});

describe("johansen rejects bad input with clear errors", () => {
  const s = fixture.systems["synthetic_k2_rank1"];
  it("options, lengths, constant and collinear series", () => {
    expect(() => johansen(s, { detOrder: 2 as 1, kArDiff: 1 })).toThrow(
      /^johansen: options.detOrder must be one of -1 \(none\), 0 \(constant\), 1 \(linear trend\), got 2$/,
    );
    expect(() => johansen(s, { detOrder: 0, kArDiff: -1 })).toThrow(/^johansen: options.kArDiff must be >= 0, got -1$/);
    expect(() => johansen(s, { detOrder: 0, kArDiff: 1.5 })).toThrow(/^johansen: options.kArDiff must be an integer, got 1.5$/);
    expect(() => johansen(s, undefined as unknown as { detOrder: 0; kArDiff: 1 })).toThrow(RangeError);
    expect(() => johansen([s[0], s[1].slice(1)], { detOrder: 0, kArDiff: 1 })).toThrow(
      /^johansen: series\[1\] must have the same length as series\[0\] \(600\), got 599$/,
    );
    expect(() => johansen([s[0], new Array(600).fill(1)], { detOrder: 0, kArDiff: 1 })).toThrow(
      /^johansen: series\[1\] must not be constant/,
    );
    expect(() => johansen([s[0], s[0].map((v) => 2 * v + 1)], { detOrder: 0, kArDiff: 1 })).toThrow(
      /^johansen: series must not be collinear/,
    );
    expect(() => johansen([s[0].slice(0, 8), s[1].slice(0, 8)], { detOrder: 0, kArDiff: 2 })).toThrow(
      /^johansen: series must have at least 11 observations for k = 2 and kArDiff = 2/,
    );
    expect(() => johansen([s[0], [...s[1].slice(0, 599), NaN]], { detOrder: 0, kArDiff: 1 })).toThrow(
      /johansen: series\[1\] must contain only finite numbers/,
    );
    expect(() => johansen([], { detOrder: 0, kArDiff: 1 })).toThrow(/^johansen: series must contain at least 2 series, got 0$/);
    expect(() => johansen([s[0]], { detOrder: 0, kArDiff: 1 })).toThrow(/^johansen: series must contain at least 2 series, got 1$/);
    expect(() => johansen(5 as unknown as number[][], { detOrder: 0, kArDiff: 1 })).toThrow(TypeError);
  });
});
