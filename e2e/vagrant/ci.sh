#!/usr/bin/env bash
# The Vagrant e2e run as CI runs it (scripts/test.sh, after the jest suites): e2e/vagrant/run.sh when this machine
# can run it, else a one-line reason and success. "Can" means: root, network namespaces, the packages installable
# (run.sh installs them) and QEMU able to run a guest (KVM or emulation).
# Env: KEELSON_VAGRANT_E2E = full (default: cp + 2 workers, every scenario) | smoke (cp only) | off.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${KEELSON_VAGRANT_E2E:-full}"
case "$mode" in
  off) echo "vagrant e2e: skipped (KEELSON_VAGRANT_E2E=off)"; exit 0 ;;
  full | smoke) ;;
  *) echo "KEELSON_VAGRANT_E2E must be full, smoke or off, got '$mode'" >&2; exit 2 ;;
esac
skip() { echo "vagrant e2e: skipped, this machine cannot run it: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "not root"
unshare --net --mount true 2>/dev/null || skip "no network/mount namespaces"
command -v apt-get >/dev/null || skip "no apt-get to install vagrant, libvirt and qemu"
if ! dpkg -s qemu-system-x86 >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends qemu-system-x86 >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y --no-install-recommends qemu-system-x86 >/dev/null 2>&1; } \
    || skip "qemu-system-x86 cannot be installed"
fi
# Emulation works wherever qemu-system-x86_64 runs; KVM is used when a guest really runs under it (run.sh probes).
qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg || skip "qemu has neither KVM nor TCG here"
args=()
[ "$mode" = smoke ] && args=(--smoke)
exec bash "$here/run.sh" "${args[@]}"
