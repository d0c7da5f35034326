/**
 * Typed client for `meanrev.MeanRevService` (proto/meanrev.proto).
 *
 * Unary methods return the generated response objects (plain objects, camelCase fields).
 * Bidirectional methods take an `AsyncIterable` (or plain `Iterable`) of inputs and return an
 * async iterator of outputs: inputs are sent as the caller produces them (with backpressure) and
 * each answer is yielded as soon as the server sends it, so a live feed can be piped through:
 * `for await (const est of client.estimateOuParams(priceFeed())) ...`. The server stream
 * `portfolioHealthStream` runs until the caller breaks out of the loop or aborts `call.signal`.
 * Failed calls throw `ClientCallError`.
 *
 * Default deadlines: 30 s for unary calls; none for streams (they live as long as their input,
 * pass `{ timeoutMs }` to bound them).
 * Naming trap kept from the contract: in OUEstimate theta = SPEED and mu = MEAN
 * (PairDiscoveryClient's kappa/theta are speed/mean).
 * @example
 * const meanrev = new MeanRevClient({ port: 50051 });
 * const r = await meanrev.computeLogReturns({ prices: [100, 101, 99.5] }); // r.logReturns, r.meanReturn, r.nPeriods = 2
 * for await (const m of meanrev.backtestWithCosts(bars)) console.log(m.barNumber, m.cumulativeReturn);
 */
import {
  MeanRevServiceService as Service,
  PriceUpdate,
  ThresholdRequest,
  BacktestInput,
  ReturnsRequest,
  PCARequest,
  OptimizationInput,
  MultiperiodRequest,
  PortfolioStatsRequest,
  SignalRequest,
  HealthRequest,
  type OUEstimate,
  type ThresholdResponse,
  type BacktestMetric,
  type ReturnsResponse,
  type PCAResponse,
  type WeightsOutput,
  type MultiperiodResponse,
  type PortfolioStatsResponse,
  type SignalResponse,
  type HealthMetric,
} from "../server/generated/meanrev.js";
import type { ClientOptions } from "./clientOptions.js";
import { RpcConnection, toMessage, type GrpcChannel, type CallOptions, type RequestInput } from "./RpcConnection.js";

export type {
  Matrix,
  OUEstimate,
  ThresholdResponse,
  BacktestMetric,
  ReturnsResponse,
  PCAResponse,
  WeightsOutput,
  MultiperiodResponse,
  PortfolioStatsResponse,
  SignalResponse,
  HealthMetric,
} from "../server/generated/meanrev.js";

/** One price (or spread) observation for EstimateOUParams. */
export type PriceUpdateInput = RequestInput<PriceUpdate>;
export type OptimalThresholdsInput = RequestInput<ThresholdRequest>;
/** One bar for BacktestWithCosts: the spread value plus the strategy settings (read from the first bar). */
export type BacktestBarInput = RequestInput<BacktestInput>;
export type ComputeLogReturnsInput = RequestInput<ReturnsRequest>;
export type PcaPortfoliosInput = RequestInput<PCARequest>;
/** One returns matrix (T × N, build it with `matrixMessage`) for CARA/Sharpe optimal weights. */
export type OptimizationInputInput = RequestInput<OptimizationInput>;
export type MultiperiodOptimizeInput = RequestInput<MultiperiodRequest>;
export type PortfolioStatsInput = RequestInput<PortfolioStatsRequest>;
export type GenerateSignalsInput = RequestInput<SignalRequest>;
export type PortfolioHealthInput = RequestInput<HealthRequest>;

/** Default deadline of the unary meanrev methods, in milliseconds. */
export const MEANREV_UNARY_TIMEOUT_MS = 30_000;

const NAME = "MeanRevClient";

export class MeanRevClient {
  /** The "host:port" target this client dials. */
  readonly address: string;
  private readonly connection: RpcConnection;

  /** Create a client (lazy: no network traffic until the first call). `channel` shares a connection. */
  constructor(options: ClientOptions = {}, channel?: GrpcChannel) {
    this.connection = new RpcConnection(options, NAME, channel);
    this.address = this.connection.address;
  }

  /** The underlying grpc-js channel. */
  get channel(): GrpcChannel {
    return this.connection.client.getChannel();
  }

  /** Resolve when connected; reject with a ClientCallError (UNAVAILABLE) after `timeoutMs` (default 5000). */
  waitForReady(timeoutMs?: number): Promise<void> {
    return this.connection.waitForReady(timeoutMs);
  }

  /** grpc.health.v1 status of `service` (default "meanrev.MeanRevService"). */
  checkHealth(service = "meanrev.MeanRevService", call?: CallOptions) {
    return this.connection.checkHealth(service, call);
  }

  /** Bidi: one OUEstimate (theta = speed per bar, mu = mean) per price update after the server's warm-up. */
  estimateOuParams(
    updates: AsyncIterable<PriceUpdateInput> | Iterable<PriceUpdateInput>,
    call?: CallOptions,
  ): AsyncGenerator<OUEstimate, void, undefined> {
    const fn = `${NAME}.estimateOuParams`;
    return this.connection.bidiStream(Service.estimateOuParams, updates, (input: unknown) => toMessage(PriceUpdate, input, fn), call);
  }

