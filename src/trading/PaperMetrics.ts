/**
 * Prometheus metrics of a paper session (prom-client, one registry per session, served by the
 * gateway at GET /metrics). Names are what docker/grafana/dashboards/trading-engine.json queries
 * (src/gateway/grafanaDashboards.test.ts evaluates each panel against a real Prometheus).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class PaperMetrics {
  readonly registry = new Registry();
  readonly orders: Counter<"status">;
  readonly fills: Counter<"strategy">;
  readonly riskBreaches: Counter<"limit">;
  readonly marketDataRejected: Counter<"reason">;
  readonly bars: Counter<"strategy">;
  readonly equity: Gauge<"strategy">;
  readonly pnl: Gauge<"strategy">;
  readonly grossExposure: Gauge;
  readonly netExposure: Gauge;
  readonly streamLag: Gauge<"strategy">;
  readonly decisionLatency: Histogram;
  readonly stabilityPValue: Gauge<"strategy">;
  readonly stabilityHalfLife: Gauge<"strategy">;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.orders = new Counter({ name: "arblab_paper_orders_total", help: "Orders by final status", labelNames: ["status"], registers });
    this.fills = new Counter({ name: "arblab_paper_fills_total", help: "Fills by strategy", labelNames: ["strategy"], registers });
    this.riskBreaches = new Counter({
      name: "arblab_paper_risk_breaches_total",
      help: "Orders refused by the risk manager, by limit",
      labelNames: ["limit"],
      registers,
    });
    this.marketDataRejected = new Counter({
      name: "arblab_paper_marketdata_rejected_total",
      help: "Market-data messages rejected, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.bars = new Counter({ name: "arblab_paper_bars_total", help: "Pair bars processed", labelNames: ["strategy"], registers });
    this.equity = new Gauge({ name: "arblab_paper_equity", help: "Account equity at the marks", labelNames: ["strategy"], registers });
    this.pnl = new Gauge({ name: "arblab_paper_pnl", help: "Equity minus starting capital", labelNames: ["strategy"], registers });
    this.grossExposure = new Gauge({ name: "arblab_paper_gross_exposure", help: "Σ|q·p| over all strategies", registers });
    this.netExposure = new Gauge({ name: "arblab_paper_net_exposure", help: "Σ q·p over all strategies", registers });
    this.streamLag = new Gauge({
      name: "arblab_paper_stream_lag_seconds",
      help: "Wall clock minus the event time of the last bar (replays: simulated clock)",
      labelNames: ["strategy"],
      registers,
    });
    this.decisionLatency = new Histogram({
      name: "arblab_paper_bar_to_decision_seconds",
      help: "From a pair bar's arrival to its orders filled by the broker",
      buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
      registers,
    });
    this.stabilityPValue = new Gauge({
      name: "arblab_paper_stability_pvalue",
      help: "Engle–Granger p-value of the last stability check",
      labelNames: ["strategy"],
      registers,
    });
    this.stabilityHalfLife = new Gauge({
      name: "arblab_paper_stability_half_life_bars",
      help: "Residual half-life (bars) of the last stability check",
      labelNames: ["strategy"],
      registers,
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "arblab_paper_" });
  }
}
