/**
 * Fuzz: thousands of seeded random malformed requests on every RPC of both services against a
 * server in its own process (test/helpers/serverProcess.ts). Afterwards the process is alive,
 * health is SERVING and a valid call still works.
 *
 * Classification (the part that makes this test able to fail for the right reason):
 * - Each typed request starts from a valid base request and gets 1–3 random mutations. A mutation
 *   is either DEFINITE (the request is invalid by the contract: a NaN/±Infinity in a series, a
 *   length mismatch, a series too short for any estimate, kappa/sigma <= 0 in SolveHJB, n_points
 *   in 1..49, an unknown enum string, a matrix whose values do not fit rows × cols, weights of the
 *   wrong length, ...) or ODD (valid-but-odd or of unspecified validity: huge or negative ints,
 *   extreme magnitudes, NaN in a "0 = default" scalar, odd strings in free-text fields).
 * - A request with at least one DEFINITE mutation must be answered INVALID_ARGUMENT or
 *   RESOURCE_EXHAUSTED. A request with only ODD mutations may also succeed (OK).
 * - Any other outcome fails: INTERNAL/UNKNOWN (a crash in a handler), DEADLINE_EXCEEDED (a hang:
 *   every call has a 20 s deadline), UNAVAILABLE (the server died).
 * - Raw bytes (random buffers and truncated valid messages, sent through a raw client with an
 *   identity serializer): if the generated decoder rejects the bytes locally, they are DEFINITE
 *   invalid; if they happen to decode, they are ODD.
 * - Bidi streams: an invalid input must end the call with INVALID_ARGUMENT/RESOURCE_EXHAUSTED.
 * Oversize: requests just above the server's max message size (set to 8 MiB here to keep memory
 * modest) must get RESOURCE_EXHAUSTED; the client's own send limit is lifted for that.
 *
 * Counts: FUZZ_REQUESTS typed requests (default 3000) + FUZZ_RAW raw-byte requests (default 600),
 * seed FUZZ_SEED (default 20240607). Failures print the RPC, the mutations and the answer.
 *
 * Issue #10 additions (the same client fuzzed these):
 * - Series are also scaled by 1e±300 (odd: scale-invariant statistics must not overflow), and
 *   every answer is checked, not only its code: an OK answer must be finite or explain its
 *   non-finite numbers (non-empty warnings / alerts / error, a status other than "ok", or a field
 *   the contract documents as NaN); a refusal must start with the RPC's name (the decoder's and
 *   grpc-js's own message-size refusals excepted).
 * - Garbage mid-stream: a bidi stream with one undecodable message at a random position must end
 *   with INVALID_ARGUMENT naming that message's index.
 * - Deadlines: heavy requests with 50–400 ms deadlines end by their deadline (DEADLINE_EXCEEDED or
 *   an answer), and the compute pool is idle within 1 s of each expired call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { randomSource } from "../src/lib/util/random.js";
import { PairDiscoveryServiceService as PD, type PairTestRequest } from "../src/server/generated/pair_discovery.js";
import * as pd from "../src/server/generated/pair_discovery.js";
import { MeanRevServiceService as MR } from "../src/server/generated/meanrev.js";
import * as mr from "../src/server/generated/meanrev.js";
import { spawnServerProcess, type ServerProcess } from "./helpers/serverProcess.js";
import { cointegratedPair, ouPath, randomWalk, returnsMatrix } from "./helpers/syntheticData.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20240607);
const TYPED_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const RAW_REQUESTS = Number(process.env.FUZZ_RAW ?? 600);
const CONCURRENCY = 8;
const DEADLINE_MS = 20_000;
/** How late past its deadline a call may end in the deadline test (scheduling noise). */
const DEADLINE_SLACK_MS = 1500;
const SERVER_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const ALLOWED_ERRORS = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED]);

type Rng = () => number;
type Kind = "definite" | "odd";
interface Mutation {
  kind: Kind;
  label: string;
  apply(request: any, rng: Rng): void;
  /** Bidi: settings the server reads from the first message only must mutate that message. */
  firstMessage?: boolean;
}
interface Fuzzer {
  /** Key of the generated service definition. */
  method: string;
  definition: grpc.MethodDefinition<any, any>;
  /** Generated codec of the request (for fromPartial and raw-byte classification). */
  codec: { fromPartial(o: any): any; encode(m: any): { finish(): Uint8Array }; decode(b: Uint8Array): any };
  base(rng: Rng): any;
  mutations: Mutation[];
  /** Bidi: how many input messages to send (the mutation hits one of them). */
  bidiLength?: number;
}

// ---- random values ------------------------------------------------------------------------------
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const NON_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const ODD_NUMBERS = [
  0,
  -0,
  -1,
  -1e-300,
  1e-300,
  5e-324,
  1e308,
  -1e308,
  1.7976931348623157e308,
  0.5,
  2,
  1e6,
  Number.NaN,
  Number.POSITIVE_INFINITY,
];
const ODD_INTS = [0, -1, 1, 2, 3, 49, 50, 2147483647, -2147483648, 1_000_000, 100_000_000];
const ODD_STRINGS = ["", " ", "garbage", "LOG", "ZSCORE", "none ", "\u0000", "é€😀", "x".repeat(5000), '{"a":', "null"];
const GARBAGE_ENUMS = ["garbage", "rs2", "kelly!", "profitt", "☃", "lo g", "z-score", "nul"]; // the server trims and ignores case, so no case variants here

function poison(series: number[], rng: Rng): void {
  if (series.length === 0) series.push(pick(rng, NON_FINITE));
  else series[int(rng, 0, series.length - 1)] = pick(rng, NON_FINITE);
}
function walk(rng: Rng, n: number): number[] {
  return randomWalk(n, Math.floor(rng() * 1e9), 100, 1);
}
function randomLength(rng: Rng): number {
  const r = rng();
  if (r < 0.15) return int(rng, 0, 3);
  if (r < 0.7) return int(rng, 4, 80);
  if (r < 0.97) return int(rng, 81, 1000);
  return int(rng, 1001, 5000);
}

// Mutation builders --------------------------------------------------------------------------------
const m = (kind: Kind, label: string, apply: (r: any, rng: Rng) => void): Mutation => ({ kind, label, apply });
const nonFinite = (field: string) => m("definite", `NaN/Inf in ${field}`, (r, rng) => poison(getPath(r, field), rng));
const tooShort = (fields: string[], max: number) =>
  m("definite", `${fields.join("+")} length <= ${max}`, (r, rng) => {
    const n = int(rng, 0, max);
    for (const f of fields) setPath(r, f, getPath(r, f).slice(0, n));
  });
