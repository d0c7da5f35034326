/**
 * Durable state of a paper session: its own DuckDB file (default $ARBLAB_HOME/paper.duckdb), opened
 * read-write by the one process that runs the session (DuckDB allows one writer per file; the
 * research store stays free for the market-data service and the notebooks).
 *
 * Tables: strategies (id, config JSON, status), bar_chunks (every pair bar processed, a row per
 * strategy and batch, with the bars where the risk manager refused the engine's order), orders, fills (fill_id primary key: a fill can
 * never be written twice), accounts (cash, positions, marks, last processed bar), alerts.
 * `commit(batch)` writes one batch of processed bars with everything they caused in ONE transaction,
 * and the session acknowledges (WebSocket push, metrics, REST) only after it returns: a kill -9
 * before COMMIT loses the whole batch, which a restart re-reads from the stream (resuming after
 * the last committed bar), and never half of it.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, VARCHAR, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import type { Fill, Order } from "./broker/PaperBroker.js";
import type { Alert } from "./risk/RiskManager.js";
import type { StrategyConfig } from "./StrategyConfig.js";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS strategies (id VARCHAR PRIMARY KEY, config VARCHAR NOT NULL, status VARCHAR NOT NULL, created_at BIGINT NOT NULL)`,
  // one row per strategy and batch: the batch's bars as JSON arrays (doubles round-trip exactly);
  // a row per bar made the commit the loop's bottleneck (3,300 bars/s, bench/paper.bench.ts)
  `CREATE TABLE IF NOT EXISTS bar_chunks (strategy_id VARCHAR NOT NULL, first_seq INTEGER NOT NULL, ts VARCHAR NOT NULL, y VARCHAR NOT NULL, x VARCHAR NOT NULL, refused VARCHAR NOT NULL, PRIMARY KEY (strategy_id, first_seq))`,
  `CREATE TABLE IF NOT EXISTS orders (client_order_id VARCHAR PRIMARY KEY, strategy_id VARCHAR NOT NULL, ts BIGINT NOT NULL, symbol VARCHAR NOT NULL, quantity DOUBLE NOT NULL, reason VARCHAR NOT NULL, status VARCHAR NOT NULL, filled_quantity DOUBLE NOT NULL, average_price DOUBLE NOT NULL, fee DOUBLE NOT NULL, note VARCHAR NOT NULL, history VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS fills (fill_id VARCHAR PRIMARY KEY, client_order_id VARCHAR NOT NULL, strategy_id VARCHAR NOT NULL, ts BIGINT NOT NULL, symbol VARCHAR NOT NULL, quantity DOUBLE NOT NULL, price DOUBLE NOT NULL, fee DOUBLE NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS accounts (strategy_id VARCHAR PRIMARY KEY, cash DOUBLE NOT NULL, positions VARCHAR NOT NULL, marks VARCHAR NOT NULL, equity DOUBLE NOT NULL, last_seq INTEGER NOT NULL, last_ts BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alerts (raised_at BIGINT NOT NULL, kind VARCHAR NOT NULL, limit_name VARCHAR NOT NULL, strategy_id VARCHAR NOT NULL, message VARCHAR NOT NULL)`,
];

export interface BarRow {
  readonly strategyId: string;
  readonly seq: number;
  readonly ts: number;
  readonly y: number;
  readonly x: number;
  readonly refused: boolean;
}

export interface AccountRow {
  readonly strategyId: string;
  readonly cash: number;
  readonly positions: Record<string, number>;
  readonly marks: Record<string, number>;
  readonly equity: number;
  /** Sequence number and open time of the last processed bar (−1, −1 before any). */
  readonly lastSeq: number;
  readonly lastTs: number;
}

export interface StrategyRow {
  readonly config: StrategyConfig;
  readonly status: "running" | "stopped";
}

/** Everything one batch of bars changed. */
export interface StateBatch {
  readonly bars: BarRow[];
  readonly orders: Order[];
  readonly fills: Fill[];
  readonly accounts: AccountRow[];
  readonly alerts: Alert[];
  readonly statuses: { id: string; status: "running" | "stopped" }[];
}

export function emptyBatch(): StateBatch {
  return { bars: [], orders: [], fills: [], accounts: [], alerts: [], statuses: [] };
}

/** Default state file: $ARBLAB_PAPER_STATE, else $ARBLAB_HOME/paper.duckdb, else .arblab/paper.duckdb. */
export function defaultPaperStatePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARBLAB_PAPER_STATE) return resolve(env.ARBLAB_PAPER_STATE);
  return env.ARBLAB_HOME ? join(resolve(env.ARBLAB_HOME), "paper.duckdb") : resolve(".arblab", "paper.duckdb");
}

/** Rows per appended data chunk (DuckDB's vector size). */
const CHUNK_ROWS = 2048;

