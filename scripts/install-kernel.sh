#!/usr/bin/env bash
# Install the tslab ("TypeScript") Jupyter kernelspec pointing at THIS project's tslab by absolute
# path (so the kernel starts without tslab on PATH), for Jupyter's Python /usr/bin/python3, then
# build the notebook bundle notebooks/lib/ (skipped when up to date). Idempotent and fast on a
# second run. Called by scripts/bootstrap.sh in lab/test/all mode.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
python=${LAB_PYTHON:-/usr/bin/python3}
tslab="$root/node_modules/.bin/tslab"
log() { printf '[install-kernel] %s\n' "$*" >&2; }

[ -x "$tslab" ] || { log "missing $tslab: run npm ci first"; exit 1; }
# zeromq (tslab's transport) ships prebuilt binaries; its install script is not needed.
node -e 'require("zeromq")' 2>/dev/null || { log "zeromq does not load in this Node; tslab cannot start"; exit 1; }

# Fast path: the kernel.json Jupyter finds first (per-user dir before system-wide) already names our tslab.
for spec in "$HOME/.local/share/jupyter/kernels/tslab/kernel.json" /usr/local/share/jupyter/kernels/tslab/kernel.json; do
  [ -f "$spec" ] || continue
  if grep -qF "\"$tslab\"" "$spec"; then exec "$root/node_modules/.bin/tsx" scripts/build-notebook-lib.ts; fi
  break
done

current=$("$python" - <<'PY' 2>/dev/null || true
from jupyter_client.kernelspec import KernelSpecManager
try:
    print(KernelSpecManager().get_kernel_spec("tslab").argv[0])
except Exception:
    pass
PY
)
if [ "$current" != "$tslab" ]; then
  scope=()
  [ "$(id -u)" = "0" ] || scope=(--user)
  log "installing the tslab kernelspec (kernel: $tslab)"
  "$tslab" install --python="$python" --binary="$tslab" "${scope[@]}" >/dev/null
  current=$("$python" -c 'from jupyter_client.kernelspec import KernelSpecManager as K; print(K().get_kernel_spec("tslab").argv[0])')
  [ "$current" = "$tslab" ] || { log "kernelspec points at '$current', expected $tslab"; exit 1; }
fi

"$root/node_modules/.bin/tsx" scripts/build-notebook-lib.ts