const mismatch = (a: string, b: string) =>
  m("definite", `${a}/${b} length mismatch`, (r, rng) => {
    // Idempotent: applied twice it must not restore equal lengths.
    const arr = getPath(r, b) as number[];
    if (arr.length !== (getPath(r, a) as number[]).length) return;
    if (rng() < 0.5 && arr.length > 0) arr.pop();
    else arr.push(1 + rng());
  });
const badEnum = (field: string) => m("definite", `unknown ${field}`, (r, rng) => setPath(r, field, pick(rng, GARBAGE_ENUMS)));
const oddNumber = (field: string) => m("odd", `odd ${field}`, (r, rng) => setPath(r, field, pick(rng, ODD_NUMBERS)));
const oddInt = (field: string) => m("odd", `odd ${field}`, (r, rng) => setPath(r, field, pick(rng, ODD_INTS)));
const oddString = (field: string) => m("odd", `odd ${field}`, (r, rng) => setPath(r, field, pick(rng, ODD_STRINGS)));
const oddLength = (fields: string[]) =>
  m("odd", `random length ${fields.join("+")}`, (r, rng) => {
    const n = randomLength(rng);
    const s = walk(rng, n);
    for (const f of fields)
      setPath(
        r,
        f,
        s.map((v) => v * (0.5 + rng())),
      );
  });

/** Multiply every listed series by 1e300 or 1e-300 (1e±300 scales: issue #10 item 6). */
const extremeScale = (fields: string[]) =>
  m("odd", `${fields.join("+")} × 1e±300`, (r, rng) => {
    const c = pick(rng, [1e300, 1e-300, 1e298, -1e298]);
    for (const f of fields)
      setPath(
        r,
        f,
        (getPath(r, f) as number[]).map((v) => v * c),
      );
  });

function getPath(obj: any, path: string): any {
  return path.split(".").reduce((o, k) => o?.[k], obj);
}
function setPath(obj: any, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys.at(-1)!] = value;
}

/** The health request's metadata object (a fresh valid one if an earlier mutation broke it). */
function healthMeta(r: any): any {
  try {
    const meta = JSON.parse(r.metadata);
    if (Array.isArray(meta?.prices?.A) && meta.prices.A.length > 3 && Array.isArray(meta.timestamps_ms)) return meta;
  } catch {
    // fall through
  }
  return { prices: { A: [1, 2, 3, 4, 5] }, timestamps_ms: [1, 2, 3, 4, 5] };
}

// ---- the fuzzers, one per RPC ---------------------------------------------------------------------
function pairBase(rng: Rng) {
  const n = int(rng, 30, 300);
  const p = cointegratedPair(n, Math.floor(rng() * 1e9));
  return { p, n };
}
/** The matrix at `field`, recreated (10 × 2) if an earlier odd mutation removed it. */
function ensureMatrix(r: any, field: string): { rows: number; cols: number; values: number[] } {
  if (!getPath(r, field)) setPath(r, field, returnsMatrix(10, 2, 1));
  return getPath(r, field);
}
/** The multiperiod sequence, with one period added if an earlier odd mutation emptied it. */
function ensurePeriods(r: any): { rows: number; cols: number; values: number[] }[] {
  if (r.returnsSequence.length === 0) r.returnsSequence.push(returnsMatrix(30, 3, 2));
  return r.returnsSequence;
}
const matrixDefinite = (field: string): Mutation[] => [
  m("definite", `${field}.values not rows×cols`, (r, rng) => {
    const mat = ensureMatrix(r, field);
    if (rng() < 0.5) mat.values.push(0.01);
    else mat.rows += int(rng, 1, 3);
  }),
  m("definite", `NaN/Inf in ${field}.values`, (r, rng) => poison(ensureMatrix(r, field).values, rng)),
  m("definite", `${field} negative rows`, (r) => {
    const mat = ensureMatrix(r, field);
    mat.rows = -Math.max(1, mat.rows);
  }),
];

/** The dynamic hedges of TestPair/DiscoverPairs (hedge_window, hedge_delta, hedge_ve). */
const dynamicHedgeMutations: Mutation[] = [
  m("odd", "a dynamic hedge with odd parameters", (r, rng) => {
    if (rng() < 0.5) {
      r.hedge = "rolling";
      r.hedgeWindow = pick(rng, [0, 3, 20, int(rng, 3, 400), ...ODD_INTS]);
    } else {
      r.hedge = pick(rng, ["kalman", "KALMAN"]);
      r.hedgeDelta = pick(rng, [0, 1e-5, 0.5, ...ODD_NUMBERS]);
      r.hedgeVe = pick(rng, [0, 0.05, ...ODD_NUMBERS]);
    }
  }),
  m("definite", "negative hedge_window (any hedge)", (r, rng) => {
    r.hedgeWindow = -int(rng, 1, 100);
  }),
  m("definite", "negative hedge_delta (any hedge)", (r, rng) => {
    r.hedgeDelta = -rng() - 1e-9;
  }),
  m("definite", "hedge_window and hedge_ve together", (r, rng) => {
    r.hedgeWindow = int(rng, 3, 50);
    r.hedgeVe = 0.1;
  }),
];

