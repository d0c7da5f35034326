#!/usr/bin/env bash
# Drive the compose stack on this machine kind (no Docker Hub, no systemd):
#   bash docker/stack.sh up     build images and start grpc-server, jupyter, prometheus
#   bash docker/stack.sh test   build, start grpc-server, run every notebook in the lab image, stop
#   bash docker/stack.sh down   stop and remove the stack
# It starts a Docker engine if none answers, builds the local base images (docker/build-base-image.sh)
# and trusts this machine's extra CA certificates inside builds (copied into docker/certs/).
set -euo pipefail
cd "$(dirname "$0")/.."
cmd="${1:-up}"
compose() { if docker compose version >/dev/null 2>&1; then docker compose "$@"; else docker-compose "$@"; fi; }
bash docker/start-engine.sh
bash docker/build-base-image.sh
for crt in /usr/local/share/ca-certificates/*.crt; do [ -e "$crt" ] && cp -f "$crt" docker/certs/; done
case "$cmd" in
  up) compose build && compose up -d && compose ps
      echo "Jupyter: docker-compose logs jupyter | grep token  (http://127.0.0.1:8889)"; echo "Prometheus: http://127.0.0.1:9090" ;;
  test) compose build
        compose up -d grpc-server
        status=0
        compose run --rm notebooks-test || status=$?
        compose down
        exit $status ;;
  down) compose down ;;
  *) echo "usage: docker/stack.sh up|test|down" >&2; exit 2 ;;
esac
