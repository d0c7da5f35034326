#!/usr/bin/env node
// HTTP healthcheck for the Node images (no curl in them): exit 0 when GET <url> answers 2xx
// within the timeout, 1 otherwise. Usage: node scripts/http-health.mjs <url> [timeoutMs]
const url = process.argv[2];
const timeoutMs = Number(process.argv[3] ?? 3000);
if (!url) {
  console.error("usage: http-health.mjs <url> [timeoutMs]");
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  console.log(`health ${url}: ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`health ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