const FUZZERS: Fuzzer[] = [
  {
    method: "testPair",
    definition: PD.testPair,
    codec: pd.PairTestRequest,
    base: (rng) => {
      const { p } = pairBase(rng);
      return { symbol1: "Y", symbol2: "X", prices1: p.y, prices2: p.x };
    },
    mutations: [
      nonFinite("prices1"),
      nonFinite("prices2"),
      mismatch("prices1", "prices2"),
      tooShort(["prices1", "prices2"], 2),
      badEnum("hurstMethod"),
      badEnum("hedge"),
      m("odd", "a non-default hedge", (r, rng) => {
        r.hedge = pick(rng, ["tls", "johansen", "boxTiao", "minHalfLife", "OLS"]);
      }),
      ...dynamicHedgeMutations,
      oddNumber("significance"),
      oddNumber("minHurst"),
      oddNumber("transactionCost"),
      oddNumber("dt"),
      oddNumber("rho"),
      oddInt("maxLag"),
      oddString("symbol1"),
      oddLength(["prices1", "prices2"]),
      extremeScale(["prices1"]),
      extremeScale(["prices1", "prices2"]),
    ],
  },
  {
    method: "discoverPairs",
    definition: PD.discoverPairs,
    codec: pd.BatchDiscoveryRequest,
    base: (rng) => {
      const k = int(rng, 2, 4);
      const n = int(rng, 30, 200);
      return { symbols: Array.from({ length: k }, (_, i) => ({ symbol: `S${i}`, prices: walk(rng, n) })) };
    },
    mutations: [
      m("definite", "NaN/Inf in a symbol's prices", (r, rng) => {
        if (r.symbols.length === 0) r.symbols.push({ symbol: "N", prices: walk(rng, 30) });
        poison(pick(rng, r.symbols as { prices: number[] }[]).prices, rng);
      }),
      m("definite", "all series length <= 2 (at least two symbols)", (r, rng) => {
        while (r.symbols.length < 2) r.symbols.push({ symbol: `T${r.symbols.length}`, prices: [] });
        const n = int(rng, 0, 2);
        for (const s of r.symbols) s.prices = s.prices.slice(0, n);
      }),
      badEnum("hurstMethod"),
      m("odd", "ragged lengths", (r, rng) => {
        r.symbols[0].prices = r.symbols[0].prices.slice(0, int(rng, 0, r.symbols[0].prices.length));
      }),
      m("odd", "duplicate symbols", (r) => {
        r.symbols[1].symbol = r.symbols[0].symbol;
      }),
      m("odd", "zero or one symbol", (r, rng) => {
        r.symbols = r.symbols.slice(0, int(rng, 0, 1));
      }),
      badEnum("hedge"),
      ...dynamicHedgeMutations,
      m("definite", "sectors without same_sector", (r) => {
        r.sameSector = false;
        r.sectors = r.symbols.map(() => "S");
      }),
      m("definite", "NaN min_correlation", (r) => {
        r.minCorrelation = Number.NaN;
      }),
      oddNumber("minCorrelation"),
      oddInt("ssdK"),
      oddNumber("minHalfLife"),
      oddNumber("maxHalfLife"),
      oddInt("minCrossings"),
      m("odd", "same_sector with random sectors", (r, rng) => {
        r.sameSector = true;
        r.sectors = r.symbols.map(() => pick(rng, ["A", "B", ""]));
      }),
      oddInt("maxPairs"),
      oddInt("parallelWorkers"),
      oddInt("batchSize"),
      oddInt("maxLag"),
      oddNumber("maxQValue"),
      oddNumber("significance"),
      oddNumber("minHurst"),
      oddNumber("transactionCost"),
      oddNumber("dt"),
      oddNumber("rho"),
    ],
  },
  {
    method: "sweepBacktests",
    definition: PD.sweepBacktests,
    codec: pd.SweepRequest,
    base: (rng) => {
      const n = int(rng, 30, 200);
      return {
        prices1: walk(rng, n).map((v) => v + 100),
        prices2: walk(rng, n).map((v) => v + 100),
        hedges: [
          { method: "static", window: 10, beta: 0 },
          { method: "rolling", window: int(rng, 3, 20), beta: 0 },
        ],
        zWindows: [int(rng, 2, 20)],
        entries: [1.5, 2],
        exits: [0],
      };
    },
    mutations: [
      nonFinite("prices1"),
      nonFinite("prices2"),
      mismatch("prices1", "prices2"),
      tooShort(["prices1", "prices2"], 2),
      badEnum("sampling"),
      m("definite", "empty entries", (r) => {
        r.entries = [];
      }),
      m("definite", "unknown hedge method", (r, rng) => {
        r.hedges[0] = { method: pick(rng, GARBAGE_ENUMS), window: 10, beta: 0 };
      }),
      m("definite", "rolling hedge window < 3", (r, rng) => {
        r.hedges[0] = { method: "rolling", window: int(rng, 1, 2), beta: 0 };
      }),
      m("definite", "NaN in entries", (r, rng) => poison(r.entries, rng)),
      m("definite", "odd pbo_partitions", (r, rng) => {
        r.pboPartitions = pick(rng, [3, 5, 7, 21]);
      }),
      oddInt("randomCount"),
      m("odd", "random sampling", (r, rng) => {
        r.sampling = "random";
        r.randomCount = int(rng, 1, 50);
        r.seed = int(rng, 0, 1e9);
      }),
      oddInt("batchSize"),
      oddInt("parallelWorkers"),
      oddInt("pboPartitions"),
      oddNumber("costBps"),
      oddNumber("slippageBps"),
      oddNumber("capital"),
      oddNumber("periodsPerYear"),
      m("odd", "odd z-window", (r, rng) => {
        r.zWindows = [pick(rng, ODD_INTS)];
      }),
      m("odd", "odd exit", (r, rng) => {
        r.exits = [pick(rng, ODD_NUMBERS)];
      }),
      m("odd", "stops and include_no_stop", (r, rng) => {
        r.stops = [pick(rng, ODD_NUMBERS)];
        r.includeNoStop = rng() < 0.5;
      }),
      m("odd", "include_returns", (r) => {
        r.includeReturns = true;
      }),
      oddLength(["prices1", "prices2"]),
    ],
  },
  {
    method: "solveHjb",
    definition: PD.solveHjb,
    codec: pd.HJBRequest,
    base: (rng) => ({ kappa: 0.5 + 10 * rng(), theta: rng() - 0.5, sigma: 0.05 + rng(), nPoints: int(rng, 50, 300) }),
    mutations: [
      m("definite", "kappa <= 0 or non-finite", (r, rng) => {
        r.kappa = pick(rng, [0, -1, -1e-9, ...NON_FINITE]);
      }),
      m("definite", "sigma <= 0 or non-finite", (r, rng) => {
        r.sigma = pick(rng, [0, -0.3, ...NON_FINITE]);
      }),
      m("definite", "theta non-finite", (r, rng) => {
        r.theta = pick(rng, NON_FINITE);
      }),
      m("definite", "nPoints in 1..49", (r, rng) => {
        r.nPoints = int(rng, 1, 49);
      }),
      badEnum("scheme"),
      // NaN or +Infinity (a stop-loss must lie below theta); −Infinity could be read as "no stop-loss".
      m("definite", "stopLoss NaN or +Infinity", (r, rng) => {
        r.stopLoss = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY]);
      }),
      oddNumber("rho"),
      oddNumber("transactionCost"),
      oddInt("maxIter"),
      oddNumber("tolerance"),
      oddNumber("nStd"),
      oddInt("nPoints"),
      m("odd", "stopLoss anywhere", (r, rng) => {
        r.stopLoss = pick(rng, ODD_NUMBERS);
      }),
    ],
  },
  {
    method: "estimateOu",
    definition: PD.estimateOu,
    codec: pd.OUEstimationRequest,
    base: (rng) => ({ spread: ouPath(int(rng, 30, 500), Math.floor(rng() * 1e9), 1, 0.9, 0.1), dt: 1 / 252 }),
    mutations: [
      nonFinite("spread"),
      tooShort(["spread"], 2),
      oddNumber("dt"),
      m("odd", "use_mle", (r) => {
        r.useMle = true;
      }),
      oddLength(["spread"]),
      extremeScale(["spread"]),
      m("odd", "constant spread", (r) => {
        r.spread = r.spread.map(() => 1);
      }),
    ],
  },
  {
    method: "testCointegration",
    definition: PD.testCointegration,
    codec: pd.CointegrationRequest,
    base: (rng) => {
      const { p } = pairBase(rng);
      return { y: p.y, x: p.x };
    },
    mutations: [
      nonFinite("y"),
      nonFinite("x"),
      mismatch("y", "x"),
      tooShort(["y", "x"], 2),
      badEnum("trend"),
      oddNumber("significance"),
      oddInt("maxLag"),
      oddLength(["y", "x"]),
      extremeScale(["y"]),
      extremeScale(["x"]),
    ],
  },
  {
    method: "calculateHurst",
    definition: PD.calculateHurst,
    codec: pd.HurstRequest,
    base: (rng) => ({ series: walk(rng, int(rng, 100, 1000)) }),
    mutations: [
      nonFinite("series"),
      tooShort(["series"], 2),
      badEnum("method"),
      oddInt("maxLag"),
      oddInt("minLag"),
      m("odd", "use_dfa", (r) => {
        r.useDfa = true;
      }),
      oddLength(["series"]),
      extremeScale(["series"]),
    ],
  },
  {
    method: "backtestStrategy",
    definition: PD.backtestStrategy,
    codec: pd.BacktestRequest,
    base: (rng) => ({ spread: ouPath(int(rng, 20, 500), Math.floor(rng() * 1e9), 0, 0.8, 1), lowerBound: -1, upperBound: 1 }),
    mutations: [
      nonFinite("spread"),
      tooShort(["spread"], 0),
      m("definite", "bounds non-finite", (r, rng) => {
        r[pick(rng, ["lowerBound", "upperBound"])] = pick(rng, NON_FINITE);
      }),
      oddNumber("lowerBound"),
      oddNumber("upperBound"),
      oddNumber("transactionCost"),
      oddNumber("exitLevel"),
      oddNumber("periodsPerYear"),
      oddLength(["spread"]),
      extremeScale(["spread"]),
    ],
  },
  {
    method: "optimalThresholds",
    definition: MR.optimalThresholds,
    codec: mr.ThresholdRequest,
    base: (rng) => ({ ouParams: { theta: 0.05 + rng(), mu: rng() - 0.5, sigma: 0.05 + rng() }, transactionCost: 0.001 }),
    mutations: [
      m("definite", "ou speed/sigma non-finite", (r, rng) => {
        r.ouParams[pick(rng, ["theta", "sigma", "mu"])] = pick(rng, NON_FINITE);
      }),
      m("definite", "ou sigma <= 0", (r, rng) => {
        r.ouParams.sigma = pick(rng, [0, -1]);
      }),
      m("definite", "ou speed <= 0", (r, rng) => {
        r.ouParams.theta = pick(rng, [0, -0.5]);
      }),
      badEnum("optimizationObjective"),
      oddNumber("transactionCost"),
      oddString("metadata"),
      m("odd", "ou params at 1e±300", (r, rng) => {
        r.ouParams[pick(rng, ["theta", "sigma", "mu"])] = pick(rng, [1e300, 1e-300, -1e300]);
      }),
    ],
  },
  {
    method: "computeLogReturns",
    definition: MR.computeLogReturns,
    codec: mr.ReturnsRequest,
    base: (rng) => ({ prices: walk(rng, int(rng, 2, 500)).map((v) => Math.abs(v) + 1) }),
    mutations: [
      nonFinite("prices"),
      m("definite", "non-positive price", (r, rng) => {
        r.prices[int(rng, 0, r.prices.length - 1)] = pick(rng, [0, -1, -100]);
      }),
      badEnum("returnType"),
      oddString("assetIds"),
      oddString("metadata"),
      m("odd", "0 or 1 price", (r, rng) => {
        r.prices = r.prices.slice(0, int(rng, 0, 1));
      }),
    ],
  },
  {
    method: "pcaPortfolios",
    definition: MR.pcaPortfolios,
    codec: mr.PCARequest,
    base: (rng) => ({ returnsMatrix: returnsMatrix(int(rng, 10, 200), int(rng, 2, 8), Math.floor(rng() * 1e9)), nComponents: 2 }),
    mutations: [
      ...matrixDefinite("returnsMatrix"),
      badEnum("scaling"),
      oddInt("nComponents"),
      oddString("metadata"),
      m("odd", "missing matrix", (r) => {
        delete r.returnsMatrix;
      }),
    ],
  },
  {
    method: "multiperiodOptimize",
    definition: MR.multiperiodOptimize,
    codec: mr.MultiperiodRequest,
    base: (rng) => {
      const cols = int(rng, 2, 5);
      return {
        returnsSequence: Array.from({ length: int(rng, 1, 4) }, () => returnsMatrix(int(rng, 20, 80), cols, Math.floor(rng() * 1e9))),
        gamma: 2,
      };
    },
    mutations: [
      m("definite", "NaN/Inf in one period", (r, rng) => poison(pick(rng, ensurePeriods(r)).values, rng)),
      m("definite", "period values not rows×cols", (r) => {
        ensurePeriods(r)[0].values.push(0.5);
      }),
      m("definite", "periods with different column counts", (r) => {
        const p = ensurePeriods(r);
        p.push(returnsMatrix(30, p[0].cols + 1, 5));
      }),
      oddNumber("gamma"),
      oddNumber("transactionCost"),
      oddInt("rebalanceFrequency"),
      m("odd", "empty sequence", (r) => {
        r.returnsSequence = [];
      }),
    ],
  },
  {
    method: "portfolioStats",
    definition: MR.portfolioStats,
    codec: mr.PortfolioStatsRequest,
    base: (rng) => {
      const mat = returnsMatrix(int(rng, 10, 200), int(rng, 2, 6), Math.floor(rng() * 1e9));
      return { returns: mat, weights: Array.from({ length: mat.cols }, () => 1 / mat.cols) };
    },
    mutations: [
      ...matrixDefinite("returns"),
      nonFinite("weights"),
      m("definite", "weights of the wrong length", (r, rng) => {
        if (r.weights.length !== r.returns.cols) return; // already wrong: keep it wrong
        if (rng() < 0.5 || r.weights.length === 0) r.weights.push(0.1);
        else r.weights.pop();
      }),
      oddString("metadata"),
      m("odd", "odd weights", (r, rng) => {
        r.weights = r.weights.map(() => pick(rng, ODD_NUMBERS.filter(Number.isFinite)));
      }),
    ],
  },
  {
    method: "generateSignals",
    definition: MR.generateSignals,
    codec: mr.SignalRequest,
    base: (rng) => ({
      priceHistory: { assetId: "S", prices: ouPath(int(rng, 5, 200), Math.floor(rng() * 1e9), 10, 0.8, 0.2) },
      ouParams: { theta: 0.2, mu: 10, sigma: 0.2 },
      thresholds: { entryZscore: 2, exitZscore: 0.5 },
      positionState: "flat",
    }),
    mutations: [
      nonFinite("priceHistory.prices"),
      badEnum("positionState"),
      m("definite", "ou params non-finite", (r, rng) => {
        (r.ouParams ??= { theta: 0.2, mu: 10, sigma: 0.2 })[pick(rng, ["theta", "sigma", "mu"])] = pick(rng, NON_FINITE);
      }),
      m("definite", "thresholds non-finite", (r, rng) => {
        r.thresholds[pick(rng, ["entryZscore", "exitZscore"])] = pick(rng, NON_FINITE);
      }),
      m("odd", "empty history", (r) => {
        r.priceHistory.prices = [];
      }),
      m("odd", "no ou params", (r) => {
        delete r.ouParams;
      }),
      oddNumber("thresholds.entryZscore"),
      oddNumber("ouParams.sigma"),
      oddString("metadata"),
    ],
  },
  {
    method: "portfolioHealthStream",
    definition: MR.portfolioHealthStream,
    codec: mr.HealthRequest,
    base: (rng) => ({
      portfolioId: "p",
      updateFrequencyMs: int(rng, 10, 50),
      assetIds: ["A", "B"],
      metadata: JSON.stringify({
        prices: { A: walk(rng, 50), B: walk(rng, 50) },
        timestamps_ms: Array.from({ length: 50 }, (_, i) => 1e12 + i * 60_000),
        holdings: { A: 1, B: 2 },
      }),
    }),
    mutations: [
      m("definite", "NaN-like price in metadata JSON", (r) => {
        const meta = healthMeta(r);
        meta.prices.A[3] = "NaN";
        r.metadata = JSON.stringify(meta);
      }),
      m("definite", "metadata not a JSON object", (r, rng) => {
        r.metadata = pick(rng, ["{", "[]", "null", "garbage", "3"]);
      }),
      m("definite", "prices/timestamps length mismatch", (r) => {
        const meta = healthMeta(r);
        meta.timestamps_ms.pop();
        r.metadata = JSON.stringify(meta);
      }),
      // An old client's request (no assets) streams no_data with an alert (issue #10 item 9).
      m("odd", "no assets", (r) => {
        r.assetIds = [];
        const meta = healthMeta(r);
        delete meta.holdings;
        r.metadata = JSON.stringify(meta);
      }),
      m("odd", "odd metadata keys", (r, rng) => {
        r.metadata = pick(rng, ['{"prices":3}', "{}", '{"holdings":{"A":0}}', '{"max_drawdown_alert":-1}']);
      }),
      oddInt("updateFrequencyMs"),
      oddString("portfolioId"),
      m("odd", "asset ids", (r) => {
        r.assetIds = ["", "Z"];
      }),
    ],
  },
  {
    method: "estimateOuParams",
    definition: MR.estimateOuParams,
    codec: mr.PriceUpdate,
    bidiLength: 60,
    base: (rng) => ({ assetId: "A", price: 10 + rng(), timestampMs: 1_700_000_000_000 }),
    mutations: [
      m("definite", "non-finite price", (r, rng) => {
        r.price = pick(rng, NON_FINITE);
      }),
      oddNumber("volume"),
      oddString("metadata"),
      oddString("assetId"),
      m("odd", "odd price", (r, rng) => {
        r.price = pick(rng, [0, -5, 1e308, 5e-324]);
      }),
    ],
  },
  {
    method: "backtestWithCosts",
    definition: MR.backtestWithCosts,
    codec: mr.BacktestInput,
    bidiLength: 60,
    base: (rng) => ({ price: rng() - 0.5, timestampMs: 1, entryZscore: 1.5, exitZscore: 0, transactionCost: 0.001, updateFrequency: 5 }),
    mutations: [
      m("definite", "non-finite price", (r, rng) => {
        r.price = pick(rng, NON_FINITE);
      }),
      {
        ...m("definite", "non-finite z-scores (first bar: settings)", (r, rng) => {
          r[pick(rng, ["entryZscore", "exitZscore"])] = pick(rng, NON_FINITE);
        }),
        firstMessage: true,
      },
      oddNumber("transactionCost"),
      oddInt("updateFrequency"),
      oddNumber("entryZscore"),
      oddNumber("exitZscore"),
    ],
  },
  ...(["caraOptimalWeights", "sharpeOptimalWeights"] as const).map(
    (method): Fuzzer => ({
      method,
      definition: MR[method],
      codec: mr.OptimizationInput,
      bidiLength: 4,
      base: (rng) => ({ returns: returnsMatrix(int(rng, 20, 120), 3, Math.floor(rng() * 1e9)), gamma: 2 }),
      mutations: [
        ...matrixDefinite("returns"),
        oddNumber("gamma"),
        oddNumber("riskFreeRate"),
        oddNumber("transactionCost"),
        m("odd", "odd metadata", (r, rng) => {
          r.metadata = pick(rng, ['{"budget":false}', '{"long_only":true}', "{", "[]", '{"shrinkage":true}']);
        }),
      ],
    }),
  ),
];

