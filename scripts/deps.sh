#!/usr/bin/env bash
# Installs the Debian packages a node needs to run pods, when missing: the native helper's build (gcc, make, libseccomp),
# the busybox base image's source (busybox-static), and the tools the runtime drives (iproute2, iptables, attr, openssl).
set -euo pipefail

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v make >/dev/null 2>&1 || need+=(make)
[ -e /usr/include/seccomp.h ] || need+=(libseccomp-dev)
command -v busybox >/dev/null 2>&1 || need+=(busybox-static)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v setfattr >/dev/null 2>&1 || need+=(attr)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${need[@]}" || { apt-get update -q && apt-get install -y --no-install-recommends "${need[@]}"; }
