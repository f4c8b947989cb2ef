#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (a real etcd) when they are missing.
set -euo pipefail

need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# Beyond what a node needs (scripts/deps.sh, run by setup): crun/runc are benchmark peers; docker-registry is the
# registry the image-pull tests push to; conntrack inspects pod NAT; libcap-dev for capability tests.
[ -e /usr/include/sys/capability.h ] || need+=(libcap-dev)
command -v crun >/dev/null 2>&1 || need+=(crun)
command -v runc >/dev/null 2>&1 || need+=(runc)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${need[@]}" || { apt-get update -q && apt-get install -y --no-install-recommends "${need[@]}"; }
# Debian's package may start a system etcd on the default ports; the tests start their own.
