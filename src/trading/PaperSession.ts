/**
 * A paper-trading session: the live loop market data → strategy engine → risk → paper broker →
 * durable state → acknowledgement (events for the gateway's /ws, metrics, REST).
 *
 * Per strategy: one WebSocket to the market-data service's combined kline stream of its two legs
 * (or messages handed to `ingest` by any other source), a KlineIntake (validation, pairing), a
 * PairStrategy (the BacktestEngine) whose order gate is the session's RiskManager, and an account
 * at the PaperBroker. Messages are queued and drained in batches: every bar of a batch is processed
 * in order, then the batch is committed to PaperState in one transaction, and only then are its
 * events emitted. A restart (`start` with an id the state knows) rebuilds the engine by pushing the
 * stored bars again, with the gate replaying the stored refusals, restores the account and the
 * orders (client order ids stay idempotent), and resumes the stream after the last stored bar.
 */
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { KlineIntake, type PairBar } from "./KlineIntake.js";
import { PairStrategy } from "./PairStrategy.js";
import { PaperBroker, accountEquity, type Fill, type Order } from "./broker/PaperBroker.js";
import { RiskManager, type Alert, type RiskLimits } from "./risk/RiskManager.js";
import { PaperState, emptyBatch, type AccountRow, type StateBatch } from "./PaperState.js";
import { PaperMetrics } from "./PaperMetrics.js";
import { PairStabilityMonitor } from "./PairStabilityMonitor.js";
import { feeModelOf, type StrategyConfig } from "./StrategyConfig.js";
import type { FeeModel } from "./broker/PaperBroker.js";

/** Most messages queued per strategy before the socket is paused (backpressure). */
const MAX_QUEUED_MESSAGES = 10_000;

export interface PaperSessionOptions {
  readonly statePath: string;
  /** Market-data service base URL ("http://127.0.0.1:8000"); without it, bars come only from `ingest`. */
  readonly marketUrl?: string;
  readonly risk?: RiskLimits;
  readonly clock?: () => number;
  readonly metrics?: PaperMetrics;
  /** Called with each pair bar's bar-to-decision time in ms (benchmarks; the histogram has it too). */
  readonly onDecision?: (milliseconds: number) => void;
}

/** What /ws pushes and `on("event")` receives. */
export type SessionEvent =
  | { readonly type: "fill"; readonly data: Fill }
  | { readonly type: "order"; readonly data: Order }
  | { readonly type: "position"; readonly data: { strategyId: string; positions: Record<string, number> } }
  | { readonly type: "pnl"; readonly data: { strategyId: string; ts: number; equity: number; pnl: number } }
  | { readonly type: "alert"; readonly data: Alert }
  | { readonly type: "status"; readonly data: { strategyId: string; status: "running" | "stopped" } };

interface Runtime {
  readonly config: StrategyConfig;
  readonly strategy: PairStrategy;
  readonly intake: KlineIntake;
  readonly fees: FeeModel;
  readonly capital: number;
  status: "running" | "stopped";
  queue: string[];
  socket: WebSocket | null;
  /** Bars (seq) whose order the gate refused; replayed on recovery. */
  readonly refused: Set<number>;
  replaying: boolean;
  refusedNow: boolean;
  current: PairBar | null;
  lastTs: number;
  /** Resolves when the stream has ended and the strategy is flattened (bounded replays). */
  ended: Promise<void>;
  resolveEnded: () => void;
  reportedRejects: Set<string>;
  /** Pair-stability monitor (config.stability), or null. */
  readonly monitor: PairStabilityMonitor | null;
}

export class PaperSession extends EventEmitter {
  readonly broker = new PaperBroker();
  readonly risk: RiskManager;
  readonly metrics: PaperMetrics;
  private readonly runtimes = new Map<string, Runtime>();
  private readonly clock: () => number;
  private pendingAlerts: Alert[] = [];
  /** The running drain (all strategies' queues → one batch → commit), or null. */
  private draining: Promise<void> | null = null;
  private closed = false;

  private constructor(
    readonly state: PaperState,
    private readonly options: PaperSessionOptions,
  ) {
    super();
    this.clock = options.clock ?? Date.now;
    this.metrics = options.metrics ?? new PaperMetrics();
    this.risk = new RiskManager(options.risk ?? {}, (alert) => this.pendingAlerts.push(alert), this.clock);
  }

