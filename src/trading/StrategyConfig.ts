/**
 * A live pair strategy's configuration (POST /api/strategies body, `arblab paper start --config`),
 * its JSON schema (the gateway validates every body with it) and the check of the backtest options
 * (the engine's own validation: a bad rule or hedge is a 400 naming the field).
 */
import type { BacktestCosts, BacktestRisk, HedgeSpec, SizingSpec } from "../lib/backtest/types.js";
import type { TradingRule } from "../lib/backtest/tradingRule.js";
import type { FeeModel } from "./broker/PaperBroker.js";
import { STABILITY_CONFIG_SCHEMA, type StabilityConfig } from "./PairStabilityMonitor.js";

export interface StrategyConfig {
  /** [A-Za-z0-9_-]{1,64}. */
  readonly id: string;
  /** Leg symbols as stored (upper case): y is held +q, x −q·β for a long spread. */
  readonly y: string;
  readonly x: string;
  /** Binance interval of the kline streams, e.g. "1d", "1m". */
  readonly interval: string;
  readonly hedge: HedgeSpec;
  readonly rule: TradingRule;
  readonly capital?: number;
  readonly costs?: BacktestCosts;
  readonly sizing?: SizingSpec;
  readonly execution?: { readonly fill?: "close" | "nextClose" };
  readonly risk?: BacktestRisk;
  /** Broker fill model (default "none": fill at the close, as the backtest does). */
  readonly slippage?: "none" | "book";
  /** Replay window of the market-data stream (epoch ms, bar open times, inclusive). */
  readonly startTime?: number;
  readonly endTime?: number;
  /** Replay speed (× wall clock, 1 … 10 000; default 10 000). */
  readonly speed?: number;
  /** Flatten and stop when the stream ends (default true for a bounded replay). */
  readonly stopAtEnd?: boolean;
  /** Pair-stability monitor (rolling Engle–Granger p-value and half-life); off when absent. */
  readonly stability?: StabilityConfig;
}

const number = { type: "number" } as const;

/** JSON schema of StrategyConfig (fastify/ajv); the engine checks the rule and hedge semantics. */
export const STRATEGY_CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["id", "y", "x", "interval", "hedge", "rule"],
  properties: {
    id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" },
    y: { type: "string", pattern: "^[A-Z0-9._-]{1,20}$" },
    x: { type: "string", pattern: "^[A-Z0-9._-]{1,20}$" },
    interval: { type: "string", enum: ["1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"] },
    hedge: {
      type: "object",
      required: ["method"],
      properties: {
        method: { type: "string", enum: ["static", "rolling", "kalman"] },
        beta: number,
        window: { type: "integer", minimum: 2 },
        delta: number,
        ve: number,
      },
      additionalProperties: false,
    },
    rule: { type: "object", required: ["kind"], properties: { kind: { type: "string", enum: ["zscore", "levels"] } } },
    capital: { type: "number", exclusiveMinimum: 0 },
    costs: {
      type: "object",
      additionalProperties: false,
      properties: { bps: number, slippageBps: number, fixedFee: number, perUnit: number },
    },
    sizing: {
      type: "object",
      required: ["method"],
      properties: { method: { type: "string", enum: ["capital", "units"] }, leverage: number, units: number },
      additionalProperties: false,
    },
    execution: { type: "object", additionalProperties: false, properties: { fill: { type: "string", enum: ["close", "nextClose"] } } },
    risk: { type: "object", additionalProperties: false, properties: { maxGrossExposure: number, maxDailyLoss: number } },
    slippage: { type: "string", enum: ["none", "book"] },
    startTime: { type: "integer", minimum: 0 },
    endTime: { type: "integer", minimum: 0 },
    speed: { type: "number", minimum: 1, maximum: 10_000 },
    stopAtEnd: { type: "boolean" },
    stability: STABILITY_CONFIG_SCHEMA,
  },
} as const;

/** The broker's fee model for a strategy: its own cost terms (slippageBps charged as a fee, as fillBook does). */
export function feeModelOf(config: StrategyConfig): FeeModel {
  const costs = config.costs ?? {};
  return {
    feeBps: (costs.bps ?? 0) + (costs.slippageBps ?? 0),
    perUnit: costs.perUnit ?? 0,
    fixedFee: costs.fixedFee ?? 0,
    slippage: config.slippage ?? "none",
  };
}
