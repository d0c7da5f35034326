import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { rawTableOf, type Store } from "../../data/index.js";
import { analysePair, backtestAnalysedPair, tearSheet, tradeRows, type PairHedgeMethod } from "../../lib/index.js";
import { tearSheetHtml } from "../../report/tearSheetHtml.js";
import { codeVersion } from "../codeVersion.js";
import { dateOption, globalOptions, listOption, output, withStore } from "../common.js";
import { addPairFlags, resolvePairFlags, type PairFlags } from "../pairFlags.js";

/** Column names accepted for the returns of --returns FILE (case and separators ignored), and for its dates. */
const RETURN_COLUMNS = ["return", "returns", "ret", "r", "strategy"];
const DATE_COLUMNS = ["date", "timestamp", "time", "datetime", "ts"];

interface ReportOptions extends PairFlags {
  universe?: string;
  symbols?: string[];
  returns?: string;
  column?: string;
  from?: string;
  to?: string;
  interval: string;
  periodsPerYear?: number;
  title?: string;
  out?: string;
}

interface ReportSeries {
  readonly returns: Float64Array;
  readonly timestamps: Float64Array | undefined;
  readonly trades: Record<string, string | number | boolean | null>[] | undefined;
  readonly source: Record<string, unknown>;
  readonly periodsPerYear: number;
}

const normalise = (name: string): string => name.toLowerCase().replace(/[\s_\-.]/g, "");

/** Per-period returns (and dates) from a CSV/Parquet/Arrow file: one numeric column, every row finite. */
async function returnsFromFile(file: string, column: string | undefined): Promise<{ returns: Float64Array; timestamps?: Float64Array }> {
  const t = await rawTableOf(file);
  const names = t.columns.map(normalise);
  const col =
    column !== undefined
      ? t.columns.indexOf(column)
      : names.findIndex((n) => RETURN_COLUMNS.includes(n)) >= 0
        ? names.findIndex((n) => RETURN_COLUMNS.includes(n))
        : t.columns.length === 1
          ? 0
          : -1;
  if (col < 0)
    throw new RangeError(
      `${t.headerWhere}: no returns column (${column !== undefined ? `--column "${column}" is not in` : `name one with --column; none of ${RETURN_COLUMNS.join(", ")} in`} [${t.columns.join(", ")}])`,
    );
  const dateCol = names.findIndex((n) => DATE_COLUMNS.includes(n));
  const returns = new Float64Array(t.rowCount);
  const timestamps = dateCol >= 0 ? new Float64Array(t.rowCount) : undefined;
  for (let row = 0; row < t.rowCount; row++) {
    const v = t.number(row, col);
    if (!Number.isFinite(v)) throw new RangeError(`${t.where(row)}: ${t.columns[col]} must be a finite number, got "${t.text(row, col)}"`);
    returns[row] = v;
    if (timestamps !== undefined) {
      const ms = t.timestamp(row, dateCol, "auto");
      if (ms === null)
        throw new RangeError(`${t.where(row)}: ${t.columns[dateCol]} must be a date or timestamp, got "${t.text(row, dateCol)}"`);
      timestamps[row] = ms;
    }
  }
  return timestamps === undefined ? { returns } : { returns, timestamps };
}

/** The TestPair pipeline's backtest of the pair (analysePair's levels, backtestAnalysedPair's series). */
async function returnsFromBacktest(store: Store, o: ReportOptions): Promise<ReportSeries> {
  const symbols = o.symbols ?? [];
  if (symbols.length !== 2 || symbols[0] === symbols[1])
    throw new RangeError(`report: --symbols must name two different symbols A,B (y, x), got ${symbols.join(",")}`);
  if (o.universe !== undefined) {
    const u = await store.getUniverse(o.universe);
    if (!u) throw new RangeError(`report: no universe named "${o.universe}" (see arblab universe list)`);
    for (const s of symbols) if (!u.symbols.includes(s)) throw new RangeError(`report: ${s} is not a member of universe "${o.universe}"`);
  }
  // The RPC's defaults and checks for the options, as `arblab backtest`.
  const p = resolvePairFlags("report", o);
  const panel = await store.queryPanel({
    symbols,
    interval: o.interval,
    startMs: dateOption("from", o.from),
    endMs: dateOption("to", o.to, true),
  });
  const y = panel.values[0]!;
  const x = panel.values[1]!;
  const options = {
    significance: p.significance,
    maxHurst: p.minHurst,
    transactionCost: p.transactionCost,
    dt: p.dt,
    rho: p.rho,
    hurstMethod: p.hurstMethod,
    hedge: p.hedge as PairHedgeMethod,
    ...(p.hedge === "rolling" ? { hedgeWindow: p.hedgeWindow } : {}),
    ...(p.hedge === "kalman" ? { hedgeDelta: p.hedgeDelta, hedgeVe: p.hedgeVe } : {}),
  };
  const a = analysePair(y, x, options);
  if (a.failedAt !== null) throw new RangeError(`report: ${symbols.join("/")} has no backtest: ${a.reason} (stage ${a.failedAt})`);
  const bt = backtestAnalysedPair(y, x, a, options);
  return {
    returns: bt.returns,
    timestamps: Float64Array.from(panel.timestamps),
    trades: tradeRows(bt.trades).map((t) => ({
      side: t.side,
      entry: new Date(panel.timestamps[t.entryIndex]!).toISOString().slice(0, 10),
      exit: new Date(panel.timestamps[t.exitIndex]!).toISOString().slice(0, 10),
      bars: t.holdingBars,
      units: t.units,
      "P&L": t.pnl,
      "return %": t.returnPct,
      exitReason: t.exitReason,
    })),
    source: {
      pair: symbols,
      universe: o.universe ?? null,
      hedge: a.hedge,
      beta: a.beta,
      intercept: a.intercept,
      pValue: a.pValue,
      entryLevel: a.entryLevel,
      exitLevel: a.exitLevel,
      cost: p.transactionCost,
      bars: y.length,
    },
    periodsPerYear: o.periodsPerYear ?? 1 / p.dt,
  };
}