/**
 * INSERT rows given by column: appended (DuckDB appender, data chunks) into a temp staging table
 * inside the caller's transaction, then INSERT … SELECT into `table`, the pattern of Store.upsert.
 * A VALUES list with a parameter per value took ~13 s for 17,000 fills, list parameters unnested
 * ~1 s per 8,000 (bench/paper.bench.ts). Column kinds: text, double, or bigint (staged as doubles,
 * exact for epoch ms).
 */
async function insertColumns(
  con: DuckDBConnection,
  table: string,
  columns: readonly [kind: "text" | "double" | "bigint", values: readonly (string | number)[]][],
): Promise<void> {
  const staging = `${table}_staging`;
  await con.run(
    `CREATE OR REPLACE TEMP TABLE ${staging} (${columns.map(([kind], i) => `c${i} ${kind === "text" ? "VARCHAR" : "DOUBLE"}`).join(", ")})`,
  );
  const appender = await con.createAppender(staging, null, "temp");
  const types = columns.map(([kind]) => (kind === "text" ? VARCHAR : DOUBLE));
  const n = columns[0][1].length;
  for (let from = 0; from < n; from += CHUNK_ROWS) {
    const to = Math.min(n, from + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(types, to - from);
    chunk.setColumns(columns.map(([, values]) => values.slice(from, to) as DuckDBValue[]));
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  await con.run(
    `INSERT INTO ${table} SELECT ${columns.map(([kind], i) => (kind === "bigint" ? `c${i}::BIGINT` : `c${i}`)).join(", ")} FROM ${staging}`,
  );
  await con.run(`DROP TABLE ${staging}`);
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array(columns).fill("?").join(", ")})`;
  return Array(rows).fill(row).join(", ");
}

export class PaperState {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<PaperState> {
    const file = path === ":memory:" ? path : resolve(path);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    for (const sql of SCHEMA) await connection.run(sql);
    return new PaperState(file, instance, connection);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("PaperState: the state is closed"));
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async rows(sql: string, values?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** Write a batch in one transaction (see the module comment). */
  commit(batch: StateBatch): Promise<void> {
    return this.exclusive(async () => {
      const con = this.connection;
      await con.run("BEGIN TRANSACTION");
      try {
        if (batch.bars.length > 0) {
          const chunks = new Map<string, BarRow[]>();
          for (const bar of batch.bars) {
            const list = chunks.get(bar.strategyId);
            if (list === undefined) chunks.set(bar.strategyId, [bar]);
            else list.push(bar);
          }
          const values: DuckDBValue[] = [];
          for (const [id, list] of chunks) {
            for (let i = 0; i < list.length; i++)
              if (list[i].seq !== list[0].seq + i)
                throw new Error(`PaperState.commit: bars of ${id} are not consecutive at seq ${list[i].seq}`);
            values.push(
              id,
              list[0].seq,
              JSON.stringify(list.map((b) => b.ts)),
              JSON.stringify(list.map((b) => b.y)),
              JSON.stringify(list.map((b) => b.x)),
              JSON.stringify(list.flatMap((b) => (b.refused ? [b.seq] : []))),
            );
          }
          await con.run(`INSERT INTO bar_chunks VALUES ${placeholders(chunks.size, 6)}`, values);
        }
        if (batch.orders.length > 0) {
          // orders are immediate-or-cancel: final when submitted, written once (a repeated id is a broker no-op)
          const orders = [...new Map(batch.orders.map((o) => [o.clientOrderId, o])).values()];
          await insertColumns(con, "orders", [
            ["text", orders.map((o) => o.clientOrderId)],
            ["text", orders.map((o) => o.strategyId)],
            ["bigint", orders.map((o) => o.ts)],
            ["text", orders.map((o) => o.symbol)],
            ["double", orders.map((o) => o.quantity)],
            ["text", orders.map((o) => o.reason)],
            ["text", orders.map((o) => o.status)],
            ["double", orders.map((o) => o.filledQuantity)],
            ["double", orders.map((o) => o.averagePrice)],
            ["double", orders.map((o) => o.fee)],
            ["text", orders.map((o) => o.note)],
            ["text", orders.map((o) => o.history.join(","))],
          ]);
        }
        if (batch.fills.length > 0) {
          const f = batch.fills;
          await insertColumns(con, "fills", [
            ["text", f.map((x) => x.fillId)],
            ["text", f.map((x) => x.clientOrderId)],
            ["text", f.map((x) => x.strategyId)],
            ["bigint", f.map((x) => x.ts)],
            ["text", f.map((x) => x.symbol)],
            ["double", f.map((x) => x.quantity)],
            ["double", f.map((x) => x.price)],
            ["double", f.map((x) => x.fee)],
          ]);
        }
        if (batch.accounts.length > 0) {
          // one row per strategy, its last: DuckDB's INSERT OR REPLACE must not see a key twice in
          // one statement (the WAL replay after a kill -9 then kept an older row)
          const latest = [...new Map(batch.accounts.map((a) => [a.strategyId, a])).values()];
          await con.run(
            `INSERT OR REPLACE INTO accounts VALUES ${placeholders(latest.length, 7)}`,
            latest.flatMap((a) => [
              a.strategyId,
              a.cash,
              JSON.stringify(a.positions),
              JSON.stringify(a.marks),
              a.equity,
              a.lastSeq,
              a.lastTs,
            ]),
          );
        }
        if (batch.alerts.length > 0) {
          await con.run(
            `INSERT INTO alerts VALUES ${placeholders(batch.alerts.length, 5)}`,
            batch.alerts.flatMap((a) => [a.at, a.kind, a.limit, a.strategyId, a.message]),
          );
        }
        for (const s of batch.statuses) await con.run("UPDATE strategies SET status = ? WHERE id = ?", [s.status, s.id]);
        await con.run("COMMIT");
      } catch (error) {
        await con.run("ROLLBACK").catch(() => undefined);
        throw error;
      }
    });
  }

  /** Register a strategy (no-op when the id exists: a restart resumes it). Returns whether it was new. */
  addStrategy(config: StrategyConfig, createdAt: number): Promise<boolean> {
    return this.exclusive(async () => {
      const existing = await this.rows("SELECT id FROM strategies WHERE id = ?", [config.id]);
      if (existing.length > 0) return false;
      await this.connection.run("INSERT INTO strategies VALUES (?, ?, 'running', ?)", [config.id, JSON.stringify(config), createdAt]);
      return true;
    });
  }

  strategies(): Promise<StrategyRow[]> {
    return this.exclusive(async () =>
      (await this.rows("SELECT config, status FROM strategies ORDER BY created_at, id")).map((r) => ({
        config: JSON.parse(String(r.config)) as StrategyConfig,
        status: r.status as "running" | "stopped",
      })),
    );
  }

  bars(strategyId: string): Promise<BarRow[]> {
    return this.exclusive(async () => {
      const out: BarRow[] = [];
      for (const r of await this.rows("SELECT first_seq, ts, y, x, refused FROM bar_chunks WHERE strategy_id = ? ORDER BY first_seq", [
        strategyId,
      ])) {
        const first = Number(r.first_seq);
        if (first !== out.length) throw new Error(`PaperState.bars: ${strategyId} has a gap before seq ${first}`);
        const ts = JSON.parse(String(r.ts)) as number[];
        const y = JSON.parse(String(r.y)) as number[];
        const x = JSON.parse(String(r.x)) as number[];
        const refused = new Set(JSON.parse(String(r.refused)) as number[]);
        for (let i = 0; i < ts.length; i++)
          out.push({ strategyId, seq: first + i, ts: ts[i], y: y[i], x: x[i], refused: refused.has(first + i) });
      }
      return out;
    });
  }

  account(strategyId: string): Promise<AccountRow | null> {
    return this.exclusive(async () => {
      const [r] = await this.rows("SELECT * FROM accounts WHERE strategy_id = ?", [strategyId]);
      if (r === undefined) return null;
      return {
        strategyId,
        cash: Number(r.cash),
        positions: JSON.parse(String(r.positions)),
        marks: JSON.parse(String(r.marks)),
        equity: Number(r.equity),
        lastSeq: Number(r.last_seq),
        lastTs: Number(r.last_ts),
      };
    });
  }

  orders(strategyId?: string): Promise<Order[]> {
    return this.exclusive(async () =>
      (
        await this.rows(
          `SELECT * FROM orders ${strategyId === undefined ? "" : "WHERE strategy_id = ?"} ORDER BY ts, client_order_id`,
          strategyId === undefined ? [] : [strategyId],
        )
      ).map((r) => ({
        clientOrderId: String(r.client_order_id),
        strategyId: String(r.strategy_id),
        ts: Number(r.ts),
        symbol: String(r.symbol),
        quantity: Number(r.quantity),
        reason: String(r.reason),
        status: r.status as Order["status"],
        filledQuantity: Number(r.filled_quantity),
        averagePrice: Number(r.average_price),
        fee: Number(r.fee),
        note: String(r.note),
        history: String(r.history).split(",") as Order["history"],
      })),
    );
  }

  fills(strategyId?: string): Promise<Fill[]> {
    return this.exclusive(async () =>
      (
        await this.rows(
          `SELECT * FROM fills ${strategyId === undefined ? "" : "WHERE strategy_id = ?"} ORDER BY ts, fill_id`,
          strategyId === undefined ? [] : [strategyId],
        )
      ).map((r) => ({
        fillId: String(r.fill_id),
        clientOrderId: String(r.client_order_id),
        strategyId: String(r.strategy_id),
        ts: Number(r.ts),
        symbol: String(r.symbol),
        quantity: Number(r.quantity),
        price: Number(r.price),
        fee: Number(r.fee),
      })),
    );
  }

  alerts(): Promise<Alert[]> {
    return this.exclusive(async () =>
      (await this.rows(`SELECT * FROM alerts ORDER BY raised_at`)).map((r) => ({
        at: Number(r.raised_at),
        kind: r.kind as Alert["kind"],
        limit: String(r.limit_name),
        strategyId: String(r.strategy_id),
        message: String(r.message),
      })),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.catch(() => undefined);
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
