/**
 * One isolate's V8 heap numbers (bytes), for the load test's memory report: the main thread's and,
 * through the pool's `collectGarbage` task, each worker's.
 */
import { getHeapStatistics } from "node:v8";

export interface HeapNumbers {
  /** Heap committed by V8 (total_heap_size). */
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** Memory V8 itself malloc'ed outside the heap. */
  readonly malloced: number;
  /** Memory of external objects (ArrayBuffers and the like) V8 is told about. */
  readonly external: number;
}

/** This isolate's heap numbers now. */
export function heapNumbers(): HeapNumbers {
  const h = getHeapStatistics();
  return { heapTotal: h.total_heap_size, heapUsed: h.used_heap_size, malloced: h.malloced_memory, external: h.external_memory };
}