/**
 * `arblab report`: a tear sheet as one self-contained offline HTML file (src/report's
 * tearSheetHtml over the library's tearSheet), from the TestPair pipeline's backtest of a stored
 * pair or from a returns file. `--json` prints the tearSheet metrics (the numbers in the page).
 */
export function registerReport(program: Command): void {
  const command = program
    .command("report")
    .description("write a tear sheet (one offline HTML file) of a pair's backtest or of a returns file")
    .option("--universe <name>", "a stored universe the pair must belong to")
    .option("--symbols <A,B>", "the pair (y, x) to backtest with the TestPair pipeline, as `arblab backtest`", listOption)
    .option("--returns <file>", "per-period simple returns from FILE (.csv, .parquet, .arrow) instead of a backtest")
    .option("--column <name>", "with --returns: the returns column (default: return/returns/ret, or the only column)")
    .option("--from <date>", "first date (inclusive)")
    .option("--to <date>", "last date (inclusive)")
    .option("--interval <interval>", "bar interval", "1d")
    .option("--periods-per-year <n>", "periods per year for annualising (default 252)", Number.parseFloat)
    .option("--title <text>", "report title")
    .option("--out <file>", "the HTML file to write", "report.html");
  addPairFlags(command, { cost: true }).action(async (o: ReportOptions, command: Command) => {
    const g = globalOptions(command);
    if ((o.returns === undefined) === (o.symbols === undefined))
      throw new RangeError("report: give exactly one of --symbols A,B (a backtest) and --returns FILE");
    if (
      o.returns !== undefined &&
      [o.universe, o.cost, o.significance, o.hedge, o.hedgeWindow, o.kalmanDelta, o.kalmanVe].some((v) => v !== undefined)
    )
      throw new RangeError(
        "report: --universe, --cost, --significance and the hedge flags apply to a backtest (--symbols), not to --returns",
      );
    if (o.periodsPerYear !== undefined && !(o.periodsPerYear > 0 && Number.isFinite(o.periodsPerYear)))
      throw new RangeError(`report: --periods-per-year must be a positive number, got ${o.periodsPerYear}`);
    if (!o.out || !/\.html?$/i.test(o.out)) throw new RangeError(`report: --out must end in .html, got ${o.out}`);
    let series: ReportSeries;
    if (o.returns !== undefined) {
      const file = await returnsFromFile(o.returns, o.column);
      series = {
        returns: file.returns,
        timestamps: file.timestamps,
        trades: undefined,
        source: { returns: o.returns, periods: file.returns.length },
        periodsPerYear: o.periodsPerYear ?? 252,
      };
    } else {
      series = await withStore(g, (store) => returnsFromBacktest(store, o));
    }
    const title = o.title ?? (o.symbols ? `Pair ${o.symbols.join(" / ")}` : `Returns of ${o.returns}`);
    const options = {
      periodsPerYear: series.periodsPerYear,
      ...(series.timestamps ? { timestamps: series.timestamps } : {}),
    };
    const sheet = tearSheet(series.returns, options);
    const html = tearSheetHtml(series.returns, { ...options, title, ...(series.trades ? { trades: series.trades } : {}) });
    writeFileSync(o.out, html);
    const metrics = Object.fromEntries(Object.entries(sheet).filter(([, v]) => typeof v === "number" || typeof v === "string"));
    output(g, { out: o.out, bytes: Buffer.byteLength(html), source: series.source, codeVersion: codeVersion(), metrics }, () =>
      [
        `${title}: ${series.returns.length} periods → ${o.out} (${Buffer.byteLength(html)} bytes, offline)`,
        `  total return ${(100 * sheet.totalReturn).toFixed(2)}%  CAGR ${(100 * sheet.cagr).toFixed(2)}%  Sharpe ${sheet.sharpe.toFixed(3)}  max drawdown ${(100 * sheet.maxDrawdown).toFixed(2)}%`,
      ].join("\n"),
    );
  });
}
