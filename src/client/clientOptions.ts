/**
 * Connection options shared by `PairDiscoveryClient`, `MeanRevClient` and `connect`, and the one
 * place that turns them into a grpc-js channel.
 *
 * Address resolution mirrors the existing Python client (wire-contract.md §2): `host` argument,
 * else env `GRPC_HOST`, else "localhost"; `port` argument, else env `GRPC_PORT`, else 50051.
 * Unlike the Python client, an explicit port 0 is rejected instead of silently falling through.
 * Transport: plaintext unless `tls` is given; bearer token from `token` or env `GRPC_AUTH_TOKEN`
 * (sent as `authorization: Bearer <token>` metadata on every call, also over plaintext so that
 * the server's token check works on a private network without TLS).
 * Message-size limit: 64 MiB each way by default, matching the server default (grpc-js' own
 * default would cap received messages at 4 MiB, which a large DiscoverPairs answer can exceed).
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

/** Default host, port and message-size limit. */
export const DEFAULT_HOST = "localhost";
export const DEFAULT_PORT = 50051;
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/**
 * grpc-js keeps each message a call writes in a per-call retry buffer (grpc.per_rpc_retry_buffer_size,
 * default 256 KiB) until the transport has sent it, trimming it with an array slice per sent message:
 * O(buffered²) client CPU for a fast bidi writer (profiled: 40 % of a client's CPU, capping a stream at
 * ~5k messages/s). 16 KiB keeps writes paced by the transport (15–36k messages/s measured). No retry
 * policy is configured, so nothing else changes. Override through `channelOptions`.
 */
export const DEFAULT_RETRY_BUFFER_BYTES = 16 * 1024;

/** TLS settings; PEM contents as Buffer/string, or a file path when the string does not start with "-----". */
export interface ClientTlsOptions {
  /** CA certificate(s) to trust (PEM or path). Omit to use the system roots. */
  rootCerts?: Buffer | string;
  /** Client private key for mutual TLS (PEM or path). */
  privateKey?: Buffer | string;
  /** Client certificate chain for mutual TLS (PEM or path). */
  certChain?: Buffer | string;
  /** Expected server name when it differs from `host` (e.g. a test certificate issued for "localhost"). */
  serverNameOverride?: string;
}

/** Options for `new PairDiscoveryClient(options)`, `new MeanRevClient(options)` and `connect(options)`. */
export interface ClientOptions {
  /** Server host; default env GRPC_HOST or "localhost". */
  host?: string;
  /** Server port; default env GRPC_PORT or 50051. */
  port?: number;
  /** Full "host:port" target; wins over host/port when given. */
  address?: string;
  /** Use TLS: `true` for system roots, or an object with a root certificate etc. Default plaintext. */
  tls?: boolean | ClientTlsOptions;
  /** Bearer token sent as `authorization: Bearer <token>`; default env GRPC_AUTH_TOKEN, else none. */
  token?: string;
  /** Max send/receive message size in bytes; default 64 MiB. */
  maxMessageBytes?: number;
  /** Extra grpc-js channel options (e.g. keepalive), merged last. */
  channelOptions?: grpc.ChannelOptions;
}

/** The resolved, validated form of `ClientOptions`. */
export interface ResolvedClientConfig {
  readonly address: string;
  readonly credentials: grpc.ChannelCredentials;
  readonly channelOptions: grpc.ChannelOptions;
  readonly token: string | undefined;
}

function readPem(value: Buffer | string | undefined, name: string, fn: string): Buffer | null {
  if (value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value !== "string") throw new TypeError(`${fn}: tls.${name} must be a Buffer or string, got ${typeof value}`);
  if (value.trimStart().startsWith("-----")) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (error) {
    throw new RangeError(`${fn}: tls.${name} is neither PEM text nor a readable file: ${value} (${(error as Error).message})`);
  }
}

/**
 * Resolve address, credentials and channel options from `options` and the environment.
 * @throws RangeError for an invalid port, host, token or message size; TypeError for wrong kinds
 */
export function resolveClientConfig(
  options: ClientOptions = {},
  fn = "client",
  env: NodeJS.ProcessEnv = process.env,
): ResolvedClientConfig {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${fn}: options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  let address: string;
  if (options.address !== undefined) {
    if (typeof options.address !== "string" || options.address.length === 0) {
      throw new RangeError(`${fn}: address must be a non-empty "host:port" string`);
    }
    address = options.address;
  } else {
    const host = options.host ?? (env.GRPC_HOST || DEFAULT_HOST);
    if (typeof host !== "string" || host.length === 0) throw new RangeError(`${fn}: host must be a non-empty string`);
    let port: number;
    if (options.port !== undefined) port = options.port;
    else if (env.GRPC_PORT) port = Number(env.GRPC_PORT);
    else port = DEFAULT_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      const source = options.port !== undefined ? "port" : "GRPC_PORT";
      throw new RangeError(`${fn}: ${source} must be an integer in 1..65535, got ${String(options.port ?? env.GRPC_PORT)}`);
    }
    // Bracket bare IPv6 literals ("::1" -> "[::1]:50051").
    address = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
  }

  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new RangeError(`${fn}: maxMessageBytes must be a positive integer, got ${String(maxMessageBytes)}`);
  }

  const token = options.token ?? (env.GRPC_AUTH_TOKEN || undefined);
  if (token !== undefined && (typeof token !== "string" || token.length === 0 || /[\r\n]/.test(token))) {
    throw new RangeError(`${fn}: token must be a non-empty single-line string`);
  }

  let credentials: grpc.ChannelCredentials;
  const channelOptions: grpc.ChannelOptions = {
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
    "grpc.per_rpc_retry_buffer_size": DEFAULT_RETRY_BUFFER_BYTES,
  };
  if (options.tls === undefined || options.tls === false) {
    credentials = grpc.credentials.createInsecure();
  } else {
    const tls: ClientTlsOptions = options.tls === true ? {} : options.tls;
    credentials = grpc.credentials.createSsl(
      readPem(tls.rootCerts, "rootCerts", fn),
      readPem(tls.privateKey, "privateKey", fn),
      readPem(tls.certChain, "certChain", fn),
    );
    if (tls.serverNameOverride) channelOptions["grpc.ssl_target_name_override"] = tls.serverNameOverride;
  }
  Object.assign(channelOptions, options.channelOptions ?? {});
  return { address, credentials, channelOptions, token };
}