// ---- calling --------------------------------------------------------------------------------------
interface Outcome {
  code: number;
  details: string;
  /** Decoded response messages (unary: one). */
  responses: unknown[];
}

/**
 * Output fields the contract documents as NaN in an OK answer (docs/compatibility.md): SolveHJB's
 * levels when there is no entry region / lower entry level, the weights' utility (Sharpe) and
 * turnover (no rebalance), BacktestWithCosts' z-score and ratios before its window fills.
 */
const DOCUMENTED_NAN: Record<string, readonly string[]> = {
  solveHjb: ["lowerBoundary", "entryLevel", "entryLowerLevel", "closedFormEntryLevel"],
  caraOptimalWeights: ["utility", "turnover"],
  sharpeOptimalWeights: ["utility", "turnover"],
  backtestWithCosts: ["zscore", "sharpeRatio", "winRate"],
};

/** Paths of unexplained non-finite numbers in one response of `method` (empty when fine). */
function unexplainedNonFinite(method: string, response: unknown): string[] {
  const nonEmpty = (v: unknown) => (Array.isArray(v) && v.length > 0) || (typeof v === "string" && v !== "");
  // A message (or nested message, e.g. DiscoverPairs' result) explains its own subtree.
  const explains = (r: Record<string, unknown>) =>
    nonEmpty(r.warnings) ||
    nonEmpty(r.alerts) ||
    nonEmpty(r.error) ||
    (typeof r.status === "string" && !["ok", "running", "final"].includes(r.status));
  const out: string[] = [];
  const visit = (v: unknown, path: string): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v) && !(DOCUMENTED_NAN[method] ?? []).includes(path.split(/[.[]/)[0])) out.push(`${path}=${v}`);
    } else if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (v !== null && typeof v === "object" && !explains(v as Record<string, unknown>)) {
      for (const [k, item] of Object.entries(v)) visit(item, path === "" ? k : `${path}.${k}`);
    }
  };
  visit(response, "");
  return out.slice(0, 3);
}

