/**
 * Data loader (runs at build time): Engle–Granger discovery over every pair of the 100-stock
 * universe with src/lib, written as JSON for the Discovery page. Per pair (y = the alphabetically
 * first symbol, x = the second, log prices, dates where both are present): coint (constant, AIC lag)
 * → p-value and β; the spread ln y − β·ln x → half-life (days) and Hurst (DFA); then
 * Benjamini–Hochberg q-values over all pairs. The universe comes from the DuckDB store through
 * loaders/universe.ts (initialised from data/ on a fresh clone).
 */
import { benjaminiHochberg, coint, halfLife, hurst } from "../lib/index.js";
import { loadUniverse } from "../loaders/universe.js";

const MIN_OBSERVATIONS = 250;
const universe = await loadUniverse("sp100_prices.csv");
const started = Date.now();
const pairs: { y: string; x: string; n: number; p: number; beta: number; halfLife: number; hurst: number; error: string | null }[] = [];
const { symbols, columns } = universe;
for (let i = 0; i < symbols.length; i++) {
  for (let j = i + 1; j < symbols.length; j++) {
    const ly: number[] = [];
    const lx: number[] = [];
    for (let t = 0; t < universe.dates.length; t++) {
      if (Number.isFinite(columns[i][t]) && Number.isFinite(columns[j][t])) {
        ly.push(Math.log(columns[i][t]));
        lx.push(Math.log(columns[j][t]));
      }
    }
    const row = {
      y: symbols[i],
      x: symbols[j],
      n: ly.length,
      p: Number.NaN,
      beta: Number.NaN,
      halfLife: Number.NaN,
      hurst: Number.NaN,
      error: null as string | null,
    };
    try {
      if (ly.length < MIN_OBSERVATIONS) throw new Error(`only ${ly.length} common dates (< ${MIN_OBSERVATIONS})`);
      const eg = coint(ly, lx, { trend: "c", autolag: "aic" });
      const spread = ly.map((v, t) => v - eg.beta[0] * lx[t]);
      row.p = eg.pValue;
      row.beta = eg.beta[0];
      row.halfLife = halfLife(spread);
      row.hurst = hurst(spread, { method: "dfa" }).H;
    } catch (e) {
      row.error = e instanceof Error ? e.message : String(e);
    }
    pairs.push(row);
  }
}
const tested = pairs.filter((r) => Number.isFinite(r.p));
const q = benjaminiHochberg(tested.map((r) => r.p));
const qOf = new Map(tested.map((r, k) => [r, q[k]]));
const out = {
  source: universe.source,
  firstDate: universe.dates[0],
  lastDate: universe.dates[universe.dates.length - 1],
  symbols,
  method:
    "Engle–Granger (coint, constant, AIC lag) on log prices; half-life from the OLS of Δs on s; Hurst by DFA-1; q-values Benjamini–Hochberg over all tested pairs",
  seconds: (Date.now() - started) / 1000,
  pairs: pairs.map((r) => ({ ...r, q: qOf.get(r) ?? null })),
};
process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
