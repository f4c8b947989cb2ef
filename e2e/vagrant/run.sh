#!/usr/bin/env bash
# The Vagrant end-to-end run: builds (or reuses) the Debian 12 box, starts a private libvirtd in its own network and
# mount namespaces, `vagrant up`s the root Vagrantfile's cluster (cp + 2 workers; --smoke: cp only), runs
# e2e/vagrant/scenarios.sh against it, destroys it and removes everything it created, also on failure.
# Usage (root, Debian 12): bash e2e/vagrant/run.sh [--smoke]. Exits non-zero on any failure; prints per-step timings.
# Env: KEELSON_VAGRANT_CACHE (box cache, /var/cache/keelson-vagrant), KEELSON_LIBVIRT_DRIVER (auto: kvm when a guest
# actually runs under KVM here, else qemu), KEELSON_E2E_LOGS (a dir that keeps the VMs' serial consoles and the log).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# ---------------------------------------------------------------- inner: runs inside the private namespaces
if [ "${1:-}" = --inner ]; then
  tmp="${2:?}"; mode="${3:?}"; box="${4:?}"
  # shellcheck source=e2e/vagrant/lib.sh
  . "$here/lib.sh"
  readlink /proc/self/ns/net > "$tmp/netns"
  ip link set lo up
  # libvirt's directories, private to this mount namespace and backed by the temp folder.
  for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
    mkdir -p "$tmp/fs$d"
    if [ -d "$d" ]; then cp -a "$d/." "$tmp/fs$d/"; fi
  done
  # /run/libvirt may not exist on the host: a tmpfs over /run (this namespace only) gives a place to bind it.
  mount -t tmpfs -o mode=755 tmpfs /run
  mkdir -p /run/libvirt /run/lock
  for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
    mkdir -p "$d"; mount --bind "$tmp/fs$d" "$d"
  done
  cat >> /etc/libvirt/qemu.conf <<'EOT'
