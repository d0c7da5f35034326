/**
 * The lab's embedded store: one DuckDB file (via @duckdb/node-api) holding
 *   bars         a view (symbol, interval, ts, open, high, low, close, volume, source, ingested_at), unique on
 *                (symbol, interval, ts), over three tables:
 *                  series      (series_id, symbol, interval): one row per stored (symbol, interval)
 *                  batches     (batch_id, source, ingested_at): one row per write
 *                  bar_values  (series_id, ts, open, high, low, close, volume, batch_id): no strings per
 *                              bar, which makes a 2.5M-bar ingest and a panel query several times cheaper
 *   instruments  (symbol, name, sector, industry, asset_class, currency, exchange)
 *   universes    (name, description, created_at) + universe_members (universe, symbol, position)
 *   results      (id, kind, created_at, params, summary, code_version)
 *
 * Timestamps are bar-open times in epoch milliseconds UTC (BIGINT). Every write is one transaction:
 * a write that fails validation or errors half-way rolls back and leaves every table as it was
 * (`checksum()` proves it in the tests; DuckDB's WAL makes a kill -9 mid-write do the same).
 *
 * A store of the earlier one-table layout is migrated on open (see migrate); store_meta keeps the
 * schema version.
 *
 * Path: `Store.open(path)`, else $ARBLAB_STORE, else $ARBLAB_HOME/store.duckdb, else
 * .arblab/store.duckdb in the working directory (git-ignored).
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR, listValue, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { alignPanel, type AlignmentOptions, type AlignedPanel } from "../panel/alignPanel.js";
import { defaultStorePath } from "./defaultStorePath.js";
import { readSeriesValues } from "./readSeriesValues.js";
import { validateBar } from "./validateBar.js";
import { doubles, int32s, type ListVector } from "./vectorViews.js";

/** One OHLCV bar. `ts` is the bar open in epoch ms UTC; volume NaN = unknown (stored as NULL). */
export interface Bar {
  symbol: string;
  interval: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Descriptive data of one symbol (all but symbol optional). */
export interface Instrument {
  symbol: string;
  name?: string | null;
  sector?: string | null;
  industry?: string | null;
  assetClass?: string | null;
  currency?: string | null;
  exchange?: string | null;
}

/** A named, ordered symbol list. */
export interface Universe {
  readonly name: string;
  readonly description: string;
  readonly symbols: readonly string[];
  readonly createdAt: number;
}

/** A stored discovery run or backtest. */
export interface StoredResult {
  readonly id: number;
  readonly kind: string;
  readonly createdAt: number;
  readonly params: unknown;
  readonly summary: unknown;
  readonly codeVersion: string;
}

/** Bar fields a panel can be built from. */
export type BarField = "open" | "high" | "low" | "close" | "volume";

/** A panel query: exactly one of `symbols` / `universe`. */
export interface PanelQuery extends AlignmentOptions {
  readonly symbols?: readonly string[];
  readonly universe?: string;
  readonly interval?: string;
  readonly startMs?: number;
  readonly endMs?: number;
  readonly field?: BarField;
}

/** Rows appended to the staging table per DuckDB data chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;
/** Largest `limit` a bar query accepts. */
const MAX_QUERY_LIMIT = 50_000_000;
const BAR_FIELDS: readonly BarField[] = ["open", "high", "low", "close", "volume"];

/** Version of the table layout written to store_meta; 1 = the layout before it (bars as one table). */
const SCHEMA_VERSION = 2;

/** The bar tables: the (symbol, interval) dictionary, the ingest batches and the values. */
const BAR_TABLES = [
  `CREATE SEQUENCE IF NOT EXISTS series_id`,
  `CREATE TABLE IF NOT EXISTS series (series_id INTEGER PRIMARY KEY, symbol VARCHAR NOT NULL, interval VARCHAR NOT NULL, UNIQUE (symbol, interval))`,
  `CREATE SEQUENCE IF NOT EXISTS batch_id`,
  `CREATE TABLE IF NOT EXISTS batches (batch_id INTEGER PRIMARY KEY, source VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS bar_values (series_id INTEGER NOT NULL, ts BIGINT NOT NULL,
     open DOUBLE NOT NULL, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE, batch_id INTEGER NOT NULL)`,
];

/** The bars of schema 1, as a read-only view (for notebooks' SQL, the site's loaders and checksum()). */
const BARS_VIEW = `CREATE OR REPLACE VIEW bars AS SELECT s.symbol, s.interval, b.ts, b.open, b.high, b.low, b.close, b.volume, t.source, t.ingested_at
  FROM bar_values b JOIN series s USING (series_id) JOIN batches t USING (batch_id)`;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS instruments (symbol VARCHAR PRIMARY KEY, name VARCHAR, sector VARCHAR,
     industry VARCHAR, asset_class VARCHAR, currency VARCHAR, exchange VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS universes (name VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, created_at BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS universe_members (universe VARCHAR NOT NULL, symbol VARCHAR NOT NULL, position INTEGER NOT NULL,
     PRIMARY KEY (universe, symbol))`,
  `CREATE SEQUENCE IF NOT EXISTS results_id`,
  `CREATE TABLE IF NOT EXISTS results (id BIGINT PRIMARY KEY DEFAULT nextval('results_id'), kind VARCHAR NOT NULL,
     created_at BIGINT NOT NULL, params VARCHAR NOT NULL, summary VARCHAR NOT NULL, code_version VARCHAR NOT NULL)`,
];

/** Tables covered by `checksum()`, with the column list hashed per row. */
const CHECKSUM_TABLES: Readonly<Record<string, string>> = {
  bars: "symbol, interval, ts, open, high, low, close, volume, source, ingested_at",
  instruments: "symbol, name, sector, industry, asset_class, currency, exchange",
  universes: "name, description, created_at",
  universe_members: "universe, symbol, position",
  results: "id, kind, created_at, params, summary, code_version",
};

// In its own file so that `npm run lab` can name the store without loading DuckDB.
export { defaultStorePath };

/**
 * Create the tables, or bring a store of an older layout up to SCHEMA_VERSION in one transaction.
 * Schema 1 (before store_meta) kept every bar as one row of a `bars` table with its symbol, interval,
 * source and ingested_at; it is copied into series/batches/bar_values (same rows, same checksum()) and
 * `bars` becomes the view over them. A store written by a newer arblab is refused with its version.
 */
async function migrate(con: DuckDBConnection, file: string): Promise<void> {
  await con.run("BEGIN TRANSACTION");
  try {
    for (const sql of SCHEMA) await con.run(sql);
    const version = (await con.runAndReadAll(`SELECT value FROM store_meta WHERE key = 'schema_version'`)).getColumns()[0]?.[0];
    if (version !== undefined && Number(version) > SCHEMA_VERSION)
      throw new Error(
        `Store.open: ${file} has store schema version ${version}; this arblab reads up to ${SCHEMA_VERSION} (upgrade arblab)`,
      );
    const barsKind = (
      await con.runAndReadAll(`SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'bars'`)
    ).getColumns()[0]?.[0];
    for (const sql of BAR_TABLES) await con.run(sql);
    if (barsKind === "BASE TABLE") {
      await con.run(
        `INSERT INTO series SELECT nextval('series_id'), symbol, interval FROM (SELECT DISTINCT symbol, interval FROM bars) ORDER BY interval, symbol`,
      );
      await con.run(
        `INSERT INTO batches SELECT nextval('batch_id'), source, ingested_at FROM (SELECT DISTINCT source, ingested_at FROM bars) ORDER BY ingested_at, source`,
      );
      await con.run(`INSERT INTO bar_values SELECT s.series_id, b.ts, b.open, b.high, b.low, b.close, b.volume, t.batch_id
        FROM bars b JOIN series s USING (symbol, interval) JOIN batches t USING (source, ingested_at) ORDER BY s.series_id, b.ts`);
      await con.run(`DROP TABLE bars`);
    }
    await con.run(BARS_VIEW);
    await con.run(`INSERT OR REPLACE INTO store_meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
    await con.run("COMMIT");
  } catch (err) {
    await con.run("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

function checkName(fn: string, arg: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0)
    throw new TypeError(`${fn}: ${arg} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function checkMs(fn: string, arg: string, value: number | undefined): void {
  if (value !== undefined && !Number.isFinite(value)) throw new RangeError(`${fn}: ${arg} must be a finite epoch-ms number, got ${value}`);
}

/** The embedded DuckDB store. One instance per file per process; `close()` when done. */
export class Store {
  readonly path: string;
  private readonly instance: DuckDBInstance;
  private readonly connection: DuckDBConnection;
  /** Serialises transactions on the single connection (DuckDB allows one open transaction per connection). */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(path: string, instance: DuckDBInstance, connection: DuckDBConnection) {
    this.path = path;
    this.instance = instance;
    this.connection = connection;
  }

  /** Open (creating if needed) the store file and its tables. ":memory:" gives a throwaway store. */
  static async open(path?: string): Promise<Store> {
    const file = path === ":memory:" ? path : path !== undefined ? resolve(path) : defaultStorePath();
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file);
    } catch (err) {
      throw new Error(`Store.open: cannot open ${file}: ${(err as Error).message}`);
    }
    const connection = await instance.connect();
    try {
      await migrate(connection, file);
    } catch (err) {
      connection.closeSync();
      instance.closeSync();
      throw err;
    }
    return new Store(file, instance, connection);
  }

  /** Run `work` alone on the connection (no interleaving with another call's transaction). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("Store: the store is closed"));
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** BEGIN … COMMIT around `work`; ROLLBACK on any error, which is rethrown. */
  private transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.connection.run("BEGIN TRANSACTION");
      try {
        const out = await work();
        await this.connection.run("COMMIT");
        return out;
      } catch (err) {
        await this.connection.run("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  private async rows(sql: string, values?: DuckDBValue[]): Promise<Record<string, DuckDBValue>[]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowObjects();
  }

  /**
   * Insert or replace bars on (symbol, interval, ts), in one transaction. Every bar is validated
   * first (finite positive prices, low ≤ open, close ≤ high, volume ≥ 0 or NaN, integral ts); a
   * duplicate key with different values inside `bars` is an error. Nothing is written if anything
   * fails. `unchanged` counts bars already stored with identical values (they are not rewritten).
   */
  async upsertBars(bars: readonly Bar[], options: { source: string }): Promise<{ inserted: number; updated: number; unchanged: number }> {
    const source = checkName("Store.upsertBars", "options.source", options?.source);
    for (let i = 0; i < bars.length; i++) validateBar(bars[i]!, `Store.upsertBars: bars[${i}]`);
    return this.upsertColumns(barsToColumns(bars), source);
  }

  /** Column form of `upsertBars` (what the readers produce; no per-bar objects). Validated like upsertBars. */
  async upsertBarColumns(
    columns: BarColumns,
    options: { source: string },
  ): Promise<{ inserted: number; updated: number; unchanged: number }> {
    const source = checkName("Store.upsertBarColumns", "options.source", options?.source);
    validateColumns(columns);
    return this.upsertColumns(columns, source);
  }

  private async upsertColumns(c: BarColumns, source: string): Promise<{ inserted: number; updated: number; unchanged: number }> {
    return this.upsertStaged(
      async (con) => {
        const appender = await con.createAppender("bars_staging", null, "temp");
        const types = [VARCHAR, VARCHAR, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE];
        const n = c.ts.length;
        for (let from = 0; from < n; from += CHUNK_ROWS) {
          const to = Math.min(n, from + CHUNK_ROWS);
          const chunk = DuckDBDataChunk.create(types, to - from);
          const volume: (number | null)[] = new Array(to - from);
          for (let i = from; i < to; i++) volume[i - from] = Number.isNaN(c.volume[i]) ? null : c.volume[i]!;
          chunk.setColumns([
            c.symbol.slice(from, to),
            c.interval.slice(from, to),
            Array.from(c.ts.subarray(from, to)),
            Array.from(c.open.subarray(from, to)),
            Array.from(c.high.subarray(from, to)),
            Array.from(c.low.subarray(from, to)),
            Array.from(c.close.subarray(from, to)),
            volume,
          ]);
          appender.appendDataChunk(chunk);
        }
        appender.closeSync();
      },
      { source },
    );
  }

  /**
   * Upsert from the temp table bars_staging (symbol, interval, ts DOUBLE epoch ms, open, high, low,
   * close, volume) that `fill` populates, inside the write transaction. The staging must already
   * satisfy the bar rules (validateBar); a repeated key with different values throws RangeError,
   * exact repeats are dropped. The rows then go in as one batch (see appendBatch).
   */
  private upsertStaged(
    fill: (con: DuckDBConnection) => Promise<void>,
    options: { source: string },
  ): Promise<{ inserted: number; updated: number; unchanged: number }> {
    return this.transaction(async () => {
      const con = this.connection;
      await con.run(`CREATE OR REPLACE TEMP TABLE bars_staging (symbol VARCHAR, interval VARCHAR, ts DOUBLE,
        open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)`);
      await fill(con);
      const groups = (
        await this.rows(`SELECT count(*) AS keys, coalesce(sum(rows), 0) AS rows, coalesce(max(variants), 0) AS variants,
            arg_max(symbol, variants) AS symbol, arg_max(interval, variants) AS interval, arg_max(ts, variants)::BIGINT::VARCHAR AS ts
          FROM (SELECT symbol, interval, ts, count(*) AS rows, count(DISTINCT (open, high, low, close, volume)) AS variants FROM bars_staging GROUP BY ALL)`)
      )[0]!;
      if (Number(groups.variants) > 1) {
        throw new RangeError(
          `Store.upsert: duplicate (symbol, interval, ts) = (${groups.symbol}, ${groups.interval}, ${new Date(Number(groups.ts)).toISOString()}) with different values`,
        );
      }
      const staged = Number(groups.rows) > Number(groups.keys) ? "(SELECT DISTINCT * FROM bars_staging)" : "bars_staging";
      await con.run(`INSERT INTO series SELECT nextval('series_id'), symbol, interval
        FROM (SELECT DISTINCT symbol, interval FROM bars_staging) n WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.symbol = n.symbol AND s.interval = n.interval)
        ORDER BY interval, symbol`);
      const batchId = await this.newBatch(options.source);
      await con.run(
        `INSERT INTO bar_values SELECT s.series_id, st.ts::BIGINT, st.open, st.high, st.low, st.close, st.volume, $1::INTEGER
          FROM ${staged} st JOIN series s ON s.symbol = st.symbol AND s.interval = st.interval ORDER BY s.series_id, st.ts`,
        [batchId],
      );
      const counts = await this.settleBatch(batchId);
      await con.run("DROP TABLE bars_staging");
      return counts;
    });
  }

  /** A new row in batches (source, ingested_at = the transaction's start) and its id. */
  private async newBatch(source: string): Promise<number> {
    const r = await this.rows(`INSERT INTO batches VALUES (nextval('batch_id'), $1, now()::TIMESTAMP) RETURNING batch_id::DOUBLE AS id`, [
      source,
    ]);
    return r[0]!.id as number;
  }

  /**
   * Make the just-inserted batch an upsert: where a key (series, ts) of the batch was stored before,
   * identical values keep the old row (and drop the new one: "unchanged"), different values drop the
   * old row ("updated"). A batch left without rows is deleted, so an idempotent re-ingest changes
   * nothing (checksum). Runs inside the caller's transaction.
   */
  private async settleBatch(
    batchId: number,
    known: { size?: number; freshSeries?: boolean } = {},
  ): Promise<{ inserted: number; updated: number; unchanged: number }> {
    const con = this.connection;
    const size =
      known.size ?? ((await this.rows(`SELECT count(*)::DOUBLE AS n FROM bar_values WHERE batch_id = $1`, [batchId]))[0]!.n as number);
    // Older bars of the batch's series at all? (A first ingest of new symbols has none: nothing to
    // compare; `freshSeries` says every series of the batch was created by it.)
    const older = known.freshSeries
      ? 0
      : ((
          await this.rows(
            `SELECT count(*)::DOUBLE AS n FROM bar_values WHERE batch_id <> $1
          AND series_id IN (SELECT DISTINCT series_id FROM bar_values WHERE batch_id = $1)`,
            [batchId],
          )
        )[0]!.n as number);
    let updated = 0,
      unchanged = 0;
    if (older > 0) {
      await con.run(
        `CREATE OR REPLACE TEMP TABLE batch_overlap AS SELECT n.series_id, n.ts,
          (n.open, n.high, n.low, n.close, n.volume) IS NOT DISTINCT FROM (o.open, o.high, o.low, o.close, o.volume) AS same
        FROM bar_values n JOIN bar_values o ON o.series_id = n.series_id AND o.ts = n.ts
        WHERE n.batch_id = $1 AND o.batch_id <> $1`,
        [batchId],
      );
      const c = (
        await this.rows(
          `SELECT count(*) FILTER (WHERE same)::DOUBLE AS same, count(*) FILTER (WHERE NOT same)::DOUBLE AS changed FROM batch_overlap`,
        )
      )[0]!;
      unchanged = c.same as number;
      updated = c.changed as number;
      if (unchanged + updated > 0) {
        await con.run(
          `DELETE FROM bar_values b USING batch_overlap x WHERE b.series_id = x.series_id AND b.ts = x.ts
            AND (CASE WHEN x.same THEN b.batch_id = $1 ELSE b.batch_id <> $1 END)`,
          [batchId],
        );
      }
      await con.run("DROP TABLE batch_overlap");
    }
    if (size - unchanged === 0) await con.run(`DELETE FROM batches WHERE batch_id = $1`, [batchId]);
    return { inserted: size - updated - unchanged, updated, unchanged };
  }

  /**
   * One batch written by `insert` straight into bar_values (the DuckDB-native CSV path: no staging
   * copy), then checked and settled, all in one transaction:
   *   1. the series (symbol, interval) of `symbols` are registered; `insert` gets the batch id and the
   *      temp table batch_series (symbol, series_id) to join on, and returns the rows it inserted;
   *   2. per series the batch's timestamps must be `spacingMs` apart: a repeated ts with identical
   *      values is dropped (kept once), a repeat with different values or two bars closer than the
   *      interval throw StagedValidationError (the caller re-reads the file for the exact line);
   *   3. settleBatch turns it into an upsert.
   * The bar rules on values are the caller's to enforce inside `insert` (SQL error() aborts it).
   * @internal for src/data/ingest
   */
  appendBatch(
    options: { source: string; interval: string; symbols: readonly string[]; spacingMs: number },
    insert: (con: DuckDBConnection, batchId: number) => Promise<number>,
  ): Promise<{ inserted: number; updated: number; unchanged: number; rows: number }> {
    return this.transaction(async () => {
      const con = this.connection;
      await con.run(`CREATE OR REPLACE TEMP TABLE batch_series AS SELECT unnest($1::VARCHAR[]) AS symbol`, [listOf(options.symbols)]);
      const registered = await con.run(
        `INSERT INTO series SELECT nextval('series_id'), symbol, $1 FROM (SELECT DISTINCT symbol FROM batch_series) n
          WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.symbol = n.symbol AND s.interval = $1) ORDER BY symbol`,
        [options.interval],
      );
      // Every series new (a first ingest of these symbols): no older bars to settle against.
      const freshSeries = registered.rowsChanged === new Set(options.symbols).size;
      await con.run(
        `CREATE OR REPLACE TEMP TABLE batch_series AS SELECT s.symbol, s.series_id FROM series s WHERE s.interval = $1
          AND s.symbol IN (SELECT symbol FROM batch_series)`,
        [options.interval],
      );
      const batchId = await this.newBatch(options.source);
      const rows = await insert(con, batchId);
      await con.run("DROP TABLE batch_series");
      // Step 2: one list of timestamps per series (a few chunks), checked in JS; no sort in SQL.
      const result = await con.run(`SELECT series_id, list(ts::DOUBLE) AS ts FROM bar_values WHERE batch_id = $1 GROUP BY series_id`, [
        batchId,
      ]);
      const repeated: number[] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const ids = int32s(chunk.getColumnVector(0));
        const list = chunk.getColumnVector(1) as unknown as ListVector;
        const ts = doubles(list.childVector, false);
        for (let r = 0; r < ids.length; r++) {
          const at = list.getEntryOffset(r);
          const gaps = checkSpacing(ts.subarray(at, at + list.getEntryLength(r)), options.spacingMs);
          if (gaps.close > 0) throw new StagedValidationError(`${gaps.close} bars closer than the interval`);
          if (gaps.repeats > 0) repeated.push(ids[r]!);
        }
      }
      if (repeated.length > 0) await this.dropExactRepeats(batchId, repeated);
      return { ...(await this.settleBatch(batchId, { size: repeated.length > 0 ? undefined : rows, freshSeries })), rows };
    });
  }

  /** Keep one row of each repeated (series, ts) of a batch when the repeats are identical; else StagedValidationError. */
  private async dropExactRepeats(batchId: number, seriesIds: readonly number[]): Promise<void> {
    const con = this.connection;
    await con.run(
      `CREATE OR REPLACE TEMP TABLE batch_repeats AS SELECT series_id, ts, count(DISTINCT (open, high, low, close, volume)) AS variants,
        any_value(open) AS open, any_value(high) AS high, any_value(low) AS low, any_value(close) AS close, any_value(volume) AS volume
      FROM bar_values WHERE batch_id = $1 AND series_id IN (SELECT unnest($2::INTEGER[])) GROUP BY series_id, ts HAVING count(*) > 1`,
      [batchId, listValue([...seriesIds])],
    );
    const variants = (await this.rows(`SELECT coalesce(max(variants), 0)::DOUBLE AS v FROM batch_repeats`))[0]!.v as number;
    if (variants > 1) throw new StagedValidationError("a repeated (symbol, ts) with different values");
    await con.run(`DELETE FROM bar_values b USING batch_repeats r WHERE b.batch_id = $1 AND b.series_id = r.series_id AND b.ts = r.ts`, [
      batchId,
    ]);
    await con.run(
      `INSERT INTO bar_values SELECT series_id, ts, open, high, low, close, volume, $1::INTEGER FROM batch_repeats ORDER BY series_id, ts`,
      [batchId],
    );
    await con.run("DROP TABLE batch_repeats");
  }

  /** Bars of one symbol and interval in ascending ts, startMs ≤ ts ≤ endMs, at most `limit` (the first ones). */
  async queryBars(q: { symbol: string; interval: string; startMs?: number; endMs?: number; limit?: number }): Promise<Bar[]> {
    checkName("Store.queryBars", "symbol", q?.symbol);
    checkName("Store.queryBars", "interval", q.interval);
    checkMs("Store.queryBars", "startMs", q.startMs);
    checkMs("Store.queryBars", "endMs", q.endMs);
    if (q.limit !== undefined && !(Number.isInteger(q.limit) && q.limit >= 0 && q.limit <= MAX_QUERY_LIMIT)) {
      throw new RangeError(`Store.queryBars: limit must be an integer in [0, ${MAX_QUERY_LIMIT}], got ${q.limit}`);
    }
    return this.exclusive(async () => {
      const rows = await this.rows(
        `SELECT ts::DOUBLE AS ts, open, high, low, close, volume FROM bar_values
          WHERE series_id = (SELECT series_id FROM series WHERE symbol = $1 AND interval = $2) AND ts >= $3 AND ts <= $4 ORDER BY ts LIMIT $5`,
        [q.symbol, q.interval, Math.ceil(q.startMs ?? -8.64e15), Math.floor(q.endMs ?? 8.64e15), q.limit ?? MAX_QUERY_LIMIT],
      );
      return rows.map((r) => ({
        symbol: q.symbol,
        interval: q.interval,
        ts: r.ts as number,
        open: r.open as number,
        high: r.high as number,
        low: r.low as number,
        close: r.close as number,
        volume: r.volume === null ? Number.NaN : (r.volume as number),
      }));
    });
  }

  /** Open time of the newest stored bar, or null when there is none. */
  async lastBarTime(symbol: string, interval: string): Promise<number | null> {
    checkName("Store.lastBarTime", "symbol", symbol);
    checkName("Store.lastBarTime", "interval", interval);
    return this.exclusive(async () => {
      const r = await this.rows(
        `SELECT max(ts)::DOUBLE AS t FROM bar_values WHERE series_id = (SELECT series_id FROM series WHERE symbol = $1 AND interval = $2)`,
        [symbol, interval],
      );
      return (r[0]?.t as number | null) ?? null;
    });
  }

  /** Symbols with at least one bar (of `interval` when given), sorted. */
  async listSymbols(interval?: string): Promise<string[]> {
    if (interval !== undefined) checkName("Store.listSymbols", "interval", interval);
    return this.exclusive(async () => {
      const r =
        interval === undefined
          ? await this.rows(`SELECT DISTINCT symbol FROM series ORDER BY symbol`)
          : await this.rows(`SELECT DISTINCT symbol FROM series WHERE interval = $1 ORDER BY symbol`, [interval]);
      return r.map((x) => x.symbol as string);
    });
  }

  /** Per symbol and interval: bar count and first/last bar time. */
  barSummary(): Promise<{ symbol: string; interval: string; bars: number; firstMs: number; lastMs: number }[]> {
    return this.exclusive(async () => {
      const r = await this.rows(
        `SELECT s.symbol, s.interval, count(*)::DOUBLE AS n, min(b.ts)::DOUBLE AS f, max(b.ts)::DOUBLE AS l
          FROM bar_values b JOIN series s USING (series_id) GROUP BY ALL ORDER BY symbol, interval`,
      );
      return r.map((x) => ({
        symbol: x.symbol as string,
        interval: x.interval as string,
        bars: x.n as number,
        firstMs: x.f as number,
        lastMs: x.l as number,
      }));
    });
  }

  /** Insert or replace instruments on symbol (one transaction). */
  async upsertInstruments(instruments: readonly Instrument[]): Promise<number> {
    instruments.forEach((x, i) => checkName("Store.upsertInstruments", `instruments[${i}].symbol`, x?.symbol));
    return this.transaction(async () => {
      const prepared = await this.connection.prepare(`INSERT OR REPLACE INTO instruments VALUES ($1, $2, $3, $4, $5, $6, $7)`);
      for (const x of instruments) {
        prepared.bind([
          x.symbol,
          x.name ?? null,
          x.sector ?? null,
          x.industry ?? null,
          x.assetClass ?? null,
          x.currency ?? null,
          x.exchange ?? null,
        ]);
        await prepared.run();
      }
      return instruments.length;
    });
  }

  /** Instruments, all or the given symbols, sorted by symbol. */
  listInstruments(symbols?: readonly string[]): Promise<Required<Instrument>[]> {
    return this.exclusive(async () => {
      const r = await this.rows(`SELECT * FROM instruments ORDER BY symbol`);
      const keep = symbols ? new Set(symbols) : null;
      return r
        .filter((x) => !keep || keep.has(x.symbol as string))
        .map((x) => ({
          symbol: x.symbol as string,
          name: x.name as string | null,
          sector: x.sector as string | null,
          industry: x.industry as string | null,
          assetClass: x.asset_class as string | null,
          currency: x.currency as string | null,
          exchange: x.exchange as string | null,
        }));
    });
  }

  /**
   * Create (or with `replace`, redefine) a named universe. Every symbol must have bars in the store.
   * @throws RangeError naming the argument: empty name/list, duplicate or unknown symbol, existing name without replace
   */
  async createUniverse(
    name: string,
    symbols: readonly string[],
    options: { description?: string; replace?: boolean } = {},
  ): Promise<Universe> {
    checkName("Store.createUniverse", "name", name);
    if (!Array.isArray(symbols) || symbols.length === 0) throw new RangeError(`Store.createUniverse: symbols must be a non-empty list`);
    const seen = new Set<string>();
    for (const s of symbols) {
      checkName("Store.createUniverse", "symbols[]", s);
      if (seen.has(s)) throw new RangeError(`Store.createUniverse: symbols lists ${s} twice`);
      seen.add(s);
    }
    return this.transaction(async () => {
      const known = new Set((await this.rows(`SELECT DISTINCT symbol FROM series`)).map((x) => x.symbol as string));
      const unknown = symbols.filter((s) => !known.has(s));
      if (unknown.length > 0)
        throw new RangeError(
          `Store.createUniverse: symbols has no bars in the store: ${unknown.slice(0, 10).join(", ")}${unknown.length > 10 ? ` (+${unknown.length - 10} more)` : ""}`,
        );
      const exists = (await this.rows(`SELECT 1 FROM universes WHERE name = $1`, [name])).length > 0;
      if (exists && !options.replace) throw new RangeError(`Store.createUniverse: universe "${name}" exists (pass replace to redefine it)`);
      await this.connection.run(`DELETE FROM universe_members WHERE universe = $1`, [name]);
      await this.connection.run(`DELETE FROM universes WHERE name = $1`, [name]);
      const createdAt = Date.now();
      await this.connection.run(`INSERT INTO universes VALUES ($1, $2, $3)`, [name, options.description ?? "", createdAt]);
      const prepared = await this.connection.prepare(`INSERT INTO universe_members VALUES ($1, $2, $3)`);
      for (let i = 0; i < symbols.length; i++) {
        prepared.bind([name, symbols[i]!, i]);
        await prepared.run();
      }
      return { name, description: options.description ?? "", symbols: [...symbols], createdAt };
    });
  }

  /** One universe, or null if no universe has that name. */
  async getUniverse(name: string): Promise<Universe | null> {
    checkName("Store.getUniverse", "name", name);
    return this.exclusive(async () => {
      const u = await this.rows(`SELECT description, created_at::DOUBLE AS c FROM universes WHERE name = $1`, [name]);
      if (u.length === 0) return null;
      const m = await this.rows(`SELECT symbol FROM universe_members WHERE universe = $1 ORDER BY position`, [name]);
      return { name, description: u[0]!.description as string, createdAt: u[0]!.c as number, symbols: m.map((x) => x.symbol as string) };
    });
  }

  /** All universes with their sizes, by name. */
  listUniverses(): Promise<{ name: string; description: string; size: number; createdAt: number }[]> {
    return this.exclusive(async () => {
      const r = await this.rows(`SELECT u.name, u.description, u.created_at::DOUBLE AS c, count(m.symbol)::DOUBLE AS n
        FROM universes u LEFT JOIN universe_members m ON m.universe = u.name GROUP BY ALL ORDER BY u.name`);
      return r.map((x) => ({
        name: x.name as string,
        description: x.description as string,
        size: x.n as number,
        createdAt: x.c as number,
      }));
    });
  }

  /** Record a discovery run or backtest; returns its id. params/summary are stored as JSON. */
  async saveResult(r: { kind: string; params: unknown; summary: unknown; codeVersion: string }): Promise<number> {
    checkName("Store.saveResult", "kind", r?.kind);
    return this.transaction(async () => {
      const out = await this.rows(
        `INSERT INTO results (kind, created_at, params, summary, code_version) VALUES ($1, $2, $3, $4, $5) RETURNING id::DOUBLE AS id`,
        [r.kind, Date.now(), JSON.stringify(r.params ?? null), JSON.stringify(r.summary ?? null), r.codeVersion],
      );
      return out[0]!.id as number;
    });
  }

  /** Stored results, newest first, optionally of one kind. */
  listResults(kind?: string): Promise<StoredResult[]> {
    return this.exclusive(async () => {
      const r =
        kind === undefined
          ? await this.rows(
              `SELECT id::DOUBLE AS id, kind, created_at::DOUBLE AS c, params, summary, code_version FROM results ORDER BY id DESC`,
            )
          : await this.rows(
              `SELECT id::DOUBLE AS id, kind, created_at::DOUBLE AS c, params, summary, code_version FROM results WHERE kind = $1 ORDER BY id DESC`,
              [kind],
            );
      return r.map((x) => ({
        id: x.id as number,
        kind: x.kind as string,
        createdAt: x.c as number,
        params: JSON.parse(x.params as string),
        summary: JSON.parse(x.summary as string),
        codeVersion: x.code_version as string,
      }));
    });
  }

  /**
   * A price panel for a universe or symbol list over [startMs, endMs] of one interval, aligned by
   * `alignPanel` (default: intersect). Reads one field (default close).
   * @throws RangeError naming the query argument: both/neither of symbols and universe, unknown
   *   universe, a symbol without bars of that interval, a range with no bars
   */
  async queryPanel(q: PanelQuery): Promise<AlignedPanel> {
    const fn = "Store.queryPanel";
    if ((q.symbols === undefined) === (q.universe === undefined)) throw new RangeError(`${fn}: give exactly one of symbols and universe`);
    const interval = q.interval ?? "1d";
    checkName(fn, "interval", interval);
    checkMs(fn, "startMs", q.startMs);
    checkMs(fn, "endMs", q.endMs);
    if (q.startMs !== undefined && q.endMs !== undefined && q.startMs > q.endMs)
      throw new RangeError(`${fn}: startMs (${q.startMs}) must be ≤ endMs (${q.endMs})`);
    const field = q.field ?? "close";
    if (!BAR_FIELDS.includes(field))
      throw new RangeError(`${fn}: field must be one of ${BAR_FIELDS.join(", ")}, got ${JSON.stringify(field)}`);
    return this.exclusive(async () => {
      let symbols: readonly string[];
      if (q.universe !== undefined) {
        const m = await this.rows(`SELECT symbol FROM universe_members WHERE universe = $1 ORDER BY position`, [
          checkName(fn, "universe", q.universe),
        ]);
        if (m.length === 0) throw new RangeError(`${fn}: universe "${q.universe}" does not exist`);
        symbols = m.map((x) => x.symbol as string);
      } else {
        symbols = q.symbols!;
        if (symbols.length === 0) throw new RangeError(`${fn}: symbols must be a non-empty list`);
      }
      const index = new Map<string, number>();
      symbols.forEach((s, i) => {
        checkName(fn, "symbols[]", s);
        if (index.has(s)) throw new RangeError(`${fn}: symbols lists ${s} twice`);
        index.set(s, i);
      });
      // The series ids of the request (an unknown symbol is the caller's error), then one flat scan
      // of bar_values for their bars (readSeriesValues), one (ts, values) pair per symbol.
      const found = await this.rows(
        `SELECT symbol, series_id FROM series WHERE interval = $1 AND symbol IN (SELECT unnest($2::VARCHAR[]))`,
        [interval, listOf(symbols)],
      );
      const seriesIds = new Int32Array(symbols.length).fill(-1);
      for (const row of found) seriesIds[index.get(row.symbol as string)!] = row.series_id as number;
      const unknown = symbols.filter((_, i) => seriesIds[i] === -1);
      if (unknown.length > 0)
        throw new RangeError(
          `${fn}: symbols: no ${interval} bars stored for ${unknown.slice(0, 10).join(", ")}${unknown.length > 10 ? ` (+${unknown.length - 10} more)` : ""}`,
        );
      const perSymbol = await readSeriesValues(this.connection, {
        seriesIds,
        field,
        startMs: Math.ceil(q.startMs ?? -8.64e15),
        endMs: Math.floor(q.endMs ?? 8.64e15),
      });
      if (perSymbol.every((p) => p.ts.length === 0)) {
        throw new RangeError(`${fn}: startMs..endMs: no ${interval} bars between ${isoOrOpen(q.startMs)} and ${isoOrOpen(q.endMs)}`);
      }
      return alignPanel(
        symbols.map((s, i) => ({ symbol: s, ts: perSymbol[i]!.ts, values: perSymbol[i]!.values })),
        q,
      );
    });
  }

  /**
   * Order-independent checksum of every table: per table the row count and the XOR of the rows'
   * hashes. Equal before and after a failed write means the write left no trace.
   */
  checksum(): Promise<string> {
    return this.exclusive(async () => {
      const parts: string[] = [];
      for (const [table, columns] of Object.entries(CHECKSUM_TABLES)) {
        const r = await this.rows(`SELECT count(*)::VARCHAR AS n, coalesce(bit_xor(hash(${columns})), 0)::VARCHAR AS h FROM ${table}`);
        parts.push(`${table}:${r[0]!.n}:${r[0]!.h}`);
      }
      return parts.join(";");
    });
  }

  /** Run a read-only SQL query; its result as columns (DuckDB's JS values). @internal for src/data/ingest */
  sqlColumns(query: string): Promise<DuckDBValue[][]> {
    return this.exclusive(async () => (await this.connection.runAndReadAll(query)).getColumns());
  }

  /** Run a read-only SQL query (for notebooks and the site's loaders); rows as JSON-friendly objects. */
  sql(query: string): Promise<Record<string, unknown>[]> {
    return this.exclusive(async () => (await this.connection.runAndReadAll(query)).getRowObjectsJson() as Record<string, unknown>[]);
  }

  /** Close the connection and the database (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A bar of an appendBatch broke a rule; the caller re-reads the source for the exact line. */
export class StagedValidationError extends RangeError {}

/**
 * Gaps between consecutive timestamps of one series (sorted first when out of order, on a copy):
 * `repeats` = gaps of 0 (a repeated key), `close` = gaps in (0, spacingMs) (bars closer than the interval).
 */
function checkSpacing(ts: Float64Array, spacingMs: number): { repeats: number; close: number } {
  let sorted = true;
  for (let i = 1; i < ts.length && sorted; i++) sorted = ts[i - 1]! <= ts[i]!;
  const t = sorted ? ts : Float64Array.from(ts).sort();
  let repeats = 0,
    close = 0;
  for (let i = 1; i < t.length; i++) {
    const gap = t[i]! - t[i - 1]!;
    if (gap === 0) repeats++;
    else if (gap < spacingMs) close++;
  }
  return { repeats, close };
}

function isoOrOpen(ms: number | undefined): string {
  return ms === undefined ? "(open)" : new Date(ms).toISOString();
}

function listOf(values: readonly string[]) {
  return listValue([...values]);
}

/** Bars in column form: parallel arrays, one entry per bar. */
export interface BarColumns {
  readonly symbol: readonly string[];
  readonly interval: readonly string[];
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** NaN = unknown. */
  readonly volume: Float64Array;
}

function barsToColumns(bars: readonly Bar[]): BarColumns {
  const n = bars.length;
  const c = {
    symbol: new Array<string>(n),
    interval: new Array<string>(n),
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    c.symbol[i] = b.symbol;
    c.interval[i] = b.interval;
    c.ts[i] = b.ts;
    c.open[i] = b.open;
    c.high[i] = b.high;
    c.low[i] = b.low;
    c.close[i] = b.close;
    c.volume[i] = b.volume;
  }
  return c;
}

function validateColumns(c: BarColumns): void {
  const n = c.ts.length;
  for (const key of ["symbol", "interval", "open", "high", "low", "close", "volume"] as const) {
    if (c[key].length !== n)
      throw new RangeError(`Store.upsertBarColumns: columns.${key} has ${c[key].length} entries, columns.ts has ${n}`);
  }
  const bar: Bar = { symbol: "", interval: "", ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.symbol = c.symbol[i]!;
    bar.interval = c.interval[i]!;
    bar.ts = c.ts[i]!;
    bar.open = c.open[i]!;
    bar.high = c.high[i]!;
    bar.low = c.low[i]!;
    bar.close = c.close[i]!;
    bar.volume = c.volume[i]!;
    validateBar(bar, `Store.upsertBarColumns: row ${i}`);
  }
}
