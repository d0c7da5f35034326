import type { Command } from "commander";
import { walkForwardDistributed } from "../../distributed/index.js";
import { walkForward, type WalkForwardOptions } from "../../lib/research/index.js";
import { dateOption, globalOptions, listOption, output, withStore } from "../common.js";
import { readJsonOption } from "./sweep.js";

/**
 * `arblab walk-forward`: the library's walkForward (rolling formation/trading folds, pairs
 * discovered and fitted on each formation window, a book traded out of sample) on a stored universe
 * or symbol list, with its options as JSON (WalkForwardOptions). With REDIS_URL set the folds go to
 * `arblab worker` processes as shard jobs (same result).
 */
export function registerWalkForward(program: Command): void {
  program
    .command("walk-forward")
    .description("walk-forward pairs book over rolling formation/trading folds (distributed with REDIS_URL)")
    .option("--universe <name>", "a stored universe")
    .option("--symbols <list>", "comma-separated symbols instead of a universe", listOption)
    .requiredOption("--options <file>", "JSON file: { formation, trading, step?, folds?, topK?, fdr?, rule, ... } (walkForward's options)")
    .option("--from <date>", "first date (inclusive)")
    .option("--to <date>", "last date (inclusive)")
    .option("--interval <interval>", "bar interval", "1d")
    .option("--shard-folds <n>", "with REDIS_URL set: folds per shard job", (v) => Number.parseInt(v, 10))
    .action(
      async (
        o: { universe?: string; symbols?: string[]; options: string; from?: string; to?: string; interval: string; shardFolds?: number },
        command: Command,
      ) => {
        const g = globalOptions(command);
        if ((o.universe === undefined) === (o.symbols === undefined))
          throw new RangeError("walk-forward: give exactly one of --universe and --symbols");
        const options = readJsonOption("walk-forward", "--options", o.options) as WalkForwardOptions;
        const startMs = dateOption("from", o.from),
          endMs = dateOption("to", o.to, true);
        const panel = await withStore(g, (store) =>
          store.queryPanel({ universe: o.universe, symbols: o.symbols, interval: o.interval, startMs, endMs, alignment: "intersect" }),
        );
        const input = { prices: panel.values, names: panel.symbols };
        const redisUrl = process.env.REDIS_URL;
        const result = redisUrl
          ? (await walkForwardDistributed(input, options, { redisUrl, shardFolds: o.shardFolds })).result
          : walkForward(input, options);
        const equity = result.oos.equity;
        const summary = {
          symbols: panel.symbols.length,
          bars: panel.timestamps.length,
          folds: result.folds.length,
          oosBars: equity.length,
          finalEquity: equity.length > 0 ? equity[equity.length - 1] : null,
          distributed: Boolean(redisUrl),
        };
        output(
          g,
          {
            summary,
            folds: result.folds.map((f) => ({ ...f, book: undefined })),
            oos: { index: [...result.oos.index], returns: [...result.oos.returns], equity: [...equity] },
            pairPnl: result.pairPnl,
            warnings: result.warnings,
          },
          () =>
            [
              `${summary.folds} folds on ${summary.symbols} symbols × ${summary.bars} bars${redisUrl ? " (arblab worker processes)" : ""}; ${summary.oosBars} out-of-sample bars, final equity ${summary.finalEquity?.toFixed(0) ?? "—"}`,
              ...result.folds.map(
                (f) =>
                  `  fold ${f.fold} [${f.formationStart}, ${f.formationEnd}) → ${f.tradingEnd}: ${f.selections.map((s) => s.label).join(", ") || "cash"}; return ${(100 * f.totalReturn).toFixed(2)} %`,
              ),
              ...result.warnings.map((w) => `  warning: ${w}`),
            ].join("\n"),
        );
      },
    );
}
