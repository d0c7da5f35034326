/**
 * Data loader (runs at build time): a recorded paper-trading session for the Paper monitor page,
 * produced by the real paper engine in-process (src/trading PaperSession: KlineIntake → strategy
 * engine (BacktestEngine) → risk manager → paper broker → state), fed the kline messages the
 * market-data service would send (src/data/market klineEvent) for daily closes of the ETF universe
 * read from the DuckDB store (loaders/universe.ts). No network: bars go through `session.ingest`,
 * one pair bar at a time, with the session clock at the bar's time so alerts carry it.
 * Two strategies: EWG/EWQ on a rolling-OLS hedge and EFA/VPL on the Kalman hedge, both with the
 * pair-stability monitor (Engle–Granger over the trailing 250 bars every 20 bars, alert only), and
 * session risk limits. Output: every event the gateway's /ws would have pushed (fills, orders,
 * positions, P&L per bar, alerts, status), in order, plus the configs and the final state.
 */
import { PaperSession, type SessionEvent } from "../../src/trading/PaperSession.js";
import type { StrategyConfig } from "../../src/trading/StrategyConfig.js";
import { klineEvent } from "../../src/data/market/klineFormat.js";
import { loadUniverse } from "../loaders/universe.js";

/** Bars replayed: the last BARS trading days of the universe. */
const BARS = 500;
const RISK = { maxGrossExposure: 400_000, maxDrawdown: 0.25 };
const stability = { window: 250, every: 20, maxPValue: 0.1, retire: false };
const common = { interval: "1d", capital: 100_000, costs: { bps: 5, fixedFee: 1 }, stability };
const CONFIGS: StrategyConfig[] = [
  {
    id: "ewg-ewq",
    y: "EWG",
    x: "EWQ",
    ...common,
    hedge: { method: "rolling", window: 60 },
    rule: { kind: "zscore", entry: 1.5, exit: 0, stop: 4, window: { type: "rolling", length: 20 } },
  },
  { id: "efa-vpl", y: "EFA", x: "VPL", ...common, hedge: { method: "kalman" }, rule: { kind: "zscore", entry: 1, exit: 0 } },
];

const universe = await loadUniverse("stock_prices.csv");
const first = universe.dates.length - BARS;
const dates = universe.dates.slice(first);
const times = dates.map((d) => Date.parse(`${d}T00:00:00Z`));
const closes = (symbol: string): number[] => {
  const j = universe.symbols.indexOf(symbol);
  if (j < 0) throw new Error(`paper/session.json: ${symbol} is not in ${universe.source}`);
  return Array.from(universe.columns[j].subarray(first));
};
const message = (symbol: string, close: number, ts: number): string =>
  JSON.stringify(klineEvent({ symbol, ts, open: close, high: close, low: close, close, volume: 0 }, "1d", ts + 86_400_000));

let now = times[0];
const started = Date.now();
const session = await PaperSession.open({ statePath: ":memory:", risk: RISK, clock: () => now });
const events: { bar: number; event: SessionEvent }[] = [];
let bar = 0;
session.on("event", (event: SessionEvent) => events.push({ bar, event }));
const failures: string[] = [];
session.on("failure", (error: Error) => failures.push(error.message));
try {
  for (const config of CONFIGS) await session.start(config);
  const legs = CONFIGS.map((c) => ({ id: c.id, y: closes(c.y), x: closes(c.x), c }));
  for (bar = 0; bar < times.length; bar++) {
    now = times[bar];
    for (const l of legs) {
      session.ingest(l.id, message(l.c.y, l.y[bar], times[bar]));
      session.ingest(l.id, message(l.c.x, l.x[bar], times[bar]));
    }
    await session.idle();
  }
  bar = times.length - 1;
  for (const config of CONFIGS) await session.stop(config.id, "end");
  if (failures.length > 0) throw new Error(`paper/session.json: the session failed: ${failures.join("; ")}`);
  const out = {
    source: universe.source,
    engine: "src/trading PaperSession (in-process, messages through ingest), risk limits and pair-stability monitor",
    seconds: (Date.now() - started) / 1000,
    risk: RISK,
    configs: CONFIGS,
    dates,
    prices: Object.fromEntries(CONFIGS.flatMap((c) => [c.y, c.x]).map((s) => [s, closes(s)])),
    events: events.map(({ bar, event }) => ({ bar, type: event.type, data: event.data })),
    strategies: session.strategies().map((s) => ({ id: s.id, status: s.status, bars: s.bars, equity: s.equity, rejected: s.rejected })),
    fills: await session.state.fills(),
    alerts: await session.state.alerts(),
  };
  process.stdout.write(JSON.stringify(out));
} finally {
  await session.close();
}
