/**
 * Short error reports in notebooks: an error thrown by the library inside a cell is printed by
 * tslab with its whole stack, about ten frames of the notebook bundle (notebooks/lib/) and of
 * tslab's own executor before the cell's line. `shortStackTraces()` installs a V8
 * `Error.prepareStackTrace` that keeps the message and only the frames of the user's code, dropping
 * frames in the bundle, in node_modules and in Node internals. The notebook bundle installs it when
 * it is loaded in a tslab kernel (notebookEntry.ts); `longStackTraces()` restores V8's default.
 */

/** Where a stack frame comes from: bundle, packages and Node internals are hidden. */
export function isLibraryFrame(fileName: string | null | undefined): boolean {
  if (!fileName) return true;
  return fileName.startsWith("node:") || fileName.includes("/node_modules/") || /[\\/]notebooks[\\/]lib[\\/]/.test(fileName);
}

let installed = false;

/** Install the filtering stack formatter (idempotent). */
export function shortStackTraces(): void {
  if (installed) return;
  installed = true;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]): string => {
    const head = `${error.name}: ${error.message}`;
    const kept = frames.filter((f) => !isLibraryFrame(f.getFileName()));
    return kept.length ? `${head}\n${kept.map((f) => `    at ${String(f)}`).join("\n")}` : head;
  };
}

/** Restore V8's default stack formatting. */
export function longStackTraces(): void {
  installed = false;
  delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
}
