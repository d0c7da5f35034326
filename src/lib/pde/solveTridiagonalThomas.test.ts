import { describe, expect, it } from "vitest";
import { solveTridiagonalThomas } from "./solveTridiagonalThomas.js";

describe("solveTridiagonalThomas", () => {
  it("solves a diagonally dominant system: A·x reproduces the right-hand side to 1e-13", () => {
    const n = 50;
    const lower = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : -1 - 0.01 * i));
    const upper = Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : -1 + 0.005 * i));
    const diag = Array.from({ length: n }, (_, i) => 3 + Math.sin(i));
    const rhs = Array.from({ length: n }, (_, i) => Math.cos(i));
    const x = solveTridiagonalThomas(lower, diag, upper, rhs);
    for (let i = 0; i < n; i++) {
      const ax = diag[i] * x[i] + (i > 0 ? lower[i] * x[i - 1] : 0) + (i < n - 1 ? upper[i] * x[i + 1] : 0);
      expect(Math.abs(ax - rhs[i]), `row ${i}`).toBeLessThan(1e-13);
    }
  });
  it("matches the exact solution of a small system to 4 ulp", () => {
    const x = solveTridiagonalThomas([0, -1, -1], [2, 2, 2], [-1, -1, 0], [1, 0, 1]);
    for (const v of x) expect(Math.abs(v - 1)).toBeLessThanOrEqual(4 * Number.EPSILON);
  });
  it("rejects mismatched lengths and zero pivots", () => {
    expect(() => solveTridiagonalThomas([0], [1, 2], [0, 0], [1, 1])).toThrow(
      /solveTridiagonalThomas: lower, diag, upper and rhs must have the same length/,
    );
    expect(() => solveTridiagonalThomas([0, 0], [0, 1], [0, 0], [1, 1])).toThrow(/solveTridiagonalThomas: zero pivot/);
  });
});
