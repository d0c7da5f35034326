/**
 * What a distributed run keeps in Redis, and how: key names, the queue name, job data, and a JSON
 * codec that keeps NaN, ±Infinity and −0 (the per-pair results carry NaN p-values and infinite
 * half-lives; plain JSON would turn them into null and 0).
 *
 * Per run (id = random UUID), all with a TTL so a crashed coordinator leaves nothing for long:
 *   arblab:run:<id>:panel    hash { meta: JSON { symbols, length, options, shards }, series: Float64 bytes (LE) }
 *   arblab:run:<id>:results  list of encoded ShardReport, pushed by workers, popped by the coordinator
 * Jobs: queue DISCOVER_QUEUE, job id "<id>-<shard>", data DiscoverShardJob. Cancellation: the
 * coordinator deletes the panel key and publishes the run id on CANCEL_CHANNEL.
 */
import type { PairOptions } from "../server/compute/pairPipeline.js";
import type { PairOutcome } from "./discoverShard.js";

/** BullMQ queue of DiscoverPairs shards. */
export const DISCOVER_QUEUE = "arblab-discover";
/** Pub/sub channel carrying the ids of cancelled runs. */
export const CANCEL_CHANNEL = "arblab:cancel";
/** Seconds a run's keys live without being refreshed (the coordinator refreshes them while it waits). */
export const RUN_TTL_SECONDS = 3600;

export const panelKey = (runId: string): string => `arblab:run:${runId}:panel`;
export const resultsKey = (runId: string): string => `arblab:run:${runId}:results`;
export const jobId = (runId: string, shard: number): string => `${runId}-${shard}`;

/** Data of one shard job: pairs [start, end) of run `runId`. */
export interface DiscoverShardJob {
  readonly runId: string;
  readonly shard: number;
  readonly start: number;
  readonly end: number;
}

/** The panel key's meta field. */
export interface RunMeta {
  readonly symbols: readonly string[];
  readonly length: number;
  readonly options: PairOptions;
}

/** What a worker pushes for a shard: its outcomes in pair order, or the error that failed it. */
export interface ShardReport {
  readonly shard: number;
  readonly start: number;
  readonly outcomes: readonly PairOutcome[] | null;
  readonly error: string | null;
  /** Worker milliseconds spent on the pairs (for the per-shard overhead figures). */
  readonly computeMs: number;
  /** Which worker ran it: "hostname:pid". */
  readonly worker: string;
}

/** JSON with NaN, ±Infinity and −0 kept (as { "$num": "NaN" } etc.). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? { $num: Object.is(v, -0) ? "-0" : String(v) } : v,
  );
}

/**
 * Inverse of {@link encodeJson}: a plain JSON.parse, then one walk that replaces the tags (3× faster
 * than a JSON.parse reviver, which is called for every node; the coordinator decodes every report).
 */
export function decodeJson<T>(text: string): T {
  return untag(JSON.parse(text)) as T;
}

function untag(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    for (let k = 0; k < v.length; k++) {
      const item = v[k];
      if (item !== null && typeof item === "object") v[k] = untag(item);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.$num === "string" && Object.keys(o).length === 1) return Number(o.$num);
  for (const key in o) {
    const item = o[key];
    if (item !== null && typeof item === "object") o[key] = untag(item);
  }
  return o;
}

/** Float64 values as little-endian bytes (Redis stores a panel once per run in this form). */
export function seriesToBuffer(series: Float64Array): Buffer {
  const out = Buffer.alloc(series.length * 8);
  for (let k = 0; k < series.length; k++) out.writeDoubleLE(series[k]!, k * 8);
  return out;
}

/** Inverse of {@link seriesToBuffer}. @throws RangeError when the byte count is not a multiple of 8 */
export function bufferToSeries(bytes: Buffer): Float64Array {
  if (bytes.length % 8 !== 0) throw new RangeError(`bufferToSeries: ${bytes.length} bytes is not a whole number of doubles`);
  const out = new Float64Array(bytes.length / 8);
  for (let k = 0; k < out.length; k++) out[k] = bytes.readDoubleLE(k * 8);
  return out;
}

/** ioredis options from a redis:// URL (host, port, db, password), with bounded retries and timeouts. */
export function redisOptions(url: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`REDIS_URL must be a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new RangeError(`REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(url)}`);
  const db = parsed.pathname.length > 1 ? Number.parseInt(parsed.pathname.slice(1), 10) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new RangeError(`REDIS_URL database must be a non-negative integer, got ${JSON.stringify(parsed.pathname.slice(1))}`);
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number.parseInt(parsed.port, 10) : 6379,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    connectTimeout: 5000,
    ...overrides,
  };
}
