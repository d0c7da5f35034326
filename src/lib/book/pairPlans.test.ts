import { describe, expect, it } from "vitest";
import { PairPlans, EVENT_BUY, EVENT_SELL } from "./pairPlans.js";
import { pairSignalKernel } from "./pairSignal.js";
import {
  ACTION_BUY,
  ACTION_EXIT,
  ACTION_HOLD,
  ACTION_SELL,
  ACTION_STOP,
  decideAction,
  normalizeRule,
  type NormalizedRule,
  type TradingRule,
} from "../backtest/tradingRule.js";
import { cointegratedPair } from "../backtest/cointegratedPair.test-helpers.js";
import { randomSource } from "../util/random.js";

/** One event as the bar loop sees it: bar, kind (EVENT_*), and the legs' prices there. */
type Event = [bar: number, kind: number, priceY: number, priceX: number];

/** Action codes of decideAction → the plan's event kinds (EVENT_END is 5). */
const KIND_OF_ACTION: Record<number, number> = { [ACTION_BUY]: 1, [ACTION_SELL]: 2, [ACTION_EXIT]: 3, [ACTION_STOP]: 4 };

/**
 * The plan drawn naively: pairSignalKernel's signal, then decideAction bar by bar from
 * max(startBar, 1) (entries before n − 1, every open position ends at n − 1); `refuse(t)` says
 * whether the book refuses an entry at t (the pair stays flat and goes on from t + 1).
 */
function referencePlan(
  y: Float64Array,
  x: Float64Array,
  beta: number,
  rule: NormalizedRule,
  startBar: number,
  refuse: (bar: number) => boolean,
): Event[] {
  const n = y.length;
  const signal = new Float64Array(n);
  expect(pairSignalKernel(y, x, beta, rule, signal, startBar)).toBeGreaterThanOrEqual(0);
  const events: Event[] = [];
  let side = 0;
  for (let t = Math.max(startBar, 1); t < n - 1; t++) {
    const action = decideAction(rule.thresholds, side, signal[t], signal[t - 1]);
    if (action === ACTION_HOLD) continue;
    if (side === 0 && refuse(t)) {
      events.push([t, KIND_OF_ACTION[action], y[t], x[t]]); // offered, then refused
      continue;
    }
    events.push([t, KIND_OF_ACTION[action], y[t], x[t]]);
    side = side !== 0 ? 0 : action === ACTION_BUY ? 1 : -1;
  }
  if (side !== 0) events.push([n - 1, 5, y[n - 1], x[n - 1]]);
  return events;
}

/** The plan as PairPlans hands it to the bar loop (take, fileNext; replan where `refuse` says so). */
function plannedEvents(
  y: Float64Array,
  x: Float64Array,
  beta: number,
  rule: NormalizedRule,
  startBar: number,
  refuse: (bar: number) => boolean,
): { events: Event[]; undefinedSignals: number } {
  const n = y.length;
  const plans = new PairPlans([y], [x], Float64Array.of(beta), [rule], n, startBar);
  expect(plans.plan(0)).toBe(true);
  const out = new Int32Array(1);
  const events: Event[] = [];
  for (let t = 0; t < n; t++) {
    if (plans.take(t, out) === 0) continue;
    const kind = plans.kind[0];
    events.push([t, kind, plans.priceY[0], plans.priceX[0]]);
    if ((kind === EVENT_BUY || kind === EVENT_SELL) && refuse(t)) plans.replan(0, t);
    else plans.fileNext(0);
  }
  return { events, undefinedSignals: plans.undefinedSignals };
}

function undefinedCount(y: Float64Array, x: Float64Array, beta: number, rule: NormalizedRule, startBar: number): number {
  return pairSignalKernel(y, x, beta, rule, new Float64Array(y.length), startBar);
}

const rollingRule = (entry: number, exit: number, length: number, stop?: number): NormalizedRule =>
  normalizeRule("test", {
    kind: "zscore",
    entry,
    exit,
    ...(stop === undefined ? {} : { stop }),
    window: { type: "rolling", length },
  } satisfies TradingRule);

interface Case {
  name: string;
  y: Float64Array;
  x: Float64Array;
  beta: number;
  rule: NormalizedRule;
  startBar: number;
}

/** Prices with flat stretches (zero window variance), a level shift and bars of equal spreads. */
function steppedPair(n: number, seed: number, scale: number): { y: Float64Array; x: Float64Array } {
  const rng = randomSource(seed);
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  let level = 100;
  for (let t = 0; t < n; t++) {
    // flat stretches of 30 bars (the spread repeats), else quarter steps (spreads recur exactly)
    if (t % 97 >= 30) level += Math.round((rng() - 0.5) * 8) / 4;
    x[t] = 50 * scale;
    y[t] = (level + (t > n / 2 ? 40 : 0)) * scale;
  }
  return { y, x };
}

