import { type Command, Option } from "commander";
import { writeColumns } from "../../data/index.js";
import { discoverPanel, type DiscoveryRow } from "../discoverPanel.js";
import { discoverPanelDistributed } from "../discoverPanelDistributed.js";
import { dateOption, globalOptions, listOption, output, progress, withStore } from "../common.js";
import { addPairFlags, resolvePairFlags } from "../pairFlags.js";
import { codeVersion } from "../codeVersion.js";
import type { PairScreenOptions, ScreenCounts } from "../../lib/index.js";

/** The screen flags as screenPairs options (null when none is given). @throws RangeError naming the flag */
function screensOf(o: {
  minCorrelation?: number;
  ssdK?: number;
  halfLife?: string;
  minCrossings?: number;
}): Omit<PairScreenOptions, "signal" | "sectors"> | null {
  const out: {
    minReturnCorrelation?: number;
    nearestPartners?: number;
    halfLifeBand?: { min: number; max: number };
    minMeanCrossings?: number;
  } = {};
  if (o.minCorrelation !== undefined) {
    if (!(o.minCorrelation >= -1 && o.minCorrelation <= 1))
      throw new RangeError(`discover: --min-correlation must lie in [-1, 1], got ${o.minCorrelation}`);
    out.minReturnCorrelation = o.minCorrelation;
  }
  if (o.ssdK !== undefined) {
    if (!(Number.isInteger(o.ssdK) && o.ssdK >= 1)) throw new RangeError(`discover: --ssd-k must be an integer >= 1, got ${o.ssdK}`);
    out.nearestPartners = o.ssdK;
  }
  if (o.halfLife !== undefined) {
    const m = /^\s*([0-9.eE+-]+)\s*,\s*([0-9.eE+-]*)\s*$/.exec(o.halfLife);
    const min = m ? Number(m[1]) : Number.NaN;
    const max = m && m[2] !== "" ? Number(m[2]) : Infinity;
    if (!m || !(min >= 0) || !(max >= min))
      throw new RangeError(`discover: --half-life must be MIN,MAX bars with 0 <= MIN <= MAX (MAX may be empty), got ${o.halfLife}`);
    out.halfLifeBand = { min, max };
  }
  if (o.minCrossings !== undefined) {
    if (!(Number.isInteger(o.minCrossings) && o.minCrossings >= 0))
      throw new RangeError(`discover: --min-crossings must be an integer >= 0, got ${o.minCrossings}`);
    out.minMeanCrossings = o.minCrossings;
  }
  return Object.keys(out).length === 0 ? null : out;
}

const OUT_COLUMNS: readonly (keyof DiscoveryRow)[] = [
  "symbol1",
  "symbol2",
  "pValue",
  "qValue",
  "statistic",
  "beta",
  "intercept",
  "halfLife",
  "hurst",
  "isCointegrated",
  "success",
  "error",
];

