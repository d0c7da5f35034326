#!/usr/bin/env bash
# npm test suite: Biome formatting and lint rules over the tree (biome.jsonc; `npm run lint:fix` applies the fixes).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npm run --silent lint
