#!/usr/bin/env bash
# CI check of the Vagrantfile: installs Debian's vagrant (and the vagrant-libvirt plugin, so libvirt settings are
# checked too) when missing, then `vagrant validate`. VMs are never started here (no nested virtualisation assumed).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
command -v vagrant >/dev/null 2>&1 || need+=(vagrant)
dpkg -s vagrant-libvirt >/dev/null 2>&1 || need+=(vagrant-libvirt)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "validate-vagrant: missing ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null || { apt-get update -q && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
fi
# Validation writes machine state under .vagrant/; keep the checkout as it was.
had_state=0; [ -e .vagrant ] && had_state=1
cleanup() { if [ "$had_state" = 0 ]; then rm -rf .vagrant; fi; }
trap cleanup EXIT
for workers in 1 2 3; do
  # KEELSON_NODE_BIN=none: validation does not copy the host's node binary into .keelson/ as `vagrant up` does.
  KEELSON_NODE_BIN=none KEELSON_WORKERS=$workers VAGRANT_DEFAULT_PROVIDER=libvirt vagrant validate
done
echo "validate-vagrant: Vagrantfile valid (libvirt provider settings checked; VirtualBox settings need VirtualBox to check)"
