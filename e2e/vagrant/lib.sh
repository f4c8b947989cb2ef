#!/usr/bin/env bash
# Helpers shared by e2e/vagrant/run.sh and scenarios.sh: step timings, the private libvirtd, the KVM probe, polling.

# timed NAME CMD...: runs CMD, appends "NAME <seconds>s ok|FAILED" to $KEELSON_TIMINGS, keeps CMD's exit status.
timed() {
  local name="$1" t0=$SECONDS rc=0
  shift
  echo "==> $name" >&2
  "$@" || rc=$?
  printf '%-28s %4ds %s\n' "$name" "$((SECONDS - t0))" "$([ "$rc" = 0 ] && echo ok || echo "FAILED (exit $rc)")" >> "${KEELSON_TIMINGS:-/dev/null}"
  return "$rc"
}

# start_libvirtd TMP: virtlogd and libvirtd as daemons (config and state already mapped into TMP), ready for virsh.
start_libvirtd() {
  local tmp="$1"
  virtlogd --daemon --pid-file "$tmp/virtlogd.pid"
  libvirtd --daemon --pid-file "$tmp/libvirtd.pid"
  local _
  for _ in $(seq 1 60); do
    if virsh -c qemu:///system version >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "libvirtd did not answer within 30 s" >&2
  tail -20 /var/log/libvirt/libvirtd.log 2>/dev/null >&2 || true
  return 1
}

# kvm_usable BOX TMP: true when a guest really runs under KVM here (the box's kernel reaches its root-mount panic
# within 15 s with -accel kvm); /dev/kvm existing is not enough (nested virtualisation may be missing or broken).
kvm_usable() {
  local box="$1" tmp="$2"
  [ -w /dev/kvm ] || return 1
  mkdir -p "$tmp/kvm-probe"
  tar -C "$tmp/kvm-probe" -xf "$box" vmlinuz || return 1
  timeout 15 qemu-system-x86_64 -accel kvm -m 256 -display none -nodefaults -no-reboot \
    -serial "file:$tmp/kvm-probe/console" -kernel "$tmp/kvm-probe/vmlinuz" \
    -append 'console=ttyS0 panic=-1 root=/dev/keelson-no-root' >/dev/null 2>&1 || true
  grep -q 'Kernel panic\|VFS: Unable to mount root' "$tmp/kvm-probe/console" 2>/dev/null
}

# until_ok DESCRIPTION SECONDS CMD...: retries CMD every 2 s until it succeeds; fails with DESCRIPTION after SECONDS.
until_ok() {
  local what="$1" limit="$2" t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - t0)) -ge "$limit" ]; then echo "timed out after ${limit}s waiting for: $what" >&2; return 1; fi
    sleep 2
  done
}

# vagrant_up MACHINE: `vagrant up` with each output line stamped with the time of day and the machine's name.
vagrant_up() {
  local m="$1"
  vagrant up "$m" --provider=libvirt 2>&1 | while IFS= read -r line; do printf '%(%T)T [%s] %s\n' -1 "$m" "$line"; done
  return "${PIPESTATUS[0]}"
}

# dump_vm_logs ROOT TMP: on failure, the tail of each running VM's Keelson and etcd journal, to stderr.
dump_vm_logs() {
  local root="$1" tmp="$2" m
  (cd "$root" && vagrant ssh-config > "$tmp/ssh-config.dump" 2>/dev/null) || true
  for m in $(awk '$1=="Host"{print $2}' "$tmp/ssh-config.dump" 2>/dev/null); do
    echo "---- $m: journal (keelson-server, keelson-agent, etcd), last 80 lines ----" >&2
    timeout 60 ssh -F "$tmp/ssh-config.dump" -o LogLevel=ERROR "$m" \
      'sudo journalctl --no-pager -n 80 -u keelson-server -u keelson-agent -u etcd; free -m; uptime' </dev/null >&2 || true
  done
}
