#!/usr/bin/env bash
# Node prerequisites shared by every way Keelson brings up a node (the e2e harness, Vagrant VMs, quickstart): Debian
# packages a node needs, kernel settings, and the busybox base image in the images directory the kubelet imports from.
# Env: KEELSON_IMAGES_DIR (default /var/lib/keelson/agent/images). Idempotent; does not build the project (setup.sh does).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
images="${KEELSON_IMAGES_DIR:-/var/lib/keelson/agent/images}"

bash "$root/scripts/deps.sh"
# Pods' traffic is routed between nodes; overlayfs holds container root filesystems.
if [ -w /proc/sys/net/ipv4/ip_forward ]; then echo 1 > /proc/sys/net/ipv4/ip_forward; fi
if command -v modprobe >/dev/null 2>&1; then modprobe overlay 2>/dev/null || true; fi

mkdir -p "$images"
if [ ! -s "$images/busybox.tar" ]; then
  node "$root/kubelet/dist/images/build-busybox.js" --out "$images/busybox.tar.tmp" >/dev/null
  mv "$images/busybox.tar.tmp" "$images/busybox.tar"
fi