  /** Optimal entry/exit z-scores for an OU spread (`ouParams.theta` = speed, `ouParams.mu` = mean). */
  optimalThresholds(request: OptimalThresholdsInput, call?: CallOptions): Promise<ThresholdResponse> {
    const message = toMessage(ThresholdRequest, request, `${NAME}.optimalThresholds`);
    return this.connection.unary(Service.optimalThresholds, message, call, MEANREV_UNARY_TIMEOUT_MS);
  }

  /** Bidi: streaming z-score backtest; a BacktestMetric every `updateFrequency` bars. */
  backtestWithCosts(
    bars: AsyncIterable<BacktestBarInput> | Iterable<BacktestBarInput>,
    call?: CallOptions,
  ): AsyncGenerator<BacktestMetric, void, undefined> {
    const fn = `${NAME}.backtestWithCosts`;
    return this.connection.bidiStream(Service.backtestWithCosts, bars, (input: unknown) => toMessage(BacktestInput, input, fn), call);
  }

  /** Log (default) or simple returns of a price series with mean, sample sd and count. */
  computeLogReturns(request: ComputeLogReturnsInput, call?: CallOptions): Promise<ReturnsResponse> {
    const message = toMessage(ReturnsRequest, request, `${NAME}.computeLogReturns`);
    return this.connection.unary(Service.computeLogReturns, message, call, MEANREV_UNARY_TIMEOUT_MS);
  }

  /** Principal components of a T × N returns matrix (explained variance ratios, k × N components, T × k scores). */
  pcaPortfolios(request: PcaPortfoliosInput, call?: CallOptions): Promise<PCAResponse> {
    const message = toMessage(PCARequest, request, `${NAME}.pcaPortfolios`);
    return this.connection.unary(Service.pcaPortfolios, message, call, MEANREV_UNARY_TIMEOUT_MS);
  }

  /** Bidi: CARA (mean–variance, risk aversion gamma) weights per input returns matrix. */
  caraOptimalWeights(
    inputs: AsyncIterable<OptimizationInputInput> | Iterable<OptimizationInputInput>,
    call?: CallOptions,
  ): AsyncGenerator<WeightsOutput, void, undefined> {
    const fn = `${NAME}.caraOptimalWeights`;
    return this.connection.bidiStream(
      Service.caraOptimalWeights,
      inputs,
      (input: unknown) => toMessage(OptimizationInput, input, fn),
      call,
    );
  }

  /** Bidi: maximum-Sharpe (tangency) weights per input returns matrix. */
  sharpeOptimalWeights(
    inputs: AsyncIterable<OptimizationInputInput> | Iterable<OptimizationInputInput>,
    call?: CallOptions,
  ): AsyncGenerator<WeightsOutput, void, undefined> {
    const fn = `${NAME}.sharpeOptimalWeights`;
    return this.connection.bidiStream(
      Service.sharpeOptimalWeights,
      inputs,
      (input: unknown) => toMessage(OptimizationInput, input, fn),
      call,
    );
  }

  /** Weights for a sequence of returns matrices with turnover costs. */
  multiperiodOptimize(request: MultiperiodOptimizeInput, call?: CallOptions): Promise<MultiperiodResponse> {
    const message = toMessage(MultiperiodRequest, request, `${NAME}.multiperiodOptimize`);
    return this.connection.unary(Service.multiperiodOptimize, message, call, MEANREV_UNARY_TIMEOUT_MS);
  }

  /** Portfolio mean, sd, skewness, excess kurtosis, correlation/covariance and risk contributions. */
  portfolioStats(request: PortfolioStatsInput, call?: CallOptions): Promise<PortfolioStatsResponse> {
    const message = toMessage(PortfolioStatsRequest, request, `${NAME}.portfolioStats`);
    return this.connection.unary(Service.portfolioStats, message, call, MEANREV_UNARY_TIMEOUT_MS);
  }

  /** Trading signal ("buy" | "sell" | "exit" | "hold") for the latest price given OU params and thresholds. */
  generateSignals(request: GenerateSignalsInput, call?: CallOptions): Promise<SignalResponse> {
    const message = toMessage(SignalRequest, request, `${NAME}.generateSignals`);
    return this.connection.unary(Service.generateSignals, message, call, MEANREV_UNARY_TIMEOUT_MS);
  }

  /** Server stream: a HealthMetric every `updateFrequencyMs` until the caller stops iterating or aborts. */
  portfolioHealthStream(request: PortfolioHealthInput, call?: CallOptions): AsyncGenerator<HealthMetric, void, undefined> {
    const message = toMessage(HealthRequest, request, `${NAME}.portfolioHealthStream`);
    return this.connection.serverStream(Service.portfolioHealthStream, message, call);
  }

  /** Close the channel; later calls fail with UNAVAILABLE. */
  close(): void {
    this.connection.close();
  }
}
