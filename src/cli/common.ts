/**
 * Helpers every `arblab` command shares: the --store option and opening the store, --json output,
 * progress bars with ETA (cli-progress, on stderr, off with --json or when stderr is not a TTY)
 * and the one error exit (message on stderr, exit code 1, no stack trace for input errors).
 */
import cliProgress from "cli-progress";
import { type Command, Option } from "commander";
import { Store, defaultStorePath } from "../data/index.js";

/** Options every command receives from the root program. */
export interface GlobalOptions {
  readonly store?: string;
  readonly json?: boolean;
}

/** The root options (--store, --json), wherever they were given on the command line. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/** Add --store and --json to the root program. */
export function addGlobalOptions(program: Command): void {
  program
    .addOption(
      new Option("--store <path>", "store file (default: $ARBLAB_STORE, else $ARBLAB_HOME/store.duckdb, else .arblab/store.duckdb)"),
    )
    .option("--json", "machine-readable JSON on stdout");
}

/** Open the store the options name, run `work`, always close it. */
export async function withStore<T>(options: GlobalOptions, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(options.store ?? defaultStorePath());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Print `data` as JSON (with --json) or the human text. NaN/±Infinity become null in JSON. */
export function output(options: GlobalOptions, data: unknown, human: () => string): void {
  if (options.json)
    process.stdout.write(`${JSON.stringify(data, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** A progress bar with ETA on stderr; a no-op with --json or without a TTY. */
export interface Progress {
  update(done: number, total: number, stage?: string): void;
  stop(): void;
}

export function progress(options: GlobalOptions, label: string): Progress {
  if (options.json || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% {value}/{total} ETA {eta_formatted} {stage}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, stage = "") {
      if (!started) {
        bar.start(total, done, { stage });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { stage });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Parse a date option ("2020-01-31" or any readBars timestamp) into epoch ms. @throws RangeError naming the option */
export function dateOption(name: string, value: string | undefined, endOfDay = false): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new RangeError(`--${name} must be a date such as 2020-01-31, got ${JSON.stringify(value)}`);
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value) ? ms + 86_400_000 - 1 : ms;
}

/** Parse a comma-separated list option. */
export function listOption(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Report an error and exit 1 (the single error exit of every command). */
export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`arblab: ${message}\n`);
  if (process.env.ARBLAB_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