  /** Open the state file and resume every running strategy it holds. */
  static async open(options: PaperSessionOptions): Promise<PaperSession> {
    const state = await PaperState.open(options.statePath);
    const session = new PaperSession(state, options);
    for (const row of await state.strategies()) await session.load(row.config, row.status);
    return session;
  }

  /**
   * Start a strategy from its config (validated by the engine: RangeError/TypeError name the field),
   * or resume it when the state already knows the id. Returns whether it was resumed.
   */
  async start(config: StrategyConfig): Promise<{ id: string; resumed: boolean }> {
    if (this.closed) throw new Error("PaperSession: closed");
    const known = this.runtimes.get(config.id);
    if (known !== undefined) {
      if (JSON.stringify(known.config) !== JSON.stringify(config))
        throw new RangeError(`PaperSession.start: strategy id ${JSON.stringify(config.id)} exists with a different config`);
      return { id: config.id, resumed: true };
    }
    new PairStrategy(config, null); // validation before anything is written
    if (config.stability !== undefined) new PairStabilityMonitor(config.stability);
    await this.state.addStrategy(config, this.clock());
    await this.load(config, "running");
    return { id: config.id, resumed: false };
  }

  private async load(config: StrategyConfig, status: "running" | "stopped"): Promise<void> {
    const refused = new Set<number>();
    let runtime: Runtime;
    const strategy = new PairStrategy(config, (target, _reason, t) => {
      if (runtime.replaying) return !refused.has(t);
      if (target === 0) return true;
      const bar = runtime.current as PairBar;
      const legs = strategy.engine.previewLegs(target);
      const exposure = this.exposure(config.id);
      const ok = this.risk.approveEntry({
        strategyId: config.id,
        ySymbol: config.y,
        xSymbol: config.x,
        yQuantity: legs.y,
        xQuantity: legs.x,
        yPrice: bar.y.close,
        xPrice: bar.x.close,
        otherGross: exposure.gross,
        otherNet: exposure.net,
      });
      if (!ok) runtime.refusedNow = true;
      return ok;
    });
    const capital = config.capital ?? 100_000;
    const stored = await this.state.bars(config.id);
    const account = await this.state.account(config.id);
    let resolveEnded = () => {};
    const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
    runtime = {
      config,
      strategy,
      intake: new KlineIntake(config.y, config.x, account?.lastTs ?? -Infinity),
      fees: feeModelOf(config),
      capital,
      status,
      queue: [],
      socket: null,
      refused,
      replaying: true,
      refusedNow: false,
      current: null,
      lastTs: account?.lastTs ?? -1,
      ended,
      resolveEnded,
      reportedRejects: new Set(),
      monitor: config.stability === undefined ? null : new PairStabilityMonitor(config.stability),
    };
    // rebuild the engine from the stored bars (the gate replays the stored refusals)
    for (const bar of stored) if (bar.refused) refused.add(bar.seq);
    for (const bar of stored) {
      const pair = {
        ts: bar.ts,
        y: { symbol: config.y, ts: bar.ts, close: bar.y, high: bar.y, low: bar.y, volume: 0 },
        x: { symbol: config.x, ts: bar.ts, close: bar.x, high: bar.x, low: bar.x, volume: 0 },
      };
      runtime.current = pair;
      const seq = strategy.seq;
      strategy.onBar(pair);
      runtime.monitor?.push(seq, bar.y, bar.x); // rebuilds the window; its alerts were raised before
    }
    runtime.replaying = false;
    const brokerAccount = this.broker.openAccount(config.id, capital);
    if (account !== null) {
      brokerAccount.cash = account.cash;
      for (const [symbol, quantity] of Object.entries(account.positions)) brokerAccount.positions.set(symbol, quantity);
      for (const [symbol, mark] of Object.entries(account.marks)) brokerAccount.marks.set(symbol, mark);
      for (const order of await this.state.orders(config.id)) this.broker.restore(order);
      const legs = strategy.engine.legs;
      if (status === "running" && ((account.positions[config.y] ?? 0) !== legs.y || (account.positions[config.x] ?? 0) !== legs.x)) {
        throw new Error(
          `PaperSession: recovery of ${config.id} is inconsistent: stored positions ${JSON.stringify(account.positions)} but the replayed engine holds y ${legs.y}, x ${legs.x}`,
        );
      }
    }
    if (status === "stopped") {
      strategy.stopped = true;
      resolveEnded();
    }
    this.runtimes.set(config.id, runtime);
    if (status === "running" && this.options.marketUrl !== undefined) this.connect(runtime);
  }

