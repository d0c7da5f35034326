import type { Command } from "commander";
import { globalOptions, listOption, output, withStore } from "../common.js";

/** `arblab universe list|show|create`. */
export function registerUniverse(program: Command): void {
  const universe = program.command("universe").description("named symbol lists kept in the store");
  universe
    .command("list")
    .description("list the universes")
    .action(async (_o, command: Command) => {
      const g = globalOptions(command);
      const list = await withStore(g, (s) => s.listUniverses());
      output(g, list, () =>
        list.length === 0
          ? "no universes (run arblab init or arblab ingest --universe NAME)"
          : list.map((u) => `${u.name.padEnd(16)} ${String(u.size).padStart(5)} symbols  ${u.description}`).join("\n"),
      );
    });
  universe
    .command("show")
    .description("show a universe's symbols with their stored range and tags")
    .argument("<name>")
    .action(async (name: string, _o, command: Command) => {
      const g = globalOptions(command);
      const data = await withStore(g, async (s) => {
        const u = await s.getUniverse(name);
        if (!u) throw new RangeError(`universe show: no universe named "${name}" (see arblab universe list)`);
        const summary = new Map((await s.barSummary()).map((b) => [b.symbol, b]));
        const tags = new Map((await s.listInstruments(u.symbols)).map((i) => [i.symbol, i]));
        return {
          ...u,
          members: u.symbols.map((symbol) => {
            const b = summary.get(symbol),
              t = tags.get(symbol);
            return {
              symbol,
              bars: b?.bars ?? 0,
              first: b ? new Date(b.firstMs).toISOString().slice(0, 10) : null,
              last: b ? new Date(b.lastMs).toISOString().slice(0, 10) : null,
              sector: t?.sector ?? null,
              assetClass: t?.assetClass ?? null,
            };
          }),
        };
      });
      output(g, data, () =>
        [
          `${data.name}: ${data.symbols.length} symbols${data.description ? ` — ${data.description}` : ""}`,
          ...data.members.map(
            (m) =>
              `  ${m.symbol.padEnd(16)} ${String(m.bars).padStart(6)} bars ${m.first} → ${m.last}  ${m.sector ?? ""}${m.assetClass ? ` (${m.assetClass})` : ""}`,
          ),
        ].join("\n"),
      );
    });
  universe
    .command("create")
    .description("create a universe from stored symbols")
    .argument("<name>")
    .requiredOption("--symbols <list>", "comma-separated symbols (each must have bars in the store)", listOption)
    .option("--description <text>", "free text", "")
    .option("--replace", "redefine an existing universe")
    .action(async (name: string, o: { symbols: string[]; description: string; replace?: boolean }, command: Command) => {
      const g = globalOptions(command);
      const u = await withStore(g, (s) => s.createUniverse(name, o.symbols, { description: o.description, replace: o.replace }));
      output(g, u, () => `universe ${u.name}: ${u.symbols.length} symbols`);
    });
}
