/**
 * The pair pipeline's flags, shared by `arblab backtest`, `report` and `discover`: --significance,
 * --min-hurst, --cost and the hedge (--hedge, --hedge-window, --kalman-delta, --kalman-ve). They
 * resolve through the RPCs' own defaults and checks (resolvePairOptions), and a refusal names the
 * flag the user typed, not the wire field behind it.
 */
import type { Command } from "commander";
import { resolvePairOptions, type PairOptionFields, type PairOptions } from "../server/compute/pairPipeline.js";

/** The flags as commander parses them (absent = the RPC's default). */
export interface PairFlags {
  significance?: number;
  minHurst?: number;
  cost?: number;
  hedge?: string;
  hedgeWindow?: number;
  kalmanDelta?: number;
  kalmanVe?: number;
}

/** Add the pair flags to `command`; `include` picks the optional flags a command takes. */
export function addPairFlags(command: Command, include: { minHurst?: boolean; cost?: boolean }): Command {
  command.option("--significance <alpha>", "Engle–Granger significance (RPC default 0.05)", Number.parseFloat);
  if (include.minHurst) command.option("--min-hurst <h>", "largest Hurst exponent accepted (RPC default 0.45)", Number.parseFloat);
  if (include.cost)
    command.option("--cost <fraction>", "transaction cost per leg as a fraction of notional (RPC default 0.001)", Number.parseFloat);
  return command
    .option("--hedge <method>", "hedge of the spread: ols (default), tls, johansen, boxTiao, minHalfLife, rolling, kalman")
    .option("--hedge-window <bars>", "with --hedge rolling (required): trailing OLS window in bars (≥ 3)", Number)
    .option("--kalman-delta <delta>", "with --hedge kalman: state noise δ in (0, 1) (default 1e-4)", Number)
    .option("--kalman-ve <ve>", "with --hedge kalman: observation variance Ve > 0 (default 1e-3)", Number);
}

/** The wire fields behind the flags (0 / "" = default, as proto3 sends them). */
export function pairFlagFields(o: PairFlags): PairOptionFields {
  return {
    significance: o.significance ?? 0,
    minHurst: o.minHurst ?? 0,
    transactionCost: o.cost ?? 0,
    dt: 0,
    rho: 0,
    maxLag: 0,
    hurstMethod: "",
    hedge: o.hedge ?? "",
    hedgeWindow: o.hedgeWindow ?? 0,
    hedgeDelta: o.kalmanDelta ?? 0,
    hedgeVe: o.kalmanVe ?? 0,
  };
}

/** Wire field → the flag that sets it, for messages. */
const FLAG_OF: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bhedge_window\b/g, "--hedge-window"],
  [/\bhedge_delta\b/g, "--kalman-delta"],
  [/\bhedge_ve\b/g, "--kalman-ve"],
  [/\btransaction_cost\b/g, "--cost"],
  [/\bmin_hurst\b/g, "--min-hurst"],
  [/(?<![-\w])significance\b/g, "--significance"],
  [/(?<![-\w])hedge(?= must| "|$)/g, "--hedge"],
];

/**
 * Resolve the flags with the RPC's defaults and checks.
 * @throws RangeError "<command>: --flag …" naming the flag and the rule
 */
export function resolvePairFlags(command: string, o: PairFlags): PairOptions {
  // The wire reads 0 and below as "the default"; a flag the user typed must mean what it says.
  for (const [flag, value] of [
    ["--significance", o.significance],
    ["--min-hurst", o.minHurst],
    ["--cost", o.cost],
    ["--hedge-window", o.hedgeWindow],
    ["--kalman-delta", o.kalmanDelta],
    ["--kalman-ve", o.kalmanVe],
  ] as const) {
    if (value !== undefined && !(value > 0 && Number.isFinite(value)))
      throw new RangeError(`${command}: ${flag} must be a positive number, got ${value} (omit it for the default)`);
  }
  try {
    return resolvePairOptions(command, pairFlagFields(o));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    let message = error.message;
    for (const [wire, flag] of FLAG_OF) message = message.replace(wire, flag);
    throw new RangeError(message);
  }
}
