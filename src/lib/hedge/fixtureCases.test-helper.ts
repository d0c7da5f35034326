import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** A hedge fixture: the input pairs once, and one case per pair (and configuration). */
export interface HedgeFixture<C> {
  pairs: Record<string, { y: number[]; x: number[] }>;
  cases: (C & { pair: string })[];
}

export function readHedgeFixture<C>(name: string): HedgeFixture<C> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as HedgeFixture<C>;
}

/** |actual − expected| ≤ relative·max(1, |expected|), with a message naming the case and the numbers. */
export function expectClose(label: string, actual: number, expected: number, relative: number): void {
  const tolerance = relative * Math.max(1, Math.abs(expected));
  const delta = Math.abs(actual - expected);
  expect(delta, `${label}: got ${actual}, expected ${expected}, |Δ|=${delta} > ${tolerance}`).toBeLessThanOrEqual(tolerance);
}