  private connect(runtime: Runtime): void {
    const c = runtime.config;
    const from = runtime.lastTs >= 0 ? runtime.lastTs + 1 : (c.startTime ?? 0);
    const query = new URLSearchParams({
      streams: `${c.y.toLowerCase()}@kline_${c.interval}/${c.x.toLowerCase()}@kline_${c.interval}`,
      startTime: String(from),
      speed: String(c.speed ?? 10_000),
    });
    if (c.endTime !== undefined) query.set("endTime", String(c.endTime));
    const socket = new WebSocket(`${(this.options.marketUrl as string).replace(/^http/, "ws")}/stream?${query}`);
    runtime.socket = socket;
    socket.on("message", (data) => {
      this.ingest(c.id, String(data));
      if (runtime.queue.length > MAX_QUEUED_MESSAGES) socket.pause();
    });
    // a replay that completed closes with 1000; anything else is a lost stream (alert, positions
    // kept, the stale-data check halts entries; a restart resumes after the last stored bar)
    const end = (completed: boolean, why: string): void => {
      if (runtime.socket !== socket) return;
      runtime.socket = null;
      void this.idle().then(async () => {
        if (this.closed) return;
        if (completed && runtime.status === "running" && c.stopAtEnd !== false && c.endTime !== undefined) await this.stop(c.id, "end");
        else if (!completed) {
          this.pendingAlerts.push({ at: this.clock(), kind: "marketData", limit: "stream", strategyId: c.id, message: why });
          await this.commit(emptyBatch());
        }
        runtime.resolveEnded();
      });
    };
    socket.on("close", (code, reason) =>
      end(code === 1000, `market-data stream closed (code ${code}${String(reason) ? `, ${String(reason)}` : ""})`),
    );
    socket.on("error", (error) => end(false, `market-data stream error: ${error.message}`));
  }

  /** Queue one market-data message for a strategy (any bar source). */
  ingest(strategyId: string, message: string): void {
    const runtime = this.runtimes.get(strategyId);
    if (runtime === undefined || runtime.status !== "running") return;
    runtime.queue.push(message);
    if (this.draining === null) void this.drain();
  }

  /** Wait until every queued message of every strategy is processed and committed. */
  async idle(): Promise<void> {
    while (this.draining !== null) await this.draining;
  }

  /** Resolves when the strategy's bounded replay has ended (and it was flattened). */
  ended(strategyId: string): Promise<void> {
    const runtime = this.runtimes.get(strategyId);
    if (runtime === undefined) return Promise.reject(new RangeError(`PaperSession: unknown strategy ${JSON.stringify(strategyId)}`));
    return runtime.ended;
  }

  /**
   * Process every queued message of every strategy, commit them as one batch (one transaction, a
   * group commit across strategies), then acknowledge; repeat while messages arrived meanwhile.
   */
  private drain(): Promise<void> {
    if (this.draining !== null) return this.draining;
    const work = (async () => {
      await Promise.resolve(); // `draining` is set before the loop can finish
      const inBatch: Runtime[] = [];
      try {
        for (;;) {
          const batch = emptyBatch();
          inBatch.length = 0;
          for (const runtime of this.runtimes.values()) {
            if (runtime.queue.length === 0) continue;
            const messages = runtime.queue;
            runtime.queue = [];
            runtime.socket?.resume();
            inBatch.push(runtime);
            for (const message of messages) if (runtime.status === "running") this.process(runtime, message, batch);
          }
          if (inBatch.length === 0) break;
          await this.commit(batch);
        }
      } catch (error) {
        // nothing of the failed batch was acknowledged; stop trading those strategies in memory
        for (const runtime of inBatch) {
          runtime.status = "stopped";
          runtime.socket?.terminate();
        }
        this.emit(
          "failure",
          new Error(
            `PaperSession: strategies ${inBatch.map((r) => r.config.id).join(", ")} stopped: state write failed: ${(error as Error).message}`,
          ),
        );
      } finally {
        this.draining = null;
      }
    })();
    this.draining = work;
    return work;
  }

