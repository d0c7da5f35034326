/**
 * Typed gRPC clients for the Arbitrage Lab server (wire contract: proto/*.proto).
 * Requests: generated message types with every field optional, series as ArrayLike<number>.
 * Responses: generated plain objects with camelCase fields. Errors: ClientCallError.
 */
// Clients
export { PairDiscoveryClient, PAIR_DISCOVERY_DEFAULT_TIMEOUTS_MS } from "./PairDiscoveryClient.js"; // pair_discovery service
export { MeanRevClient, MEANREV_UNARY_TIMEOUT_MS } from "./MeanRevClient.js"; // meanrev service
export { connect } from "./connect.js"; // both clients on one channel, for notebooks
// Options, errors, helpers
export { resolveClientConfig, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_MESSAGE_BYTES } from "./clientOptions.js"; // address/env/TLS resolution
export { ClientCallError, statusName } from "./ClientCallError.js"; // the one call-failure type
export { matrixMessage } from "./matrixMessage.js"; // MatrixRowMajor or rows -> wire Matrix
// Types
export type { ClientOptions, ClientTlsOptions, ResolvedClientConfig } from "./clientOptions.js";
export type { CallOptions, RequestInput } from "./RpcConnection.js";
export type { ConnectOptions, ArbitrageLabConnection } from "./connect.js";
export type * from "./PairDiscoveryClient.js";
export type * from "./MeanRevClient.js";
