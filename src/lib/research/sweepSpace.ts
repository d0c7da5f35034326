/**
 * The parameter space of a backtest sweep and its numbering. A combination is (hedge, zWindow,
 * entry, exit, stop), one value from each list.
 * - Grid: all Π|list| combinations, numbered in mixed radix with hedge the most significant digit,
 *   then zWindow, entry, exit, stop: index = ((((h·Z + z)·E + e)·X + x)·S + s). Consecutive indices
 *   share their (hedge, zWindow) group, so a contiguous shard of the grid reuses each group's
 *   precomputed hedge ratios and z-scores.
 * - Random (seeded): `count` combinations; combination i draws each digit uniformly (with
 *   replacement) from mulberry32 seeded by (seed + i·0x9E3779B9) mod 2³², so any index range can be
 *   evaluated on its own, by any worker, and gives the same combinations.
 * Indices are what shards exchange: `sweepBacktests({ ..., range: { start, end } })`.
 * @throws RangeError for an empty list, a grid larger than MAX_SWEEP_COMBINATIONS, a bad index
 * @example sweepSize({ hedge: [h1, h2], zWindow: [20, 40], entry: [1.5, 2], exit: [0, 0.5] }, { kind: "grid" }) // 16
 */
import type { HedgeSpec } from "../backtest/types.js";
import { randomSource } from "../util/random.js";
import { describe, rangeError, requireInteger, requireOneOf, typeError } from "../util/validate.js";

/** Largest number of combinations one sweep may define. */
export const MAX_SWEEP_COMBINATIONS = 100_000_000;

export interface SweepSpace {
  readonly hedge: readonly HedgeSpec[];
  /** Rolling z-score window lengths (bars). */
  readonly zWindow: readonly number[];
  readonly entry: readonly number[];
  readonly exit: readonly number[];
  /** Stop levels; null = no stop (default [null]). */
  readonly stop?: readonly (number | null)[];
}

export type SweepSampling = { readonly kind: "grid" } | { readonly kind: "random"; readonly count: number; readonly seed: number };

/** One combination by its digits and values. */
export interface SweepCombination {
  readonly index: number;
  readonly hedgeIndex: number;
  readonly zWindowIndex: number;
  readonly hedge: HedgeSpec;
  readonly zWindow: number;
  readonly entry: number;
  readonly exit: number;
  readonly stop: number | null;
}

/** Number of combinations of a sweep. */
export function sweepSize(space: SweepSpace, sampling: SweepSampling = { kind: "grid" }): number {
  const fn = "sweepSize";
  const dims = spaceDimensions(fn, space);
  return samplingSize(fn, dims, sampling);
}

/** Combination `index` of a sweep (see the module comment for the numbering). */
export function sweepCombination(space: SweepSpace, sampling: SweepSampling, index: number): SweepCombination {
  const fn = "sweepCombination";
  const dims = spaceDimensions(fn, space);
  const size = samplingSize(fn, dims, sampling);
  requireInteger(fn, "index", index, { min: 0, max: size - 1 });
  return combinationKernel(space, dims, sampling, index);
}

/** @internal List lengths [H, Z, E, X, S] after checking every list is a non-empty array. */
export function spaceDimensions(fn: string, space: SweepSpace): number[] {
  if (space === null || typeof space !== "object")
    typeError(fn, `space must be an object { hedge, zWindow, entry, exit, stop? }, got ${describe(space)}`);
  const lists = [space.hedge, space.zWindow, space.entry, space.exit, space.stop ?? [null]];
  const names = ["hedge", "zWindow", "entry", "exit", "stop"];
  return lists.map((list, k) => {
    if (!Array.isArray(list) || list.length === 0) rangeError(fn, `space.${names[k]} must be a non-empty array, got ${describe(list)}`);
    return list.length;
  });
}

/** @internal */
export function samplingSize(fn: string, dims: readonly number[], sampling: SweepSampling): number {
  if (sampling === null || typeof sampling !== "object")
    typeError(fn, `sampling must be { kind: "grid" } or { kind: "random", count, seed }, got ${describe(sampling)}`);
  const kind = requireOneOf(fn, "sampling.kind", sampling.kind, ["grid", "random"] as const);
  if (kind === "random") {
    const s = sampling as { count: unknown; seed: unknown };
    requireInteger(fn, "sampling.seed", s.seed, { min: 0, max: 2 ** 32 - 1 });
    return requireInteger(fn, "sampling.count", s.count, { min: 1, max: MAX_SWEEP_COMBINATIONS });
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_SWEEP_COMBINATIONS)
    rangeError(
      fn,
      `the grid has ${size} combinations, more than MAX_SWEEP_COMBINATIONS (${MAX_SWEEP_COMBINATIONS}); sample it ({ kind: "random" }) or shrink a list`,
    );
  return size;
}

/** @internal Digits and values of combination `index` (validated). */
export function combinationKernel(space: SweepSpace, dims: readonly number[], sampling: SweepSampling, index: number): SweepCombination {
  const digits = [0, 0, 0, 0, 0];
  if (sampling.kind === "grid") {
    let rest = index;
    for (let k = 4; k >= 0; k--) {
      digits[k] = rest % dims[k];
      rest = Math.floor(rest / dims[k]);
    }
  } else {
    const rng = randomSource((sampling.seed + Math.imul(index, 0x9e3779b9)) >>> 0);
    for (let k = 0; k < 5; k++) digits[k] = Math.min(dims[k] - 1, Math.floor(rng() * dims[k]));
  }
  const stops = space.stop ?? [null];
  return {
    index,
    hedgeIndex: digits[0],
    zWindowIndex: digits[1],
    hedge: space.hedge[digits[0]],
    zWindow: space.zWindow[digits[1]],
    entry: space.entry[digits[2]],
    exit: space.exit[digits[3]],
    stop: stops[digits[4]],
  };
}
