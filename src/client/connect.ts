/**
 * One-call connection to an Arbitrage Lab server for notebooks and scripts: both typed clients
 * on ONE shared channel, optionally waiting until the server answers (default), so a wrong
 * host/port fails here with a clear message instead of at the first computation.
 * Address, TLS and token resolve as for the clients (`host`/`port` arguments, else env
 * GRPC_HOST/GRPC_PORT, else localhost:50051; token from `token` or env GRPC_AUTH_TOKEN).
 * @throws ClientCallError (UNAVAILABLE) when `waitForReadyMs` > 0 and the server is not reachable in time
 * @example
 * const lab = await connect({ port: 50051 });
 * const pair = await lab.pairDiscovery.testPair({ prices1: y, prices2: x });
 * const rets = await lab.meanRev.computeLogReturns({ prices: y });
 * lab.close();
 */
import type { ClientOptions } from "./clientOptions.js";
import { MeanRevClient } from "./MeanRevClient.js";
import { PairDiscoveryClient } from "./PairDiscoveryClient.js";

export interface ConnectOptions extends ClientOptions {
  /** Milliseconds to wait for the connection before failing; 0 = do not wait (lazy). Default 5000. */
  waitForReadyMs?: number;
}

export interface ArbitrageLabConnection {
  /** The "host:port" target. */
  readonly address: string;
  readonly pairDiscovery: PairDiscoveryClient;
  readonly meanRev: MeanRevClient;
  /** grpc.health.v1 status of the whole server (service ""). */
  checkHealth(): Promise<"UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN">;
  /** Close the shared channel (both clients). */
  close(): void;
}

export async function connect(options: ConnectOptions = {}): Promise<ArbitrageLabConnection> {
  const { waitForReadyMs = 5000, ...clientOptions } = options ?? {};
  if (!(Number.isFinite(waitForReadyMs) && waitForReadyMs >= 0)) {
    throw new RangeError(`connect: waitForReadyMs must be a finite number >= 0, got ${String(waitForReadyMs)}`);
  }
  const pairDiscovery = new PairDiscoveryClient(clientOptions);
  const meanRev = new MeanRevClient(clientOptions, pairDiscovery.channel);
  const connection: ArbitrageLabConnection = {
    address: pairDiscovery.address,
    pairDiscovery,
    meanRev,
    checkHealth: () => pairDiscovery.checkHealth(""),
    close: () => {
      meanRev.close();
      pairDiscovery.close();
    },
  };
  if (waitForReadyMs > 0) {
    try {
      await pairDiscovery.waitForReady(waitForReadyMs);
    } catch (error) {
      connection.close();
      throw error;
    }
  }
  return connection;
}
