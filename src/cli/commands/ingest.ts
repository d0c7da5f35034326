import { type Command, Option } from "commander";
import { ingestFiles } from "../../data/index.js";
import { globalOptions, output, progress, withStore } from "../common.js";

/** `arblab ingest FILE...`: read, validate and store price files in one transaction. */
export function registerIngest(program: Command): void {
  program
    .command("ingest")
    .description("ingest CSV / Parquet / Arrow price files (long, wide or per-symbol) into the store; all or nothing")
    .argument("<files...>", "files to ingest (.csv, .parquet, .arrow)")
    .addOption(new Option("--format <shape>", "file shape").choices(["long", "wide", "per-symbol", "auto"]).default("auto"))
    .option("--interval <interval>", "bar interval (1m, 15m, 1h, 1d, 1w, …)", "1d")
    .option("--universe <name>", "create or replace this universe with the ingested symbols")
    .addOption(new Option("--field <field>", "price stored as close").choices(["close", "adjClose"]).default("close"))
    .option("--symbol <symbol>", "symbol of a per-symbol file (default: its file name)")
    .addOption(new Option("--epoch <unit>", "unit of numeric timestamps").choices(["auto", "s", "ms"]).default("auto"))
    .action(
      async (
        files: string[],
        o: { format: "auto"; interval: string; universe?: string; field: "close"; symbol?: string; epoch: "auto" },
        command: Command,
      ) => {
        const g = globalOptions(command);
        const bar = progress(g, "ingest");
        const report = await withStore(g, (store) =>
          ingestFiles(store, files, {
            format: o.format,
            interval: o.interval,
            universe: o.universe,
            field: o.field,
            symbol: o.symbol,
            epoch: o.epoch,
            onProgress: (d, t, s) => bar.update(d, t, s),
          }),
        );
        bar.stop();
        output(g, report, () =>
          [
            ...report.files.map(
              (f) =>
                `${f.file}: ${f.shape}, ${f.symbols} symbols, ${f.bars} bars${f.duplicatesDropped ? `, ${f.duplicatesDropped} exact duplicates dropped` : ""}${f.missingCells ? `, ${f.missingCells} missing cells skipped` : ""}`,
            ),
            `stored: ${report.inserted} inserted, ${report.updated} updated, ${report.unchanged} unchanged${report.universe ? `; universe ${report.universe} (${report.symbols.length} symbols)` : ""}`,
          ].join("\n"),
        );
      },
    );
}
