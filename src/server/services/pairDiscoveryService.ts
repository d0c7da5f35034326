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
  type PairTestRequest,
} from "../generated/pair_discovery.js";
import { discoverPairsHandler } from "./discoverPairs.js";
import { unaryHandler, type ServiceContext } from "./context.js";
import { invalidArgument } from "../errors.js";

export function pairDiscoveryService(ctx: ServiceContext): PairDiscoveryServiceServer {
  return {
    testPair: unaryHandler(ctx, "TestPair", async (req) => {
      // Hand the price series to the worker as transferred Float64Arrays: structured-cloning two
      // 1000-element number[] cost ~75 µs of main-thread time per call (profiled); a transfer is ~free.
      let prices1 = Float64Array.from(req.prices1 ?? []);
      let prices2 = Float64Array.from(req.prices2 ?? []);
      if (req.universe) {
        if (prices1.length > 0 || prices2.length > 0) invalidArgument("TestPair", "give either universe or prices1/prices2, not both");
        const panel = await ctx.prices.panel("TestPair", req, [req.symbol1, req.symbol2]);
        prices1 = panel.values[0]!;
        prices2 = panel.values[1]!;
      }
      const payload = { ...req, prices1, prices2 } as unknown as PairTestRequest;
      return PairTestResponse.fromPartial(await ctx.pool.run("testPair", payload, [prices1.buffer, prices2.buffer]));
    }),
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
