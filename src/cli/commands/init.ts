import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { bundledDataDir, bundledDataFingerprint, defaultStorePath, initBundledData } from "../../data/index.js";
import { globalOptions, output, progress, withStore } from "../common.js";

/** DuckDB's message when another process holds the store file's lock (one writer per file). */
const LOCK_HELD = /Could not set lock on file/;

/** The marker `init --skip-if-held` writes beside the store after a successful run. */
interface InitMarker {
  readonly fingerprint: string;
  readonly dataDir: string;
  readonly at: string;
}

function readMarker(file: string): InitMarker | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as InitMarker;
  } catch {
    return null; // a damaged marker only means "not known to be current"
  }
}

/** `arblab init`: load the bundled data/ with instrument tags and one universe per file. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("load the bundled data/ CSVs into the store, tag the instruments, create one universe per file (idempotent)")
    .option("--data-dir <dir>", "folder with the bundled CSVs (default $ARBLAB_DATA_DIR, else the data/ beside the install)")
    .option(
      "--skip-if-held",
      "record the data's fingerprint in <store>.init.json; when another process holds the store and it was initialised from the same data, report that and exit 0 (the compose stack's store-init)",
    )
    .action(async (options: { dataDir?: string; skipIfHeld?: boolean }, command: Command) => {
      const g = globalOptions(command);
      const storePath = resolve(g.store ?? defaultStorePath());
      const markerPath = `${storePath}.init.json`;
      const fingerprint = options.skipIfHeld ? bundledDataFingerprint({ dataDir: options.dataDir }) : "";
      const bar = progress(g, "init");
      let report: { store: string; files: Awaited<ReturnType<typeof initBundledData>>["files"]; instruments: number };
      try {
        report = await withStore({ ...g, store: storePath }, async (store) => {
          const r = await initBundledData(store, { dataDir: options.dataDir, onProgress: (d, t, s) => bar.update(d, t, s) });
          bar.stop();
          return { store: store.path, ...r };
        });
      } catch (error) {
        bar.stop();
        if (!options.skipIfHeld || !LOCK_HELD.test((error as Error).message)) throw error;
        const marker = readMarker(markerPath);
        if (marker?.fingerprint !== fingerprint)
          throw new Error(
            `init: ${storePath} is held by another process and was not initialised from this data/ (${fingerprint}; ${markerPath}: ${marker?.fingerprint ?? "missing"}); stop the process holding it (in the compose stack: market-data) and run init again`,
          );
        const skipped = {
          store: storePath,
          skipped: "held by another process, already initialised from this data/",
          fingerprint,
          at: marker.at,
        };
        output(g, skipped, () => `store ${storePath}: ${skipped.skipped} (${fingerprint}, ${marker.at}); nothing to do`);
        return;
      }
      if (options.skipIfHeld) {
        const marker: InitMarker = { fingerprint, dataDir: bundledDataDir({ dataDir: options.dataDir }), at: new Date().toISOString() };
        writeFileSync(`${markerPath}.tmp`, `${JSON.stringify(marker)}\n`);
        renameSync(`${markerPath}.tmp`, markerPath); // never a half-written marker
      }
      output(g, report, () =>
        [
          `store ${report.store}`,
          ...report.files.map(
            (f) =>
              `  ${f.universe}: ${f.symbols.length} symbols, ${f.inserted} bars inserted, ${f.updated} updated, ${f.unchanged} unchanged`,
          ),
          `  ${report.instruments} instruments tagged`,
        ].join("\n"),
      );
    });
}
