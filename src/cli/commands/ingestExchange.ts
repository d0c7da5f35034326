/**
 * `arblab ingest-exchange --exchange binance --symbols BTC/USDT,ETH/USDT --interval 1h --since 2024-01-01`
 * Download bars through ccxt into the store (src/data/exchange/ingestExchange.ts): paginated,
 * retried, resumable (run it again to continue), Ctrl-C keeps every page already written.
 * `--url http://127.0.0.1:8000` points ccxt's binance at the lab's market-data service instead of
 * the venue.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import type { IngestExchangeResult, IngestProgress } from "../../data/exchange/ingestExchange.js";
import { globalOptions, listOption, output, progress, withStore } from "../common.js";

/** Parse "2024-01-01", an ISO date-time, or epoch milliseconds. */
export function parseTimeOption(name: string): (value: string) => number {
  return (value) => {
    const ms = /^[0-9]+$/.test(value)
      ? Number(value)
      : /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? Date.parse(`${value}T00:00:00Z`)
        : Date.parse(value);
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new InvalidArgumentError(`${name} must be a date (2024-01-01), an ISO time or epoch ms, got ${JSON.stringify(value)}`);
    return ms;
  };
}

function parsePositiveInteger(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

function parseSymbolList(value: string): string[] {
  const list = listOption(value);
  if (list.length === 0) throw new InvalidArgumentError(`--symbols must list at least one symbol, e.g. BTC/USDT,ETH/USDT`);
  return list;
}

interface IngestExchangeFlags {
  exchange: string;
  symbols: string[];
  interval: string;
  since: number;
  until?: number;
  url?: string;
  pageLimit?: number;
  maxAttempts?: number;
}

function summaryLines(result: IngestExchangeResult): string[] {
  return result.symbols.map(
    (s) =>
      `${s.symbol} → ${s.storeSymbol} ${result.interval}: ${s.bars} bars in ${s.pages} pages (${s.inserted} new, ${s.updated} updated)` +
      `${s.resumed ? `, resumed from ${new Date(s.fromMs).toISOString()}` : ""}${s.lastMs !== null ? `, last ${new Date(s.lastMs).toISOString()}` : ""}`,
  );
}

/** Progress per mille of each symbol's time span, so symbols with gaps (weekends) still move evenly. */
const PROGRESS_STEPS_PER_SYMBOL = 1000;

export function registerIngestExchange(program: Command): void {
  program
    .command("ingest-exchange")
    .description("download OHLCV bars from an exchange (ccxt) into the store; run again to resume")
    .addOption(new Option("--exchange <id>", "ccxt exchange id").default("binance"))
    .requiredOption("--symbols <list>", "comma-separated symbols, unified (BTC/USDT) or venue ids (BTCUSDT)", parseSymbolList)
    .requiredOption("--interval <timeframe>", "bar interval, e.g. 1m, 1h, 1d")
    .requiredOption("--since <time>", "first bar wanted: 2024-01-01, ISO time or epoch ms", parseTimeOption("--since"))
    .option("--until <time>", "last bar wanted (default: the last complete bar)", parseTimeOption("--until"))
    .option("--url <base>", "Binance-compatible base URL instead of the venue, e.g. http://127.0.0.1:8000 (arblab serve)")
    .option("--page-limit <n>", "bars per request (default 1000)", parsePositiveInteger("--page-limit"))
    .option("--max-attempts <n>", "attempts per request before giving up (default 6)", parsePositiveInteger("--max-attempts"))
    .action(async (flags: IngestExchangeFlags, command: Command) => {
      const g = globalOptions(command);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const bar = progress(g, "ingest-exchange");
      const onProgress = (p: IngestProgress) => {
        const span = Math.max(1, p.untilMs - p.fromMs);
        const done =
          p.symbolIndex * PROGRESS_STEPS_PER_SYMBOL +
          Math.min(PROGRESS_STEPS_PER_SYMBOL, Math.round((PROGRESS_STEPS_PER_SYMBOL * (p.cursorMs - p.fromMs)) / span));
        bar.update(done, p.symbolCount * PROGRESS_STEPS_PER_SYMBOL, `${p.symbol} ${p.bars} bars`);
      };
      // ccxt takes a second to load: only this command pays for it.
      const { binanceUrlsFor, ingestExchange } = await import("../../data/exchange/ingestExchange.js");
      try {
        const result = await withStore(g, (store) =>
          ingestExchange({
            exchange: flags.exchange,
            symbols: flags.symbols,
            interval: flags.interval,
            since: flags.since,
            until: flags.until,
            store,
            urls: flags.url !== undefined ? binanceUrlsFor(flags.url) : undefined,
            pageLimit: flags.pageLimit,
            maxAttempts: flags.maxAttempts,
            signal: controller.signal,
            onProgress,
          }),
        );
        bar.stop();
        output(g, result, () => summaryLines(result).join("\n"));
      } catch (error) {
        bar.stop();
        if (controller.signal.aborted) {
          process.stderr.write(
            "arblab ingest-exchange: interrupted; every page written so far is kept; run the same command again to resume\n",
          );
          process.exitCode = 130;
          return;
        }
        throw error;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
