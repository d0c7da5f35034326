/**
 * Fast path of ingestFiles for one long-format CSV: DuckDB's own (multi-threaded, C++) CSV reader
 * reads the file twice. Pass 1 reads two columns for the distinct timestamp texts (parsed by the
 * readers' parseTimestamp: same rules as the JS path) and the distinct symbols. Pass 2, inside the
 * write transaction (Store.appendBatch), reads the file straight into bar_values: symbols joined to
 * their series ids, timestamps read as DATE when every text is a plain ISO date (else joined to their
 * parsed epoch ms), each bar checked against the rules of validateBar by a SQL error() that aborts
 * the statement; appendBatch then checks the spacing per series and settles the upsert. When DuckDB
 * cannot read the file or any rule fails, this returns null with nothing written and the caller
 * runs the JS reader, which either names file:line, column and rule or (for input only the JS
 * reader accepts, e.g. "NA" volumes) ingests it.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { DOUBLE, DuckDBDataChunk, VARCHAR } from "@duckdb/node-api";
import { StagedValidationError, type Store } from "../store/Store.js";
import { csvTable } from "../readers/csvTable.js";
import { ALIASES, detectShape, intervalMs, type BarColumnRole, type ReadBarsOptions } from "../readers/readBars.js";
import { parseTimestamp } from "../readers/parseTimestamp.js";

/** Bytes read to find the header line. */
const HEADER_PROBE_BYTES = 1 << 16;
/** Rows per appended chunk of parsed timestamps (DuckDB's vector size). */
const APPEND_ROWS = 2048;
/** Timestamps DuckDB reads as DATE in pass 2 (after parseTimestamp accepted each distinct text). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The SQL error() text a bar breaking a rule raises in pass 2. */
const RULE_BROKEN = "arblab: bar rule broken";

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** Try the fast path; null = not applicable or not valid (use the JS path). */
export async function ingestLongCsvNative(
  store: Store,
  file: string,
  options: ReadBarsOptions & { source: string; onWriteStart?: () => void },
): Promise<{ inserted: number; updated: number; unchanged: number; bars: number; symbols: string[] } | null> {
  if (extname(file).toLowerCase() !== ".csv" || options.field === "adjClose" || options.columns !== undefined) return null;
  if (options.format !== undefined && options.format !== "auto" && options.format !== "long") return null;
  let head: string;
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(HEADER_PROBE_BYTES);
    const n = readSync(fd, buffer, 0, HEADER_PROBE_BYTES, 0);
    head = buffer.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
  const newline = head.indexOf("\n");
  if (newline <= 0 || head.charCodeAt(0) === 0xfeff || head.includes('"')) return null;
  const header = csvTable(file, head.slice(0, newline).replace(/\r$/, ""));
  if (detectShape(header, { format: options.format }) !== "long") return null;
  const find = (role: BarColumnRole) => {
    const names = header.columns.map((c) => c.toLowerCase().replace(/[\s_\-.]/g, ""));
    for (const alias of ALIASES[role]) {
      const i = names.indexOf(alias);
      if (i >= 0) return header.columns[i]!;
    }
    return null;
  };
  const ts = find("timestamp"),
    symbol = find("symbol"),
    close = find("close");
  if (!ts || !symbol || !close || new Set(header.columns).size !== header.columns.length) return null;
  const open = find("open"),
    high = find("high"),
    low = find("low"),
    volume = find("volume");
  const priceColumns = new Set([close, open, high, low, volume].filter((c): c is string => c !== null));
  const interval = options.interval ?? "1d";
  const spacingMs = intervalMs(interval);
  const epoch = options.epoch ?? "auto";
  const read = (tsType: "VARCHAR" | "DATE") =>
    `read_csv(${sqlString(file)}, header = true, delim = ',', quote = '"', auto_detect = false, strict_mode = true, null_padding = false,
      dateformat = '%Y-%m-%d', columns = {${header.columns.map((c) => `${sqlString(c)}: '${c === ts ? tsType : priceColumns.has(c) ? "DOUBLE" : "VARCHAR"}'`).join(", ")}})`;
  try {
    // Pass 1 (two columns; DuckDB parses only those): the distinct timestamp texts and symbols, and the row count.
    const pass1 = (await store.sqlColumns(`SELECT grouping(t)::DOUBLE AS g, t, s, count(*)::DOUBLE AS n
        FROM (SELECT ${sqlIdent(ts)} AS t, trim(${sqlIdent(symbol)}) AS s FROM ${read("VARCHAR")}) GROUP BY GROUPING SETS ((t), (s))`)) as [
      number[],
      (string | null)[],
      (string | null)[],
      number[],
    ];
    const texts: (string | null)[] = [],
      symbols: string[] = [];
    let rows = 0;
    // No rows at all: getColumns() gives no column arrays (header only: the JS reader names it).
    for (let i = 0; i < (pass1[0]?.length ?? 0); i++) {
      if (pass1[0][i] === 0) {
        texts.push(pass1[1][i]!);
        rows += pass1[3][i]!;
      } else {
        const s = pass1[2][i];
        if (s === null || s === undefined || s === "") return null;
        symbols.push(s);
      }
    }
    if (rows === 0) return null;
    symbols.sort();
    const ms = texts.map((t) => (t === null ? null : parseTimestamp(t, epoch)));
    if (ms.some((v) => v === null)) return null;
    // Plain ISO dates (the usual export) are read by DuckDB as DATE in pass 2: the same midnight-UTC
    // epoch ms as parseTimestamp for exactly these texts (checked above), without a join on the text.
    const isoDates = texts.every((t) => ISO_DATE.test(t!));
    // The bar rules of validateBar, per row of pass 2 (a missing open/high/low column is derived from close).
    const col = (c: string) => `r.${sqlIdent(c)}`;
    const openCol = col(open ?? close),
      closeCol = col(close);
    const positive = [close, open, high, low].filter((c): c is string => c !== null);
    const rules = [
      ...positive.map((c) => `${col(c)} IS NULL OR NOT isfinite(${col(c)}) OR ${col(c)} <= 0`),
      low ? `${col(low)} > least(${openCol}, ${closeCol})` : null,
      high ? `${col(high)} < greatest(${openCol}, ${closeCol})` : null,
      volume ? `${col(volume)} < 0 OR NOT isfinite(coalesce(${col(volume)}, 0))` : null,
    ]
      .filter((r) => r !== null)
      .join(" OR ");
    const counts = await store.appendBatch({ source: options.source, interval, symbols, spacingMs }, async (con, batchId) => {
      options.onWriteStart?.();
      let tsExpr = `epoch_ms(r.${sqlIdent(ts)})`,
        join = "";
      if (!isoDates) {
        await con.run("CREATE OR REPLACE TEMP TABLE csv_ts (t VARCHAR, ms BIGINT)");
        const appender = await con.createAppender("csv_ts", null, "temp");
        for (let from = 0; from < texts.length; from += APPEND_ROWS) {
          const part = texts.slice(from, from + APPEND_ROWS);
          const chunk = DuckDBDataChunk.create([VARCHAR, DOUBLE], part.length);
          chunk.setColumns([part, ms.slice(from, from + APPEND_ROWS)]);
          appender.appendDataChunk(chunk);
        }
        appender.closeSync();
        tsExpr = "m.ms";
        join = `JOIN csv_ts m ON r.${sqlIdent(ts)} = m.t`;
      }
      // Pass 2: the file straight into bar_values; a bar breaking a rule aborts the statement (error()).
      // Sorted by (series_id, ts) within the batch (measured ~5% of the statement): a series is then a
      // few contiguous row groups, which zone maps prune for one-symbol queries and which queryPanel
      // reads back in ts order.
      const inserted = await con.run(
        `INSERT INTO bar_values SELECT bs.series_id, ${tsExpr},
          CASE WHEN ${rules} THEN error('${RULE_BROKEN}') ELSE ${openCol} END,
          ${high ? col(high) : `greatest(${openCol}, ${closeCol})`}, ${low ? col(low) : `least(${openCol}, ${closeCol})`}, ${closeCol},
          ${volume ? col(volume) : "NULL"}, ${batchId}
        FROM ${read(isoDates ? "DATE" : "VARCHAR")} r JOIN batch_series bs ON bs.symbol = trim(r.${sqlIdent(symbol)}) ${join}
        ORDER BY 1, 2`,
      );
      if (!isoDates) await con.run("DROP TABLE csv_ts");
      const n = inserted.rowsChanged;
      if (n !== rows) throw new StagedValidationError(`${rows - n} rows lost in the joins`);
      return n;
    });
    return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, bars: counts.rows, symbols };
  } catch (err) {
    // DuckDB's reader refused the file, or a rule failed: the JS reader gives the exact message.
    if (
      err instanceof StagedValidationError ||
      /Invalid Input Error|Conversion Error|CSV Error|Could not convert|Error when|arblab: bar rule broken/i.test((err as Error).message)
    )
      return null;
    throw err;
  }
}
