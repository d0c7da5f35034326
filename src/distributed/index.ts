// Distributed compute on Redis + BullMQ (issue 15): the coordinator, the worker, and the shard kernel.
export { discoverPairsDistributed, DEFAULT_SHARD_PAIRS, DEFAULT_STALL_TIMEOUT_MS } from "./discoverCoordinator.js"; // enqueue shards, merge in pair order
export type { DistributedDiscoverOptions, DistributedDiscoverResult, DistributedPanel } from "./discoverCoordinator.js";
export { startDiscoverWorker } from "./discoverWorker.js"; // a BullMQ worker running shards (`arblab worker`)
export type { DiscoverWorkerHandle, DiscoverWorkerOptions } from "./discoverWorker.js";
export { runDiscoverShard, pairAt, pairCount } from "./discoverShard.js"; // one range of pairs through testPairCore
export type { PairOutcome, ShardPanel } from "./discoverShard.js";
export { DISCOVER_QUEUE } from "./wire.js";
