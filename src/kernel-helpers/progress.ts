/**
 * A live progress bar updated in place (one display handle), throttled so a fast loop or a gRPC
 * stream of thousands of messages sends at most one update per `throttleMs`.
 */
import { kernelAdapter, type DisplayHandle, type MimeBundle } from "./kernelAdapter.js";
import { escapeHtml } from "./formatValue.js";

/** Minimum time between two redraws (ms). */
export const DEFAULT_THROTTLE_MS = 150;
const BAR_WIDTH = 30;

/** Options of `progress`. */
export interface ProgressOptions {
  readonly label?: string;
  readonly throttleMs?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

/** A live progress bar (see `progress`). */
export interface ProgressBar {
  /** Advance by `count` (default 1); `note` replaces the status text (e.g. the latest result). */
  tick(count?: number, note?: string): void;
  /** Set the absolute number of completed steps (e.g. `pairs_tested` from a stream). */
  set(done: number, note?: string): void;
  /** Change the total when it becomes known later. */
  setTotal(total: number): void;
  /** Draw the final state now (no throttling); further ticks are ignored. */
  finish(note?: string): void;
  readonly done: number;
  readonly total: number;
  /** Seconds since the bar was created. */
  readonly elapsedSeconds: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}

/**
 * Start a progress bar for `total` steps.
 * @example const bar = progress(4950, { label: "pairs" }); for await (const u of stream) bar.set(u.pairsTested); bar.finish();
 */
export function progress(total: number, options: ProgressOptions = {}): ProgressBar {
  if (!Number.isFinite(total) || total < 0) throw new RangeError(`progress: total must be a finite number ≥ 0, got ${total}`);
  const now = options.now ?? (() => performance.now());
  const throttleMs = options.throttleMs ?? DEFAULT_THROTTLE_MS;
  const label = options.label ?? "progress";
  const start = now();
  const handle: DisplayHandle = kernelAdapter().createHandle();
  let done = 0;
  let totalSteps = total;
  let note = "";
  let lastDraw = -Infinity;
  let finished = false;

  const bundle = (): MimeBundle => {
    const elapsed = (now() - start) / 1000;
    const fraction = totalSteps > 0 ? Math.min(1, done / totalSteps) : finished ? 1 : 0;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = finished ? 0 : rate > 0 ? (totalSteps - done) / rate : Infinity;
    const status = finished
      ? `${done}/${totalSteps} in ${formatDuration(elapsed)}`
      : `${done}/${totalSteps} · ${(100 * fraction).toFixed(1)} % · ${formatDuration(elapsed)} · ETA ${formatDuration(eta)}`;
    const filled = Math.round(fraction * BAR_WIDTH);
    const text = `${label} [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${status}${note ? ` · ${note}` : ""}`;
    const html =
      `<div class="arbitrage-lab-progress" style="font-family:monospace;font-size:12px">` +
      `<span>${escapeHtml(label)}</span> ` +
      `<progress value="${done}" max="${Math.max(totalSteps, 1e-9)}" style="width:240px;vertical-align:middle"></progress> ` +
      `<span>${escapeHtml(status)}</span>` +
      (note ? `<div style="color:#555">${escapeHtml(note)}</div>` : "") +
      `</div>`;
    return { "text/html": html, "text/plain": text };
  };
  const draw = (force: boolean): void => {
    const t = now();
    if (!force && t - lastDraw < throttleMs) return;
    lastDraw = t;
    handle.update(bundle());
  };
  draw(true);

  return {
    tick(count = 1, newNote) {
      if (finished) return;
      done += count;
      if (newNote !== undefined) note = newNote;
      draw(false);
    },
    set(value, newNote) {
      if (finished) return;
      done = value;
      if (newNote !== undefined) note = newNote;
      draw(false);
    },
    setTotal(value) {
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`progress: total must be a finite number ≥ 0, got ${value}`);
      totalSteps = value;
    },
    finish(newNote) {
      if (finished) return;
      finished = true;
      if (newNote !== undefined) note = newNote;
      draw(true);
    },
    get done() {
      return done;
    },
    get total() {
      return totalSteps;
    },
    get elapsedSeconds() {
      return (now() - start) / 1000;
    },
  };
}
