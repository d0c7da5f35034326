/**
 * Start a real Arbitrage Lab server (E1's `startServer`) on 127.0.0.1:0 for a test file, with
 * silent logs and an ephemeral metrics port, and typed clients pointed at it. Tests stop it in
 * afterAll (`stop()` closes the clients, then the server gracefully).
 */
import { startServer, type RunningServer } from "../../src/server/startServer.js";
import type { ServerConfig } from "../../src/server/config.js";
import { PairDiscoveryClient } from "../../src/client/PairDiscoveryClient.js";
import { MeanRevClient } from "../../src/client/MeanRevClient.js";

export interface TestServer {
  readonly server: RunningServer;
  readonly port: number;
  readonly pairDiscovery: PairDiscoveryClient;
  readonly meanRev: MeanRevClient;
  stop(): Promise<void>;
}

export async function startTestServer(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  const server = await startServer({ bindAddress: "127.0.0.1:0", metricsPort: 0, logLevel: "silent", ...config });
  const pairDiscovery = new PairDiscoveryClient({ host: "127.0.0.1", port: server.port, token: config.authToken ?? undefined });
  const meanRev = new MeanRevClient({ host: "127.0.0.1", port: server.port, token: config.authToken ?? undefined });
  return {
    server,
    port: server.port,
    pairDiscovery,
    meanRev,
    async stop() {
      pairDiscovery.close();
      meanRev.close();
      await server.close();
    },
  };
}
