#!/usr/bin/env node
// Probe a gRPC server's grpc.health.v1.Health/Check (overall status, service "").
// Usage: node scripts/grpc-health.mjs [host:port] [timeoutMs]; exit 0 when SERVING, 1 otherwise.
// Used by the Docker healthcheck and by `npm run lab` while it waits for the server.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js");
const { service: healthService } = require("grpc-health-check");

const target = process.argv[2] ?? `${process.env.GRPC_HOST ?? "localhost"}:${process.env.GRPC_PORT ?? "50051"}`;
const timeoutMs = Number(process.argv[3] ?? 2000);
const Client = grpc.makeGenericClientConstructor(healthService, "Health");
const creds = process.env.GRPC_TLS_CA
  ? grpc.credentials.createSsl(require("node:fs").readFileSync(process.env.GRPC_TLS_CA))
  : grpc.credentials.createInsecure();
const client = new Client(target, creds);
client.check({ service: "" }, { deadline: Date.now() + timeoutMs }, (err, res) => {
  client.close();
  if (err) {
    console.error(`health ${target}: ${err.details || err.message}`);
    process.exit(1);
  }
  const status = typeof res.status === "number" ? ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"][res.status] : res.status;
  console.log(`health ${target}: ${status}`);
  process.exit(status === "SERVING" ? 0 : 1);
});
