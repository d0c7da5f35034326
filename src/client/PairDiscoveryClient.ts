/**
 * Typed client for `pair_discovery.PairDiscoveryService` (proto/pair_discovery.proto).
 *
 * Requests are the generated message types with every field optional (proto3 zero = "use the
 * server default") and numeric series accepted as any `ArrayLike<number>`; responses are the
 * generated message objects: plain objects with camelCase fields (`pValue`, `halfLife`,
 * `lowerBoundary`, ...), documented in proto/pair_discovery.proto and docs/compatibility.md.
 * Failed calls throw `ClientCallError` (gRPC code + the server's details unchanged).
 *
 * Default deadlines match the existing Python client (wire-contract.md §2): TestPair 60 s,
 * DiscoverPairs 300 s, SolveHJB 30 s, BacktestStrategy 30 s, EstimateOU / TestCointegration /
 * CalculateHurst 10 s; override per call with `{ timeoutMs }` (Infinity = none) or `{ deadline }`.
 *
 * Naming trap kept from the contract: here kappa = OU speed and theta = OU long-run mean
 * (meanrev's OUEstimate uses theta = speed, mu = mean).
 * @example
 * const client = new PairDiscoveryClient({ host: "127.0.0.1", port: 50051 });
 * const r = await client.testPair({ symbol1: "GLD", symbol2: "GDX", prices1: gld, prices2: gdx });
 * r.isCointegrated; r.beta; r.halfLife; // plain fields
 * for await (const u of client.discoverPairs({ symbols: { A: a, B: b, C: c } })) if (u.result?.success) console.log(u.result.symbol1, u.result.pValue);
 * client.close();
 */
import {
  PairDiscoveryServiceService as Service,
  PairTestRequest,
  BatchDiscoveryRequest,
  HJBRequest,
  OUEstimationRequest,
  CointegrationRequest,
  HurstRequest,
  BacktestRequest,
  type PairTestResponse,
  type PairDiscoveryUpdate,
  type HJBResponse,
  type OUEstimationResponse,
  type CointegrationResponse,
  type HurstResponse,
  type BacktestResponse,
  type SymbolData,
} from "../server/generated/pair_discovery.js";
import type { ClientOptions } from "./clientOptions.js";
import { RpcConnection, toMessage, type GrpcChannel, type CallOptions, type RequestInput } from "./RpcConnection.js";

export type {
  PairTestResponse,
  PairDiscoveryUpdate,
  PairQValue,
  HJBResponse,
  OUEstimationResponse,
  CointegrationResponse,
  HurstResponse,
  BacktestResponse,
} from "../server/generated/pair_discovery.js";

/** TestPair input: prices1 (y leg) is regressed on prices2 (x leg), so beta = "prices1 per unit of prices2". */
export type TestPairInput = RequestInput<PairTestRequest>;
/**
 * DiscoverPairs input. `symbols` may be the wire list `[{ symbol, prices }]` or, like the Python
 * client's dict, a record `{ SYMBOL: prices }` (insertion order = symbol order = pair order).
 */
export type DiscoverPairsInput = Omit<RequestInput<BatchDiscoveryRequest>, "symbols"> & {
  symbols?: readonly RequestInput<SymbolData>[] | Readonly<Record<string, ArrayLike<number>>>;
};
export type SolveHjbInput = RequestInput<HJBRequest>;
export type EstimateOuInput = RequestInput<OUEstimationRequest>;
export type TestCointegrationInput = RequestInput<CointegrationRequest>;
export type CalculateHurstInput = RequestInput<HurstRequest>;
export type BacktestStrategyInput = RequestInput<BacktestRequest>;

/** Default per-method deadlines in milliseconds (the existing Python client's timeouts). */
export const PAIR_DISCOVERY_DEFAULT_TIMEOUTS_MS = {
  testPair: 60_000,
  discoverPairs: 300_000,
  solveHjb: 30_000,
  estimateOu: 10_000,
  testCointegration: 10_000,
  calculateHurst: 10_000,
  backtestStrategy: 30_000,
} as const;

const T = PAIR_DISCOVERY_DEFAULT_TIMEOUTS_MS;
const NAME = "PairDiscoveryClient";

export class PairDiscoveryClient {
  /** The "host:port" target this client dials. */
  readonly address: string;
  private readonly connection: RpcConnection;

