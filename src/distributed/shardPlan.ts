/**
 * How a distributed run's items [0, total) are cut into shards: the boundaries b_0 = 0 < b_1 < … <
 * b_S = total, shard s = items [b_s, b_{s+1}). Two schedules:
 * - "fixed": every shard `items` long (the last one shorter), the caller's explicit shard size;
 * - "factoring" (the default of DiscoverPairs and sweeps): shards in batches of W equal shards, each
 *   of ⌈R / (2·W)⌉ items for the R items still unassigned, never below `minItems`, so the first
 *   shards are large (few per-shard round trips) and the last ones small (both workers finish
 *   within about one small shard of each other instead of one whole fixed shard). Every size is a
 *   multiple of `unit` (whole sweep groups). No mathematics on the data here: index arithmetic.
 * @see Hummel, S.F., Schonberg, E., Flynn, L.E. (1992) "Factoring: a method for scheduling parallel
 *   loops", Communications of the ACM 35(8), 90–101 (batches of P chunks of R/(2P)).
 */

/** A shard schedule: fixed-size shards, or factoring (sized for the workers connected when the run starts). */
export type ShardSchedule =
  | { readonly kind: "fixed"; readonly items: number }
  | { readonly kind: "factoring"; readonly minItems: number; readonly unit: number };

/**
 * Shard boundaries of `total` items under `schedule` for `workers` workers (length S + 1; S = 0 for
 * total = 0; `workers` is read by factoring only). Bounded:
 * every shard holds at least one unit, so S ≤ ⌈total / unit⌉.
 * @throws RangeError for a non-integer or negative total, or workers or a schedule field that is not a positive integer
 * @example shardBounds(4950, { kind: "factoring", minItems: 32, unit: 1 }, 2)
 *   // [0, 1238, 2476, 3095, 3714, 4023, 4332, 4487, 4642, 4719, 4796, 4835, 4874, 4906, 4938, 4950] (15 shards)
 */
export function shardBounds(total: number, schedule: ShardSchedule, workers: number): number[] {
  const fn = "shardBounds";
  if (!(Number.isInteger(total) && total >= 0)) throw new RangeError(`${fn}: total must be a non-negative integer, got ${total}`);
  const positive = (name: string, value: number): number => {
    if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${fn}: ${name} must be a positive integer, got ${value}`);
    return value;
  };
  positive("workers", workers);
  const bounds = [0];
  if (schedule.kind === "fixed") {
    const items = positive("items", schedule.items);
    for (let start = items; start < total; start += items) bounds.push(start);
    if (total > 0) bounds.push(total);
    return bounds;
  }
  const unit = positive("unit", schedule.unit);
  const minItems = Math.ceil(positive("minItems", schedule.minItems) / unit) * unit;
  let assigned = 0;
  // Each batch assigns at least W·unit items, so the loop ends after at most ⌈total / unit⌉ shards.
  while (assigned < total) {
    const size = Math.max(minItems, Math.ceil((total - assigned) / (2 * workers) / unit) * unit);
    for (let w = 0; w < workers && assigned < total; w++) {
      assigned = Math.min(total, assigned + size);
      bounds.push(assigned);
    }
  }
  return bounds;
}