/** `arblab discover`: every pair of a universe or symbol list through the DiscoverPairs pipeline, BH q-values, one row per pair. */
export function registerDiscover(program: Command): void {
  const command = program
    .command("discover")
    .description("test every pair (Engle–Granger, Hurst, OU half-life; the DiscoverPairs RPC's numbers) and write one row per pair")
    .option("--universe <name>", "a stored universe")
    .option("--symbols <list>", "comma-separated symbols instead of a universe", listOption)
    .option("--from <date>", "first date (inclusive)")
    .option("--to <date>", "last date (inclusive)")
    .option("--interval <interval>", "bar interval", "1d")
    .option("--fdr <q>", "keep pairs with q-value ≤ Q in the output (default: all pairs)", Number.parseFloat)
    .addOption(new Option("--align <policy>", "alignment").choices(["intersect", "ffill"]).default("intersect"))
    .option("--max-gap <bars>", "longest gap ffill fills", (v) => Number.parseInt(v, 10), 5)
    .option("--max-missing <fraction>", "drop symbols missing more than this fraction of dates", Number.parseFloat, 1);
  addPairFlags(command, { minHurst: true })
    .option("--min-correlation <rho>", "screen: keep pairs whose simple-return correlation is ≥ RHO", Number.parseFloat)
    .option("--ssd-k <k>", "screen: keep a pair if either is among the other's K nearest partners by SSD (Gatev et al.)", (v) =>
      Number.parseInt(v, 10),
    )
    .option("--same-sector", "screen: keep pairs within one sector (the store's instrument tags)")
    .option("--half-life <min,max>", "screen: OLS-spread half-life band in bars (max may be empty: MIN,)", (v) => v)
    .option("--min-crossings <n>", "screen: the OLS spread crosses its mean at least N times", (v) => Number.parseInt(v, 10))
    .option("--out <file>", "write the table to FILE.csv, FILE.parquet or FILE.json")
    .option(
      "--shard-pairs <n>",
      "with REDIS_URL set: pairs per shard job run by `arblab worker` processes (default: large shards first, smaller last)",
      (v) => Number.parseInt(v, 10),
    )
    .action(
      async (
        o: {
          universe?: string;
          symbols?: string[];
          from?: string;
          to?: string;
          interval: string;
          fdr?: number;
          align: "intersect" | "ffill";
          maxGap: number;
          maxMissing: number;
          significance?: number;
          minHurst?: number;
          out?: string;
          shardPairs?: number;
          hedge?: string;
          hedgeWindow?: number;
          kalmanDelta?: number;
          kalmanVe?: number;
          minCorrelation?: number;
          ssdK?: number;
          sameSector?: boolean;
          halfLife?: string;
          minCrossings?: number;
        },
        command: Command,
      ) => {
        const g = globalOptions(command);
        if ((o.universe === undefined) === (o.symbols === undefined))
          throw new RangeError("discover: give exactly one of --universe and --symbols");
        resolvePairFlags("discover", o); // the flags' checks, naming the flags, before the store opens
        if (o.fdr !== undefined && !(o.fdr > 0 && o.fdr <= 1)) throw new RangeError(`discover: --fdr must lie in (0, 1], got ${o.fdr}`);
        if (o.out !== undefined && !/\.(csv|parquet|json)$/i.test(o.out))
          throw new RangeError(`discover: --out must end in .csv, .parquet or .json, got ${o.out}`);
        const screenFlags = screensOf(o);
        const startMs = dateOption("from", o.from),
          endMs = dateOption("to", o.to, true);
        const bar = progress(g, "discover");
        const result = await withStore(g, async (store) => {
          const panel = await store.queryPanel({
            universe: o.universe,
            symbols: o.symbols,
            interval: o.interval,
            startMs,
            endMs,
            alignment: o.align,
            maxGap: o.maxGap,
            maxMissingFraction: o.maxMissing,
          });
          let sectors: Record<string, string> | undefined;
          if (o.sameSector) {
            sectors = {};
            for (const i of await store.listInstruments(panel.symbols)) if (i.sector) sectors[i.symbol] = i.sector;
          }
          const screens = screenFlags === null && sectors === undefined ? undefined : { ...screenFlags, ...(sectors ? { sectors } : {}) };
          let removed: ScreenCounts | null = null;
          const pairOptions = {
            significance: o.significance,
            minHurst: o.minHurst,
            hedge: o.hedge,
            hedgeWindow: o.hedgeWindow,
            hedgeDelta: o.kalmanDelta,
            hedgeVe: o.kalmanVe,
            onProgress: (d: number, t: number) => bar.update(d, t),
          };
          // With REDIS_URL the pairs go to `arblab worker` processes as shard jobs; same rows, same order.
          const redisUrl = process.env.REDIS_URL;
          if (redisUrl && screens !== undefined)
            throw new RangeError(
              "discover: the screens (--min-correlation, --ssd-k, --same-sector, --half-life, --min-crossings) run in this process; unset REDIS_URL",
            );
          const all = redisUrl
            ? await discoverPanelDistributed(panel, { ...pairOptions, redisUrl, shardPairs: o.shardPairs })
            : discoverPanel(panel, {
                ...pairOptions,
                ...(screens ? { screens, onScreened: (r: ScreenCounts) => (removed = r) } : {}),
              });
          bar.stop();
          const rows = o.fdr === undefined ? all : all.filter((r) => r.qValue <= o.fdr!);
          rows.sort((a, b) => a.pValue - b.pValue || 0);
          const params = {
            universe: o.universe ?? null,
            symbols: panel.symbols,
            from: o.from ?? null,
            to: o.to ?? null,
            interval: o.interval,
            fdr: o.fdr ?? null,
            align: o.align,
            significance: o.significance ?? null,
            minHurst: o.minHurst ?? null,
            hedge: o.hedge ?? null,
            hedgeWindow: o.hedgeWindow ?? null,
            kalmanDelta: o.kalmanDelta ?? null,
            kalmanVe: o.kalmanVe ?? null,
            screens: screens ? { ...screenFlags, sameSector: o.sameSector === true } : null,
          };
          const summary = {
            candidates: (panel.symbols.length * (panel.symbols.length - 1)) / 2,
            removed,
            pairs: all.length,
            kept: rows.length,
            observations: panel.timestamps.length,
            droppedSymbols: panel.droppedSymbols,
            droppedTimestamps: panel.droppedTimestamps,
            best: rows[0] ?? null,
          };
          const id = await store.saveResult({ kind: "discover", params, summary, codeVersion: codeVersion() });
          return { id, params, summary, rows };
        });
        if (o.out) writeColumns(o.out, Object.fromEntries(OUT_COLUMNS.map((c) => [c, result.rows.map((r) => r[c])])));
        output(g, o.out ? { ...result, rows: undefined, out: o.out } : result, () => {
          const top = result.rows
            .slice(0, 20)
            .map(
              (r) =>
                `  ${r.symbol1.padEnd(8)} ${r.symbol2.padEnd(8)} p ${r.pValue.toExponential(3)}  q ${r.qValue.toExponential(3)}  β ${r.beta.toFixed(4)}  half-life ${Number.isFinite(r.halfLife) ? r.halfLife.toFixed(1) : "—"}  H ${Number.isFinite(r.hurst) ? r.hurst.toFixed(3) : "—"}`,
            );
          const r = result.summary.removed as ScreenCounts | null;
          return [
            ...(r
              ? [
                  `screens removed ${r.sector} (sector), ${r.correlation} (correlation), ${r.distance} (SSD), ${r.halfLife} (half-life), ${r.crossings} (crossings) of ${result.summary.candidates} candidate pairs`,
                ]
              : []),
            `${result.summary.pairs} pairs over ${result.summary.observations} bars; ${result.rows.length} rows${o.fdr !== undefined ? ` with q ≤ ${o.fdr}` : ""} (result #${result.id})`,
            ...top,
            ...(result.rows.length > 20 ? [`  … ${result.rows.length - 20} more`] : []),
            ...(o.out ? [`written to ${o.out}`] : []),
          ].join("\n");
        });
      },
    );
}
