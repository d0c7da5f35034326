/**
 * Test support of the trading tests: a temp store with bundled ETF closes (data/stock_prices.csv,
 * re-timed as 1-minute bars so the replay is fast)
 * served by the real market-data service, the three strategy configs of the parity tests, and the
 * fills `backtestPair` implies for the same bars (what the paper broker must have done).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Store, type Bar } from "../data/store/Store.js";
import { klineEvent } from "../data/market/klineFormat.js";
import { startMarketDataService, type RunningMarketDataService } from "../data/market/startMarketDataService.js";
import { bundledEtfBars } from "../data/market/testSupport.js";
import { backtestPair, type BacktestResult } from "../lib/backtest/backtestPair.js";
import type { Fill } from "./broker/PaperBroker.js";
import type { StrategyConfig } from "./StrategyConfig.js";

export const PARITY_Y = "EWG";
export const PARITY_X = "EWQ";
export const PARITY_DAYS = 400;
export const PARITY_INTERVAL = "1m";

export interface MarketFixture {
  readonly dir: string;
  readonly store: Store;
  readonly service: RunningMarketDataService;
  readonly ys: number[];
  readonly xs: number[];
  readonly times: number[];
  close(): Promise<void>;
}

/** A temp store with PARITY_DAYS daily closes of EWG and EWQ, served on 127.0.0.1:0. */
/** The bundled closes of the parity pair as store bars, re-timed one minute apart (see below). */
export function parityBars(days = PARITY_DAYS): Bar[] {
  // the bundled daily closes, re-timed one minute apart: the service replays at most 10 000× wall
  // clock, 8.6 s per daily bar, 6 ms per minute bar; the prices (all the engine sees) are unchanged
  const daily = bundledEtfBars([PARITY_Y, PARITY_X], days);
  const firstDay = daily[0].ts;
  const dayIndex = new Map([...new Set(daily.map((b) => b.ts))].sort((a, b) => a - b).map((ts, i) => [ts, i]));
  return daily.map((b) => ({ ...b, interval: PARITY_INTERVAL, ts: firstDay + (dayIndex.get(b.ts) as number) * 60_000 }));
}

/** The kline stream messages of `bars`, merged by open time (y before x), as the service sends them. */
export function klineMessages(bars: readonly Bar[]): string[] {
  return [...bars]
    .sort((a, b) => a.ts - b.ts || (a.symbol === PARITY_Y ? -1 : 1))
    .map((b) => JSON.stringify(klineEvent(b, PARITY_INTERVAL, b.ts + 60_000)));
}

/** A temp store with the parity bars, served by the market-data service on 127.0.0.1:0. */
export async function startMarketFixture(days = PARITY_DAYS): Promise<MarketFixture> {
  const dir = mkdtempSync(join(tmpdir(), "arblab-paper-"));
  const store = await Store.open(join(dir, "store.duckdb"));
  const bars = parityBars(days);
  await store.upsertBars(bars, { source: "data/stock_prices.csv" });
  const service = await startMarketDataService({ store, port: 0, weightLimit: 1_000_000 });
  const ys = bars.filter((b) => b.symbol === PARITY_Y).map((b) => b.close);
  const xs = bars.filter((b) => b.symbol === PARITY_X).map((b) => b.close);
  const times = bars.filter((b) => b.symbol === PARITY_Y).map((b) => b.ts);
  return {
    dir,
    store,
    service,
    ys,
    xs,
    times,
    async close() {
      await service.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The parity configs: static (formation window), rolling OLS and Kalman hedges, with costs. */
export function parityConfigs(times: readonly number[]): StrategyConfig[] {
  const common = {
    y: PARITY_Y,
    x: PARITY_X,
    interval: PARITY_INTERVAL,
    capital: 100_000,
    costs: { bps: 5, fixedFee: 1 },
    startTime: times[0],
    endTime: times[times.length - 1],
  };
  const zscore = { kind: "zscore" as const, entry: 1.5, exit: 0, stop: 4, window: { type: "rolling" as const, length: 20 } };
  return [
    { id: "static", ...common, hedge: { method: "static", window: 60 }, rule: zscore },
    { id: "rolling", ...common, hedge: { method: "rolling", window: 60 }, rule: zscore },
    { id: "kalman", ...common, hedge: { method: "kalman" }, rule: { kind: "zscore", entry: 1, exit: 0 } },
  ];
}

/** backtestPair on the same bars and parameters as a strategy config. */
export function backtestOf(config: StrategyConfig, ys: readonly number[], xs: readonly number[]): BacktestResult {
  return backtestPair({
    y: ys,
    x: xs,
    hedge: config.hedge,
    rule: config.rule,
    capital: config.capital,
    costs: config.costs,
    sizing: config.sizing,
    execution: config.execution,
    risk: config.risk,
  });
}

/** The fills a backtest's trades imply: per trade, open y and x at the entry bar, close both at the exit bar. */
export function expectedFills(
  result: BacktestResult,
  config: StrategyConfig,
  times: readonly number[],
): Pick<Fill, "symbol" | "quantity" | "price" | "ts">[] {
  const t = result.trades;
  const out: Pick<Fill, "symbol" | "quantity" | "price" | "ts">[] = [];
  for (let k = 0; k < t.pnl.length; k++) {
    const side = t.side[k] === "long" ? 1 : -1;
    const q = t.units[k];
    const beta = t.hedgeRatio[k];
    const qy = side * q;
    const qx = -side * q * beta;
    out.push({ symbol: config.y, quantity: qy, price: t.entryY[k], ts: times[t.entryIndex[k]] });
    out.push({ symbol: config.x, quantity: qx, price: t.entryX[k], ts: times[t.entryIndex[k]] });
    out.push({ symbol: config.y, quantity: -qy, price: t.exitY[k], ts: times[t.exitIndex[k]] });
    out.push({ symbol: config.x, quantity: -qx, price: t.exitX[k], ts: times[t.exitIndex[k]] });
  }
  // the broker sends closes before opens on the same bar
  return out.sort((a, b) => a.ts - b.ts);
}
