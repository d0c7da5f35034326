/**
 * pair_discovery.PairDiscoveryService: thin handlers. Unary RPCs run their compute op in the worker
 * pool and wrap the result with ts-proto's fromPartial; DiscoverPairs streams (discoverPairs.ts).
 */
import {
  BacktestResponse,
  CointegrationResponse,
  HJBResponse,
  HurstResponse,
  OUEstimationResponse,
  PairTestResponse,
  type PairDiscoveryServiceServer,
} from "../generated/pair_discovery.js";
import { discoverPairsHandler } from "./discoverPairs.js";
import { unaryHandler, type ServiceContext } from "./context.js";

export function pairDiscoveryService(ctx: ServiceContext): PairDiscoveryServiceServer {
  return {
    testPair: unaryHandler(ctx, "TestPair", async (req) => PairTestResponse.fromPartial(await ctx.pool.run("testPair", req))),
    discoverPairs: discoverPairsHandler(ctx),
    solveHjb: unaryHandler(ctx, "SolveHJB", async (req) => HJBResponse.fromPartial(await ctx.pool.run("solveHjb", req))),
    estimateOu: unaryHandler(ctx, "EstimateOU", async (req) => OUEstimationResponse.fromPartial(await ctx.pool.run("estimateOu", req))),
    testCointegration: unaryHandler(ctx, "TestCointegration", async (req) =>
      CointegrationResponse.fromPartial(await ctx.pool.run("testCointegration", req)),
    ),
    calculateHurst: unaryHandler(ctx, "CalculateHurst", async (req) => HurstResponse.fromPartial(await ctx.pool.run("calculateHurst", req))),
    backtestStrategy: unaryHandler(ctx, "BacktestStrategy", async (req) => BacktestResponse.fromPartial(await ctx.pool.run("backtestStrategy", req))),
  };
}
