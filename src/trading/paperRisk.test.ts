import { describe, expect, it } from "vitest";
import { PaperSession, type SessionEvent } from "./PaperSession.js";
import type { Alert, RiskLimits } from "./risk/RiskManager.js";
import { backtestOf, klineMessages, parityBars, parityConfigs } from "./testSupport.js";

const bars = parityBars();
const messages = klineMessages(bars);
const times = [...new Set(bars.map((b) => b.ts))];
const ys = bars.filter((b) => b.symbol === "EWG").map((b) => b.close);
const xs = bars.filter((b) => b.symbol === "EWQ").map((b) => b.close);
const config = parityConfigs(times)[0];
const backtest = backtestOf(config, ys, xs);
const firstEntry = backtest.trades.entryIndex[0];

/** One session on an in-memory state, the static strategy fed the first `count` pair bars. */
async function run(risk: RiskLimits, count = times.length, clock?: () => number): Promise<{ session: PaperSession; alerts: Alert[] }> {
  const session = await PaperSession.open({ statePath: ":memory:", risk, clock });
  const alerts: Alert[] = [];
  session.on("event", (e: SessionEvent) => e.type === "alert" && alerts.push(e.data));
  await session.start({ ...config, startTime: undefined, endTime: undefined });
  for (const m of messages.slice(0, 2 * count)) session.ingest(config.id, m);
  await session.idle();
  return { session, alerts };
}

function breaches(session: PaperSession, limit: string): number {
  return session.risk.breaches.get(limit as never) ?? 0;
}

describe("risk manager: each limit refuses the entry and alerts", () => {
  it("without limits the strategy enters at the backtest's first entry bar (control)", async () => {
    const { session, alerts } = await run({}, firstEntry + 1);
    expect((await session.state.fills()).length).toBe(2);
    expect(alerts).toEqual([]);
    await session.close();
  });

  const cases: [string, RiskLimits, string][] = [
    ["maxPositionNotional below a leg's notional", { maxPositionNotional: 1000 }, "maxPosition"],
    ["maxGrossExposure below the pair's gross", { maxGrossExposure: 50_000 }, "gross"],
    ["maxNetExposure below the pair's net", { maxNetExposure: 1 }, "net"],
    ["a halted symbol", { haltedSymbols: ["EWQ"] }, "symbolHalt"],
  ];
  for (const [title, limits, limit] of cases) {
    it(`${title}: refused ("${limit}"), alerted once, counted, no fill`, async () => {
      const { session, alerts } = await run(limits, firstEntry + 1);
      expect(await session.state.fills()).toEqual([]);
      expect(alerts.map((a) => [a.kind, a.limit, a.strategyId])).toEqual([["risk", limit, config.id]]);
      expect(alerts[0].message).toMatch(/would exceed|halted/);
      expect(breaches(session, limit)).toBeGreaterThanOrEqual(1);
      expect(await session.metrics.registry.getSingleMetricAsString("arblab_paper_risk_breaches_total")).toContain(`limit="${limit}"`);
      expect((await session.state.bars(config.id))[firstEntry].refused).toBe(true);
      expect((await session.state.alerts()).map((a) => a.limit)).toEqual([limit]);
      await session.close();
    });
  }

  it("maxDailyLoss: the first entry decided while the day is down more than the limit is refused", async () => {
    // all 400 one-minute bars fall on one UTC day: the day's reference is the starting capital
    const capital = config.capital as number;
    const entries = Array.from(backtest.trades.entryIndex);
    const k = entries.findIndex((entry) => backtest.equity[entry - 1] < capital - 0.5);
    expect(k, "the backtest must be down on the day at some entry").toBeGreaterThan(0);
    const { session, alerts } = await run({ maxDailyLoss: 0.5 }, entries[k] + 1);
    // the k round trips before it happen (4 fills each), that entry is refused
    expect((await session.state.fills()).length).toBe(4 * k);
    expect(alerts.map((a) => a.limit)).toEqual(["dailyLoss"]);
    expect(alerts[0].message).toMatch(/maxDailyLoss 0.5/);
    await session.close();
  });

  it("stale data: no bar for staleAfterMs halts; the first bar after the gap is not traded into", async () => {
    let now = 0;
    const session = await PaperSession.open({ statePath: ":memory:", risk: { staleAfterMs: 5000 }, clock: () => now });
    const alerts: Alert[] = [];
    session.on("event", (e: SessionEvent) => e.type === "alert" && alerts.push(e.data));
    await session.start({ ...config, startTime: undefined, endTime: undefined });
    for (const m of messages.slice(0, 2 * firstEntry)) session.ingest(config.id, m);
    await session.idle();
    now = 10_000;
    expect(session.checkStale()).toEqual([config.id]);
    for (const m of messages.slice(2 * firstEntry, 2 * (firstEntry + 1))) session.ingest(config.id, m);
    await session.idle();
    expect(await session.state.fills()).toEqual([]);
    expect(alerts.map((a) => a.limit)).toEqual(["stale"]);
    await session.close();
  });

  it("drawdown kill-switch: flattens every strategy at the last close, stops it and refuses new entries", async () => {
    // the first entry's costs are a drawdown of ~1e-4 of equity; the first adverse move trips 0.1 %
    const { session, alerts } = await run({ maxDrawdown: 0.001 });
    const fills = await session.state.fills();
    expect(alerts.some((a) => a.kind === "killSwitch" && a.limit === "drawdown")).toBe(true);
    const account = session.broker.accounts.get(config.id);
    expect([...(account?.positions.values() ?? [])].every((q) => q === 0)).toBe(true);
    expect(session.strategies()[0].status).toBe("stopped");
    const lastFill = fills[fills.length - 1];
    expect(lastFill.clientOrderId).toMatch(/:1$|:0$/);
    const processed = (await session.state.bars(config.id)).length;
    expect(processed).toBeLessThan(times.length);
    expect((await session.state.orders()).filter((o) => o.reason === "close killSwitch").length).toBe(2);
    await session.close();
  });
});