/** A refusal must start with the RPC name (issue #10 item 8); grpc-js's own size refusals and the decoder's are exempt. */
function refusalNamesRpc(definition: grpc.MethodDefinition<any, any>, details: string): boolean {
  const rpc = definition.path.split("/")[2];
  return details.startsWith(`${rpc}:`) || /Received message larger than max|message larger than max/i.test(details);
}

let server: ServerProcess;
let client: grpc.Client;

function deadline() {
  return { deadline: new Date(Date.now() + DEADLINE_MS) };
}

/** One call with an already-serialized request; stream outputs are drained (health: first message, then cancel). */
function callRaw(definition: grpc.MethodDefinition<any, any>, payloads: Buffer[], deadlineMs = DEADLINE_MS): Promise<Outcome> {
  const identity = (b: Buffer) => b;
  const responses: unknown[] = [];
  const decode = (b: Buffer) => responses.push(definition.responseDeserialize(b));
  const options = { deadline: new Date(Date.now() + deadlineMs) };
  return new Promise((resolve) => {
    const done = (error: grpc.ServiceError | null) =>
      resolve(error ? { code: error.code, details: error.details, responses } : { code: grpc.status.OK, details: "", responses });
    if (!definition.requestStream && !definition.responseStream) {
      client.makeUnaryRequest(definition.path, identity, identity, payloads[0], new grpc.Metadata(), options, (error, response) => {
        if (response) decode(response);
        done(error);
      });
      return;
    }
    const call = definition.requestStream
      ? client.makeBidiStreamRequest(definition.path, identity, identity, new grpc.Metadata(), options)
      : client.makeServerStreamRequest(definition.path, identity, identity, payloads[0], new grpc.Metadata(), options);
    let settled = false;
    const isHealth = definition.path.endsWith("/PortfolioHealthStream");
    call.on("data", (b: Buffer) => {
      decode(b);
      if (isHealth && !settled) {
        // A health stream that answers is a success; stop it (it runs until cancelled).
        settled = true;
        call.cancel();
        resolve({ code: grpc.status.OK, details: "first metric received", responses });
      }
    });
    call.on("error", (error: grpc.ServiceError) => {
      if (!settled) {
        settled = true;
        done(error);
      }
    });
    call.on("end", () => {
      if (!settled) {
        settled = true;
        done(null);
      }
    });
    if (definition.requestStream) {
      const duplex = call as grpc.ClientDuplexStream<Buffer, Buffer>;
      for (const p of payloads) duplex.write(p);
      duplex.end();
    }
  });
}