function cases(): Case[] {
  const out: Case[] = [];
  const rng = randomSource(7);
  for (let k = 0; k < 24; k++) {
    const n = 200 + Math.floor(rng() * 900);
    const pair = cointegratedPair(n, 500 + k, 0.2 + rng());
    const length = [2, 3, 5, 20, 60, 250][k % 6];
    const entry = 0.5 + rng() * 2;
    const exit = [0, -0.3, 0.25, entry / 2][k % 4];
    const stop = k % 3 === 0 ? undefined : entry + 0.5 + rng() * 2;
    const startBar = [0, 1, 7, length + 3][k % 4];
    out.push({
      name: `cointegrated #${k} (n ${n}, w ${length})`,
      ...pair,
      beta: 1.5,
      rule: rollingRule(entry, exit, length, stop),
      startBar,
    });
  }
  // thresholds equal to values the signal takes: the exact comparisons at the ends of the intervals
  for (let k = 0; k < 12; k++) {
    const pair = cointegratedPair(800, 900 + k, 0.5);
    const length = [2, 3, 10, 40][k % 4];
    const probe = new Float64Array(800);
    pairSignalKernel(pair.y, pair.x, 1.5, rollingRule(2, 0.5, length, 4), probe);
    const values = Array.from(probe.subarray(length), Math.abs)
      .filter((v) => v > 0 && v < Infinity)
      .sort((a, b) => a - b);
    const pick = (q: number) => values[Math.floor(q * (values.length - 1))];
    const exit = k % 2 === 0 ? pick(0.2) : -pick(0.1);
    const entry = pick(0.7);
    const stop = pick(0.97);
    if (!(stop > entry && Math.abs(exit) < entry)) continue;
    out.push({
      name: `thresholds on signal values #${k} (w ${length})`,
      ...pair,
      beta: 1.5,
      rule: rollingRule(entry, exit, length, stop),
      startBar: k % 3,
    });
  }
  // flat stretches (zero variance: undefined signal), recurring spreads, tiny and huge price scales
  // (variances outside the quiet test's range), a window longer than the series
  for (const [scale, length] of [
    [1, 5],
    [1, 30],
    [1e-160, 5],
    [1e-100, 20],
    [1e150, 20],
    [1e-30, 8],
  ] as const)
    out.push({
      name: `stepped prices × ${scale} (w ${length})`,
      ...steppedPair(700, length, scale),
      beta: 1,
      rule: rollingRule(1, 0.2, length, 2.5),
      startBar: 0,
    });
  const short = cointegratedPair(40, 3, 0.5);
  out.push({ name: "window longer than the series", ...short, beta: 1.5, rule: rollingRule(2, 0.5, 60, 4), startBar: 0 });
  out.push({ name: "window of the whole series", ...short, beta: 1.5, rule: rollingRule(1, 0, 40), startBar: 0 });
  return out;
}

describe("PairPlans", () => {
  it("a rolling-window plan (one pass, quiet intervals) equals decideAction on pairSignalKernel's signal, bar for bar", () => {
    for (const c of cases()) {
      const never = () => false;
      const got = plannedEvents(c.y, c.x, c.beta, c.rule, c.startBar, never);
      const want = referencePlan(c.y, c.x, c.beta, c.rule, c.startBar, never);
      expect(got.events, c.name).toEqual(want);
      expect(got.undefinedSignals, c.name).toBe(undefinedCount(c.y, c.x, c.beta, c.rule, c.startBar));
    }
  });

  it("after a refused entry the pair's plan is redrawn flat from the next bar, as decideAction would go on", () => {
    for (const c of cases()) {
      // refuse every other entry offered, by bar parity, and every entry in the second decile
      const n = c.y.length;
      const refuse = (bar: number) => bar % 2 === 0 || (bar > n / 10 && bar < n / 5);
      const got = plannedEvents(c.y, c.x, c.beta, c.rule, c.startBar, refuse);
      const want = referencePlan(c.y, c.x, c.beta, c.rule, c.startBar, refuse);
      expect(got.events, c.name).toEqual(want);
    }
  });

  it("the cases reach the exact path: entries, exits, stops, ends and undefined bars all occur", () => {
    const kinds = new Set<number>();
    let undefinedBars = 0;
    for (const c of cases()) {
      for (const e of referencePlan(c.y, c.x, c.beta, c.rule, c.startBar, () => false)) kinds.add(e[1]);
      undefinedBars += undefinedCount(c.y, c.x, c.beta, c.rule, c.startBar);
    }
    expect([...kinds].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(undefinedBars).toBeGreaterThan(1000);
  });

  it("a bad price stops the plan (false), for rolling and other windows", () => {
    const { y, x } = cointegratedPair(300, 1, 0.5);
    for (const rule of [rollingRule(2, 0.5, 20, 4), normalizeRule("test", { kind: "levels", entry: -1, exit: 1 })]) {
      for (const [bar, value] of [
        [0, 0],
        [150, Number.NaN],
        [299, -1],
        [10, Infinity],
      ] as const) {
        const bad = Float64Array.from(x);
        bad[bar] = value;
        const plans = new PairPlans([y], [bad], Float64Array.of(1.5), [rule], 300, 0);
        expect(plans.plan(0), `${rule.windowType} bar ${bar}`).toBe(false);
      }
    }
  });
});
