/**
 * DiscoverPairs/TestPair with a universe and date range (issue 11 extension fields): a real
 * server on 127.0.0.1:0 with a store gives exactly the numbers of the same call with the prices
 * sent inline; bad universe/range/symbol requests are INVALID_ARGUMENT naming the field.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store, ingestFiles } from "../data/index.js";
import { BatchDiscoveryRequest as BatchMsg, PairTestRequest as PairTestMsg, type PairDiscoveryUpdate } from "./generated/pair_discovery.js";
import { startServer, type RunningServer } from "./startServer.js";
import { codeOf, collect, connectClients, unary, type Clients } from "./testSupport.js";

const DATA = new URL("../../data/", import.meta.url).pathname;

describe("universe requests against the server's store", () => {
  let dir: string;
  let server: RunningServer;
  let c: Clients;
  let inline: { symbol: string; prices: number[] }[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "arblab-srv-"));
    const storePath = join(dir, "store.duckdb");
    const store = await Store.open(storePath);
    await ingestFiles(store, [join(DATA, "stock_prices.csv")], { format: "wide", universe: "etf" });
    const panel = await store.queryPanel({
      symbols: ["EWG", "EWQ", "SPY", "DIA"],
      startMs: Date.UTC(2012, 0, 1),
      endMs: Date.UTC(2013, 11, 31, 23),
    });
    inline = panel.symbols.map((symbol, i) => ({ symbol, prices: Array.from(panel.values[i]!) }));
    await store.createUniverse("four", ["EWG", "EWQ", "SPY", "DIA"]);
    await store.close();
    server = await startServer({ workers: 1, storePath });
    c = connectClients(server.port);
  }, 120_000);
  afterAll(async () => {
    c?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const range = { startDate: "2012-01-01", endDate: "2013-12-31" };

  it("TestPair with universe + dates equals TestPair with the same prices inline", async () => {
    const fromStore = await unary(
      c.pairs,
      c.pairs.testPair,
      PairTestMsg.fromPartial({ symbol1: "EWG", symbol2: "EWQ", universe: "four", ...range }),
    );
    const sent = await unary(
      c.pairs,
      c.pairs.testPair,
      PairTestMsg.fromPartial({ symbol1: "EWG", symbol2: "EWQ", prices1: inline[0]!.prices, prices2: inline[1]!.prices }),
    );
    expect(fromStore).toEqual(sent);
    expect(fromStore.nObservations).toBe(inline[0]!.prices.length);
  });

  it("DiscoverPairs with a universe equals DiscoverPairs with the prices inline", async () => {
    const strip = (u: PairDiscoveryUpdate[]) =>
      u.map((x) => ({ ...x, elapsedSeconds: 0, result: x.result })).filter((x) => x.isFinal || x.result);
    const a = strip(await collect(c.pairs.discoverPairs(BatchMsg.fromPartial({ universe: "four", ...range }))));
    const b = strip(await collect(c.pairs.discoverPairs(BatchMsg.fromPartial({ symbols: inline }))));
    const key = (u: PairDiscoveryUpdate) => (u.result ? `${u.result.symbol1}/${u.result.symbol2}` : "final");
    expect(new Map(a.map((u) => [key(u), u.result ?? u.qValues]))).toEqual(new Map(b.map((u) => [key(u), u.result ?? u.qValues])));
    expect(a.length).toBe(7);
  });

  it("bad universe requests are INVALID_ARGUMENT naming the field", async () => {
    const tp = (req: object) => codeOf(unary(c.pairs, c.pairs.testPair, PairTestMsg.fromPartial(req)));
    expect(await tp({ symbol1: "EWG", symbol2: "TLT", universe: "four" })).toEqual({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/symbol "TLT" is not a member of universe "four"/),
    });
    expect(await tp({ symbol1: "EWG", symbol2: "EWQ", universe: "nope" })).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/universe "nope" does not exist/),
    });
    expect(await tp({ symbol1: "EWG", symbol2: "EWQ", universe: "four", startDate: "2012/01/01" })).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/start_date must be a date "YYYY-MM-DD"/),
    });
    expect(await tp({ symbol1: "EWG", symbol2: "EWQ", universe: "four", startDate: "2030-01-01" })).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/startMs\.\.endMs: no 1d bars/),
    });
    expect(await tp({ symbol1: "EWG", symbol2: "EWQ", universe: "four", prices1: [1, 2] })).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/either universe or prices1\/prices2/),
    });
    expect(await codeOf(collect(c.pairs.discoverPairs(BatchMsg.fromPartial({ universe: "four", symbols: inline }))))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/either universe or symbols/),
    });
  });
});
