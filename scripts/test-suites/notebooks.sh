#!/usr/bin/env bash
# npm test suite: execute the demo notebooks headless against a real server (see scripts/test-notebooks.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npx --no-install tsx scripts/test-notebooks.ts