async function runPool<T>(items: T[], worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await worker(items[next++]);
    }),
  );
}

interface Case {
  fuzzer: Fuzzer;
  payloads: Buffer[];
  kind: Kind;
  labels: string[];
}

function buildTypedCases(count: number, rng: Rng): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const fuzzer = FUZZERS[i % FUZZERS.length];
    const nMessages = fuzzer.bidiLength ?? 1;
    const messages = Array.from({ length: nMessages }, () => fuzzer.base(rng));
    const randomTarget = messages[int(rng, 0, nMessages - 1)];
    const labels: string[] = [];
    let kind: Kind = "odd";
    const k = int(rng, 1, 3);
    // Odd mutations first: a later odd mutation (e.g. a fresh random-length series) could
    // otherwise undo a definite one (the NaN it replaced) and make a valid request look invalid.
    const chosen = Array.from({ length: k }, () => pick(rng, fuzzer.mutations)).sort((a, b) =>
      a.kind === b.kind ? 0 : a.kind === "odd" ? -1 : 1,
    );
    for (const mutation of chosen) {
      const message = mutation.firstMessage ? messages[0] : randomTarget;
      if (mutation.kind === "odd") {
        // An odd mutation may not apply after another one (e.g. "duplicate symbols" after "zero
        // or one symbol"); skipping it cannot change the classification. Definite ones must apply.
        try {
          mutation.apply(message, rng);
        } catch {
          labels.push(`${mutation.label} (not applicable)`);
          continue;
        }
      } else {
        mutation.apply(message, rng);
      }
      labels.push(mutation.label);
      if (mutation.kind === "definite") kind = "definite";
    }
    const payloads = messages.map((msg) => Buffer.from(fuzzer.codec.encode(fuzzer.codec.fromPartial(msg)).finish()));
    cases.push({ fuzzer, payloads, kind, labels });
  }
  return cases;
}

