import type { Command } from "commander";
import { testPairCore } from "../../server/compute/pairPipeline.js";
import { codeVersion } from "../codeVersion.js";
import { dateOption, globalOptions, listOption, output, withStore } from "../common.js";
import { addPairFlags, resolvePairFlags, type PairFlags } from "../pairFlags.js";

/**
 * `arblab backtest --pair A,B`: the TestPair pipeline on stored prices (the chosen hedge, Engle–Granger
 * test, OU fit, Leung–Li entry/exit levels, backtestPair with costs); prints and stores the metrics.
 */
export function registerBacktest(program: Command): void {
  const command = program
    .command("backtest")
    .description("backtest one pair from the store with the TestPair pipeline (Leung–Li levels on the Engle–Granger spread)")
    .requiredOption("--pair <A,B>", "the two symbols (y, x)", listOption)
    .option("--from <date>", "first date (inclusive)")
    .option("--to <date>", "last date (inclusive)")
    .option("--interval <interval>", "bar interval", "1d");
  addPairFlags(command, { cost: true }).action(
    async (o: PairFlags & { pair: string[]; from?: string; to?: string; interval: string }, command: Command) => {
      const g = globalOptions(command);
      if (o.pair.length !== 2 || o.pair[0] === o.pair[1])
        throw new RangeError(`backtest: --pair must name two different symbols, got ${o.pair.join(",")}`);
      const options = resolvePairFlags("backtest", o);
      const result = await withStore(g, async (store) => {
        const panel = await store.queryPanel({
          symbols: o.pair,
          interval: o.interval,
          startMs: dateOption("from", o.from),
          endMs: dateOption("to", o.to, true),
        });
        const r = testPairCore(panel.symbols[0]!, panel.symbols[1]!, panel.values[0]!, panel.values[1]!, options);
        const id = await store.saveResult({
          kind: "backtest",
          params: {
            pair: o.pair,
            from: o.from ?? null,
            to: o.to ?? null,
            interval: o.interval,
            cost: options.transactionCost,
            significance: options.significance,
            hedge: options.hedge,
            hedgeWindow: options.hedge === "rolling" ? options.hedgeWindow : null,
            kalmanDelta: options.hedge === "kalman" ? options.hedgeDelta : null,
            kalmanVe: options.hedge === "kalman" ? options.hedgeVe : null,
          },
          summary: r,
          codeVersion: codeVersion(),
        });
        return { id, observations: panel.timestamps.length, ...r };
      });
      output(g, result, () =>
        result.success
          ? [
              `${o.pair.join("/")}: ${result.observations} bars, hedge ${result.hedge}, β ${result.beta?.toFixed(4)}, p ${result.pValue?.toExponential(3)}, half-life ${result.halfLife?.toFixed(1)} bars`,
              `  entry ${result.lowerBoundary?.toFixed(4)} / exit ${result.longExitLevel?.toFixed(4)} (spread units)`,
              `  total return ${((result.totalReturn ?? Number.NaN) * 100).toFixed(2)}%  Sharpe ${result.sharpeRatio?.toFixed(3)}  max drawdown ${result.maxDrawdown?.toFixed(2)}  trades ${result.numTrades}  win rate ${result.winRate?.toFixed(3)}`,
              `  (result #${result.id})`,
            ].join("\n")
          : `${o.pair.join("/")}: no backtest — ${result.error} (result #${result.id})`,
      );
    },
  );
}
