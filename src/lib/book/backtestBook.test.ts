import { describe, expect, it } from "vitest";
import { backtestBook, allocationWeights, type BookPair } from "./index.js";
import { backtestPair, type TradingRule } from "../backtest/index.js";
import { syntheticUniverse } from "./syntheticUniverse.test-helpers.js";

/** |actual − expected| ≤ tol·max(1, |expected|), printing everything on failure. */
function close(actual: number, expected: number, tol: number, what: string): void {
  const delta = Math.abs(actual - expected);
  const bound = tol * Math.max(1, Math.abs(expected));
  if (!(delta <= bound)) throw new Error(`${what}: actual ${actual}, expected ${expected}, delta ${delta}, tolerance ${bound}`);
}

const ROLLING: TradingRule = { kind: "zscore", entry: 1.5, exit: 0.25, stop: 4, window: { type: "rolling", length: 30 } };

describe("backtestBook", () => {
  it("one pair at weight 1 reproduces backtestPair with the same static hedge, rule and costs (equity to 1e-9 relative)", () => {
    const prices = syntheticUniverse(800, 1, 2, 11);
    for (const beta of [2, -0.5]) {
      const book = backtestBook({
        prices,
        pairs: [{ y: 1, x: 0, hedgeRatio: beta, rule: ROLLING }],
        capital: 100_000,
        costs: { bps: 5, slippageBps: 1 },
      });
      const single = backtestPair({
        y: prices[1],
        x: prices[0],
        hedge: { method: "static", beta },
        rule: ROLLING,
        capital: 100_000,
        costs: { bps: 5, slippageBps: 1 },
      });
      expect(single.trades.pnl.length).toBeGreaterThan(3);
      expect(book.trades.length).toBe(single.trades.pnl.length);
      for (let t = 0; t < 800; t++) close(book.equity[t], single.equity[t], 1e-9, `β ${beta}, equity at bar ${t}`);
      book.trades.forEach((trade, k) => {
        expect(trade.entryBar).toBe(single.trades.entryIndex[k]);
        expect(trade.exitBar).toBe(single.trades.exitIndex[k]);
        close(trade.pnl, single.trades.pnl[k], 1e-9, `trade ${k} P&L`);
      });
    }
  });

  it("per-pair and per-instrument attribution each sum to the book's P&L to 1e-9 of capital (costs, borrow fee, shared legs, risk parity)", () => {
    const prices = syntheticUniverse(600, 2, 4, 5);
    const pairs: BookPair[] = [];
    for (const [y, x] of [
      [1, 0],
      [2, 0],
      [3, 1],
      [2, 3],
      [5, 4],
      [6, 4],
      [7, 5],
      [7, 6],
    ]) {
      pairs.push({ y, x, hedgeRatio: (0.5 + (y % 4) * 0.25) / (0.5 + (x % 4) * 0.25), rule: ROLLING });
    }
    const capital = 1_000_000;
    const book = backtestBook({
      prices,
      pairs,
      capital,
      costs: { bps: 10 },
      borrowFee: 0.03,
      allocation: { method: "riskParity", window: 80 },
      pairSeries: true,
    });
    const total = book.equity[599] - capital;
    expect(book.trades.length).toBeGreaterThan(10);
    expect(book.instrumentBorrowFees.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const sum = (a: Float64Array): number => a.reduce((s, v) => s + v, 0);
    close(sum(book.pairPnl), total, (1e-9 * capital) / Math.max(1, Math.abs(total)), "Σ pair P&L vs book P&L");
    close(sum(book.instrumentPnl), total, (1e-9 * capital) / Math.max(1, Math.abs(total)), "Σ instrument P&L vs book P&L");
    close(sum(book.pairCosts), sum(book.instrumentCosts), 1e-9, "Σ pair costs vs Σ instrument costs");
    close(sum(book.pairBorrowFees), sum(book.instrumentBorrowFees), 1e-9, "Σ pair fees vs Σ instrument fees");
    close(sum(book.pnl), total, 1e-9, "Σ per-bar P&L vs final equity − capital");
    for (let t = 0; t < 600; t += 37) {
      let s = 0;
      for (const series of book.pairPnlSeries!) s += series[t];
      close(s, book.pnl[t], 1e-9 * capital, `Σ pair P&L at bar ${t}`);
    }
    // trade P&Ls are the pair totals split by round trip
    for (let p = 0; p < pairs.length; p++) {
      const fromTrades = book.trades.filter((tr) => tr.pair === p).reduce((s, tr) => s + tr.pnl, 0);
      close(fromTrades, book.pairPnl[p], 1e-9 * capital, `pair ${p} trades vs total`);
    }
  });

  it("two pairs sharing a leg entering on the same bar trade the shared instrument's net quantity once, with costs on the net", () => {
    // s_A = p0 − p1 and s_B = p1 − p2 both fall from 0 to −2 at bar 2: both buy their spread
    const p0 = [100, 100, 98, 99, 101, 101];
    const p1 = [100, 100, 100, 100, 100, 100];
    const p2 = [100, 100, 102, 101, 99, 99];
    const rule: TradingRule = { kind: "levels", entry: -1, exit: 1, side: "long" };
    const capital = 10_000;
    const book = backtestBook({
      prices: [p0, p1, p2],
      pairs: [
        { y: 0, x: 1, hedgeRatio: 1, rule },
        { y: 1, x: 2, hedgeRatio: 1, rule },
      ],
      capital,
      costs: { bps: 10 },
    });
    const qA = (0.5 * capital) / (98 + 100);
    const qB = (0.5 * capital) / (100 + 102);
    const rows = Array.from(book.fills.bar, (bar, k) => ({
      bar,
      instrument: book.fills.instrument[k],
      quantity: book.fills.quantity[k],
      cost: book.fills.cost[k],
    }));
    const entryFills = rows.filter((f) => f.bar === 2);
    const shared = entryFills.filter((f) => f.instrument === 1);
    expect(shared.length).toBe(1);
    close(shared[0].quantity, qB - qA, 1e-12, "net quantity of the shared leg");
    close(shared[0].cost, Math.abs(qB - qA) * 100 * 1e-3, 1e-12, "cost on the net trade");
    close(
      entryFills.reduce((s, f) => s + f.cost, 0),
      (qA * 98 + Math.abs(qB - qA) * 100 + qB * 102) * 1e-3,
      1e-12,
      "bar-2 costs",
    );
    expect(book.netTradedNotional).toBeLessThan(book.grossTradedNotional);
    // both exit at bar 4 (s_A = 1, s_B = 1): the shared leg again trades its net only
    expect(rows.filter((f) => f.bar === 4 && f.instrument === 1).length).toBe(1);
    expect(book.trades.map((t) => t.exitBar)).toEqual([4, 4]);
  });

  it("an entry that would breach a cap is refused and recorded (gross, leg, net, sector)", () => {
    const p0 = [100, 100, 98, 99, 101, 101];
    const p1 = [100, 100, 100, 100, 100, 100];
    const p2 = [100, 100, 98, 99, 101, 101];
    const p3 = [100, 100, 100, 100, 100, 100];
    const rule: TradingRule = { kind: "levels", entry: -1, exit: 1, side: "long" };
    const pairs: BookPair[] = [
      { y: 0, x: 1, hedgeRatio: 1, rule },
      { y: 2, x: 3, hedgeRatio: 1, rule },
    ];
    const prices = [p0, p1, p2, p3];
    const gross = backtestBook({ prices, pairs, caps: { maxGross: 0.6 } });
    expect(gross.refusals.length).toBe(1);
    expect(gross.refusals[0]).toMatchObject({ bar: 2, pair: 1, cap: "gross", limit: 0.6 });
    close(gross.refusals[0].value, 1, 1e-12, "gross exposure the entry would have made");
    expect(gross.trades.map((t) => t.pair)).toEqual([0]);
    const leg = backtestBook({ prices, pairs, caps: { maxLeg: 0.2 } });
    expect(leg.refusals.map((r) => r.cap)).toEqual(["leg", "leg"]);
    expect(leg.trades.length).toBe(0);
    expect(leg.fills.bar.length).toBe(0);
    const sector = backtestBook({ prices, pairs, sectors: ["a", "a", "b", "b"], caps: { maxSector: 0.6 } });
    expect(sector.refusals.length).toBe(0);
    const oneSector = backtestBook({ prices, pairs, sectors: ["a", "a", "a", "a"], caps: { maxSector: 0.6 } });
    expect(oneSector.refusals.map((r) => [r.pair, r.cap])).toEqual([[1, "sector"]]);
    const net = backtestBook({
      prices,
      pairs: [{ y: 0, x: 1, hedgeRatio: 0.5, rule: { kind: "levels", entry: 48, exit: 50, side: "long" } }],
      caps: { maxNet: 0.2 },
    });
    expect(net.refusals.map((r) => r.cap)).toEqual(["net"]);
  });

  it("short-borrow fee: |Q|·P_{t−1}·fee/periodsPerYear per bar on the net short", () => {
    const p0 = [100, 100, 98, 98, 98, 101];
    const p1 = [100, 100, 100, 100, 100, 100];
    const rule: TradingRule = { kind: "levels", entry: -1, exit: 1, side: "long" };
    const book = backtestBook({ prices: [p0, p1], pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule }], capital: 1000, borrowFee: 0.252 });
    const q = 1000 / 198;
    // short q of instrument 1 held over bars 3, 4, 5 at previous close 100
    close(book.instrumentBorrowFees[1], 3 * q * 100 * 0.001, 1e-12, "borrow fee");
    close(book.pairBorrowFees[0], book.instrumentBorrowFees[1], 1e-12, "fee attributed to the pair");
  });

  it("allocation: inverse volatility is hand-checkable; risk parity equalises risk contributions", () => {
    const inv = allocationWeights(
      [
        [0.01, -0.01, 0.01],
        [0.02, -0.02, 0.02],
      ],
      { method: "inverseVolatility" },
    );
    close(inv.weights[0], 2 / 3, 1e-15, "w0");
    close(inv.weights[1], 1 / 3, 1e-15, "w1");
    const prices = syntheticUniverse(300, 1, 4, 9);
    const rows = [0, 1, 2].map((k) =>
      Array.from({ length: 299 }, (_, t) => prices[k + 1][t + 1] / prices[k + 1][t] - 1 + 0.3 * (prices[0][t + 1] / prices[0][t] - 1)),
    );
    const rp = allocationWeights(rows, { method: "riskParity" });
    expect(rp.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (const c of rp.riskContributions) close(c, 1 / 3, 1e-9, "risk contribution");
    expect(rp.iterations).toBeGreaterThan(1);
  });

  it("a bad price is reported for the first instrument in index order, whether or not a pair uses it", () => {
    const good = [1, 2, 3, 4];
    const rule = ROLLING;
    // instrument 2 is used by no pair
    expect(() => backtestBook({ prices: [good, good, [1, 2, 0, 4]], pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule }] })).toThrow(
      /backtestBook: prices must be > 0, got 0 at prices\[2\]\[2\]/,
    );
    // instruments 1 and 3 are bad, the only pair uses 3 (and 0): the message names 1
    expect(() =>
      backtestBook({ prices: [good, [1, NaN, 3, 4], good, [1, 2, -1, 4]], pairs: [{ y: 3, x: 0, hedgeRatio: 1, rule }] }),
    ).toThrow(/backtestBook: prices\[1\] must contain only finite numbers, got NaN at index 1/);
  });

  it("rejects bad input with the function, argument and rule in the message", () => {
    const p = [
      [1, 2, 3],
      [1, 2, 3],
    ];
    const rule = ROLLING;
    expect(() => backtestBook({ prices: p, pairs: [{ y: 0, x: 0, hedgeRatio: 1, rule }] })).toThrow(
      /backtestBook: pairs\[0\] must have two distinct legs/,
    );
    expect(() =>
      backtestBook({
        prices: [
          [1, 2, 3],
          [1, 2],
        ],
        pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule }],
      }),
    ).toThrow(/backtestBook: prices must all have one length/);
    expect(() =>
      backtestBook({
        prices: [
          [1, -2, 3],
          [1, 2, 3],
        ],
        pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule }],
      }),
    ).toThrow(/prices must be > 0, got -2 at prices\[0\]\[1\]/);
    expect(() => backtestBook({ prices: p, pairs: [{ y: 0, x: 2, hedgeRatio: 1, rule }] })).toThrow(/pairs\[0\].x must be <= 1/);
    expect(() => backtestBook({ prices: p, pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule }], caps: { maxSector: 1 } })).toThrow(
      /caps.maxSector needs sectors/,
    );
    expect(() =>
      backtestBook({
        prices: p,
        pairs: [{ y: 0, x: 1, hedgeRatio: 1, rule: { kind: "zscore", entry: 2, exit: 0, window: { type: "expanding" } } }],
      }),
    ).toThrow(/expanding" is not supported/);
  });
});
