/**
 * `arblab`: the lab from a terminal. One file per command in src/cli/commands/ exporting
 * register<Name>(program); shared helpers (--store, --json, progress, errors) in src/cli/common.ts.
 */
import { Command } from "commander";
import { addGlobalOptions, fail } from "./common.js";
import { registerBacktest } from "./commands/backtest.js";
import { registerDiscover } from "./commands/discover.js";
import { registerIngest } from "./commands/ingest.js";
import { registerInit } from "./commands/init.js";
import { registerUniverse } from "./commands/universe.js";
import { registerIngestExchange } from "./commands/ingestExchange.js";
import { registerServe } from "./commands/serve.js";
import { registerPaper } from "./commands/paper.js";
import { registerWorker } from "./commands/worker.js";
import { registerReport } from "./commands/report.js";
import { registerSweep } from "./commands/sweep.js";
import { registerWalkForward } from "./commands/walkForward.js";

/** The program with every command registered (tests call this without a process exit). */
export function createProgram(): Command {
  const program = new Command("arblab")
    .description("Arbitrage Lab: keep your price data in a local store and run the research steps on it")
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });
  addGlobalOptions(program);
  registerInit(program);
  registerIngest(program);
  registerUniverse(program);
  registerDiscover(program);
  registerBacktest(program);
  registerIngestExchange(program);
  registerServe(program);
  registerPaper(program);
  registerWorker(program);
  registerReport(program);
  registerSweep(program);
  registerWalkForward(program);
  return program;
}

/** Run the CLI on argv; any error leaves through `fail` (stderr, exit 1). */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await createProgram().parseAsync([...argv]);
  } catch (err) {
    fail(err);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
