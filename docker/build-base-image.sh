#!/usr/bin/env bash
# Build the `node:20-bookworm-slim` base image locally, for machines that cannot pull from Docker Hub
# (see docker/README.md). On a machine with Docker Hub access this script is not needed: the
# Dockerfiles' `FROM node:20-bookworm-slim` pulls the official image.
# Debian bookworm minbase from the machine's own Debian mirror + this machine's Node 20 binary.
set -euo pipefail
name="${1:-node:20-bookworm-slim}"
debian_name="debian:bookworm-slim"
if docker image inspect "$name" >/dev/null 2>&1 && docker image inspect "$debian_name" >/dev/null 2>&1; then
  echo "[base-image] $name and $debian_name exist"; exit 0
fi
# The machine's Debian mirror: first `URIs:` line (deb822) or `deb` line, never a comment.
mirror=$( { sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null;
            sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null; } \
          | grep -v security | head -n1 || true)
mirror="${mirror:-http://deb.debian.org/debian}"
rootfs=$(mktemp -d /tmp/rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "[base-image] debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/debootstrap.log 2>&1
# What the official slim images leave out: downloaded .debs, apt lists, docs, man pages, locales
# (≈ 110 MB here). Without this the local base is 199 MB instead of ~80 MB.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
       "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/* \
       "$rootfs"/debootstrap
find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$debian_name"
# Node 20 and npm from this machine (same kind as the image's users).
node_bin=$(command -v node)
cp "$node_bin" "$rootfs/usr/local/bin/node"
npm_root=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_root" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
tar -C "$rootfs" -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' - "$name"
echo "[base-image] built $name"
