/**
 * Bit-identity guard for the book's bar loop: SHA-256 hashes of every output field of a set of
 * books (the benchmark's 100 disjoint pairs; shared legs with risk parity, borrow fee and pair
 * series; every cap kind refusing entries; levels and fixed-window rules with inverse-volatility
 * weights, leverage and a late start), recorded from the engine of commit 327bd0f before the
 * column trade table and the fused signal/event pass; one more (shared legs without borrow fee,
 * pair series, a gross cap refusing) recorded at 0d113cf, before the marks were added ahead. One hash per field, so a failure names the
 * output that moved. When a change of results is intended, update the hashes in the same commit
 * and say why in its body.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backtestBook, type BacktestBookInput, type BacktestBookResult, type BookPair } from "./index.js";
import type { TradingRule } from "../backtest/index.js";
import { syntheticUniverse } from "./syntheticUniverse.test-helpers.js";
import { cointegratedPair } from "../backtest/cointegratedPair.test-helpers.js";

/** The shared seeded cointegrated pair (AR(1) noise sd 0.5). */
const makePair = (n: number, seed: number) => cointegratedPair(n, seed, 0.5);

/** Hash of one value: typed arrays by their bytes, numbers by their bits, objects by sorted keys. */
function hashValue(value: unknown): string {
  const h = createHash("sha256");
  const feed = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      h.update(v.constructor.name);
      h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    if (typeof v === "number") {
      h.update(new Uint8Array(Float64Array.of(v).buffer));
      return;
    }
    if (Array.isArray(v)) {
      h.update(`[${v.length}`);
      for (const item of v) feed(item);
      h.update("]");
      return;
    }
    if (v !== null && typeof v === "object") {
      for (const key of Object.keys(v).sort()) {
        h.update(key);
        feed((v as Record<string, unknown>)[key]);
      }
      return;
    }
    h.update(JSON.stringify(v) ?? "undefined");
  };
  feed(value);
  return h.digest("hex").slice(0, 16);
}

/** The result fields of commit 327bd0f, each hashed on its own. */
const FIELDS = [
  "equity",
  "returns",
  "pnl",
  "weights",
  "pairPnl",
  "pairCosts",
  "pairBorrowFees",
  "instrumentPnl",
  "instrumentCosts",
  "instrumentBorrowFees",
  "pairPnlSeries",
  "trades",
  "fills",
  "refusals",
  "netTradedNotional",
  "grossTradedNotional",
  "metrics",
  "warnings",
] as const;

function fieldHashes(result: BacktestBookResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of FIELDS) out[key] = hashValue(result[key]);
  return out;
}

const zRule = (entry: number, exit: number, length: number, stop?: number): TradingRule => ({
  kind: "zscore",
  entry,
  exit,
  ...(stop === undefined ? {} : { stop }),
  window: { type: "rolling", length },
});

function benchBook(): BacktestBookInput {
  const prices: Float64Array[] = [];
  const pairs: BookPair[] = [];
  const rule = zRule(2, 0.5, 60, 4);
  for (let p = 0; p < 100; p++) {
    const pair = makePair(2520, 1000 + p);
    prices.push(pair.y, pair.x);
    pairs.push({ y: 2 * p, x: 2 * p + 1, hedgeRatio: 1.5, rule });
  }
  return { prices, pairs, costs: { bps: 5 } };
}

/** Every pair of a 3-group universe of 5 instruments within its group: each instrument is in 4 pairs. */
function sharedLegs(rule: TradingRule): { prices: Float64Array[]; pairs: BookPair[] } {
  const prices = syntheticUniverse(900, 3, 5, 21);
  const pairs: BookPair[] = [];
  for (let g = 0; g < 3; g++)
    for (let i = 0; i < 5; i++)
      for (let j = i + 1; j < 5; j++) pairs.push({ y: 5 * g + j, x: 5 * g + i, hedgeRatio: (0.5 + j * 0.25) / (0.5 + i * 0.25), rule });
  return { prices, pairs };
}

