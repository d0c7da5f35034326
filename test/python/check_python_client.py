#!/usr/bin/python3
"""Cross-language check: a Python client, written the way the existing rust-arblab Python client
(python/pair_discovery_client.py, described in /work/shared/contracts/wire-contract.md section 2)
is written, talks to OUR server through stubs generated from OUR protos.

Tool versions (Debian bookworm): python3-grpcio 1.51.1, python3-grpc-tools (grpc_tools.protoc),
python3-protobuf 4.21.12; numpy 1.24.2 when installed (optional: the series are generated with
the standard library's seeded `random` and, when numpy is present, handed to the client as numpy
arrays exactly as the notebooks do). Always run with /usr/bin/python3.

Usage: /usr/bin/python3 test/python/check_python_client.py --port PORT [--host 127.0.0.1] [--proto-dir proto]
Generates pair_discovery_pb2*.py / meanrev_pb2*.py into a temporary directory (never into the
repository), runs the checks, prints one JSON summary line on stdout and exits 0 only when every
check passed. Each failed check prints "FAIL <name>: <reason>" on stderr.

Data: a seeded (random.Random(20240607)) synthetic cointegrated pair, so the expected facts
hold by construction: y = 10 + 1.5 x + s where x is a random walk and s an AR(1) spread with
phi = 0.5 (half-life ln 2 / -ln 0.5 = 1 bar); plus two independent random walks as decoys.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import random
import tempfile

try:  # the existing client converts numpy arrays with .tolist(); numpy is optional here so the
    import numpy as np  # check also runs where only python3-grpcio/grpc-tools are installed
except ImportError:  # pragma: no cover
    np = None

FAILURES = []
SUMMARY = {}


def check(name, condition, reason):
    if not condition:
        FAILURES.append(name)
        print(f"FAIL {name}: {reason}", file=sys.stderr)
    return condition


def generate_stubs(proto_dir, out_dir):
    protos = [p for p in ("pair_discovery.proto", "meanrev.proto") if os.path.exists(os.path.join(proto_dir, p))]
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_dir}", f"--python_out={out_dir}",
           f"--grpc_python_out={out_dir}"] + protos
    subprocess.run(cmd, check=True)
    sys.path.insert(0, out_dir)


def tolist(values, cast=False):
    """The existing client's `np.asarray(x[, dtype=float64]).tolist()`, without numpy when absent."""
    if np is not None:
        return (np.asarray(values, dtype=np.float64) if cast else np.asarray(values)).tolist()
    return [float(v) for v in values]


def as_array(values):
    return np.asarray(values) if np is not None else list(values)


