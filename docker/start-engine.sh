#!/usr/bin/env bash
# Start a Docker engine on a machine without systemd (the reference machine kind), as root.
# Installs docker.io, docker-compose (v1) and debootstrap from Debian when missing. Idempotent.
set -euo pipefail
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null
fi
if docker info >/dev/null 2>&1; then exit 0; fi
# Hybrid cgroups on this kernel need the hugetlb hierarchy mounted (harmless if already done).
if [ -s /sys/fs/cgroup/unified/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/hugetlb; mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
fi
nohup dockerd > /tmp/dockerd.log 2>&1 &
echo $! > /tmp/dockerd.pid
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 1; done
echo "dockerd did not start; see /tmp/dockerd.log" >&2; exit 1
