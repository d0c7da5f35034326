/**
 * Fast path of ingestFiles for one long-format CSV: DuckDB's own (multi-threaded, C++) CSV reader
 * reads the file straight into bar_values inside the write transaction (Store.appendBatch): symbols
 * joined to their series ids, each bar checked against the rules of validateBar by a SQL error()
 * that aborts the statement; appendBatch then checks the spacing per series and settles the upsert.
 *
 * One pass or two. The series must be registered before the insert, so the symbols must be known:
 *   - one pass when a sample of the file (its head, two middle windows and its tail, 64 KiB each)
 *     has plain ISO dates only and looks date-major (the symbol changes from row to row, as in the
 *     original lab's export): the sampled symbols are registered and the insert reads every
 *     timestamp as text, checks it is a plain ISO date (the texts for which DuckDB's DATE and
 *     parseTimestamp agree) and fails on any symbol outside the sample; such a miss rolls back and
 *     the two-pass path runs instead;
 *   - two passes otherwise: pass 1 reads two columns for the distinct timestamp texts (parsed by the
 *     readers' parseTimestamp: same rules as the JS path) and the distinct symbols; pass 2 inserts,
 *     timestamps as DATE when every text is a plain ISO date, else joined to their parsed epoch ms.
 * When DuckDB cannot read the file or any rule fails, this returns null with nothing written and the
 * caller runs the JS reader, which either names file:line, column and rule or (for input only the JS
 * reader accepts, e.g. "NA" volumes) ingests it.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { DOUBLE, DuckDBDataChunk, VARCHAR } from "@duckdb/node-api";
import { StagedValidationError, type Store } from "../store/Store.js";
import { csvTable } from "../readers/csvTable.js";
import { ALIASES, detectShape, intervalMs, type BarColumnRole, type ReadBarsOptions } from "../readers/readBars.js";
import { parseTimestamp } from "../readers/parseTimestamp.js";

/** Bytes read to find the header line; also the size of each sample window. */
const HEADER_PROBE_BYTES = 1 << 16;
/** Sample windows (head, two middle, tail) that pick one pass or two. */
const SAMPLE_WINDOWS = 4;
/** Rows per appended chunk of parsed timestamps (DuckDB's vector size). */
const APPEND_ROWS = 2048;
/** Timestamps DuckDB reads as DATE in pass 2 (after parseTimestamp accepted each distinct text). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The same pattern for DuckDB's regexp_full_match (RE2, anchored by "full"), as an SQL string body. */
const ISO_DATE_SQL = ISO_DATE.source.slice(1, -1);
/** The SQL error() text a bar breaking a rule raises in pass 2. */
const RULE_BROKEN = "arblab: bar rule broken";
/** The SQL error() text of the one-pass insert for a row its sample did not foresee (symbol or timestamp). */
const SAMPLE_MISSED = "arblab: row outside the sample";

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** Try the fast path; null = not applicable or not valid (use the JS path). `passes`: how many reads of the file the stored result took. */
export async function ingestLongCsvNative(
  store: Store,
  file: string,
  options: ReadBarsOptions & { source: string; onWriteStart?: () => void },
): Promise<{ inserted: number; updated: number; unchanged: number; bars: number; symbols: string[]; passes: 1 | 2 } | null> {
  if (extname(file).toLowerCase() !== ".csv" || options.field === "adjClose" || options.columns !== undefined) return null;
  if (options.format !== undefined && options.format !== "auto" && options.format !== "long") return null;
  const windows = readWindows(file);
  const head = windows[0]!;
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
  // The bar rules of validateBar, per row of the insert (a missing open/high/low column is derived from close).
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
  // The insert: every column but the series id and ts, and the ORDER BY. Sorted by (series_id, ts)
  // within the batch: a series is then a few contiguous row groups, which zone maps prune for
  // one-symbol queries and which queryPanel reads as long runs.
  const values = (batchId: number) => `CASE WHEN ${rules} THEN error('${RULE_BROKEN}') ELSE ${openCol} END,
    ${high ? col(high) : `greatest(${openCol}, ${closeCol})`}, ${low ? col(low) : `least(${openCol}, ${closeCol})`}, ${closeCol},
    ${volume ? col(volume) : "NULL"}, ${batchId}`;
  const symbolKey = `trim(r.${sqlIdent(symbol)})`;
  try {
    const sample = sampleRows(windows, header.columns.indexOf(ts), header.columns.indexOf(symbol));
    if (sample?.dateMajor && sample.isoDates) {
      // One pass: the sampled symbols are registered; a row outside the sample aborts the insert.
      try {
        const symbols = sample.symbols;
        const counts = await store.appendBatch({ source: options.source, interval, symbols, spacingMs }, async (con, batchId) => {
          options.onWriteStart?.();
          const t = col(ts);
          const inserted = await con.run(
            `INSERT INTO bar_values SELECT CASE WHEN bs.series_id IS NULL THEN error('${SAMPLE_MISSED}') ELSE bs.series_id END,
              epoch_ms(CASE WHEN regexp_full_match(${t}, '${ISO_DATE_SQL}') THEN ${t}::DATE ELSE error('${SAMPLE_MISSED}') END),
              ${values(batchId)}
            FROM ${read("VARCHAR")} r LEFT JOIN batch_series bs ON bs.symbol = ${symbolKey}
            ORDER BY 1, 2`,
          );
          // No row can be lost (LEFT JOIN, a NULL id aborts); none at all: the JS reader names it.
          if (inserted.rowsChanged === 0) throw new StagedValidationError("no data rows");
          // Every sampled symbol has bars (else DuckDB read the sample's lines differently: no empty series).
          const seen = (
            await con.runAndReadAll(`SELECT count(DISTINCT series_id)::DOUBLE FROM bar_values WHERE batch_id = ${batchId}`)
          ).getColumns()[0]![0];
          if (seen !== symbols.length) throw new Error(`${SAMPLE_MISSED}: ${symbols.length} symbols sampled, ${seen} stored`);
          return inserted.rowsChanged;
        });
        return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, bars: counts.rows, symbols, passes: 1 };
      } catch (err) {
        if (!(err as Error).message.includes(SAMPLE_MISSED)) throw err;
      }
    }
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
      const inserted = await con.run(
        `INSERT INTO bar_values SELECT bs.series_id, ${tsExpr}, ${values(batchId)}
        FROM ${read(isoDates ? "DATE" : "VARCHAR")} r JOIN batch_series bs ON bs.symbol = ${symbolKey} ${join}
        ORDER BY 1, 2`,
      );
      if (!isoDates) await con.run("DROP TABLE csv_ts");
      const n = inserted.rowsChanged;
      if (n !== rows) throw new StagedValidationError(`${rows - n} rows lost in the joins`);
      return n;
    });
    return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, bars: counts.rows, symbols, passes: 2 };
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

