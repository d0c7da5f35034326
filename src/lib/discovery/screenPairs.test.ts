import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { discoverPairs } from "./discoverPairs.js";
import { screenPairs } from "./screenPairs.js";

const prices = (
  JSON.parse(readFileSync(new URL("./fixtures/sumOfSquaredDistances.json", import.meta.url), "utf8")) as { prices: number[][] }
).prices;
const symbols = prices.map((_, i) => `S${i}`);

describe("screenPairs is discoverPairs' screening step", () => {
  const cases = [
    { name: "no screens", options: {} },
    { name: "correlation floor", options: { minReturnCorrelation: 0.1 } },
    { name: "2 nearest partners", options: { nearestPartners: 2 } },
    {
      name: "sectors + half-life band + crossings",
      options: {
        sectors: Object.fromEntries(symbols.map((s, i) => [s, i % 2 === 0 ? "even" : "odd"])),
        halfLifeBand: { min: 1, max: 50 },
        minMeanCrossings: 5,
      },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: same survivors and removal counts`, () => {
      const screened = screenPairs({ symbols, prices }, c.options);
      const discovered = discoverPairs({ symbols, prices }, c.options);
      expect(screened.removed).toEqual(discovered.removed);
      expect(screened.candidates).toBe(discovered.candidates);
      expect(Array.from(screened.pairs)).toEqual(discovered.pairs.flatMap((p) => [p.index1, p.index2]));
      const removed = Object.values(screened.removed).reduce((a, b) => a + b, 0);
      expect(screened.pairs.length / 2 + removed).toBe(screened.candidates);
    });
  }
  it("names the function and the argument on bad input", () => {
    expect(() => screenPairs({ symbols, prices }, { nearestPartners: 0 })).toThrow(/screenPairs: nearestPartners/);
    expect(() => screenPairs({ symbols: ["a"], prices: [[1, 2]] })).toThrow(/screenPairs: panel.prices\[0\]/);
  });
});