function buildRawCases(count: number, rng: Rng): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const fuzzer = FUZZERS[i % FUZZERS.length];
    let bytes: Buffer;
    let label: string;
    if (rng() < 0.5) {
      const n = pick(rng, [1, 2, 3, 7, 16, 64, 255, 1024, int(rng, 1, 4096)]);
      bytes = Buffer.from(Array.from({ length: n }, () => int(rng, 0, 255)));
      label = `${n} random bytes`;
    } else {
      const valid = Buffer.from(fuzzer.codec.encode(fuzzer.codec.fromPartial(fuzzer.base(rng))).finish());
      const cut = int(rng, 1, Math.max(1, valid.length - 1));
      bytes = valid.subarray(0, cut);
      label = `valid message truncated to ${cut}/${valid.length} bytes`;
    }
    let decodes = true;
    try {
      fuzzer.codec.decode(bytes);
    } catch {
      decodes = false;
    }
    cases.push({
      fuzzer,
      payloads: [bytes],
      kind: decodes ? "odd" : "definite",
      labels: [label, decodes ? "decodes locally" : "undecodable"],
    });
  }
  return cases;
}

beforeAll(async () => {
  server = await spawnServerProcess({ workers: 2, maxMessageBytes: SERVER_MAX_MESSAGE_BYTES });
  client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": -1,
    "grpc.max_receive_message_length": -1,
  });
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

async function fuzz(cases: Case[]) {
  // Failures grouped by RPC, class and answer (first 100 characters of the details), each with a count and one example.
  const groups = new Map<string, { count: number; example: string }>();
  const tally = new Map<string, Map<string, number>>();
  await runPool(cases, async (c) => {
    const outcome = await callRaw(c.fuzzer.definition, c.payloads);
    const byCode = tally.get(c.fuzzer.method) ?? new Map<string, number>();
    const key = `${c.kind}:${grpc.status[outcome.code]}`;
    byCode.set(key, (byCode.get(key) ?? 0) + 1);
    tally.set(c.fuzzer.method, byCode);
    let ok = c.kind === "definite" ? ALLOWED_ERRORS.has(outcome.code) : ALLOWED_ERRORS.has(outcome.code) || outcome.code === grpc.status.OK;
    let problem = "";
    if (ok && outcome.code === grpc.status.OK) {
      for (const response of outcome.responses) {
        const bad = unexplainedNonFinite(c.fuzzer.method, response);
        if (bad.length > 0) {
          ok = false;
          problem = ` (OK with unexplained non-finite ${bad.join(", ")})`;
          break;
        }
      }
    } else if (ok && !refusalNamesRpc(c.fuzzer.definition, outcome.details)) {
      ok = false;
      problem = " (refusal does not start with the RPC name)";
    }
    if (!ok) {
      const key = `${c.fuzzer.method} [${c.kind}] -> ${grpc.status[outcome.code]}${problem}: ${outcome.details.slice(0, 100)}`;
      const group = groups.get(key) ?? { count: 0, example: `[${c.labels.join("; ")}]` };
      group.count++;
      groups.set(key, group);
    }
  });
  const failures = [...groups].map(([key, g]) => `${g.count}× ${key}  e.g. ${g.example}`);
  const summary = [...tally].map(([method, codes]) => `${method}: ${[...codes].map(([k, n]) => `${k}=${n}`).join(" ")}`).join("\n");
  return { failures, summary };
}

/** ms until the server's compute pool has no active or queued task (Infinity after `budgetMs`). */
async function waitForIdlePool(budgetMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < budgetMs) {
    const pool = await server.command<{ activeTasks: number; queueSize: number }>("pool");
    if (pool.activeTasks === 0 && pool.queueSize === 0) return performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Number.POSITIVE_INFINITY;
}

async function expectHealthy() {
  expect(server.alive()).toBe(true);
  const health = await new Promise<string>((resolve, reject) => {
    const check = { path: "/grpc.health.v1.Health/Check", requestStream: false, responseStream: false } as const;
    // HealthCheckRequest { service = "" } is the empty message; response field 1 is the enum status.
    client.makeUnaryRequest(
      check.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      new grpc.Metadata(),
      deadline(),
      (error, response) =>
        error
          ? reject(error)
          : resolve(
              response!.length >= 2 && response![0] === 0x08 ? (["UNKNOWN", "SERVING", "NOT_SERVING"][response![1]] ?? "?") : "UNKNOWN",
            ),
    );
  });
  expect(health).toBe("SERVING");
  const valid = pd.PairTestRequest.fromPartial({
    prices1: cointegratedPair(300, 1).y,
    prices2: cointegratedPair(300, 1).x,
  } satisfies Partial<PairTestRequest>);
  const outcome = await callRaw(PD.testPair, [Buffer.from(pd.PairTestRequest.encode(valid).finish())]);
  expect(outcome.code).toBe(grpc.status.OK);
}