  /**
   * Create a client; does not contact the server (the channel connects lazily on the first call,
   * or use `waitForReady`). `channel` lets several clients share one connection (see `connect`).
   */
  constructor(options: ClientOptions = {}, channel?: GrpcChannel) {
    this.connection = new RpcConnection(options, NAME, channel);
    this.address = this.connection.address;
  }

  /** The underlying grpc-js channel (share it with another client through its constructor). */
  get channel(): GrpcChannel {
    return this.connection.client.getChannel();
  }

  /** Resolve when connected; reject with a ClientCallError (UNAVAILABLE) after `timeoutMs` (default 5000). */
  waitForReady(timeoutMs?: number): Promise<void> {
    return this.connection.waitForReady(timeoutMs);
  }

  /** grpc.health.v1 status of `service` (default "pair_discovery.PairDiscoveryService"). */
  checkHealth(service = "pair_discovery.PairDiscoveryService", call?: CallOptions) {
    return this.connection.checkHealth(service, call);
  }

  /** Engle–Granger → Hurst → OU → optimal levels → backtest → scores for one pair. `success` false = filtered out, see `error`. */
  testPair(request: TestPairInput, call?: CallOptions): Promise<PairTestResponse> {
    const message = toMessage(PairTestRequest, request, `${NAME}.testPair`);
    return this.connection.unary(Service.testPair, message, call, T.testPair);
  }

  /**
   * Test every pair (i < j) of `symbols`; yields one update per pair as the server computes it
   * (`result` set, `result.success` true when the pair passed the filters), then a final update
   * (`isFinal`, `qValues` = Benjamini–Hochberg q-values). Breaking out of the loop or aborting
   * `call.signal` cancels the server's work.
   */
  discoverPairs(request: DiscoverPairsInput, call?: CallOptions): AsyncGenerator<PairDiscoveryUpdate, void, undefined> {
    const fn = `${NAME}.discoverPairs`;
    let input: unknown = request;
    const symbols = (request as DiscoverPairsInput | undefined)?.symbols;
    if (symbols !== undefined && symbols !== null && !Array.isArray(symbols) && typeof symbols === "object") {
      input = { ...request, symbols: Object.entries(symbols).map(([symbol, prices]) => ({ symbol, prices })) };
    }
    const message = toMessage(BatchDiscoveryRequest, input, fn);
    return this.connection.serverStream(Service.discoverPairs, message, call, T.discoverPairs);
  }

  /** Optimal entry (lowerBoundary) and exit (upperBoundary) levels and value functions for an OU spread. */
  solveHjb(request: SolveHjbInput, call?: CallOptions): Promise<HJBResponse> {
    const message = toMessage(HJBRequest, request, `${NAME}.solveHjb`);
    return this.connection.unary(Service.solveHjb, message, call, T.solveHjb);
  }

  /** OU fit of a spread: kappa (speed per unit of dt), theta (mean), sigma, halfLife (bars). */
  estimateOu(request: EstimateOuInput, call?: CallOptions): Promise<OUEstimationResponse> {
    const message = toMessage(OUEstimationRequest, request, `${NAME}.estimateOu`);
    return this.connection.unary(Service.estimateOu, message, call, T.estimateOu);
  }

  /** Engle–Granger test of y on x: beta, ADF statistic, MacKinnon p-value, residual spread. */
  testCointegration(request: TestCointegrationInput, call?: CallOptions): Promise<CointegrationResponse> {
    const message = toMessage(CointegrationRequest, request, `${NAME}.testCointegration`);
    return this.connection.unary(Service.testCointegration, message, call, T.testCointegration);
  }

  /** Hurst exponent of a series (method "variance" | "rs" | "dfa"). */
  calculateHurst(request: CalculateHurstInput, call?: CallOptions): Promise<HurstResponse> {
    const message = toMessage(HurstRequest, request, `${NAME}.calculateHurst`);
    return this.connection.unary(Service.calculateHurst, message, call, T.calculateHurst);
  }

  /** Threshold backtest of a spread with costs: returns, Sharpe, drawdown (positive), trades, P&L path. */
  backtestStrategy(request: BacktestStrategyInput, call?: CallOptions): Promise<BacktestResponse> {
    const message = toMessage(BacktestRequest, request, `${NAME}.backtestStrategy`);
    return this.connection.unary(Service.backtestStrategy, message, call, T.backtestStrategy);
  }

  /** Close the channel (a shared channel too: see `connect`); later calls fail with UNAVAILABLE. */
  close(): void {
    this.connection.close();
  }
}
