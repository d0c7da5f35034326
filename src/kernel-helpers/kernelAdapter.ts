/**
 * The one place that knows which notebook kernel we run in.
 *
 * Every helper displays through a `KernelAdapter`: `display(bundle)` sends one Jupyter
 * `display_data` message carrying several MIME types at once (e.g. text/html plus a text/plain
 * fallback), and `createHandle()` returns a handle whose `update(bundle)` replaces that output in
 * place (`update_display_data` with a `display_id`, used by `progress` and `liveTable`).
 *
 * tslab specifics: tslab's public `display.html(...)` sends a single MIME type per message. Its
 * kernel module `tslab/dist/jupyter.js` exposes `lastWriteDisplayData(content, update)` while a
 * cell executes, which takes a whole MIME bundle and a `transient.display_id`. We use the instance
 * already loaded by the running kernel (looked up in Node's module cache, so it is the same object
 * the kernel writes through) and fall back to the public one-MIME-per-call API if tslab ever
 * changes. Moving to another TypeScript kernel means writing one more adapter here.
 *
 * Outside a kernel (tsx scripts, vitest) the default adapter prints the text/plain part to stdout;
 * tests install `recordingAdapter()` with `setKernelAdapter`.
 */
import { createRequire } from "node:module";

/** A Jupyter MIME bundle: MIME type -> content (all text; binary types are base64 strings). */
export type MimeBundle = Readonly<Record<string, string>>;

/** A display that can be replaced in place. */
export interface DisplayHandle {
  /** Replace the handle's output (the first call creates it). */
  update(bundle: MimeBundle): void;
}

/** What a helper needs from a notebook kernel. */
export interface KernelAdapter {
  /** Short name for diagnostics ("tslab", "console", "recording"). */
  readonly name: string;
  /** Append one output with every MIME type of `bundle`. */
  display(bundle: MimeBundle): void;
  /** A new output slot that `update` overwrites. */
  createHandle(): DisplayHandle;
}

/** A recorded display call (recordingAdapter). */
export interface RecordedDisplay {
  readonly displayId: string | null;
  readonly update: boolean;
  readonly bundle: MimeBundle;
}

type WriteDisplayData = (
  content: { data: MimeBundle; metadata: Record<string, never>; transient: { display_id?: string } },
  update: boolean,
) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

interface TslabPublicModule {
  newDisplay(): { raw(contentType: string, content: string): void };
  display: { raw(contentType: string, content: string): void };
}

const TSLAB_JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;
const TSLAB_PUBLIC_MODULE = /[\\/]tslab[\\/]dist[\\/]public\.js$/;

let displayCounter = 0;
function newDisplayId(): string {
  displayCounter += 1;
  return `arbitrage-lab-${process.pid}-${Date.now().toString(36)}-${displayCounter}`;
}

/** The tslab modules loaded by the running kernel, if we are inside one. */
function loadedTslabModules(): { jupyter?: TslabJupyterModule; pub?: TslabPublicModule } {
  const cache = createRequire(`${process.cwd()}/`).cache;
  const found: { jupyter?: TslabJupyterModule; pub?: TslabPublicModule } = {};
  for (const [file, mod] of Object.entries(cache)) {
    if (!mod) continue;
    if (TSLAB_JUPYTER_MODULE.test(file)) found.jupyter = mod.exports as TslabJupyterModule;
    else if (TSLAB_PUBLIC_MODULE.test(file)) found.pub = mod.exports as TslabPublicModule;
  }
  return found;
}

/** MIME types in the order the public-API fallback prefers them (charts, then HTML). */
const RICHEST_FIRST = ["application/vnd.arbitrage-lab.plotly", "text/html"];

/**
 * The adapter for the tslab kernel, or null when this process is not a tslab kernel.
 * Uses multi-MIME messages through tslab's kernel module; if that internal is missing, falls back
 * to tslab's public API (html and text then arrive as two outputs).
 */
export function tslabAdapter(): KernelAdapter | null {
  const { jupyter, pub } = loadedTslabModules();
  if (!jupyter && !pub) return null;
  const write = (bundle: MimeBundle, displayId: string | null, update: boolean): void => {
    const writer = jupyter?.lastWriteDisplayData;
    if (typeof writer === "function") {
      writer({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
      return;
    }
    if (!pub) throw new Error("kernel-helpers: tslab is loaded but no cell is executing");
    // Public API: one MIME type per message; prefer the richest one.
    const type = RICHEST_FIRST.find((t) => bundle[t] !== undefined) ?? "text/plain";
    (displayId ? pubHandles.get(displayId)! : pub.display).raw(type, bundle[type] ?? "");
  };
  const pubHandles = new Map<string, { raw(contentType: string, content: string): void }>();
  return {
    name: "tslab",
    display: (bundle) => write(bundle, null, false),
    createHandle: () => {
      const id = newDisplayId();
      if (pub && typeof jupyter?.lastWriteDisplayData !== "function") pubHandles.set(id, pub.newDisplay());
      let shown = false;
      return {
        update: (bundle) => {
          write(bundle, id, shown);
          shown = true;
        },
      };
    },
  };
}

/** Prints the text/plain part of every display to stdout (scripts run with tsx). */
export function consoleAdapter(): KernelAdapter {
  const print = (bundle: MimeBundle): void => {
    process.stdout.write(`${bundle["text/plain"] ?? "[no text/plain output]"}\n`);
  };
  return { name: "console", display: print, createHandle: () => ({ update: print }) };
}

/** Records every display call in `records` (tests). */
export function recordingAdapter(): KernelAdapter & { readonly records: RecordedDisplay[] } {
  const records: RecordedDisplay[] = [];
  return {
    name: "recording",
    records,
    display: (bundle) => records.push({ displayId: null, update: false, bundle }),
    createHandle: () => {
      const id = newDisplayId();
      let shown = false;
      return {
        update: (bundle) => {
          records.push({ displayId: id, update: shown, bundle });
          shown = true;
        },
      };
    },
  };
}

let current: KernelAdapter | null = null;

/** Install the adapter every helper displays through (tests, other kernels). */
export function setKernelAdapter(adapter: KernelAdapter | null): void {
  current = adapter;
}

/** The active adapter: the one set explicitly, else tslab when inside it, else the console. */
export function kernelAdapter(): KernelAdapter {
  if (!current) current = tslabAdapter() ?? consoleAdapter();
  return current;
}
