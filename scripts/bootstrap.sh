#!/usr/bin/env bash
# Idempotent bootstrap for a fresh machine of the reference kind (Debian bookworm, Node 20, root).
# Usage: bash scripts/bootstrap.sh [test|lab|bench|fixtures|all]
# Installs only what is missing, so a second run takes about 0.1 s (stamps; lab mode prints its time):
#  - npm dependencies (when node_modules is absent or package-lock.json changed),
#  - the Debian packages the chosen job needs (Jupyter, statsmodels/scipy for references,
#    grpcio for the cross-language client test, protoc, chromium for browser tests),
#  - the tslab Jupyter kernelspec for this checkout, in its own .jupyter/ folder (install-kernel.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"
log() { printf '[bootstrap] %s\n' "$*" >&2; }
started=${EPOCHREALTIME:-}

# ---- npm dependencies --------------------------------------------------------------------
stamp=node_modules/.arbitrage-lab-lock
lockhash=$(sha1sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lockhash" ]; then
  # `npm install` (not `npm ci`): it installs the locked versions too, and it tolerates optional
  # platform packages (rollup's android/darwin builds) that this machine's registry answers 404 for,
  # which makes `npm ci` reject the lock as "out of sync" here.
  log "installing npm dependencies (npm install, locked versions)"
  npm install --no-audit --no-fund --loglevel=error
  echo "$lockhash" > "$stamp"
fi

# ---- Debian packages ---------------------------------------------------------------------
# Each job's list; a package is installed only when dpkg does not already have it.
JUPYTER_PKGS="jupyter-notebook jupyter-nbconvert python3-nbclient"
REFERENCE_PKGS="python3-statsmodels python3-scipy python3-sklearn python3-numpy python3-pandas python3-mpmath"
GRPC_PY_PKGS="python3-grpcio python3-grpc-tools python3-protobuf protobuf-compiler"
BROWSER_PKGS="chromium"
REDIS_PKGS="redis-server" # distributed discovery tests (src/distributed/) start their own
# the Grafana dashboard test (src/gateway/grafanaDashboards.test.ts) evaluates every panel's PromQL
PROMETHEUS_PKGS="prometheus"
case "$mode" in
  test) want="$JUPYTER_PKGS $GRPC_PY_PKGS $BROWSER_PKGS $PROMETHEUS_PKGS $REDIS_PKGS" ;;
  lab) want="$JUPYTER_PKGS" ;;
  bench) want="$REFERENCE_PKGS $REDIS_PKGS" ;;
  fixtures) want="$REFERENCE_PKGS $GRPC_PY_PKGS" ;;
  all) want="$JUPYTER_PKGS $REFERENCE_PKGS $GRPC_PY_PKGS $BROWSER_PKGS $REDIS_PKGS $PROMETHEUS_PKGS" ;;
  *) log "unknown mode '$mode' (expected test|lab|bench|fixtures|all)"; exit 2 ;;
esac
# One dpkg-query for the whole list (a warm bootstrap forks as little as possible).
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package}=${Status}\n' $want 2>/dev/null | sed -n 's/=install ok installed$//p' | tr '\n' ' ' || true)"
missing=""
for p in $want; do
  case "$installed" in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != "0" ]; then
    log "missing Debian packages:$missing — run as root or install them with apt-get"; exit 1
  fi
  log "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update once per bootstrap that needs it; retry once on a transient mirror error.
  apt-get update -qq || { sleep 5; apt-get update -qq; }
  # Packages that ship a daemon (redis-server, prometheus) would start it on 0.0.0.0 from their
  # postinst; the tests start their own on 127.0.0.1, so daemons are not started at install
  # (policy-rc.d exit 101 = "action forbidden"), unless the machine already has a policy.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=1; fi
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null \
    || { sleep 5; apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
  if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi
fi

# ---- tslab kernelspec (Jupyter jobs) -------------------------------------------------------
if [ "$mode" = test ] || [ "$mode" = lab ] || [ "$mode" = all ]; then
  # lab: scripts/lab.ts builds the notebook bundle itself, once.
  if [ "$mode" = lab ]; then bash scripts/install-kernel.sh --no-bundle; else bash scripts/install-kernel.sh; fi
fi
# One short line for `npm run lab`'s start-up breakdown (the lab prints its own steps).
if [ "$mode" = lab ] && [ -n "$started" ]; then
  log "lab: done in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s"
fi
exit 0
