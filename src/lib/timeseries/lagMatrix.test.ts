import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lagMatrix, type LagMatrixOptions } from "./lagMatrix.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/adfuller.json", import.meta.url), "utf8")) as {
  lagMatrix: {
    x: number[];
    cases: {
      maxlag: number;
      trim: NonNullable<LagMatrixOptions["trim"]>;
      original: "ex" | "in";
      rows: number;
      cols: number;
      data: number[];
    }[];
  };
};

describe("lagMatrix equals statsmodels tsatools.lagmat (copies of the input, so exact)", () => {
  for (const c of fixture.lagMatrix.cases) {
    it(`maxlag ${c.maxlag}, trim "${c.trim}", original "${c.original}"`, () => {
      const m = lagMatrix(fixture.lagMatrix.x, c.maxlag, { trim: c.trim, original: c.original });
      expect([m.rows, m.cols]).toEqual([c.rows, c.cols]);
      expect(Array.from(m.data)).toEqual(c.data);
    });
  }
  it('defaults are trim "forward", original "ex"; doc example', () => {
    expect(Array.from(lagMatrix([1, 2, 3], 1).data)).toEqual([0, 1, 2]);
    expect(Array.from(lagMatrix([1, 2, 3, 4], 1, { trim: "both", original: "in" }).data)).toEqual([2, 1, 3, 2, 4, 3]);
  });
  it("rejects maxlag ≥ n, negative or fractional maxlag, unknown trim", () => {
    expect(() => lagMatrix([1, 2, 3], 3)).toThrow(/^lagMatrix: maxlag must be < the length of x \(3\), got 3$/);
    expect(() => lagMatrix([1, 2, 3], -1)).toThrow(/^lagMatrix: maxlag must be >= 0, got -1$/);
    expect(() => lagMatrix([1, 2, 3], 1.5)).toThrow(/must be an integer/);
    expect(() => lagMatrix([1, 2, 3], 1, { trim: "sideways" as "both" })).toThrow(/^lagMatrix: trim must be one of/);
  });
});
