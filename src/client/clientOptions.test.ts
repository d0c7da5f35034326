/**
 * Address/env/TLS resolution of the clients (resolveClientConfig) and matrixMessage; plus a TLS
 * round trip with a throwaway self-signed certificate (openssl, CN/SAN 127.0.0.1) against a
 * scripted grpc-js server, so the `tls.rootCerts` option is proven end to end.
 */
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { resolveClientConfig, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RETRY_BUFFER_BYTES } from "./clientOptions.js";
import { matrixMessage } from "./matrixMessage.js";
import { PairDiscoveryClient } from "./PairDiscoveryClient.js";
import { ClientCallError } from "./ClientCallError.js";
import { PairDiscoveryServiceService, PairTestResponse } from "../server/generated/pair_discovery.js";

describe("resolveClientConfig", () => {
  it("defaults to localhost:50051, plaintext, 64 MiB messages, no token (like the Python client)", () => {
    const c = resolveClientConfig({}, "t", {});
    expect(c.address).toBe("localhost:50051");
    expect(c.token).toBeUndefined();
    expect(c.channelOptions["grpc.max_receive_message_length"]).toBe(DEFAULT_MAX_MESSAGE_BYTES);
    expect(c.channelOptions["grpc.max_send_message_length"]).toBe(DEFAULT_MAX_MESSAGE_BYTES);
    expect(c.credentials._isSecure()).toBe(false);
  });
  it("uses a 16 KiB grpc-js retry buffer by default (fast bidi writers stay linear) and lets channelOptions override it", () => {
    expect(resolveClientConfig({}, "t", {}).channelOptions["grpc.per_rpc_retry_buffer_size"]).toBe(DEFAULT_RETRY_BUFFER_BYTES);
    const c = resolveClientConfig({ channelOptions: { "grpc.per_rpc_retry_buffer_size": 1 << 20 } }, "t", {});
    expect(c.channelOptions["grpc.per_rpc_retry_buffer_size"]).toBe(1 << 20);
  });

  it("GRPC_HOST / GRPC_PORT / GRPC_AUTH_TOKEN apply when arguments are absent; arguments win", () => {
    const env = { GRPC_HOST: "grpc-server", GRPC_PORT: "6000", GRPC_AUTH_TOKEN: "env-token" };
    expect(resolveClientConfig({}, "t", env)).toMatchObject({ address: "grpc-server:6000", token: "env-token" });
    expect(resolveClientConfig({ host: "h", port: 7, token: "arg" }, "t", env)).toMatchObject({ address: "h:7", token: "arg" });
    expect(resolveClientConfig({ address: "dns:///x:9" }, "t", env).address).toBe("dns:///x:9");
  });

  it("brackets a bare IPv6 literal", () => {
    expect(resolveClientConfig({ host: "::1", port: 50051 }, "t", {}).address).toBe("[::1]:50051");
  });

  it("rejects bad ports, hosts, tokens and sizes with messages naming the option", () => {
    expect(() => resolveClientConfig({ port: 0 }, "PairDiscoveryClient", {})).toThrow(
      /PairDiscoveryClient: port must be an integer in 1..65535, got 0/,
    );
    expect(() => resolveClientConfig({}, "t", { GRPC_PORT: "abc" })).toThrow(/GRPC_PORT must be an integer/);
    expect(() => resolveClientConfig({ host: "" }, "t", {})).toThrow(RangeError);
    expect(() => resolveClientConfig({ token: "a\nb" }, "t", {})).toThrow(/token must be a non-empty single-line string/);
    expect(() => resolveClientConfig({ maxMessageBytes: 0 }, "t", {})).toThrow(/maxMessageBytes/);
    expect(() => resolveClientConfig({ tls: { rootCerts: "/nonexistent/ca.pem" } }, "t", {})).toThrow(
      /tls.rootCerts is neither PEM text nor a readable file/,
    );
  });
});

describe("matrixMessage", () => {
  it("converts nested rows and MatrixRowMajor to the wire Matrix (row-major)", () => {
    expect(
      matrixMessage([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ).toEqual({ rows: 3, cols: 2, values: [1, 2, 3, 4, 5, 6] });
    expect(matrixMessage({ rows: 2, cols: 2, data: new Float64Array([1, 2, 3, 4]) })).toEqual({ rows: 2, cols: 2, values: [1, 2, 3, 4] });
  });

  it("rejects ragged rows and inconsistent data", () => {
    expect(() => matrixMessage([[1, 2], [3]])).toThrow(/row 1 has 1/);
    expect(() => matrixMessage({ rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(/rows \* cols = 4/);
  });
});

describe("TLS", () => {
  it("a client with tls.rootCerts talks to a TLS server; a plaintext client cannot", async () => {
    const dir = mkdtempSync(join(tmpdir(), "arblab-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=127.0.0.1",
          "-addext",
          "subjectAltName=IP:127.0.0.1,DNS:localhost",
          "-keyout",
          join(dir, "key.pem"),
          "-out",
          join(dir, "cert.pem"),
        ],
        { stdio: "ignore" },
      );
      const server = new grpc.Server();
      server.addService(PairDiscoveryServiceService, {
        testPair: (_call: unknown, callback: grpc.sendUnaryData<PairTestResponse>) =>
          callback(null, PairTestResponse.fromPartial({ success: true, symbol1: "tls" })),
      } as unknown as grpc.UntypedServiceImplementation);
      const credentials = grpc.ServerCredentials.createSsl(
        null,
        [{ cert_chain: readFileSync(join(dir, "cert.pem")), private_key: readFileSync(join(dir, "key.pem")) }],
        false,
      );
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", credentials, (e, p) => (e ? reject(e) : resolve(p))),
      );
      try {
        const secure = new PairDiscoveryClient({ host: "127.0.0.1", port, tls: { rootCerts: join(dir, "cert.pem") } });
        expect((await secure.testPair({})).symbol1).toBe("tls");
        secure.close();
        const plain = new PairDiscoveryClient({ host: "127.0.0.1", port });
        const error = (await plain.testPair({}, { timeoutMs: 1000 }).catch((e: unknown) => e)) as ClientCallError;
        expect(error).toBeInstanceOf(ClientCallError);
        expect(["UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL"]).toContain(error.codeName);
        plain.close();
      } finally {
        server.forceShutdown();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