describe(`fuzz (seed ${SEED})`, () => {
  it(`${TYPED_REQUESTS} mutated typed requests on all ${FUZZERS.length} RPCs get only INVALID_ARGUMENT/RESOURCE_EXHAUSTED (or OK when only odd)`, async () => {
    const cases = buildTypedCases(TYPED_REQUESTS, randomSource(SEED));
    expect(cases.filter((c) => c.kind === "definite").length).toBeGreaterThan(TYPED_REQUESTS / 3);
    const { failures, summary } = await fuzz(cases);
    console.log(`[fuzz] typed outcomes (kind:code=count)\n${summary}`);
    expect(failures, failures.join("\n")).toEqual([]);
    await expectHealthy();
  }, 600_000);

  it(`${RAW_REQUESTS} raw random/truncated byte payloads: undecodable ones get INVALID_ARGUMENT`, async () => {
    const cases = buildRawCases(RAW_REQUESTS, randomSource(SEED + 1));
    const { failures, summary } = await fuzz(cases);
    console.log(`[fuzz] raw outcomes (kind:code=count)\n${summary}`);
    const hint =
      "grpc-js itself answers INTERNAL 'Error deserializing request' when a request's bytes do not decode; " +
      "the server must register request deserializers that catch the decode error so the handler can answer INVALID_ARGUMENT";
    expect(failures, `${hint}\n${failures.join("\n")}`).toEqual([]);
    await expectHealthy();
  }, 600_000);

  it("garbage mid-stream: one undecodable message at a random position of every bidi RPC ends the call with INVALID_ARGUMENT naming its index", async () => {
    const rng = randomSource(SEED + 2);
    const bidi = FUZZERS.filter((f) => f.definition.requestStream);
    const failures: string[] = [];
    for (let i = 0; i < 48; i++) {
      const fuzzer = bidi[i % bidi.length];
      const n = fuzzer.bidiLength ?? 4;
      const position = int(rng, 0, n - 1);
      const garbage = pick(rng, [Buffer.from([0x0f]), Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0x0a, 0x40, 0x01])]);
      const payloads = Array.from({ length: n }, (_, k) =>
        k === position ? garbage : Buffer.from(fuzzer.codec.encode(fuzzer.codec.fromPartial(fuzzer.base(rng))).finish()),
      );
      const outcome = await callRaw(fuzzer.definition, payloads, 10_000);
      const named = new RegExp(`request message ${position} is not a valid protobuf message`).test(outcome.details);
      if (outcome.code !== grpc.status.INVALID_ARGUMENT || !named)
        failures.push(
          `${fuzzer.method} garbage ${garbage.toString("hex")} at ${position}/${n} -> ${grpc.status[outcome.code]}: ${outcome.details.slice(0, 120)}`,
        );
    }
    expect(failures, failures.join("\n")).toEqual([]);
    await expectHealthy();
  }, 300_000);

  it("deadlines: heavy requests with 50–400 ms deadlines end by their deadline, and the pool is idle within 1 s of each", async () => {
    const rng = randomSource(SEED + 3);
    const heavy: [grpc.MethodDefinition<any, any>, () => Buffer][] = [
      [
        PD.calculateHurst,
        () => Buffer.from(pd.HurstRequest.encode(pd.HurstRequest.fromPartial({ series: walk(rng, 50_000), method: "rs" })).finish()),
      ],
      [
        PD.testPair,
        () => {
          const p = cointegratedPair(20_000, int(rng, 1, 1e6));
          return Buffer.from(
            pd.PairTestRequest.encode(pd.PairTestRequest.fromPartial({ prices1: p.y, prices2: p.x, hurstMethod: "rs" })).finish(),
          );
        },
      ],
      [
        PD.solveHjb,
        () => Buffer.from(pd.HJBRequest.encode(pd.HJBRequest.fromPartial({ kappa: 0.5, theta: 0, sigma: 0.3, nPoints: 20_001 })).finish()),
      ],
      [
        MR.pcaPortfolios,
        () =>
          Buffer.from(
            mr.PCARequest.encode(mr.PCARequest.fromPartial({ returnsMatrix: returnsMatrix(2000, 400, int(rng, 1, 1e6)) })).finish(),
          ),
      ],
    ];
    const lines: string[] = [];
    const failures: string[] = [];
    for (let i = 0; i < 8; i++) {
      const [definition, build] = heavy[i % heavy.length];
      const deadlineMs = int(rng, 50, 400);
      const payload = build();
      const t0 = performance.now();
      const outcome = await callRaw(definition, [payload], deadlineMs);
      const endedAfter = performance.now() - t0;
      const pool = await waitForIdlePool(1000);
      lines.push(
        `${definition.path.split("/")[2]} deadline ${deadlineMs} ms -> ${grpc.status[outcome.code]} after ${endedAfter.toFixed(0)} ms; pool idle ${pool.toFixed(0)} ms later`,
      );
      // Slack for scheduling on the shared 2-core reference machine (the client's own deadline timer
      // can fire late when this test process is descheduled); a hang would be seconds late.
      if (endedAfter > deadlineMs + DEADLINE_SLACK_MS)
        failures.push(`${lines.at(-1)} (ended ${(endedAfter - deadlineMs).toFixed(0)} ms past its deadline)`);
      if (!(pool <= 1000)) failures.push(`${lines.at(-1)} (pool not idle within 1 s)`);
      if (![grpc.status.OK, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED].includes(outcome.code))
        failures.push(`${lines.at(-1)}: ${outcome.details}`);
    }
    console.log(`[fuzz] deadlines\n${lines.join("\n")}`);
    expect(failures, failures.join("\n")).toEqual([]);
    await expectHealthy();
  }, 300_000);

  it("oversize requests just above the max message size get RESOURCE_EXHAUSTED; the server stays healthy", async () => {
    const doubles = Math.ceil(SERVER_MAX_MESSAGE_BYTES / 8) + 1024;
    const big = new Array<number>(doubles).fill(1.5);
    const cases: [grpc.MethodDefinition<any, any>, Buffer][] = [
      [PD.testPair, Buffer.from(pd.PairTestRequest.encode(pd.PairTestRequest.fromPartial({ prices1: big, prices2: [1] })).finish())],
      [
        PD.discoverPairs,
        Buffer.from(
          pd.BatchDiscoveryRequest.encode(pd.BatchDiscoveryRequest.fromPartial({ symbols: [{ symbol: "A", prices: big }] })).finish(),
        ),
      ],
      [
        MR.estimateOuParams,
        Buffer.from(mr.PriceUpdate.encode(mr.PriceUpdate.fromPartial({ metadata: "x".repeat(SERVER_MAX_MESSAGE_BYTES + 10) })).finish()),
      ],
    ];
    for (const [definition, payload] of cases) {
      expect(payload.length).toBeGreaterThan(SERVER_MAX_MESSAGE_BYTES);
      const outcome = await callRaw(definition, [payload]);
      expect(grpc.status[outcome.code], `${definition.path}: ${outcome.details}`).toBe("RESOURCE_EXHAUSTED");
    }
    // Just below the limit but invalid (a NaN at the end): INVALID_ARGUMENT, not a crash.
    const almost = new Array<number>(Math.floor(SERVER_MAX_MESSAGE_BYTES / 16) - 4096).fill(2.5); // two legs
    almost[almost.length - 1] = Number.NaN;
    const payload = Buffer.from(pd.PairTestRequest.encode(pd.PairTestRequest.fromPartial({ prices1: almost, prices2: almost })).finish());
    expect(payload.length).toBeLessThan(SERVER_MAX_MESSAGE_BYTES);
    const outcome = await callRaw(PD.testPair, [payload]);
    expect(grpc.status[outcome.code], outcome.details).toBe("INVALID_ARGUMENT");
    await expectHealthy();
  }, 120_000);
});
