/**
 * Worker-thread entry of the compute pool: runs one named op from compute/ops.ts and replies with
 * a plain `{ ok, value | failure }` object (see pool.ts).
 */
import { describeFailure } from "./errors.js";
import { opLoaders, type OpName } from "./compute/ops.js";
import type { WorkerReply, WorkerTask } from "./pool.js";

const loaded = new Map<OpName, (payload: unknown) => unknown>();

export default async function runTask(task: WorkerTask<OpName>): Promise<WorkerReply<unknown>> {
  try {
    let fn = loaded.get(task.op);
    if (fn === undefined) {
      const loader = opLoaders[task.op] as (() => Promise<(payload: unknown) => unknown>) | undefined;
      if (typeof loader !== "function") return { ok: false, failure: { code: "INTERNAL", message: `unknown compute op ${String(task.op)}` } };
      fn = await loader();
      loaded.set(task.op, fn);
    }
    return { ok: true, value: fn(task.payload) };
  } catch (error) {
    return { ok: false, failure: describeFailure(error) };
  }
}
