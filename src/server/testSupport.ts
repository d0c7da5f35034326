/**
 * Helpers for the server's own integration tests: generated grpc-js clients for a running server,
 * promise wrappers, and seeded synthetic data from the library's generators.
 */
import {
  credentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ServiceError,
  type ClientReadableStream,
} from "@grpc/grpc-js";
import { PairDiscoveryServiceClient } from "./generated/pair_discovery.js";
import { MeanRevServiceClient } from "./generated/meanrev.js";
import { normalSource, randomSource } from "../lib/util/random.js";
import { simulateOu } from "../lib/ou/simulateOu.js";

export interface Clients {
  readonly pairs: PairDiscoveryServiceClient;
  readonly meanrev: MeanRevServiceClient;
  close(): void;
}

export function connectClients(
  port: number,
  creds: ChannelCredentials = credentials.createInsecure(),
  options: Record<string, unknown> = {},
): Clients {
  const address = `127.0.0.1:${port}`;
  const pairs = new PairDiscoveryServiceClient(address, creds, options);
  const meanrev = new MeanRevServiceClient(address, creds, options);
  return {
    pairs,
    meanrev,
    close() {
      pairs.close();
      meanrev.close();
    },
  };
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/** Call a unary method; resolves with the response or rejects with the ServiceError. */
export function unary<Req, Res>(
  client: object,
  method: UnaryMethod<Req, Res>,
  request: Req,
  metadata = new Metadata(),
  options: Partial<CallOptions> = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, options, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Collect every message of a server stream (rejects with the stream's error). */
export function collect<T>(stream: ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    stream.on("data", (m: T) => out.push(m));
    stream.on("error", reject);
    stream.on("end", () => resolve(out));
  });
}

/** The status code of a rejected call (or throws if it resolved). */
export async function codeOf(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error("expected the call to fail");
}

/** Gaussian random walk from `start` (seeded). */
export function randomWalk(n: number, seed: number, start = 100, step = 1): number[] {
  const normal = normalSource(randomSource(seed));
  const out = new Array<number>(n);
  let level = start;
  for (let i = 0; i < n; i++) {
    level += step * normal();
    out[i] = level;
  }
  return out;
}

/** y = 10 + 1.5·x + s, x a random walk, s an OU spread (kappa per bar, exact simulation): cointegrated by construction. */
export function cointegratedPair(
  n: number,
  seed: number,
  kappaPerBar = 0.2,
  sigma = 0.5,
): { x: number[]; y: number[]; spread: Float64Array } {
  const x = randomWalk(n, seed);
  const spread = simulateOu({ kappa: kappaPerBar, theta: 0, sigma }, n, { dt: 1, rng: randomSource(seed + 1), x0: 0 });
  return { x, y: x.map((v, i) => 10 + 1.5 * v + spread[i]), spread };
}