/**
 * SAMPLE_WINDOWS windows of HEADER_PROBE_BYTES: the head (first, it holds the header), then evenly
 * spaced ones ending with the tail; fewer when the file is short (the head alone when it fits).
 */
function readWindows(file: string): string[] {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const starts = [0];
    if (size > HEADER_PROBE_BYTES) {
      const last = size - HEADER_PROBE_BYTES;
      for (let w = 1; w < SAMPLE_WINDOWS; w++) {
        const at = Math.max(HEADER_PROBE_BYTES, Math.floor((last * w) / (SAMPLE_WINDOWS - 1)));
        if (at > starts[starts.length - 1]!) starts.push(at);
      }
    }
    const buffer = Buffer.alloc(HEADER_PROBE_BYTES);
    return starts.map((at) => {
      const n = readSync(fd, buffer, 0, HEADER_PROBE_BYTES, at);
      // Whole lines only: a window that starts inside the file drops its first (partial) line, and
      // one that ends before the end of the file drops its last.
      let text = buffer.subarray(0, n).toString("utf8");
      if (at + n < size) text = text.slice(0, text.lastIndexOf("\n") + 1);
      if (at > 0) text = text.slice(text.indexOf("\n") + 1);
      return text;
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * The sampled rows' symbols (sorted, distinct; null when a window has a quote or a row too short to
 * judge), whether every sampled timestamp is a plain ISO date, and whether the head looks date-major
 * (the symbol changes on at least half of its rows: a file sorted by symbol would miss most symbols).
 */
function sampleRows(
  windows: readonly string[],
  tsIndex: number,
  symbolIndex: number,
): { symbols: string[]; isoDates: boolean; dateMajor: boolean } | null {
  const symbols = new Set<string>();
  let isoDates = true,
    headRows = 0,
    headChanges = 0;
  for (let w = 0; w < windows.length; w++) {
    if (windows[w]!.includes('"')) return null;
    const lines = windows[w]!.split("\n");
    let previous: string | null = null;
    for (let i = w === 0 ? 1 : 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, "");
      if (line === "") continue;
      const fields = line.split(",");
      if (fields.length <= Math.max(tsIndex, symbolIndex)) return null;
      const s = fields[symbolIndex]!.trim();
      if (s === "") return null;
      symbols.add(s);
      if (!ISO_DATE.test(fields[tsIndex]!)) isoDates = false;
      if (w === 0) {
        headRows++;
        if (previous !== null && s !== previous) headChanges++;
      }
      previous = s;
    }
  }
  if (headRows === 0) return null;
  return { symbols: [...symbols].sort(), isoDates, dateMajor: headRows === 1 || headChanges * 2 >= headRows };
}
