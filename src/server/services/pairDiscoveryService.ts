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
import { sweepBacktestsHandler } from "./sweepBacktests.js";
import { discoverPairsHandler } from "./discoverPairs.js";
import { unaryHandler, type ServiceContext } from "./context.js";
import { MAX_TASK_RESUBMISSIONS, WorkerTerminatedError } from "../pool.js";
import { invalidArgument } from "../errors.js";

export function pairDiscoveryService(ctx: ServiceContext): PairDiscoveryServiceServer {
  return {
    testPair: unaryHandler(ctx, "TestPair", async (req, signal) => {
      // Hand the price series to the worker as transferred Float64Arrays: structured-cloning two
      // 1000-element number[] cost ~75 µs of main-thread time per call (profiled); a transfer is ~free.
      // Prices come inline or, with the universe extension fields, from the lab's store.
      let universePrices: [Float64Array, Float64Array] | null = null;
      if (req.universe) {
        if ((req.prices1?.length ?? 0) > 0 || (req.prices2?.length ?? 0) > 0)
          invalidArgument("TestPair", "give either universe or prices1/prices2, not both");
        const panel = await ctx.prices.panel("TestPair", req, [req.symbol1, req.symbol2]);
        universePrices = [panel.values[0]!, panel.values[1]!];
      }
      // Transferred buffers cannot be resubmitted by the pool, so a task whose thread was terminated
      // by another call's cancellation is rebuilt and retried here.
      for (let attempt = 0; ; attempt++) {
        const prices1 = Float64Array.from(universePrices ? universePrices[0] : (req.prices1 ?? []));
        const prices2 = Float64Array.from(universePrices ? universePrices[1] : (req.prices2 ?? []));
        const payload = { ...req, prices1, prices2 } as unknown as PairTestRequest;
        try {
          return PairTestResponse.fromPartial(await ctx.pool.run("testPair", payload, [prices1.buffer, prices2.buffer], signal));
        } catch (error) {
          if (!(error instanceof WorkerTerminatedError) || attempt >= MAX_TASK_RESUBMISSIONS) throw error;
        }
      }
    }),
    discoverPairs: discoverPairsHandler(ctx),
    sweepBacktests: sweepBacktestsHandler(ctx),
    solveHjb: unaryHandler(ctx, "SolveHJB", async (req, signal) =>
      HJBResponse.fromPartial(await ctx.pool.run("solveHjb", req, undefined, signal)),
    ),
    estimateOu: unaryHandler(ctx, "EstimateOU", async (req, signal) =>
      OUEstimationResponse.fromPartial(await ctx.pool.run("estimateOu", req, undefined, signal)),
    ),
    testCointegration: unaryHandler(ctx, "TestCointegration", async (req, signal) =>
      CointegrationResponse.fromPartial(await ctx.pool.run("testCointegration", req, undefined, signal)),
    ),
    calculateHurst: unaryHandler(ctx, "CalculateHurst", async (req, signal) =>
      HurstResponse.fromPartial(await ctx.pool.run("calculateHurst", req, undefined, signal)),
    ),
    backtestStrategy: unaryHandler(ctx, "BacktestStrategy", async (req, signal) =>
      BacktestResponse.fromPartial(await ctx.pool.run("backtestStrategy", req, undefined, signal)),
    ),
  };
}
