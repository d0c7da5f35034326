/**
 * Worker-thread entry of the compute pool: runs one named op from compute/ops.ts and replies with
 * a plain `{ ok, value | failure }` object (see pool.ts).
 */
import { describeFailure } from "./errors.js";
import { ops, type OpName } from "./compute/ops.js";
import type { WorkerReply, WorkerTask } from "./pool.js";

export default function runTask(task: WorkerTask<OpName>): WorkerReply<unknown> {
  try {
    const fn = ops[task.op] as ((payload: unknown) => unknown) | undefined;
    if (typeof fn !== "function") return { ok: false, failure: { code: "INTERNAL", message: `unknown compute op ${String(task.op)}` } };
    return { ok: true, value: fn(task.payload) };
  } catch (error) {
    return { ok: false, failure: describeFailure(error) };
  }
}