# keelson e2e: a private libvirtd in a namespace, as root, without host cgroups or security labels.
stdio_handler = "file"
cgroup_controllers = [ ]
security_driver = "none"
user = "root"
group = "root"
EOT
  cat >> /etc/libvirt/libvirtd.conf <<'EOT'
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
EOT
  on_inner_exit() {
    local rc=$?
    if [ "$rc" != 0 ] && [ -n "${VAGRANT_DOTFILE_PATH:-}" ]; then dump_vm_logs "$root" "$tmp"; fi
    if [ -n "${VAGRANT_DOTFILE_PATH:-}" ] && [ -d "$VAGRANT_DOTFILE_PATH/machines" ]; then
      timed destroy bash -c "cd '$root' && vagrant destroy -f" || true
    fi
    if [ -n "${KEELSON_E2E_LOGS:-}" ]; then mkdir -p "$KEELSON_E2E_LOGS"; cp -r /var/log/libvirt/. "$KEELSON_E2E_LOGS/" 2>/dev/null || true; fi
    # Whatever libvirt started (qemu, dnsmasq), then libvirtd and virtlogd themselves, by their pid files.
    for f in /run/libvirt/qemu/*.pid /run/libvirt/network/*.pid "$tmp/libvirtd.pid" "$tmp/virtlogd.pid"; do
      [ -s "$f" ] || continue
      kill "$(cat "$f")" 2>/dev/null || true
    done
    exit "$rc"
  }
  trap on_inner_exit EXIT
  trap 'exit 143' TERM INT HUP
  timed libvirtd-start start_libvirtd "$tmp"

  export VAGRANT_HOME="$tmp/vagrant.d" VAGRANT_DOTFILE_PATH="$tmp/dot-vagrant" VAGRANT_DEFAULT_PROVIDER=libvirt
  export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1
  export KEELSON_BOX=keelson/bookworm-local KEELSON_MEMORY="${KEELSON_MEMORY:-1536}" KEELSON_CPUS="${KEELSON_CPUS:-1}"
  export KEELSON_WORKERS; if [ "$mode" = smoke ]; then KEELSON_WORKERS=0; else KEELSON_WORKERS=2; fi
  timed box-add vagrant box add --force --name "$KEELSON_BOX" "$box" >/dev/null
  cd "$root"
  # A join token from an earlier cluster must never reach these workers: cp's trigger writes a fresh one.
  rm -f "$root/.keelson/join-token"
  timed vagrant-up-cp vagrant_up cp
  if [ "$mode" = full ]; then
    # The workers only need cp's join token: bring them up side by side (two vagrant processes, one machine each).
    pids=()
    for m in w1 w2; do timed "vagrant-up-$m" vagrant_up "$m" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
  fi
  vagrant ssh-config > "$tmp/ssh-config"
  KEELSON_SSH_CONFIG="$tmp/ssh-config" KEELSON_TMP="$tmp" bash "$here/scenarios.sh" "$mode"
  exit 0
fi

# ---------------------------------------------------------------- outer: on the host
mode=full
case "${1:-}" in --smoke) mode=smoke ;; "") ;; *) echo "usage: $0 [--smoke]" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "run as root (namespaces, libvirtd, debootstrap)" >&2; exit 1; }
# shellcheck source=e2e/vagrant/lib.sh
. "$here/lib.sh"
tmp="$(mktemp -d /tmp/keelson-vagrant.XXXXXX)"
export KEELSON_TIMINGS="$tmp/timings"
: > "$KEELSON_TIMINGS"
started=$SECONDS
had_node_copy=0; [ -e "$root/.keelson/node" ] && had_node_copy=1
on_exit() {
  local rc=$?
  # Anything still running in the private network namespace (the inner cleanup failed or was killed): end it by pid.
  if [ -s "$tmp/netns" ]; then
    local ns; ns="$(cat "$tmp/netns")"
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$ns" ] && kill -9 "${p#/proc/}" 2>/dev/null || true
    done
  fi
  rm -f "$root/.keelson/join-token"
  # The Vagrantfile copies the host's node into .keelson/node for the VMs; drop it unless it was there before.
  if [ "$had_node_copy" = 0 ]; then rm -rf "$root/.keelson/node"; rmdir "$root/.keelson" 2>/dev/null || true; fi
  echo "---- timings (seconds) ----"; cat "$KEELSON_TIMINGS"
  echo "total $((SECONDS - started))s: $([ "$rc" = 0 ] && echo PASSED || echo "FAILED (exit $rc)")"
  rm -rf "$tmp"
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

need=()
for p in vagrant vagrant-libvirt libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils debootstrap dnsmasq-base e2fsprogs rsync; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Debian starts services on install; this run needs none of them, and the host's must stay untouched.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; own_policy=1; fi
  timed apt-install apt-get install -y --no-install-recommends "${need[@]}" >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
  if [ "$own_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
# The VMs get the tree as built on the host (rsync): the project and the native helper must be built.
[ -f "$root/cluster/dist/main.js" ] && [ -x "$root/kubelet/native/keelson-helper" ] \
  || { echo "build the tree first: npm run build && make -C kubelet/native" >&2; exit 1; }

box="$(timed box-build bash "$here/build-box.sh" "${KEELSON_VAGRANT_CACHE:-/var/cache/keelson-vagrant}" | tail -1)"
if [ -z "${KEELSON_LIBVIRT_DRIVER:-}" ]; then
  KEELSON_LIBVIRT_DRIVER="$(kvm_usable "$box" "$tmp" && echo kvm || echo qemu)"
fi
export KEELSON_LIBVIRT_DRIVER
echo "libvirt domain type: $KEELSON_LIBVIRT_DRIVER" >&2
unshare --net --mount --propagation private -- bash "$0" --inner "$tmp" "$mode" "$box"
