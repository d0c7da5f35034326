/**
 * The compute pool: heavy work runs in worker threads (piscina), never on the event loop. Workers
 * execute the TypeScript sources through tsx's loader (`--import tsx`), so the same code runs under
 * `npm run server` (tsx), vitest and the benchmarks without a build step.
 *
 * A task is `{ op, payload }` where `op` names a function in compute/ops.ts; the worker answers
 * `{ ok: true, value }` or `{ ok: false, failure }` (never throws across the thread boundary, so
 * RangeError/TypeError keep their meaning as INVALID_ARGUMENT).
 *
 * Cancellation: `run` takes an AbortSignal (the handlers abort it when the call is cancelled or its
 * deadline passes). A queued task is dropped; a running one has its worker thread terminated
 * (piscina), which stops any kernel at once, and piscina starts a fresh thread. A task that shared
 * the terminated thread (two per worker) fails with "Terminating worker thread" through no fault
 * of its own and is resubmitted (ops are pure functions of their payload).
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { failureToError, WireError, type FailureDescription } from "./errors.js";
import type { OpName, OpPayload, OpResult } from "./compute/ops.js";
import type { PoolStats } from "./metrics.js";

/**
 * Young-generation cap of each worker's V8 heap. Uncapped, V8 grows a busy worker's semi-spaces
 * to their maximum and keeps them committed: under the 30 s mixed load test each worker's heap went
 * from 33 to 49 MiB and the server's peak RSS to 300–350 MiB, depending on the allocation pattern
 * of whatever ran. Capped at 16 MiB: 33 MiB per worker throughout, peak RSS ~262 MiB, and RSS after
 * the load run below the post-warm-up baseline; discovery throughput unchanged within the noise.
 */
export const WORKER_YOUNG_GENERATION_MB = 16;

/** Resubmissions of a task whose thread was terminated by another task's cancellation. */
export const MAX_TASK_RESUBMISSIONS = 3;

/** Tasks that may wait for a thread before new ones get RESOURCE_EXHAUSTED. */
export const MAX_QUEUED_TASKS = 10_000;

/** What a worker sends back. */
export type WorkerReply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: FailureDescription };

/** A task as sent to a worker. */
export interface WorkerTask<K extends OpName = OpName> {
  readonly op: K;
  readonly payload: OpPayload<K>;
}

function tsxLoaderUrl(): string {
  const require = createRequire(import.meta.url);
  return pathToFileURL(require.resolve("tsx")).href;
}

/**
 * The task's thread was terminated because another task on it was cancelled, and the task could
 * not be resubmitted (its buffers were transferred): the caller may rebuild the payload and retry.
 */
export class WorkerTerminatedError extends WireError {
  constructor(message: string) {
    super("INTERNAL", `compute worker failed: ${message}`);
  }
}

export class ComputePool {
  private readonly piscina: Piscina;
  private active = 0;
  private closed = false;

  /** @param size worker threads (>= 1), all started eagerly so the first call is not slowed by a cold start */
  constructor(readonly size: number) {
    // From source (tsx) the worker is worker.ts beside this file; in the compiled build
    // (scripts/build.mjs) every entry is bundled into dist/server/ next to worker.js.
    const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
    this.piscina = new Piscina({
      filename: workerUrl.href,
      minThreads: size,
      maxThreads: size,
      idleTimeout: Number.POSITIVE_INFINITY,
      maxQueue: MAX_QUEUED_TASKS,
      concurrentTasksPerWorker: 2,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      execArgv: workerUrl.pathname.endsWith(".ts") ? ["--import", tsxLoaderUrl()] : [],
    });
  }

  /**
   * Run `op(payload)` in a worker. Rejects with a WireError carrying the intended gRPC code
   * (CANCELLED when `signal` aborts; the worker running it is terminated and replaced).
   * Transferred buffers are detached in the caller, so a task with a transferList is not resubmitted.
   */
  async run<K extends OpName>(op: K, payload: OpPayload<K>, transferList?: Transferable[], signal?: AbortSignal): Promise<OpResult<K>> {
    if (this.closed) throw new WireError("INTERNAL", "compute pool is shutting down");
    this.active++;
    try {
      let reply: WorkerReply<OpResult<K>> | undefined;
      for (let attempt = 0; reply === undefined; attempt++) {
        try {
          const task: WorkerTask<K> = { op, payload };
          reply = await this.piscina.run(task, {
            ...(transferList ? { transferList: transferList as never } : {}),
            ...(signal ? { signal } : {}),
          });
        } catch (error) {
          const message = (error as Error).message ?? String(error);
          if (signal?.aborted) throw new WireError("CANCELLED", `${op}: cancelled (${String(signal.reason ?? "call ended")})`);
          if (/queue is at limit/i.test(message)) {
            throw new WireError("RESOURCE_EXHAUSTED", `server busy: more than ${MAX_QUEUED_TASKS} compute tasks queued`);
          }
          const victim = /Terminating worker thread/i.test(message) && !this.closed && transferList === undefined;
          if (victim && attempt < MAX_TASK_RESUBMISSIONS) continue;
          if (/Terminating worker thread/i.test(message) && !this.closed) throw new WorkerTerminatedError(message);
          throw new WireError("INTERNAL", `compute worker failed: ${message}`);
        }
      }
      if (!reply.ok) throw failureToError(reply.failure);
      return reply.value;
    } finally {
      this.active--;
    }
  }

  /**
   * Wait until every thread has loaded the worker module (TypeScript compiled by tsx, the library
   * imported) and run the TestPair pipeline a few times, so the first real call is not slowed by a
   * cold start (one task per thread: idle threads take them in parallel).
   */
  async warmUp(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.run("ping", "warm")));
  }

  /**
   * Full GC in every worker thread (only with node --expose-gc; diagnostics for the load test's
   * RSS measurement): one task per thread, each pausing 50 ms after its GC so the copies land on
   * different threads. Returns each task's heap numbers after its GC (bytes).
   */
  async collectGarbage(): Promise<OpResult<"collectGarbage">[]> {
    return Promise.all(Array.from({ length: this.size }, () => this.run("collectGarbage", undefined)));
  }

  /** Live pool numbers for the metrics endpoint and tests. */
  stats(): PoolStats {
    return {
      threads: this.piscina.threads.length,
      queueSize: this.piscina.queueSize,
      utilization: this.piscina.utilization,
      completed: this.piscina.completed,
      activeTasks: this.active,
    };
  }

  /**
   * Wait for running tasks, then stop the threads. With `graceMs`, threads still busy after it are
   * terminated (a task that would run past shutdown must not keep the process alive).
   */
  async close(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = this.piscina.close();
    if (!Number.isFinite(graceMs)) return closing;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => {
      timer = setTimeout(() => resolve("expired"), Math.max(0, graceMs));
    });
    const outcome = await Promise.race([closing.then(() => "closed" as const), expired]);
    clearTimeout(timer);
    if (outcome === "expired") await this.piscina.destroy();
  }
}