const cases: [string, () => BacktestBookInput, Record<string, string>][] = [
  [
    "bench book: 100 disjoint pairs × 2,520 bars, rolling z 60, 5 bp",
    benchBook,
    {
      equity: "efce5503f7751a86",
      returns: "8e6d274072a105f9",
      pnl: "f61ebb8ec6b406cc",
      weights: "7827c6d7361311b3",
      pairPnl: "2e8dcf17f9973f18",
      pairCosts: "572a12e3922ab984",
      pairBorrowFees: "1e1676d13931984d",
      instrumentPnl: "340d3d67f16dc04d",
      instrumentCosts: "301572fa28cd29ed",
      instrumentBorrowFees: "5bff2bd06ce4e29c",
      pairPnlSeries: "74234e98afe7498f",
      trades: "65577e8b976bb871",
      fills: "ffb14cc1d3550022",
      refusals: "d0bca111f8628137",
      netTradedNotional: "78c8340f9e5bf7d7",
      grossTradedNotional: "78c8340f9e5bf7d7",
      metrics: "e09ba59717aeb3a2",
      warnings: "2bf9558abb8d72d7",
    },
  ],
  [
    "shared legs: risk parity, borrow fee, costs + slippage, pair series",
    () => ({
      ...sharedLegs(zRule(1.5, 0.25, 30, 4)),
      capital: 250_000,
      costs: { bps: 10, slippageBps: 2 },
      borrowFee: 0.05,
      allocation: { method: "riskParity", window: 90 },
      pairSeries: true,
    }),
    {
      equity: "4c5c7023bec8e160",
      returns: "4c1eee5c61f31026",
      pnl: "e2e040c14afb4a09",
      weights: "28925db5d082041b",
      pairPnl: "014cb1d966f5bd1c",
      pairCosts: "7d589ae6958532d4",
      pairBorrowFees: "0d3bc00919e93ac0",
      instrumentPnl: "b466cae9e4149fb7",
      instrumentCosts: "8c3ce1b40f8750da",
      instrumentBorrowFees: "09defd8ca8bc55f0",
      pairPnlSeries: "2c47bf4e1fb5284e",
      trades: "fc9d6d0db0cddf6e",
      fills: "ea192a25720549ff",
      refusals: "d0bca111f8628137",
      netTradedNotional: "06e95743308d39e9",
      grossTradedNotional: "ab554a9be94b668e",
      metrics: "0d5bf64f4afd94b7",
      warnings: "d0bca111f8628137",
    },
  ],
  [
    "shared legs without borrow fee: pair series, gross cap refusing (recorded at 0d113cf)",
    () => ({
      ...sharedLegs(zRule(1.5, 0.25, 30, 4)),
      capital: 250_000,
      leverage: 3,
      costs: { bps: 10 },
      caps: { maxGross: 1 },
      pairSeries: true,
    }),
    {
      equity: "75d012725260535e",
      returns: "8bfb8afa712229f1",
      pnl: "9b064b6ba2659764",
      weights: "642830094f0b63bc",
      pairPnl: "5064ffc17dae3e41",
      pairCosts: "8e9e224c1c56d32c",
      pairBorrowFees: "56fec5704c9afbdb",
      instrumentPnl: "006f767ecffd4c16",
      instrumentCosts: "d015562c650d9b08",
      instrumentBorrowFees: "8d8208eb45c79e53",
      pairPnlSeries: "e51e965e4fbf8696",
      trades: "89fc4168ae64d9ac",
      fills: "c7c77a83aa280ac1",
      refusals: "2f9f94174fcb0ab5",
      netTradedNotional: "0a366f97f79d2e0a",
      grossTradedNotional: "1709684d552939ca",
      metrics: "d010a527a8f9f02a",
      warnings: "f0258028a3bb48c6",
    },
  ],
  [
    "caps: gross and sector refuse entries",
    () => ({
      ...sharedLegs(zRule(1.25, 0, 20)),
      sectors: Array.from({ length: 15 }, (_, s) => ["tech", "energy", "banks"][Math.floor(s / 5)]),
      leverage: 3,
      caps: { maxGross: 1.2, maxSector: 0.6 },
      costs: { bps: 3 },
      borrowFee: 0.01,
    }),
    {
      equity: "215d07e0c527ca2e",
      returns: "dafbee4a0fb0d46a",
      pnl: "162117639971dd24",
      weights: "642830094f0b63bc",
      pairPnl: "41de8759bc87b3aa",
      pairCosts: "1316e19e39bc124c",
      pairBorrowFees: "6dfc80bee1269518",
      instrumentPnl: "959a2954c7b019cb",
      instrumentCosts: "4318b3b25f30074b",
      instrumentBorrowFees: "2371ec820eee2c9e",
      pairPnlSeries: "74234e98afe7498f",
      trades: "1ccfa673b2e301d5",
      fills: "0307ac51674dea2b",
      refusals: "8d39bc35fd7633ad",
      netTradedNotional: "d276df1e04709fc6",
      grossTradedNotional: "788422f3758573a9",
      metrics: "25049f53520d9ceb",
      warnings: "021ed1b3dcf6d3ea",
    },
  ],
  [
    "caps: leg and net refuse entries",
    () => ({
      ...sharedLegs(zRule(1.25, 0, 20)),
      leverage: 3,
      caps: { maxLeg: 0.16, maxNet: 0.012 },
      costs: { bps: 3 },
    }),
    {
      equity: "92c89832d5e68aee",
      returns: "c9088c7195ac0857",
      pnl: "e740ba74cb99764a",
      weights: "642830094f0b63bc",
      pairPnl: "36558280c63aa11d",
      pairCosts: "597b1af276afcc25",
      pairBorrowFees: "56fec5704c9afbdb",
      instrumentPnl: "c7b2bae2aefa4c5c",
      instrumentCosts: "fbe1c30a1f51ae60",
      instrumentBorrowFees: "8d8208eb45c79e53",
      pairPnlSeries: "74234e98afe7498f",
      trades: "1b0c83aeec21aa2d",
      fills: "9910605d87de828e",
      refusals: "9821c3ee354fb0fa",
      netTradedNotional: "4247fc3de6119760",
      grossTradedNotional: "52bc327316476635",
      metrics: "b37bbb8225470c28",
      warnings: "021ed1b3dcf6d3ea",
    },
  ],
  [
    "levels (both sides) and fixed-window rules, inverse volatility, leverage 2, late start, negative β",
    () => {
      const prices = syntheticUniverse(700, 2, 3, 33);
      const pairs: BookPair[] = [
        { y: 1, x: 0, hedgeRatio: 1.5, rule: { kind: "levels", entry: -3, exit: 0, stop: -8, side: "both", center: 1 } },
        { y: 2, x: 0, hedgeRatio: 2, rule: { kind: "zscore", entry: 1.5, exit: 0, window: { type: "fixed", mean: -10, sd: 1.9 } } },
        { y: 4, x: 3, hedgeRatio: 1.5, rule: zRule(1.75, -0.25, 45, 3.5) },
        { y: 5, x: 3, hedgeRatio: -0.4, rule: zRule(1.5, 0.5, 25) },
        { y: 0, x: 3, hedgeRatio: 0.8, rule: { kind: "levels", entry: 4, exit: 1, side: "short" } },
      ];
      return {
        prices,
        pairs,
        leverage: 2,
        allocation: { method: "inverseVolatility", window: 120 },
        startBar: 150,
        costs: { slippageBps: 4 },
        borrowFee: 0.02,
        periodsPerYear: 365,
        pairSeries: true,
      };
    },
    {
      equity: "1ca86e440cf10cb3",
      returns: "fc76fabfa924ae9f",
      pnl: "b9c37d41be27e666",
      weights: "c12ac287b2b2abad",
      pairPnl: "9f8acb5e91df7015",
      pairCosts: "1a22eb7840336ca7",
      pairBorrowFees: "e461e8fdf5847d96",
      instrumentPnl: "a99fc27e9a80c9af",
      instrumentCosts: "8dee2ec77b4f3456",
      instrumentBorrowFees: "2d7b23c11d3d9326",
      pairPnlSeries: "294b91eaf1ebb404",
      trades: "e87ba00a6a55e167",
      fills: "b57bc10a4aa936a5",
      refusals: "d0bca111f8628137",
      netTradedNotional: "85f9ac1a6970ea4e",
      grossTradedNotional: "9811c66b13fdfb3e",
      metrics: "aa5f1415c3ea0107",
      warnings: "d0bca111f8628137",
    },
  ],
];

describe("backtestBook outputs are bit-identical to the recorded hashes (refactor guard)", () => {
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const result = backtestBook(input());
      expect(result.trades.length, "the case must trade to guard anything").toBeGreaterThan(20);
      expect(fieldHashes(result)).toEqual(expected);
    });
  }
});
