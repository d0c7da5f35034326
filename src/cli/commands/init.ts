import type { Command } from "commander";
import { initBundledData } from "../../data/index.js";
import { globalOptions, output, progress, withStore } from "../common.js";

/** `arblab init`: load the bundled data/ with instrument tags and one universe per file. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("load the bundled data/ CSVs into the store, tag the instruments, create one universe per file (idempotent)")
    .option("--data-dir <dir>", "folder with the bundled CSVs (default $ARBLAB_DATA_DIR, else the data/ beside the install)")
    .action(async (options: { dataDir?: string }, command: Command) => {
      const g = globalOptions(command);
      const bar = progress(g, "init");
      const report = await withStore(g, async (store) => {
        const r = await initBundledData(store, { dataDir: options.dataDir, onProgress: (d, t, s) => bar.update(d, t, s) });
        bar.stop();
        return { store: store.path, ...r };
      });
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
