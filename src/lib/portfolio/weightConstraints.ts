/** Constraints shared by the weight optimisers (both default to false). */
import { describe, requireOptions, typeError } from "../util/validate.js";

export interface WeightConstraints {
  /** Fully invested: Σ w_i = 1. */
  readonly budget?: boolean;
  /** No short positions: w_i ≥ 0. */
  readonly longOnly?: boolean;
}

/** Internal: validate a constraints object. */
export function requireConstraints(fn: string, value: unknown): { budget: boolean; longOnly: boolean } {
  const c = requireOptions<WeightConstraints>(fn, value);
  for (const key of ["budget", "longOnly"] as const) {
    if (c[key] !== undefined && typeof c[key] !== "boolean") typeError(fn, `constraints.${key} must be a boolean, got ${describe(c[key])}`);
  }
  return { budget: c.budget === true, longOnly: c.longOnly === true };
}