  private process(runtime: Runtime, message: string, batch: StateBatch): void {
    const started = performance.now();
    const outcome = runtime.intake.accept(message);
    if (outcome.kind === "rejected") {
      this.metrics.marketDataRejected.inc({ reason: outcome.reason });
      const key = outcome.reason;
      if (!runtime.reportedRejects.has(key)) {
        runtime.reportedRejects.add(key);
        this.pendingAlerts.push({
          at: this.clock(),
          kind: "marketData",
          limit: outcome.reason,
          strategyId: runtime.config.id,
          message: outcome.message,
        });
      }
      return;
    }
    if (outcome.kind !== "pair") return;
    this.processBar(runtime, outcome.bar, batch);
    const elapsed = performance.now() - started;
    this.metrics.decisionLatency.observe(elapsed / 1000);
    this.options.onDecision?.(elapsed);
  }

  /** One pair bar through engine → risk → broker, into the batch. */
  private processBar(runtime: Runtime, bar: PairBar, batch: StateBatch): void {
    const { config, strategy } = runtime;
    const id = config.id;
    this.broker.mark(id, bar.y);
    this.broker.mark(id, bar.x);
    runtime.current = bar;
    runtime.refusedNow = false;
    const seq = strategy.seq;
    const orders = strategy.onBar(bar);
    if (runtime.refusedNow) runtime.refused.add(seq);
    batch.bars.push({ strategyId: id, seq, ts: bar.ts, y: bar.y.close, x: bar.x.close, refused: runtime.refusedNow });
    runtime.lastTs = bar.ts;
    this.sendOrders(runtime, orders, bar, batch);
    this.metrics.bars.inc({ strategy: id });
    this.metrics.streamLag.set({ strategy: id }, Math.max(0, (this.clock() - bar.ts) / 1000));
    batch.accounts.push(this.accountRow(runtime));
    this.risk.afterBar(id);
    if (runtime.monitor !== null) this.monitorBar(runtime, seq, bar, batch);
    if (this.risk.onEquity(bar.ts, this.totalEquity())) {
      for (const other of this.runtimes.values()) if (other.status === "running") this.flatten(other, "killSwitch", batch);
    }
  }

  /** Feed the stability monitor; on a break, alert and (retire) flatten and stop the strategy. */
  private monitorBar(runtime: Runtime, seq: number, bar: PairBar, batch: StateBatch): void {
    const monitor = runtime.monitor as PairStabilityMonitor;
    const check = monitor.push(seq, bar.y.close, bar.x.close);
    if (check === null) return;
    const id = runtime.config.id;
    this.metrics.stabilityPValue.set({ strategy: id }, check.pValue);
    this.metrics.stabilityHalfLife.set({ strategy: id }, check.halfLife);
    if (!check.broke) return;
    const action = monitor.retire ? "retired (flattened and stopped)" : "alert only";
    this.pendingAlerts.push({
      at: this.clock(),
      kind: "stability",
      limit: monitor.retire ? "retire" : "break",
      strategyId: id,
      message: `pair ${runtime.config.y}/${runtime.config.x} relation broke at bar ${seq} (window ${monitor.window}): ${check.reasons.join("; ")}; ${action}`,
    });
    if (monitor.retire) this.flatten(runtime, "retire", batch);
  }

  private sendOrders(runtime: Runtime, orders: ReturnType<PairStrategy["onBar"]>, bar: PairBar, batch: StateBatch): void {
    for (const o of orders) {
      const legBar = o.leg === "y" ? bar.y : bar.x;
      const { order, fills } = this.broker.submit(
        { clientOrderId: o.clientOrderId, strategyId: runtime.config.id, symbol: o.symbol, quantity: o.quantity, reason: o.reason },
        legBar,
        runtime.fees,
      );
      batch.orders.push(order);
      for (const fill of fills) batch.fills.push(fill);
    }
  }

  private flatten(runtime: Runtime, reason: string, batch: StateBatch): void {
    const orders = runtime.strategy.stop(reason);
    const bar = runtime.strategy.lastBar;
    if (bar !== null) this.sendOrders(runtime, orders, bar, batch);
    runtime.status = "stopped";
    batch.statuses.push({ id: runtime.config.id, status: "stopped" });
    batch.accounts.push(this.accountRow(runtime));
    runtime.socket?.close();
  }

  /** Flatten at the last close and stop a strategy (kill-switch, retire, `POST /api/strategies/:id/stop`). */
  async stop(strategyId: string, reason = "stop"): Promise<void> {
    const runtime = this.runtimes.get(strategyId);
    if (runtime === undefined) throw new RangeError(`PaperSession.stop: unknown strategy ${JSON.stringify(strategyId)}`);
    await this.idle();
    if (runtime.status !== "running") return;
    const batch = emptyBatch();
    this.flatten(runtime, reason, batch);
    await this.commit(batch);
    runtime.resolveEnded();
  }

