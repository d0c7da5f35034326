// Distributed compute on Redis + BullMQ (issue 15): coordinators, the worker, the shard kernels and the queue machinery.
export { discoverPairsDistributed, MIN_SHARD_PAIRS } from "./discoverCoordinator.js"; // DiscoverPairs: enqueue pair shards, merge in pair order
export type { DistributedDiscoverOptions, DistributedDiscoverResult, DistributedPanel } from "./discoverCoordinator.js";
export { sweepBacktestsDistributed, MIN_SHARD_COMBINATIONS } from "./sweepBacktestsDistributed.js"; // sweepBacktests over combination shards
export type { DistributedSweepOptions, DistributedSweepResult } from "./sweepBacktestsDistributed.js";
export { walkForwardDistributed, DEFAULT_SHARD_FOLDS } from "./walkForwardDistributed.js"; // walkForward over fold shards, stitched in process
export type { DistributedWalkForwardOptions, DistributedWalkForwardResult } from "./walkForwardDistributed.js";
export { runShards, DEFAULT_STALL_TIMEOUT_MS } from "./shardQueue.js"; // the coordinator's queue machinery shared by every kind
export type { ShardRunSpec, ShardRunStats } from "./shardQueue.js";
export { startShardWorker } from "./shardWorker.js"; // a BullMQ worker running every kind of shard (`arblab worker`)
export type { ShardWorkerHandle, ShardWorkerOptions } from "./shardWorker.js";
export { runDiscoverShard, pairAt, pairCount } from "./discoverShard.js"; // one range of pairs through testPairCore
export type { PairOutcome, ShardPanel } from "./discoverShard.js";
export { shardBounds } from "./shardPlan.js"; // shard boundaries: fixed size or factoring
export type { ShardSchedule } from "./shardPlan.js";
export { DISCOVER_QUEUE } from "./wire.js";
export type { ShardKind } from "./wire.js";
