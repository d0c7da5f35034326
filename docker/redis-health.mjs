#!/usr/bin/env node
// Healthcheck of a compute worker container: its queue backend (REDIS_URL) answers PING within
// the timeout (the worker process itself is PID 1: if it exits, the container stops and compose
// restarts it). Usage: node scripts/redis-health.mjs [timeoutMs]; exit 0 = healthy.
import { Redis } from "ioredis";

const url = process.env.REDIS_URL;
if (!url) {
  console.error("redis-health: REDIS_URL is not set");
  process.exit(1);
}
const redis = new Redis(url, {
  lazyConnect: true,
  maxRetriesPerRequest: 0,
  connectTimeout: Number(process.argv[2] ?? 3000),
});
try {
  await redis.connect();
  const pong = await redis.ping();
  console.log(`redis-health ${url}: ${pong}`);
  process.exit(pong === "PONG" ? 0 : 1);
} catch (error) {
  console.error(`redis-health ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
} finally {
  redis.disconnect();
}
