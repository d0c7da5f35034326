#!/usr/bin/env bash
# Regenerate the TypeScript message types and grpc-js service definitions from proto/*.proto
# with ts-proto into src/server/generated/ (committed build output; never edit by hand).
# Usage: bash scripts/gen-proto.sh [out-dir]   (default src/server/generated; npm test generates into
# a temporary folder and compares, see scripts/test-suites/generated.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PROTOC="${PROTOC:-protoc}"
command -v "$PROTOC" >/dev/null || { echo "gen-proto: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
out=${1:-src/server/generated}
rm -rf "$out"
mkdir -p "$out"
"$PROTOC" \
  --plugin=protoc-gen-ts_proto=./node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out="$out" \
  --ts_proto_opt=outputServices=grpc-js,esModuleInterop=true,forceLong=number,useOptionals=messages,importSuffix=.js,env=node \
  --proto_path=proto \
  proto/pair_discovery.proto proto/meanrev.proto
echo "gen-proto: wrote $(ls "$out" | tr '\n' ' ')"