# --------------------------------------------------------------------------------------------
# The existing client's behaviour (contract section 2), reproduced faithfully: insecure channel,
# NO channel options, per-call timeouts, numpy arrays via .tolist(), dict conversion.
# --------------------------------------------------------------------------------------------
class PairDiscoveryClient:
    def __init__(self, host=None, port=None):
        import grpc
        import pair_discovery_pb2_grpc
        self.host = host or os.environ.get("GRPC_HOST", "localhost")
        self.port = port or int(os.environ.get("GRPC_PORT", 50051))
        self.address = f"{self.host}:{self.port}"
        self.channel = grpc.insecure_channel(self.address)
        self.stub = pair_discovery_pb2_grpc.PairDiscoveryServiceStub(self.channel)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.channel.close()

    def test_pair(self, prices_x, prices_y, pair_name=None, symbol1=None, symbol2=None,
                  significance=0.05, min_hurst=0.45, transaction_cost=0.001):
        import grpc
        import pair_discovery_pb2 as pb
        if symbol1 and symbol2:
            pair_name = f"{symbol1}-{symbol2}"
        if not pair_name:
            pair_name = "ASSET_X-ASSET_Y"
        parts = pair_name.split("-")
        s1, s2 = (parts[0], parts[1]) if len(parts) >= 2 else ("X", "Y")
        request = pb.PairTestRequest(
            symbol1=s1, symbol2=s2,
            prices1=tolist(prices_x, cast=True),
            prices2=tolist(prices_y, cast=True),
            significance=significance, min_hurst=min_hurst, transaction_cost=transaction_cost)
        try:
            r = self.stub.TestPair(request, timeout=60)
        except grpc.RpcError as e:
            print(f"gRPC error testing {symbol1}-{symbol2}: {e.details()}")
            return None
        if not r.success:
            return None
        return {
            "pair": f"{r.symbol1}-{r.symbol2}", "symbol1": r.symbol1, "symbol2": r.symbol2,
            "is_cointegrated": r.is_cointegrated, "beta": r.beta, "hedge_ratio": r.beta,
            "p_value": r.p_value, "hurst": r.hurst, "hurst_exponent": r.hurst,
            "kappa": r.kappa, "theta": r.theta, "sigma": r.sigma,
            "ou_params": {"theta": r.theta, "mu": r.theta, "sigma": r.sigma},
            "half_life": r.half_life, "lower_boundary": r.lower_boundary,
            "upper_boundary": r.upper_boundary, "entry_threshold": r.upper_boundary,
            "exit_threshold": r.lower_boundary, "total_return": r.total_return,
            "sharpe_ratio": r.sharpe_ratio, "max_drawdown": r.max_drawdown,
            "num_trades": r.num_trades, "win_rate": r.win_rate, "coint_score": r.coint_score,
            "meanrev_score": r.meanrev_score, "profit_score": r.profit_score,
            "combined_score": r.combined_score, "error": r.error or None,
        }

    def discover_pairs(self, data, significance=0.05, min_hurst=0.45, transaction_cost=0.001,
                       max_pairs=0, parallel_workers=0):
        import grpc
        import pair_discovery_pb2 as pb
        symbols = [pb.SymbolData(symbol=s, prices=tolist(p)) for s, p in data.items()]
        request = pb.BatchDiscoveryRequest(symbols=symbols, significance=significance,
                                           min_hurst=min_hurst, transaction_cost=transaction_cost,
                                           max_pairs=max_pairs, parallel_workers=parallel_workers)
        try:
            for update in self.stub.DiscoverPairs(request, timeout=300):
                out = {"pairs_tested": update.pairs_tested, "pairs_found": update.pairs_found,
                       "progress": update.progress, "is_final": update.is_final}
                if update.HasField("result") and update.result.success:
                    r = update.result
                    out["result"] = {
                        "pair": f"{r.symbol1}-{r.symbol2}", "symbol1": r.symbol1, "symbol2": r.symbol2,
                        "beta": r.beta, "p_value": r.p_value, "hurst": r.hurst, "kappa": r.kappa,
                        "theta": r.theta, "sigma": r.sigma, "half_life": r.half_life,
                        "lower_boundary": r.lower_boundary, "upper_boundary": r.upper_boundary,
                        "total_return": r.total_return, "sharpe_ratio": r.sharpe_ratio,
                        "max_dd": r.max_drawdown, "num_trades": r.num_trades,
                        "win_rate": r.win_rate, "combined_score": r.combined_score,
                    }
                yield out
        except grpc.RpcError as e:
            print(f"gRPC error in discovery: {e.details()}")

    def solve_hjb(self, kappa, theta, sigma, rho=0.04, transaction_cost=0.001, n_points=200,
                  max_iter=2000, tolerance=1e-6, n_std=4.0):
        import pair_discovery_pb2 as pb
        request = pb.HJBRequest(kappa=kappa, theta=theta, sigma=sigma, rho=rho,
                                transaction_cost=transaction_cost, n_points=n_points,
                                max_iter=max_iter, tolerance=tolerance, n_std=n_std)
        r = self.stub.SolveHJB(request, timeout=30)
        return r.lower_boundary, r.upper_boundary, r.residual, r.iterations


def make_pair(n=750, seed=20240607):
    rng = random.Random(seed)
    x, level = [], 100.0
    for _ in range(n):
        level += rng.gauss(0.0, 1.0)
        x.append(level)
    s, prev = [], 0.0
    for _ in range(n):
        prev = 0.5 * prev + rng.gauss(0.0, 1.0)
        s.append(prev)
    y = [10.0 + 1.5 * xi + si for xi, si in zip(x, s)]
    decoys = []
    for start in (80.0, 120.0):
        walk, level = [], start
        for _ in range(n):
            level += rng.gauss(0.0, 1.0)
            walk.append(level)
        decoys.append(walk)
    return as_array(x), as_array(y), as_array(decoys[0]), as_array(decoys[1])


