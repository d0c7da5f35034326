/**
 * Client plumbing against a scripted in-test server (generated service definitions, 127.0.0.1:0):
 * request conversion, metadata/token, deadlines, AbortSignal, early break, bidi backpressure and
 * input errors. The maths is exercised against the real server in test/client.integration.test.ts;
 * here the handlers are deliberately trivial so each client behaviour is observable exactly.
 */
import { EventEmitter, once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import {
  PairDiscoveryServiceService,
  type PairTestRequest,
  type PairTestResponse,
  type BatchDiscoveryRequest,
  type PairDiscoveryUpdate,
  PairTestResponse as PairTestResponseCodec,
  PairDiscoveryUpdate as UpdateCodec,
} from "../server/generated/pair_discovery.js";
import { MeanRevServiceService, type PriceUpdate, type OUEstimate, OUEstimate as OUEstimateCodec } from "../server/generated/meanrev.js";
import { PairDiscoveryClient } from "./PairDiscoveryClient.js";
import { MeanRevClient } from "./MeanRevClient.js";
import { ClientCallError } from "./ClientCallError.js";
import { connect } from "./connect.js";

const events: string[] = [];
/** The scripted estimateOuParams handler announces "data" (each message) and "cancelled" here. */
const estimateOuSignals = new EventEmitter();
let lastRequest: PairTestRequest | undefined;
let lastBatch: BatchDiscoveryRequest | undefined;
let lastAuthorization: string | undefined;
let server: grpc.Server;
let port = 0;

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(PairDiscoveryServiceService, {
    testPair(call: grpc.ServerUnaryCall<PairTestRequest, PairTestResponse>, callback: grpc.sendUnaryData<PairTestResponse>) {
      lastRequest = call.request;
      lastAuthorization = call.metadata.get("authorization")[0] as string | undefined;
      const delayMs = call.request.significance > 0.5 ? 10_000 : 0;
      call.on("cancelled", () => events.push("testPair cancelled"));
      const timer = setTimeout(() => {
        callback(
          null,
          PairTestResponseCodec.fromPartial({ success: true, symbol1: call.request.symbol1, beta: call.request.prices1.length }),
        );
      }, delayMs);
      call.on("cancelled", () => clearTimeout(timer));
    },
    discoverPairs(call: grpc.ServerWritableStream<BatchDiscoveryRequest, PairDiscoveryUpdate>) {
      lastBatch = call.request;
      let sent = 0;
      const limit = call.request.maxPairs > 0 ? call.request.maxPairs : 1_000_000;
      const timer = setInterval(() => {
        if (sent >= limit) {
          clearInterval(timer);
          call.write(UpdateCodec.fromPartial({ pairsTested: sent, isFinal: true, progress: 1 }));
          call.end();
          return;
        }
        sent++;
        call.write(UpdateCodec.fromPartial({ pairsTested: sent, progress: sent / limit }));
      }, 2);
      call.on("cancelled", () => {
        clearInterval(timer);
        events.push(`discoverPairs cancelled after ${sent}`);
      });
    },
    solveHjb: (_call: unknown, callback: grpc.sendUnaryData<never>) =>
      callback({ code: grpc.status.INVALID_ARGUMENT, details: "solveHjb: kappa must be > 0, got 0" }, null),
    estimateOu: () => undefined,
    testCointegration: () => undefined,
    calculateHurst: () => undefined,
    backtestStrategy: () => undefined,
  });
  server.addService(MeanRevServiceService, {
    estimateOuParams(call: grpc.ServerDuplexStream<PriceUpdate, OUEstimate>) {
      let n = 0;
      call.on("data", (update: PriceUpdate) => {
        n++;
        estimateOuSignals.emit("data", n);
        call.write(OUEstimateCodec.fromPartial({ mu: update.price, nSamples: n, timestampMs: update.timestampMs }));
      });
      call.on("end", () => call.end());
      call.on("cancelled", () => {
        events.push(`estimateOuParams cancelled after ${n}`);
        estimateOuSignals.emit("cancelled", n);
      });
    },
  } as unknown as grpc.UntypedServiceImplementation);
  const health = new HealthImplementation({ "": "SERVING", "pair_discovery.PairDiscoveryService": "SERVING" });
  health.addToServer(server);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<number> {
  const t0 = performance.now();
  while (!predicate()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms; events ${JSON.stringify(events)}`);
    await sleep(2);
  }
  return performance.now() - t0;
}

describe("client plumbing (scripted server)", () => {
  it("unary: partial request, Float64Array series and bearer token reach the server; response is a plain camelCase object", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port, token: "s3cret" });
    const response = await client.testPair({ symbol1: "AAA", prices1: new Float64Array([1, 2, 3]), prices2: [1, 2, 3] });
    expect(response.success).toBe(true);
    expect(response.symbol1).toBe("AAA");
    expect(response.beta).toBe(3);
    expect(lastRequest?.prices1).toEqual([1, 2, 3]);
    expect(lastRequest?.significance).toBe(0); // proto3 zero = server default
    expect(lastAuthorization).toBe("Bearer s3cret");
    expect(Object.getPrototypeOf(response)).toBe(Object.prototype);
    client.close();
  });

  it("server errors become ClientCallError with the code and the server's details unchanged", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    const error = await client.solveHjb({ kappa: 0, sigma: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientCallError);
    expect((error as ClientCallError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((error as ClientCallError).codeName).toBe("INVALID_ARGUMENT");
    expect((error as ClientCallError).details).toBe("solveHjb: kappa must be > 0, got 0");
    expect((error as ClientCallError).method).toBe("/pair_discovery.PairDiscoveryService/SolveHJB");
    client.close();
  });

  it("a per-call deadline fails with DEADLINE_EXCEEDED", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    const t0 = performance.now();
    const error = (await client.testPair({ significance: 0.9 }, { timeoutMs: 100 }).catch((e: unknown) => e)) as ClientCallError;
    expect(error.codeName).toBe("DEADLINE_EXCEEDED");
    expect(performance.now() - t0).toBeLessThan(2000);
    client.close();
  });

  it("AbortSignal cancels a unary call: CANCELLED with the abort reason as cause, server sees the cancellation", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    const controller = new AbortController();
    events.length = 0;
    setTimeout(() => controller.abort(new Error("user stop")), 50);
    const error = (await client.testPair({ significance: 0.9 }, { signal: controller.signal }).catch((e: unknown) => e)) as ClientCallError;
    expect(error.codeName).toBe("CANCELLED");
    expect((error.cause as Error).message).toBe("user stop");
    await waitFor(() => events.includes("testPair cancelled"));
    client.close();
  });

  it("an already-aborted signal rejects without calling the server", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    const error = (await client.testPair({}, { signal: AbortSignal.abort() }).catch((e: unknown) => e)) as ClientCallError;
    expect(error.codeName).toBe("CANCELLED");
    client.close();
  });

  it("server stream: record symbols keep insertion order; the stream ends after the final update", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    const updates: PairDiscoveryUpdate[] = [];
    for await (const u of client.discoverPairs({ symbols: { B: [1, 2], A: new Float64Array([3, 4]) }, maxPairs: 5 })) updates.push(u);
    expect(lastBatch?.symbols.map((s) => s.symbol)).toEqual(["B", "A"]);
    expect(lastBatch?.symbols[1].prices).toEqual([3, 4]);
    expect(updates.map((u) => u.pairsTested)).toEqual([1, 2, 3, 4, 5, 5]);
    expect(updates.at(-1)?.isFinal).toBe(true);
    client.close();
  });

  it("server stream: breaking out of for-await cancels the call on the server", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    events.length = 0;
    let seen = 0;
    for await (const u of client.discoverPairs({ symbols: [{ symbol: "A", prices: [1] }] })) {
      seen = u.pairsTested;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    await waitFor(() => events.some((e) => e.startsWith("discoverPairs cancelled")));
    client.close();
  });

  it("server stream: AbortSignal mid-stream throws CANCELLED and the server stops within 100 ms", async () => {
    const client = new PairDiscoveryClient({ host: "127.0.0.1", port });
    events.length = 0;
    const controller = new AbortController();
    let seen = 0;
    let abortedAt = 0;
    const error = await (async () => {
      for await (const u of client.discoverPairs({ symbols: [] }, { signal: controller.signal })) {
        seen = u.pairsTested;
        if (seen === 5) {
          abortedAt = performance.now();
          controller.abort();
        }
      }
    })().catch((e: unknown) => e);
    expect((error as ClientCallError).codeName).toBe("CANCELLED");
    await waitFor(() => events.some((e) => e.startsWith("discoverPairs cancelled")));
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    client.close();
  });

  it("bidi: async-iterable inputs are streamed and answers arrive before the input ends", async () => {
    const client = new MeanRevClient({ host: "127.0.0.1", port });
    let produced = 0;
    let answeredWhileProducing = false;
    let received = 0;
    async function* feed() {
      for (let i = 0; i < 50; i++) {
        produced++;
        yield { assetId: "X", price: 100 + i, timestampMs: 1_000 + i };
        if (i === 40 && received > 0) answeredWhileProducing = true;
        await sleep(1);
      }
    }
    const out: OUEstimate[] = [];
    for await (const estimate of client.estimateOuParams(feed())) {
      received++;
      out.push(estimate);
    }
    expect(produced).toBe(50);
    expect(out.map((e) => e.mu)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(out.at(-1)?.nSamples).toBe(50);
    expect(answeredWhileProducing).toBe(true);
    client.close();
  });

  // Deterministic under load: the feed throws only once the server holds the call and its first
  // message, and the test then waits for the server's own "cancelled" event (no polling deadline;
  // the test timeout only guards against a hang).
  it("bidi: an input iterable that throws cancels the call and rethrows the caller's error", { timeout: 30_000 }, async () => {
    const client = new MeanRevClient({ host: "127.0.0.1", port });
    const serverCancelled = once(estimateOuSignals, "cancelled");
    const firstMessageArrived = once(estimateOuSignals, "data");
    async function* feed() {
      yield { price: 1 };
      await firstMessageArrived;
      throw new Error("feed broke");
    }
    const error = await (async () => {
      for await (const _ of client.estimateOuParams(feed())) void _;
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe("feed broke");
    const [messagesBeforeCancel] = (await serverCancelled) as [number];
    expect(messagesBeforeCancel).toBe(1);
    client.close();
  });

  it("bidi: many small messages with backpressure arrive complete and in order", async () => {
    const client = new MeanRevClient({ host: "127.0.0.1", port });
    const n = 5000;
    const inputs = Array.from({ length: n }, (_, i) => ({ price: i }));
    let count = 0;
    let ordered = true;
    for await (const estimate of client.estimateOuParams(inputs)) {
      if (estimate.mu !== count) ordered = false;
      count++;
    }
    expect(count).toBe(n);
    expect(ordered).toBe(true);
    client.close();
  });

  it("health check and connect(): one shared channel, both clients work, close() closes both", async () => {
    const lab = await connect({ host: "127.0.0.1", port, waitForReadyMs: 2000 });
    expect(lab.address).toBe(`127.0.0.1:${port}`);
    expect(await lab.checkHealth()).toBe("SERVING");
    expect(await lab.pairDiscovery.checkHealth()).toBe("SERVING");
    expect((await lab.pairDiscovery.testPair({ symbol1: "Z" })).symbol1).toBe("Z");
    lab.close();
    const error = (await lab.pairDiscovery.testPair({}).catch((e: unknown) => e)) as ClientCallError;
    expect(error).toBeInstanceOf(ClientCallError);
  });

  it("connect() to a port nobody listens on fails fast with UNAVAILABLE naming the address", async () => {
    const unused = await new Promise<number>((resolve) => {
      const probe = new grpc.Server();
      probe.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (_e, p) => probe.tryShutdown(() => resolve(p)));
    });
    const t0 = performance.now();
    const error = (await connect({ host: "127.0.0.1", port: unused, waitForReadyMs: 300 }).catch((e: unknown) => e)) as ClientCallError;
    expect(error.codeName).toBe("UNAVAILABLE");
    expect(error.message).toContain(`127.0.0.1:${unused}`);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
