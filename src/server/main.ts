/**
 * `npm run server`: start the gRPC server with the configuration from the environment
 * (see config.ts `configFromEnv`) and stop gracefully on SIGTERM / SIGINT.
 */
import { configFromEnv } from "./config.js";
import { startServer } from "./startServer.js";

const server = await startServer(configFromEnv());
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (error: Error) => {
        server.logger.error({ err: error.message }, "error during shutdown");
        process.exit(1);
      },
    );
  });
}
process.on("uncaughtException", (error) => {
  // Handlers catch their own errors (INTERNAL statuses); anything reaching here is a bug: log it
  // with the stack and keep serving the other calls.
  server.logger.error({ err: error.stack ?? String(error) }, "uncaught exception (process kept alive)");
});
process.on("unhandledRejection", (reason) => {
  server.logger.error({ err: reason instanceof Error ? reason.stack : String(reason) }, "unhandled rejection (process kept alive)");
});