def run_pair_discovery(host, port):
    x, y, decoy1, decoy2 = make_pair()
    with PairDiscoveryClient(host, port) as client:
        # TestPair: y regressed on x (prices1 = y) so beta is "y per unit of x" ~= 1.5.
        res = client.test_pair(y, x, pair_name="YYY-XXX")
        SUMMARY["test_pair"] = res
        if check("test_pair.success", res is not None, "client returned None (success=false or RPC error)"):
            check("test_pair.names", res["pair"] == "YYY-XXX", f"pair {res['pair']!r}")
            check("test_pair.cointegrated", res["is_cointegrated"] and res["p_value"] < 0.01,
                  f"is_cointegrated={res['is_cointegrated']} p={res['p_value']}")
            check("test_pair.beta", abs(res["beta"] - 1.5) < 0.01, f"beta={res['beta']} (true 1.5)")
            check("test_pair.hurst", 0.0 < res["hurst"] < 0.45, f"hurst={res['hurst']}")
            check("test_pair.levels", res["lower_boundary"] < res["upper_boundary"],
                  f"lower={res['lower_boundary']} upper={res['upper_boundary']}")
            check("test_pair.finite", all(math.isfinite(v) for v in res.values() if isinstance(v, float)),
                  "non-finite float in response")

        # Bad input through the Python stack: INVALID_ARGUMENT, reported by the client as None.
        import grpc
        import pair_discovery_pb2 as pb
        try:
            client.stub.TestPair(pb.PairTestRequest(symbol1="A", symbol2="B", prices1=[1.0, 2.0, 3.0],
                                                    prices2=[1.0, 2.0]), timeout=10)
            check("test_pair.invalid", False, "length mismatch was accepted")
        except grpc.RpcError as e:
            check("test_pair.invalid", e.code() == grpc.StatusCode.INVALID_ARGUMENT,
                  f"code {e.code()} details {e.details()!r}")

        # DiscoverPairs over 4 symbols = 6 pairs: the constructed pair is found, the stream ends
        # with is_final, progress reaches 1, pairs_tested = 6.
        data = {"XXX": x, "YYY": y, "D1": decoy1, "D2": decoy2}
        updates = list(client.discover_pairs(data))
        found = [u["result"] for u in updates if "result" in u]
        SUMMARY["discover_pairs"] = {"updates": len(updates), "found": [f["pair"] for f in found]}
        check("discover.updates", len(updates) >= 1, "no updates")
        if updates:
            last = updates[-1]
            check("discover.final", last["is_final"], f"last update {last}")
            check("discover.tested", last["pairs_tested"] == 6, f"pairs_tested={last['pairs_tested']}")
            check("discover.progress", abs(last["progress"] - 1.0) < 1e-12, f"progress={last['progress']}")
            check("discover.found_count", last["pairs_found"] == len(found),
                  f"pairs_found={last['pairs_found']} but {len(found)} results")
        check("discover.found_pair", any({f["symbol1"], f["symbol2"]} == {"XXX", "YYY"} for f in found),
              f"found {[f['pair'] for f in found]}")

        # SolveHJB: the client's tuple, then the raw response for the value function it drops.
        lower, upper, residual, iterations = client.solve_hjb(kappa=5.0, theta=0.0, sigma=0.3)
        SUMMARY["solve_hjb"] = {"lower": lower, "upper": upper, "residual": residual, "iterations": iterations}
        check("hjb.ordered", lower < upper, f"lower={lower} upper={upper}")
        check("hjb.iterations", iterations >= 1, f"iterations={iterations}")
        check("hjb.residual", math.isfinite(residual) and residual >= 0, f"residual={residual}")
        raw = client.stub.SolveHJB(pb.HJBRequest(kappa=5.0, theta=0.0, sigma=0.3), timeout=30)
        check("hjb.value_function", len(raw.value_function) > 0 and len(raw.value_function) == len(raw.x_grid),
              f"{len(raw.value_function)} values on {len(raw.x_grid)} grid points")
        check("hjb.value_finite", all(math.isfinite(v) for v in raw.value_function), "non-finite V")
        check("hjb.grid_sorted", all(a < b for a, b in zip(raw.x_grid, raw.x_grid[1:])), "x_grid not increasing")


def run_meanrev_bidi(host, port):
    """EstimateOUParams bidi stream over a simulated OU path with known mean."""
    import grpc
    import meanrev_pb2 as mpb
    import meanrev_pb2_grpc
    rng = random.Random(7)
    n, mean, phi = 400, 50.0, 0.9
    prices = [mean]
    for _ in range(1, n):
        prices.append(mean + phi * (prices[-1] - mean) + rng.gauss(0.0, 0.5))
    t0 = 1_700_000_000_000

    def updates():
        for i, p in enumerate(prices):
            yield mpb.PriceUpdate(asset_id="OU", price=float(p), timestamp_ms=t0 + i * 86_400_000, volume=1.0)

    channel = grpc.insecure_channel(f"{host}:{port}")
    try:
        stub = meanrev_pb2_grpc.MeanRevServiceStub(channel)
        estimates = list(stub.EstimateOUParams(updates(), timeout=60))
    finally:
        channel.close()
    SUMMARY["estimate_ou_params"] = {"estimates": len(estimates),
                                     "last": {"theta": estimates[-1].theta, "mu": estimates[-1].mu,
                                              "sigma": estimates[-1].sigma, "half_life": estimates[-1].half_life,
                                              "n_samples": estimates[-1].n_samples} if estimates else None}
    check("ou_stream.count", len(estimates) >= 1, "no estimates")
    if estimates:
        last = estimates[-1]
        check("ou_stream.samples", last.n_samples == n, f"n_samples={last.n_samples} (sent {n})")
        check("ou_stream.mu", abs(last.mu - mean) < 0.5, f"mu={last.mu} (true {mean})")
        check("ou_stream.speed", last.theta > 0 and math.isfinite(last.theta), f"theta={last.theta}")
        check("ou_stream.half_life", last.half_life > 0 and math.isfinite(last.half_life), f"half_life={last.half_life}")
        check("ou_stream.incremental", len(estimates) > 1, "only one estimate for 400 updates")


def finite_json(value):
    """JSON for JavaScript's JSON.parse: NaN/Infinity become strings, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    if isinstance(value, (bool, type(None), str)):
        return value
    if isinstance(value, int) or (np is not None and isinstance(value, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else str(value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "proto"))
    args = parser.parse_args()
    out_dir = tempfile.mkdtemp(prefix="arblab-pystubs-")
    try:
        generate_stubs(os.path.abspath(args.proto_dir), out_dir)
        run_pair_discovery(args.host, args.port)
        run_meanrev_bidi(args.host, args.port)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    SUMMARY["failures"] = FAILURES
    print(json.dumps(finite_json(SUMMARY)))
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
