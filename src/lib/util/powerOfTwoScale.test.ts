import { describe, expect, it } from "vitest";
import { normalSource, randomSource } from "./random.js";
import { powerOfTwoScale, SAFE_MAGNITUDE_HIGH } from "./powerOfTwoScale.js";
import { adfuller } from "../timeseries/adfuller.js";
import { coint } from "../timeseries/coint.js";
import { hurst } from "../timeseries/hurst.js";
import { fitOu } from "../ou/fitOu.js";
import { simulateOu } from "../ou/simulateOu.js";

/** A seeded Gaussian random walk of n steps starting at `start`. */
function walk(n: number, seed: number, start = 100): Float64Array {
  const normal = normalSource(randomSource(seed));
  const x = new Float64Array(n);
  x[0] = start;
  for (let i = 1; i < n; i++) x[i] = x[i - 1] + normal();
  return x;
}
const times = (x: Float64Array, c: number): Float64Array => x.map((v) => v * c);
function nearRelative(actual: number, expected: number, tol: number, label: string): void {
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: actual ${actual}, expected ${expected}, delta ${delta}, tol ${tol}·|expected|`).toBeLessThanOrEqual(
    tol * Math.abs(expected),
  );
}

describe("powerOfTwoScale: 1 inside the safe range, else the power of two at the top of max |x|", () => {
  it("leaves ordinary data alone and maps extreme data into [1, 2)", () => {
    expect(powerOfTwoScale(new Float64Array([1, -300, 2]))).toBe(1);
    expect(powerOfTwoScale(new Float64Array([0, 0]))).toBe(1);
    for (const c of [1e298, -3e-300, SAFE_MAGNITUDE_HIGH * 4]) {
      const s = powerOfTwoScale(new Float64Array([0.5 * c, c]));
      expect(Math.abs(c / s)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(c / s)).toBeLessThan(2);
      expect(Number.isInteger(Math.log2(s))).toBe(true);
    }
  });
});

// Issue #10 item 6: ×1e298 legs gave ADF −Infinity, p 0 and "cointegrated"; ×1e−300 underflowed.
describe("scale-invariant statistics are computed scale-invariantly at 1e±300 magnitudes (issue #10 item 6)", () => {
  const y = walk(400, 11);
  const x = walk(400, 977); // (walks from adjacent seeds are correlated: 11 and 12 give coint p 1e-4)
  it.each([1e298, 2 ** 900, 1e-300, 2 ** -1000])("adfuller τ and p of c·x equal those of x (c = %s)", (c) => {
    const base = adfuller(y);
    const scaled = adfuller(times(y, c));
    nearRelative(scaled.statistic, base.statistic, 1e-9, "statistic");
    nearRelative(scaled.pValue, base.pValue, 1e-9, "pValue");
    expect(scaled.usedLag).toBe(base.usedLag);
    // icBest shifts by 2·m·ln c (m = the common search sample, n − 1 − maxlag)
    nearRelative(scaled.icBest!, base.icBest! + 2 * (400 - 1 - base.maxlag) * Math.log(c), 1e-9, "icBest");
  });
  it("adfuller of a power-of-two multiple is bit-identical", () => {
    expect(adfuller(times(y, 2 ** 900)).statistic).toBe(adfuller(y).statistic);
  });
  it.each([
    [1e298, 1],
    [1, 1e298],
    [1e-300, 1e298],
    [1e-300, 1],
  ])("coint(a·y, b·x): τ, p, usedLag unchanged; β scales by a/b, α and residuals by a (a = %s, b = %s)", (a, b) => {
    const base = coint(y, x);
    const scaled = coint(times(y, a), times(x, b));
    nearRelative(scaled.statistic, base.statistic, 1e-9, "statistic");
    nearRelative(scaled.pValue, base.pValue, 1e-9, "pValue");
    expect(scaled.pValue).toBeGreaterThan(0.05); // independent walks: not cointegrated, at any scale
    expect(scaled.usedLag).toBe(base.usedLag);
    nearRelative(scaled.beta[0], (base.beta[0] * a) / b, 1e-9, "beta");
    nearRelative(scaled.intercept, base.intercept * a, 1e-9, "intercept");
    nearRelative(scaled.residuals[7], base.residuals[7] * a, 1e-9, "residual[7]");
  });
  it.each([1e298, 1e-300])("fitOu of c·x: kappa unchanged, theta, sigma, stationarySd × c, logL − n·ln c (c = %s)", (c) => {
    const path = simulateOu({ kappa: 5, theta: 1, sigma: 0.3 }, 500, { rng: randomSource(3), dt: 1 / 252 });
    const base = fitOu(path, { dt: 1 / 252 });
    const scaled = fitOu(times(path, c), { dt: 1 / 252 });
    nearRelative(scaled.kappa, base.kappa, 1e-9, "kappa");
    nearRelative(scaled.theta, base.theta * c, 1e-9, "theta");
    nearRelative(scaled.sigma, base.sigma * c, 1e-9, "sigma");
    nearRelative(scaled.stationarySd, base.stationarySd * c, 1e-9, "stationarySd");
    nearRelative(scaled.logLikelihood, base.logLikelihood - base.nobs * Math.log(c), 1e-9, "logLikelihood");
    expect(scaled.warnings).toEqual(base.warnings);
  });
  it.each(["variance", "rs", "dfa"] as const)("hurst %s of c·x equals hurst of x at c = 1e298 and 1e-300", (method) => {
    const base = hurst(y, { method });
    for (const c of [1e298, 1e-300]) nearRelative(hurst(times(y, c), { method }).H, base.H, 1e-9, `${method} c = ${c}`);
  });
});