  private async commit(batch: StateBatch): Promise<void> {
    const alerts = this.pendingAlerts;
    this.pendingAlerts = [];
    for (const alert of alerts) batch.alerts.push(alert);
    await this.state.commit(batch);
    // acknowledged: now the outside world hears about it
    for (const order of batch.orders) {
      this.metrics.orders.inc({ status: order.status });
      this.emit("event", { type: "order", data: order } satisfies SessionEvent);
    }
    for (const fill of batch.fills) {
      this.metrics.fills.inc({ strategy: fill.strategyId });
      this.emit("event", { type: "fill", data: fill } satisfies SessionEvent);
    }
    for (const alert of batch.alerts) {
      if (alert.kind === "risk" || alert.kind === "killSwitch") this.metrics.riskBreaches.inc({ limit: alert.limit });
      this.emit("event", { type: "alert", data: alert } satisfies SessionEvent);
    }
    // every bar's account state, in bar order (positions and P&L per bar on /ws); gauges: the last
    const last = new Map<string, AccountRow>();
    const listening = this.listenerCount("event") > 0;
    for (const a of batch.accounts) {
      last.set(a.strategyId, a);
      if (!listening) continue;
      const capital = this.runtimes.get(a.strategyId)?.capital ?? 0;
      this.emit("event", { type: "position", data: { strategyId: a.strategyId, positions: a.positions } } satisfies SessionEvent);
      this.emit("event", {
        type: "pnl",
        data: { strategyId: a.strategyId, ts: a.lastTs, equity: a.equity, pnl: a.equity - capital },
      } satisfies SessionEvent);
    }
    for (const a of last.values()) {
      const capital = this.runtimes.get(a.strategyId)?.capital ?? 0;
      this.metrics.equity.set({ strategy: a.strategyId }, a.equity);
      this.metrics.pnl.set({ strategy: a.strategyId }, a.equity - capital);
    }
    for (const s of batch.statuses)
      this.emit("event", { type: "status", data: { strategyId: s.id, status: s.status } } satisfies SessionEvent);
    const exposure = this.exposure(null);
    this.metrics.grossExposure.set(exposure.gross);
    this.metrics.netExposure.set(exposure.net);
  }

  private accountRow(runtime: Runtime): AccountRow {
    const account = this.broker.accounts.get(runtime.config.id);
    if (account === undefined) throw new Error(`PaperSession: no account for ${runtime.config.id}`);
    return {
      strategyId: runtime.config.id,
      cash: account.cash,
      positions: Object.fromEntries(account.positions),
      marks: Object.fromEntries(account.marks),
      equity: accountEquity(account),
      lastSeq: runtime.strategy.seq - 1,
      lastTs: runtime.lastTs,
    };
  }

  /** Gross Σ|q·p| and net Σ q·p over every account except `exclude`, at their marks. */
  exposure(exclude: string | null): { gross: number; net: number } {
    let gross = 0;
    let net = 0;
    for (const [id, account] of this.broker.accounts) {
      if (id === exclude) continue;
      for (const [symbol, quantity] of account.positions) {
        const value = quantity * (account.marks.get(symbol) ?? 0);
        gross += Math.abs(value);
        net += value;
      }
    }
    return { gross, net };
  }

  totalEquity(): number {
    let total = 0;
    for (const account of this.broker.accounts.values()) total += accountEquity(account);
    return total;
  }

  /** Stale-data check (the gateway runs it on a timer). */
  checkStale(): string[] {
    return this.risk.checkStale();
  }

  strategies(): { id: string; status: string; config: StrategyConfig; bars: number; rejected: Record<string, number>; equity: number }[] {
    return [...this.runtimes.values()].map((r) => ({
      id: r.config.id,
      status: r.status,
      config: r.config,
      bars: r.strategy.seq,
      rejected: { ...r.intake.rejected },
      equity: accountEquity(this.broker.accounts.get(r.config.id) ?? { cash: r.capital, positions: new Map(), marks: new Map() }),
    }));
  }

  runtime(strategyId: string): { intake: KlineIntake; strategy: PairStrategy } | undefined {
    return this.runtimes.get(strategyId);
  }

  /** Close the sockets, wait for queued work, close the state. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const runtime of this.runtimes.values()) {
      const socket = runtime.socket;
      runtime.socket = null;
      socket?.terminate();
    }
    await this.idle();
    await this.state.close();
  }
}
