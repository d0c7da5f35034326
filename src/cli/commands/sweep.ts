import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { sweepBacktestsDistributed } from "../../distributed/index.js";
import { sweepBacktests, type SweepBacktestsInput, type SweepResult, type SweepSpace } from "../../lib/research/index.js";
import { dateOption, globalOptions, output, withStore } from "../common.js";

/** Rows printed without --json. */
const TOP_ROWS = 10;

/** A JSON file's content, or an error naming the option and the file. */
export function readJsonOption(command: string, option: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new RangeError(`${command}: ${option} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RangeError(`${command}: ${option} ${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * `arblab sweep`: a pairs-backtest parameter sweep (library sweepBacktests) of two stored symbols
 * over a space given as JSON ({ hedge, zWindow, entry, exit, stop? }, see sweepSpace.ts). With
 * REDIS_URL set the combinations go to `arblab worker` processes as shard jobs (same results).
 */
export function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("sweep a pairs backtest over hedge, z-window and entry/exit/stop levels (distributed with REDIS_URL)")
    .requiredOption("--y <symbol>", "first leg")
    .requiredOption("--x <symbol>", "second leg (hedge)")
    .requiredOption("--space <file>", "JSON file: { hedge: [...], zWindow: [...], entry: [...], exit: [...], stop?: [...] }")
    .option("--random <count>", "evaluate COUNT seeded random combinations instead of the grid", (v) => Number.parseInt(v, 10))
    .option("--seed <n>", "seed of --random", (v) => Number.parseInt(v, 10), 1)
    .option("--bps <bps>", "transaction cost, basis points per traded notional", Number.parseFloat, 0)
    .option("--from <date>", "first date (inclusive)")
    .option("--to <date>", "last date (inclusive)")
    .option("--interval <interval>", "bar interval", "1d")
    .option("--shard-combinations <n>", "with REDIS_URL set: combinations per shard job (default: large shards first, smaller last)", (v) =>
      Number.parseInt(v, 10),
    )
    .action(
      async (
        o: {
          y: string;
          x: string;
          space: string;
          random?: number;
          seed: number;
          bps: number;
          from?: string;
          to?: string;
          interval: string;
          shardCombinations?: number;
        },
        command: Command,
      ) => {
        const g = globalOptions(command);
        const space = readJsonOption("sweep", "--space", o.space) as SweepSpace;
        const startMs = dateOption("from", o.from),
          endMs = dateOption("to", o.to, true);
        const panel = await withStore(g, (store) =>
          store.queryPanel({ symbols: [o.y, o.x], interval: o.interval, startMs, endMs, alignment: "intersect" }),
        );
        const [y, x] = [o.y, o.x].map((s) => panel.values[panel.symbols.indexOf(s)]);
        if (y === undefined || x === undefined) throw new RangeError(`sweep: no prices for ${y === undefined ? o.y : o.x} in the store`);
        const input: SweepBacktestsInput = {
          y,
          x,
          space,
          sampling: o.random === undefined ? { kind: "grid" } : { kind: "random", count: o.random, seed: o.seed },
          costs: { bps: o.bps },
        };
        const redisUrl = process.env.REDIS_URL;
        const sweep = redisUrl
          ? (await sweepBacktestsDistributed(input, { redisUrl, shardCombinations: o.shardCombinations })).result
          : sweepBacktests(input);
        const ranked = [...sweep.results].sort((a, b) => b.sharpe - a.sharpe || a.index - b.index);
        const describeRow = (r: SweepResult): string =>
          `  #${r.index} ${JSON.stringify(r.hedge)} z ${r.zWindow} entry ${r.entry} exit ${r.exit} stop ${r.stop ?? "—"}: annualised Sharpe ${r.annualizedSharpe.toFixed(2)}, return ${(100 * r.totalReturn).toFixed(1)} %, ${r.trades} trades`;
        output(g, { pair: [o.y, o.x], bars: y.length, size: sweep.size, distributed: Boolean(redisUrl), results: sweep.results }, () =>
          [
            `${sweep.size} combinations of ${o.y}/${o.x} over ${y.length} bars${redisUrl ? " (arblab worker processes)" : ""}; best by Sharpe:`,
            ...ranked.slice(0, TOP_ROWS).map(describeRow),
          ].join("\n"),
        );
      },
    );
}
