import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PaperSession, type SessionEvent } from "./PaperSession.js";
import { backtestOf, expectedFills, parityConfigs, startMarketFixture, type MarketFixture } from "./testSupport.js";

let market: MarketFixture;
let dir: string;

beforeAll(async () => {
  market = await startMarketFixture();
  dir = mkdtempSync(join(tmpdir(), "arblab-paper-parity-"));
});

afterAll(async () => {
  await market?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("paper trading parity with backtestPair (market-data service → engine → risk → broker, zero slippage)", () => {
  it("static, rolling and Kalman hedges: the same fills (units, prices, bars) and the same equity at every bar", async () => {
    const session = await PaperSession.open({ statePath: join(dir, "paper.duckdb"), marketUrl: market.service.url });
    const equityByStrategy = new Map<string, Map<number, number>>();
    const failures: Error[] = [];
    session.on("failure", (error: Error) => failures.push(error));
    session.on("event", (event: SessionEvent) => {
      if (event.type !== "pnl") return;
      const series = equityByStrategy.get(event.data.strategyId) ?? new Map<number, number>();
      series.set(event.data.ts, event.data.equity); // the last update of a bar wins (the end-of-replay flatten)
      equityByStrategy.set(event.data.strategyId, series);
    });
    const configs = parityConfigs(market.times);
    for (const config of configs) await session.start(config);
    await Promise.all(configs.map((c) => session.ended(c.id)));
    try {
      expect(failures).toEqual([]);
      for (const config of configs) {
        const backtest = backtestOf(config, market.ys, market.xs);
        const expected = expectedFills(backtest, config, market.times);
        expect(backtest.trades.pnl.length, `${config.id}: the backtest must trade for the test to mean anything`).toBeGreaterThan(2);
        const fills = (await session.state.fills(config.id)).map((f) => ({
          symbol: f.symbol,
          quantity: f.quantity,
          price: f.price,
          ts: f.ts,
        }));
        // exact: the same doubles (prices round-trip through the service's decimal strings)
        expect(fills, `${config.id} fills`).toEqual(expected);
        const series = equityByStrategy.get(config.id) as Map<number, number>;
        expect(series.size, `${config.id}: one equity per bar`).toBe(market.times.length);
        for (let i = 0; i < market.times.length; i++) {
          const live = series.get(market.times[i]) as number;
          const delta = Math.abs(live - backtest.equity[i]);
          // the broker sums cash + q·p, the engine marks incrementally: the same P&L up to rounding
          expect(delta, `${config.id} bar ${i}: live ${live} vs backtest ${backtest.equity[i]}`).toBeLessThanOrEqual(
            1e-9 * backtest.equity[i],
          );
        }
        const orders = await session.state.orders(config.id);
        expect(orders.every((o) => o.status === "filled" && o.history.join(">") === "new>accepted>filled")).toBe(true);
      }
    } finally {
      await session.close();
    }
  }, 60_000);
});
