/**
 * Data loader (runs at build time): the walk-forward book of notebook 07 over the 100-stock universe
 * from the DuckDB store (loaders/universe.ts). walkForward: per fold a 252-day formation window
 * (5 nearest partners by SSD, Engle–Granger, BH q ≤ 0.2, top 10, OLS hedge, OU fit, z-score levels
 * at θ ± 2 stationary sd, exit 0.5, stop 4, risk-parity weights) and a 63-day trading window traded
 * by backtestBook (5 bp on net trades, 1 %/year borrow fee). Written as JSON for the Walk-forward
 * page: the folds, every selection with its fitted parameters, the stitched out-of-sample returns
 * and attribution, and per fold the prices of the selected legs over formation + trading bars, so
 * the page can re-run the fold books (backtestBook, in the browser) with other costs, top k,
 * allocation or z-score levels without repeating the discovery.
 */
import { walkForward } from "../lib/index.js";
import { loadUniverse } from "../loaders/universe.js";

const OPTIONS = {
  formation: 252,
  trading: 63,
  topK: 10,
  fdr: 0.2,
  screens: { nearestPartners: 5 },
  rule: { kind: "zscore" as const, entry: 2, exit: 0.5, stop: 4 },
  allocation: "riskParity" as const,
  costs: { bps: 5 },
  borrowFee: 0.01,
  capital: 1_000_000,
};

const universe = await loadUniverse("sp100_prices.csv");
const { symbols, dates, columns } = universe;
const started = Date.now();
const wf = walkForward({ prices: columns, names: symbols }, OPTIONS);
const seconds = (Date.now() - started) / 1000;
const folds = wf.folds.map((f) => {
  const legs = [...new Set(f.selections.flatMap((s) => [s.y, s.x]))];
  const local = new Map(legs.map((s, i) => [s, i]));
  return {
    fold: f.fold,
    formationStart: f.formationStart,
    formationEnd: f.formationEnd,
    tradingEnd: f.tradingEnd,
    formation: [dates[f.formationStart], dates[f.formationEnd - 1]],
    trading: [dates[f.formationEnd], dates[f.tradingEnd - 1]],
    candidates: f.candidates,
    removed: f.removed,
    tested: f.tested,
    discovered: f.discovered,
    dropped: f.dropped.map((d) => ({ pair: `${symbols[d.y]}/${symbols[d.x]}`, reason: d.reason })),
    selections: f.selections.map((s, p) => ({
      label: s.label,
      y: local.get(s.y),
      x: local.get(s.x),
      pValue: s.pValue,
      qValue: s.qValue,
      hedgeRatio: s.hedgeRatio,
      intercept: s.intercept,
      kappa: s.kappa,
      theta: s.theta,
      sigma: s.sigma,
      halfLife: s.halfLife,
      stationarySd: s.stationarySd,
      weight: s.weight,
      pnl: f.book?.pairPnl[p] ?? 0,
      trades: f.book?.trades.filter((t) => t.pair === p).length ?? 0,
    })),
    legs: legs.map((s) => symbols[s]),
    /** Prices of the legs over [formationStart, tradingEnd): what the fold's book sees. */
    legPrices: legs.map((s) => Array.from(columns[s].subarray(f.formationStart, f.tradingEnd))),
    trades: f.book?.trades.length ?? 0,
    totalReturn: f.totalReturn,
  };
});
const out = {
  source: universe.source,
  symbols: symbols.length,
  firstDate: dates[0],
  lastDate: dates[dates.length - 1],
  options: OPTIONS,
  seconds,
  folds,
  oos: {
    dates: Array.from(wf.oos.index, (t) => dates[t]),
    returns: Array.from(wf.oos.returns),
    equity: Array.from(wf.oos.equity),
  },
  pairPnl: wf.pairPnl,
  warnings: wf.warnings,
};
process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
