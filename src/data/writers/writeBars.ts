/**
 * Write bars to a file in one of the shapes readBars reads (CSV long/wide/per-symbol, Parquet or
 * Arrow IPC by extension). Used for exports and by the round-trip tests. Writes to FILE.tmp and
 * renames, so a crash never leaves a half-written file under the final name.
 */
import { renameSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import { tableToIPC, tableFromArrays } from "apache-arrow";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { BarColumns } from "../store/Store.js";
import { barsToPanel } from "../panel/barsToPanel.js";
import { formatTimestamp } from "../readers/parseTimestamp.js";

/** Shapes writeBars can produce. "per-symbol" needs bars of one symbol. */
export type WriteShape = "long" | "wide" | "per-symbol";

/** Column data (name → values) to a file by extension: .csv, .parquet, .arrow, .json. */
export function writeColumns(file: string, columns: Record<string, ArrayLike<unknown>>): void {
  const names = Object.keys(columns);
  const n = names.length > 0 ? columns[names[0]!]!.length : 0;
  const ext = extname(file).toLowerCase();
  let body: string | Uint8Array;
  if (ext === ".parquet") {
    body = new Uint8Array(
      parquetWriteBuffer({
        columnData: names.map((name) => {
          const data = Array.from(columns[name]!);
          const type =
            typeof data[0] === "number" ? ("DOUBLE" as const) : typeof data[0] === "boolean" ? ("BOOLEAN" as const) : ("STRING" as const);
          return { name, data: type === "STRING" ? data.map((v) => (v === null || v === undefined ? null : String(v))) : data, type };
        }),
      }),
    );
  } else if (ext === ".arrow" || ext === ".feather" || ext === ".ipc") {
    const arrays: Record<string, Float64Array | string[]> = {};
    for (const name of names) {
      const data = columns[name]!;
      arrays[name] =
        data instanceof Float64Array
          ? data
          : typeof data[0] === "number"
            ? Float64Array.from(data as ArrayLike<number>)
            : Array.from(data, String);
    }
    body = tableToIPC(tableFromArrays(arrays), "file");
  } else if (ext === ".json") {
    const rows = Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((name) => [name, jsonValue(columns[name]![i])])));
    body = `${JSON.stringify(rows, null, 1)}\n`;
  } else {
    const lines = [names.map(csvCell).join(",")];
    for (let i = 0; i < n; i++) lines.push(names.map((name) => csvCell(columns[name]![i])).join(","));
    body = `${lines.join("\n")}\n`;
  }
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
}

function jsonValue(v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Write `bars` in `shape` (timestamps as ISO dates/date-times; wide writes the close). */
export function writeBars(file: string, bars: BarColumns, shape: WriteShape): void {
  const ts = Array.from(bars.ts, formatTimestamp);
  if (shape === "wide") {
    const panel = barsToPanel(bars, { alignment: "intersect" });
    const columns: Record<string, ArrayLike<unknown>> = { date: Array.from(panel.timestamps, formatTimestamp) };
    panel.symbols.forEach((s, i) => {
      columns[s] = panel.values[i]!;
    });
    writeColumns(file, columns);
    return;
  }
  if (shape === "per-symbol" && new Set(bars.symbol).size > 1)
    throw new RangeError(`writeBars: a per-symbol file takes bars of one symbol, got ${new Set(bars.symbol).size}`);
  writeColumns(file, {
    timestamp: ts,
    ...(shape === "long" ? { symbol: bars.symbol } : {}),
    open: bars.open,
    high: bars.high,
    low: bars.low,
    close: bars.close,
    volume: bars.volume,
  });
}
