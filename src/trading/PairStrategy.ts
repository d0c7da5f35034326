/**
 * One live pair strategy: the existing bar-by-bar `BacktestEngine` (src/lib/backtest) in live mode.
 * Each pair bar is pushed into the engine exactly as backtestPair's loop runs it (`push` runs the
 * same `runBars` kernel over a one-bar series); the change of the engine's leg quantities at that
 * bar becomes leg orders for the broker. No rule, hedge, sizing or cost logic lives here: one code
 * path for backtest and live.
 *
 * Orders per transition, mirroring fillBook's fills so the broker's fees equal the backtest's
 * costs: an open position is closed leg by leg (−q_y, −q_x), then a new one is opened (+q_y', +q_x').
 * The risk manager sees every decision first through the engine's order gate and may refuse it.
 */
import { BacktestEngine, type OrderGate } from "../lib/backtest/BacktestEngine.js";
import type { BacktestEngineOptions } from "../lib/backtest/types.js";
import type { StrategyConfig } from "./StrategyConfig.js";
import type { PairBar } from "./KlineIntake.js";

/** One leg order the strategy wants sent (quantity signed). */
export interface LegOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly leg: "y" | "x";
  readonly quantity: number;
  readonly reason: string;
}

export class PairStrategy {
  readonly engine: BacktestEngine;
  /** Bars pushed so far (the next bar's sequence number). */
  seq = 0;
  lastBar: PairBar | null = null;
  stopped = false;

  constructor(
    readonly config: StrategyConfig,
    gate: OrderGate | null,
  ) {
    const options: BacktestEngineOptions = {
      mode: "pair",
      hedge: config.hedge,
      rule: config.rule,
      capital: config.capital,
      costs: config.costs,
      sizing: config.sizing,
      execution: config.execution,
      risk: config.risk,
    };
    this.engine = new BacktestEngine(options, `strategy ${config.id}`);
    this.engine.setOrderGate(gate);
  }

  /** Push one pair bar; returns the leg orders of this bar's fills (empty on most bars). */
  onBar(bar: PairBar): LegOrder[] {
    const before = this.engine.legs;
    this.engine.push({ y: bar.y.close, x: bar.x.close });
    this.lastBar = bar;
    const orders = this.ordersFor(before, this.engine.legs, this.seq, "signal");
    this.seq++;
    return orders;
  }

  /** Flatten at the last bar's close and stop (the engine's `finish`, exit reason "end"). */
  stop(reason: string): LegOrder[] {
    if (this.stopped) return [];
    this.stopped = true;
    const before = this.engine.legs;
    this.engine.finish();
    return this.ordersFor(before, this.engine.legs, this.seq, reason);
  }

  private ordersFor(before: { y: number; x: number }, after: { y: number; x: number }, seq: number, reason: string): LegOrder[] {
    if (before.y === after.y && before.x === after.x) return [];
    const { id, y, x } = this.config;
    const orders: LegOrder[] = [];
    const add = (leg: "y" | "x", quantity: number, why: string): void => {
      if (quantity !== 0)
        orders.push({ clientOrderId: `${id}:${seq}:${orders.length}`, symbol: leg === "y" ? y : x, leg, quantity, reason: why });
    };
    if (before.y !== 0 || before.x !== 0) {
      add("y", -before.y, `close ${reason}`);
      add("x", -before.x, `close ${reason}`);
    }
    if (after.y !== 0 || after.x !== 0) {
      add("y", after.y, "open");
      add("x", after.x, "open");
    }
    return orders;
  }
}
