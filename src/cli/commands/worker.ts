import type { Command } from "commander";
import { startShardWorker, type ShardKind } from "../../distributed/index.js";

/** What a shard's items are, per kind, in the log lines (the tests match "(N pairs) started"). */
const ITEM_NAMES: Readonly<Record<ShardKind, string>> = { discover: "pairs", sweep: "combinations", walkForward: "folds" };

/**
 * `arblab worker`: serve distributed shard jobs (DiscoverPairs, sweeps, walk-forward folds) from the Redis at $REDIS_URL (or
 * --redis-url) until SIGINT/SIGTERM. Any number of workers on any machine that reaches Redis; one
 * per core (each runs one shard at a time). Prints one "ready" line on stderr when connected.
 */
export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("run distributed shards (discovery, sweeps, walk-forward folds) from Redis (REDIS_URL) until interrupted")
    .option("--redis-url <url>", "Redis to serve (default: $REDIS_URL)")
    .option(
      "--concurrency <n>",
      "shards at once in this process (CPU-bound: start one process per core instead)",
      (v) => Number.parseInt(v, 10),
      1,
    )
    .option(
      "--lock-ms <ms>",
      "BullMQ lock duration: a killed worker's shard is retried elsewhere after about this long",
      (v) => Number.parseInt(v, 10),
      30_000,
    )
    .option("--quiet", "no line per shard on stderr")
    .action(async (o: { redisUrl?: string; concurrency: number; lockMs: number; quiet?: boolean }) => {
      const redisUrl = o.redisUrl ?? process.env.REDIS_URL;
      if (!redisUrl) throw new RangeError("worker: set REDIS_URL or give --redis-url (e.g. redis://127.0.0.1:6379)");
      if (!(Number.isInteger(o.concurrency) && o.concurrency >= 1 && o.concurrency <= 64))
        throw new RangeError(`worker: --concurrency must be an integer in [1, 64], got ${o.concurrency}`);
      if (!(Number.isInteger(o.lockMs) && o.lockMs >= 500))
        throw new RangeError(`worker: --lock-ms must be an integer ≥ 500, got ${o.lockMs}`);
      const log = (line: string): void => {
        process.stderr.write(`arblab worker ${process.pid}: ${line}\n`);
      };
      let lastError = "";
      const worker = await startShardWorker({
        redisUrl,
        concurrency: o.concurrency,
        lockMs: o.lockMs,
        onShardStart: o.quiet
          ? undefined
          : (s) => log(`run ${s.runId.slice(0, 8)} shard ${s.shard} (${s.items} ${ITEM_NAMES[s.kind]}) started`),
        onShard: o.quiet
          ? undefined
          : (s) =>
              log(
                `run ${s.runId.slice(0, 8)} shard ${s.shard} (${s.items} ${ITEM_NAMES[s.kind]}) ${s.outcome} in ${s.computeMs.toFixed(0)} ms`,
              ),
        // Connection errors repeat while Redis is away; log each distinct one once.
        onError: (err) => {
          if (err.message !== lastError) log(`error: ${err.message}`);
          lastError = err.message;
        },
      });
      log(`ready on ${redisUrl.replace(/\/\/[^@]*@/, "//***@")} (concurrency ${o.concurrency}, lock ${o.lockMs} ms)`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      log("stopping (finishing the current shard)");
      await worker.close();
    });
}
