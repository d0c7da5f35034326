import { describe, expect, it } from "vitest";
import { asFloat64ReadOnly, requireFinite, requireInteger, requireOneOf, requireSameLength, toFloat64 } from "./validate.js";
import { randomSource, normalSource } from "./random.js";

describe("validators state function, argument and requirement", () => {
  it("toFloat64 copies into a Float64Array", () => {
    const src = [1, 2, 3];
    const out = toFloat64(src, "x", "f");
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual(src);
    out[0] = 9;
    expect(src[0]).toBe(1);
  });
  it("toFloat64 rejects NaN, Infinity, non-numbers, short input", () => {
    expect(() => toFloat64([1, NaN], "prices", "adfuller")).toThrow(
      /^adfuller: prices must contain only finite numbers, got NaN at index 1$/,
    );
    expect(() => toFloat64([1, Infinity], "x", "f")).toThrow(RangeError);
    expect(() => toFloat64([1, "2"] as unknown as number[], "x", "f")).toThrow(TypeError);
    expect(() => toFloat64(5 as unknown as number[], "x", "f")).toThrow(/f: x must be an array of numbers, got 5/);
    expect(() => toFloat64([1, 2], "x", "f", { minLength: 3 })).toThrow(/f: x must have at least 3 observations, got 2/);
  });
  it("scalar validators", () => {
    expect(() => requireFinite("g", "sigma", -1, { minExclusive: 0 })).toThrow(/^g: sigma must be > 0, got -1$/);
    expect(() => requireInteger("g", "maxlag", 1.5)).toThrow(/g: maxlag must be an integer/);
    expect(() => requireOneOf("g", "regression", "x", ["c", "ct"])).toThrow(/g: regression must be one of "c", "ct", got "x"/);
    expect(() => requireSameLength("g", "y", [1], "x", [1, 2])).toThrow(/g: y and x must have the same length, got 1 and 2/);
  });
});

describe("random sources are reproducible", () => {
  it("mulberry32 first draw for seed 42", () => {
    expect(randomSource(42)()).toBe(0.6011037519201636);
  });
  it("normal source has mean ≈ 0 and variance ≈ 1 (n = 200000, 5 standard errors)", () => {
    const z = normalSource(randomSource(7));
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = z();
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });
});

describe("toFloat64 typed-array fast path keeps the same policy", () => {
  it("copies, rejects non-finite values and short input with the same messages", () => {
    const src = Float64Array.of(1, 2, 3);
    const out = toFloat64(src, "x", "f");
    expect(out).not.toBe(src);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    expect(() => toFloat64(Float64Array.of(1, NaN), "prices", "adfuller")).toThrow(
      /^adfuller: prices must contain only finite numbers, got NaN at index 1$/,
    );
    expect(() => toFloat64(Float64Array.of(1, -Infinity), "x", "f")).toThrow(RangeError);
    expect(() => toFloat64(Float64Array.of(1, 2), "x", "f", { minLength: 3 })).toThrow(/f: x must have at least 3 observations, got 2/);
    expect(Array.from(toFloat64(Float64Array.of(1, NaN), "x", "f", { allowNonFinite: true }))).toEqual([1, NaN]);
  });
});

describe("asFloat64ReadOnly: no copy for a Float64Array, otherwise exactly toFloat64", () => {
  it("returns the same Float64Array after the checks (read-only aliasing)", () => {
    const src = Float64Array.of(1, -2.5, 3e300, -0);
    const out = asFloat64ReadOnly(src, "x", "f");
    expect(out).toBe(src);
    expect(Array.from(out)).toEqual([1, -2.5, 3e300, -0]);
  });
  it("converts other ArrayLikes into a fresh Float64Array (never the caller's object)", () => {
    const plain = [1, 2, 3];
    const out = asFloat64ReadOnly(plain, "x", "f");
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    const f32 = Float32Array.of(0.5, 1.5);
    const out32 = asFloat64ReadOnly(f32, "x", "f");
    expect(out32).toBeInstanceOf(Float64Array);
    expect(out32).not.toBe(f32 as unknown);
    expect(Array.from(out32)).toEqual([0.5, 1.5]);
  });
  it("rejects what toFloat64 rejects, with the same messages", () => {
    const cases: [unknown, { minLength?: number }][] = [
      [Float64Array.of(1, NaN), {}],
      [Float64Array.of(1, Infinity, 2), {}],
      [Float64Array.of(-Infinity), {}],
      [Float64Array.of(1, 2), { minLength: 3 }],
      [Float64Array.of(NaN), { minLength: 3 }],
      [[1, NaN], {}],
      [[1, "2"], {}],
      [5, {}],
      [null, {}],
    ];
    for (const [input, options] of cases) {
      let expected: unknown = null;
      try {
        toFloat64(input, "prices", "adfuller", options);
      } catch (e) {
        expected = e;
      }
      expect(expected, `toFloat64 should reject ${String(input)}`).toBeInstanceOf(Error);
      expect(() => asFloat64ReadOnly(input, "prices", "adfuller", options)).toThrow(expected as Error);
      let actual: unknown = null;
      try {
        asFloat64ReadOnly(input, "prices", "adfuller", options);
      } catch (e) {
        actual = e;
      }
      expect((actual as Error).constructor).toBe((expected as Error).constructor);
    }
    expect(() => asFloat64ReadOnly(Float64Array.of(1, NaN), "prices", "adfuller")).toThrow(
      /^adfuller: prices must contain only finite numbers, got NaN at index 1$/,
    );
  });
  it("allowNonFinite skips the finiteness scan and still does not copy", () => {
    const src = Float64Array.of(1, NaN, Infinity);
    expect(asFloat64ReadOnly(src, "x", "f", { allowNonFinite: true })).toBe(src);
  });
});
