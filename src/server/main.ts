/**
 * `npm run server`: start the gRPC server with the configuration from the environment
 * (see config.ts `configFromEnv`) and stop gracefully on SIGTERM / SIGINT / SIGHUP.
 *
 * Signals: the npm script `exec`s node (tsx as an --import loader), so node is npm's direct child
 * and receives the SIGTERM npm forwards; the shutdown is bounded (SHUTDOWN_GRACE_MS for calls, then
 * one second for pool threads, then a hard exit). Should the parent (npm) die without forwarding
 * the signal, the server notices that it was re-parented and shuts down too, rather than keep
 * listening as an orphan.
 */
import { configFromEnv } from "./config.js";
import { startServer } from "./startServer.js";

/** How often the parent process is checked. */
const PARENT_CHECK_MS = 1000;
/** Beyond the configured grace period, how long a shutdown may take before the process exits anyway. */
const HARD_EXIT_MARGIN_MS = 5000;

const config = configFromEnv();
const server = await startServer(config);
let stopping = false;
const shutdown = (reason: string): void => {
  if (stopping) return;
  stopping = true;
  server.logger.info({ reason }, "shutting down");
  setTimeout(() => {
    server.logger.error({ reason }, "shutdown did not finish in time: exiting");
    process.exit(1);
  }, config.shutdownGraceMs + HARD_EXIT_MARGIN_MS).unref();
  server.close().then(
    () => process.exit(0),
    (error: Error) => {
      server.logger.error({ err: error.message }, "error during shutdown");
      process.exit(1);
    },
  );
};
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => shutdown(signal));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) shutdown(`parent process ${parent} exited`);
}, PARENT_CHECK_MS).unref();
process.on("uncaughtException", (error) => {
  // Handlers catch their own errors (INTERNAL statuses); anything reaching here is a bug: log it
  // with the stack and keep serving the other calls.
  server.logger.error({ err: error.stack ?? String(error) }, "uncaught exception (process kept alive)");
});
process.on("unhandledRejection", (reason) => {
  server.logger.error({ err: reason instanceof Error ? reason.stack : String(reason) }, "unhandled rejection (process kept alive)");
});
