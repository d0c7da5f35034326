#!/usr/bin/env bash
# npm test suite: build output kept beside the sources is current.
#  - src/server/generated/ equals a fresh `npm run gen:proto` (generated into a temporary folder);
#  - notebooks/lib/ equals a fresh notebook bundle (scripts/build-notebook-lib.ts --check).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash scripts/gen-proto.sh "$tmp/generated" >/dev/null
if ! diff -r -u src/server/generated "$tmp/generated" >"$tmp/diff"; then
  head -40 "$tmp/diff" >&2
  echo "[generated] src/server/generated/ differs from a fresh 'npm run gen:proto': run it and commit the result" >&2
  exit 1
fi
echo "[generated] src/server/generated/ matches a fresh 'npm run gen:proto'"
exec npx --no-install tsx scripts/build-notebook-lib.ts --check
