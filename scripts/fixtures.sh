#!/usr/bin/env bash
# Regenerate every reference fixture: runs each src/**/fixtures/gen_*.py with Debian's python3
# (statsmodels/scipy/numpy), from its own folder, so each writes its JSON beside itself.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while IFS= read -r script; do
  echo "[fixtures] $script"
  (cd "$(dirname "$script")" && /usr/bin/python3 "$(basename "$script")") || status=1
done < <(find src -path '*/fixtures/gen_*.py' | sort)
exit $status
