/**
 * A table that redraws in place as rows arrive (e.g. the best pairs so far of a streaming
 * discovery), throttled like `progress`.
 */
import { kernelAdapter } from "./kernelAdapter.js";
import { tableBundle, type TableInput, type TableOptions } from "./table.js";
import { DEFAULT_THROTTLE_MS } from "./progress.js";

/** A table display that `update` replaces. */
export interface LiveTable {
  /** Show these rows (throttled unless `force`). */
  update(rows: TableInput, force?: boolean): void;
}

/**
 * Create a live table.
 * @example const live = liveTable({ caption: "best pairs so far", maxRows: 10 }); live.update(top10);
 */
export function liveTable(options: TableOptions & { readonly throttleMs?: number } = {}): LiveTable {
  const handle = kernelAdapter().createHandle();
  const throttleMs = options.throttleMs ?? DEFAULT_THROTTLE_MS;
  let lastDraw = -Infinity;
  return {
    update(rows, force = false) {
      const t = performance.now();
      if (!force && t - lastDraw < throttleMs) return;
      lastDraw = t;
      handle.update(tableBundle(rows, options));
    },
  };
}
