/**
 * `arblab serve`: the gRPC server and the market-data service in one process, both stopped by
 * Ctrl-C or SIGTERM (the gRPC server drains in-flight calls for SHUTDOWN_GRACE_MS, the market-data
 * service ends its replays; then the store is closed).
 * gRPC settings come from the environment as for `npm run server` (GRPC_BIND_ADDRESS, …);
 * the market-data service listens on MARKET_DATA_HOST:MARKET_DATA_PORT (127.0.0.1:8000).
 */
import { type Command, InvalidArgumentError } from "commander";
import { Store, defaultStorePath } from "../../data/index.js";
import { globalOptions } from "../common.js";
import type { RunningServer } from "../../server/startServer.js";
import type { RunningMarketDataService } from "../../data/market/startMarketDataService.js";
import { DEFAULT_MARKET_DATA_PORT, DEFAULT_WEIGHT_LIMIT } from "../../data/market/serviceDefaults.js";

interface ServeFlags {
  host: string;
  port: number;
  grpc?: string;
  metricsPort?: number;
  weightLimit: number;
}

function parsePort(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?[0-9]+$/.test(value) || n < min || n > 65535)
      throw new InvalidArgumentError(`${name} must be an integer ${min} … 65535, got ${JSON.stringify(value)}`);
    return n;
  };
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  return parsePort(name, 0)(raw.trim());
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the gRPC server and the market-data service (Binance-format REST + kline replay) until Ctrl-C / SIGTERM")
    .option("--host <host>", "market-data bind host ($MARKET_DATA_HOST)", process.env.MARKET_DATA_HOST || "127.0.0.1")
    .option(
      "--port <port>",
      `market-data port, 0 = any free port ($MARKET_DATA_PORT, default ${DEFAULT_MARKET_DATA_PORT})`,
      parsePort("--port", 0),
    )
    .option("--grpc <host:port>", "gRPC bind address (default $GRPC_BIND_ADDRESS or 0.0.0.0:50051)")
    .option(
      "--metrics-port <port>",
      "Prometheus metrics port, 0 = any, -1 = off (default $METRICS_PORT or 9464)",
      parsePort("--metrics-port", -1),
    )
    .option(
      "--weight-limit <n>",
      "market-data request weight per client and minute",
      (v) => {
        const n = Number(v);
        if (!/^[0-9]+$/.test(v) || n < 1)
          throw new InvalidArgumentError(`--weight-limit must be a positive integer, got ${JSON.stringify(v)}`);
        return n;
      },
      DEFAULT_WEIGHT_LIMIT,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      const g = globalOptions(command);
      const [{ startMarketDataService }, { configFromEnv }, { startServer }] = await Promise.all([
        import("../../data/market/startMarketDataService.js"),
        import("../../server/config.js"),
        import("../../server/startServer.js"),
      ]);
      const port = flags.port ?? envPort("MARKET_DATA_PORT", DEFAULT_MARKET_DATA_PORT);
      const grpcConfig = configFromEnv();
      const store = await Store.open(g.store ?? defaultStorePath());
      const config = {
        ...grpcConfig,
        // DiscoverPairs/TestPair by universe read the same store (both servers only read it here).
        storePath: store.path,
        ...(flags.grpc !== undefined ? { bindAddress: flags.grpc } : {}),
        ...(flags.metricsPort !== undefined ? { metricsPort: flags.metricsPort < 0 ? null : flags.metricsPort } : {}),
      };
      let market: RunningMarketDataService | null = null;
      let grpc: RunningServer | null = null;
      let stopping: Promise<void> | null = null;
      const stop = () => {
        stopping ??= (async () => {
          const results = await Promise.allSettled([market?.close(), grpc?.close()]);
          await store.close();
          const failed = results.find((r) => r.status === "rejected");
          if (failed) throw (failed as PromiseRejectedResult).reason;
        })();
        return stopping;
      };
      // Handlers go in before anything listens or prints: a signal that arrives between the printed
      // addresses and a later registration would kill the process with the default action.
      let signalled: NodeJS.Signals | null = null;
      let wake: (() => void) | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled !== null) {
          process.stderr.write(`serve: second ${signal}, exiting now\n`);
          process.exit(1);
        }
        signalled = signal;
        wake?.();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        market = await startMarketDataService({ store, host: flags.host, port, weightLimit: flags.weightLimit });
        grpc = await startServer(config);
      } catch (error) {
        await stop().catch(() => undefined);
        throw error;
      }
      const grpcHost = config.bindAddress.slice(0, config.bindAddress.lastIndexOf(":"));
      const addresses = { marketData: market.url, grpc: `${grpcHost}:${grpc.port}`, metricsPort: grpc.metricsPort, store: store.path };
      if (g.json) process.stdout.write(`${JSON.stringify(addresses)}\n`);
      else {
        process.stdout.write(`market-data service on ${addresses.marketData} (Binance REST /api/v3, kline replay /ws)\n`);
        process.stdout.write(
          `gRPC server on ${addresses.grpc}${grpc.metricsPort !== null ? `, metrics on :${grpc.metricsPort}/metrics` : ""}\n`,
        );
        process.stdout.write(`store ${store.path}; Ctrl-C stops both\n`);
      }
      await new Promise<void>((resolve) => {
        if (signalled !== null) resolve();
        else wake = resolve;
      });
      process.stderr.write(`serve: ${signalled}, stopping the market-data service and the gRPC server …\n`);
      await stop();
    });
}
