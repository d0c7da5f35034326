#!/usr/bin/env bash
# Install the tslab ("TypeScript") Jupyter kernelspec for THIS checkout only, in the project-local
# Jupyter folders under .jupyter/ (git-ignored), then build the notebook bundle notebooks/lib/
# (skipped when current). Nothing outside the checkout is written, so two checkouts on one machine
# never repoint each other's kernel. `npm run lab` and the notebook tests start Jupyter with
#   JUPYTER_DATA_DIR=JUPYTER_PATH=.jupyter/data   (kernels/tslab/kernel.json, the trust database)
#   JUPYTER_CONFIG_DIR=.jupyter/config             (custom/custom.js chart renderer, plotly.min.js)
#   JUPYTER_RUNTIME_DIR=.jupyter/runtime           (connection files)
# (scripts/lab-support.ts jupyterEnv()). Idempotent; a second run only hashes its inputs (stamp below).
# Called by scripts/bootstrap.sh in lab/test/all mode.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tslab="$root/node_modules/.bin/tslab"
log() { printf '[install-kernel] %s\n' "$*" >&2; }

[ -x "$tslab" ] || { log "missing $tslab: run bash scripts/bootstrap.sh first"; exit 1; }

# Fast path: everything below depends only on this script, the checkout's path, Node's version, the
# npm lock (tslab, zeromq, plotly.js versions) and scripts/jupyter/custom.js. When their hash equals
# the stamp written at the end of a previous run and the outputs still exist, nothing is redone (no
# Node start-ups: this is most of a warm `npm run lab` bootstrap).
spec_dir="$root/.jupyter/data/kernels/tslab"
spec="$spec_dir/kernel.json"
kernel_stamp="$root/.jupyter/.install-kernel-stamp"
kernel_key=$({ printf '%s\n' "$root" "$(node --version)"; cat scripts/install-kernel.sh package-lock.json scripts/jupyter/custom.js; } | sha1sum | cut -d' ' -f1)
outputs_present() { [ -f "$spec" ] && [ -f "$root/.jupyter/config/custom/custom.js" ] && [ -f "$root/.jupyter/config/custom/plotly.min.js" ] && [ -d "$root/.jupyter/runtime" ]; }
if [ -f "$kernel_stamp" ] && [ "$(cat "$kernel_stamp")" = "$kernel_key" ] && outputs_present; then
  kernel_current=1
else
  kernel_current=0
fi

install_kernel() {
  # zeromq (tslab's transport) ships prebuilt binaries; its install script is not needed.
  node -e 'require("zeromq")' 2>/dev/null || { log "zeromq does not load in this Node; tslab cannot start"; exit 1; }

  # The kernelspec tslab's own installer writes, with the binary named by absolute path (no PATH lookup).
  local want
  want=$(node -e 'process.stdout.write(JSON.stringify({argv: [process.argv[1], "kernel", "--config-path", "{connection_file}"], display_name: "TypeScript", language: "typescript"}) + "\n")' "$tslab")
  if [ ! -f "$spec" ] || [ "$(cat "$spec")" != "$want" ]; then
    log "installing the tslab kernelspec in .jupyter/data (kernel: $tslab)"
    mkdir -p "$spec_dir"
    printf '%s\n' "$want" >"$spec.tmp" && mv "$spec.tmp" "$spec"
  fi
  mkdir -p "$root/.jupyter/config/custom" "$root/.jupyter/runtime"

  # The notebook page's chart renderer and the plotly.js it loads once per page (see scripts/jupyter/custom.js).
  local plotly_js pair src dst
  plotly_js=$(node -p 'require.resolve("plotly.js-dist-min/plotly.min.js")')
  for pair in "scripts/jupyter/custom.js:custom.js" "$plotly_js:plotly.min.js"; do
    src=${pair%%:*}
    dst="$root/.jupyter/config/custom/${pair##*:}"
    cmp -s "$src" "$dst" || { cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"; }
  done
  printf '%s\n' "$kernel_key" >"$kernel_stamp.tmp" && mv "$kernel_stamp.tmp" "$kernel_stamp"
}
[ "$kernel_current" = 1 ] || install_kernel

# `npm run lab` builds the bundle itself (scripts/lab.ts), so its bootstrap passes --no-bundle.
[ "${1:-}" = "--no-bundle" ] && exit 0
exec "$root/node_modules/.bin/tsx" scripts/build-notebook-lib.ts
