#!/usr/bin/env bash
# Builds the Debian 12 libvirt box the Vagrant e2e run boots (debootstrap + mkfs.ext4 -d + qemu-img; no loop mounts,
# no bootloader: the box's own Debian kernel and initrd are passed to libvirt by the box's Vagrantfile), cached by the
# content hash of this script. Usage: build-box.sh <cache-dir>; prints the path of the box file on its last line.
set -euo pipefail
cache="${1:?cache dir}"
mirror="${KEELSON_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# Everything a node runs, baked in so `vagrant up` downloads nothing: systemd, ssh, rsync and sudo for Vagrant; Debian's
# kernel (all modules: overlay, veth, bridge, nf_tables; cgroup v2 by default); etcd for the control plane; the packages
# scripts/deps.sh would otherwise install (gcc make libseccomp-dev busybox-static iptables attr openssl); nodejs as the
# issue asks, although the provisioning puts the host's Node 20 (rsynced with the tree) first on PATH.
packages=(systemd-sysv udev dbus iproute2 openssh-server sudo rsync nodejs etcd-server
  linux-image-amd64 initramfs-tools kmod zstd procps
  gcc make libc6-dev libseccomp-dev busybox-static iptables nftables attr openssl ca-certificates)
hash="$(cat "$0" <(printf '%s\n' "${packages[@]}" "$mirror") | sha256sum | cut -c1-16)"
box="$cache/keelson-bookworm-$hash.box"
if [ -s "$box" ]; then echo "box cached: $box" >&2; echo "$box"; exit 0; fi
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
cleanup() {
  # debootstrap mounts /proc and /sys in the target while it installs; never leave them behind.
  for m in proc sys dev/pts dev; do if mountpoint -q "$work/root/$m" 2>/dev/null; then umount -l "$work/root/$m" || true; fi; done
  rm -rf "$work"
}
trap cleanup EXIT
root="$work/root"
include="$(IFS=,; echo "${packages[*]}")"
echo "debootstrap --variant=minbase bookworm ($mirror)" >&2
debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2; exit 1; }

# The vagrant user, with Vagrant's well-known insecure key (Vagrant replaces it with a fresh key on first `up`).
insecure_pub=""
for f in /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub /opt/vagrant/embedded/gems/*/gems/vagrant-*/keys/vagrant.pub; do
  if [ -s "$f" ]; then insecure_pub="$f"; break; fi
done
[ -n "$insecure_pub" ] || { echo "Vagrant's insecure public key not found (is vagrant installed?)" >&2; exit 1; }
chroot "$root" useradd -m -s /bin/bash -U vagrant
echo 'vagrant:vagrant' | chroot "$root" chpasswd
echo 'vagrant ALL=(ALL) NOPASSWD:ALL' > "$root/etc/sudoers.d/vagrant"; chmod 440 "$root/etc/sudoers.d/vagrant"
install -d -m 700 "$root/home/vagrant/.ssh"
install -m 600 "$insecure_pub" "$root/home/vagrant/.ssh/authorized_keys"
chroot "$root" chown -R vagrant:vagrant /home/vagrant/.ssh
echo 'UseDNS no' > "$root/etc/ssh/sshd_config.d/vagrant.conf"
# Host keys are generated per VM at first boot (all VMs from one box must not share them).
rm -f "$root"/etc/ssh/ssh_host_*
cat > "$root/etc/systemd/system/ssh-hostkeys.service" <<'EOT'
[Unit]
Description=Generate SSH host keys
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
EOT
chroot "$root" systemctl enable ssh-hostkeys.service ssh.service systemd-networkd.service >/dev/null 2>&1
# DHCP on the VM's NICs by systemd-networkd (Vagrant then configures the private network's static address). Only
# the NICs: pod veths are ethernet links too, and a networkd that manages one runs DHCP on it and takes it off the pod
# bridge (pods became unreachable).
cat > "$root/etc/systemd/network/80-dhcp.network" <<'EOT'
[Match]
Type=ether
Name=eth* en*
[Network]
DHCP=ipv4
[DHCPv4]
ClientIdentifier=mac
EOT
echo keelson > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 keelson\n' > "$root/etc/hosts"
echo 'nameserver 127.0.0.1' > "$root/etc/resolv.conf"
printf '/dev/vda / ext4 rw,discard,errors=remount-ro 0 1\n' > "$root/etc/fstab"
rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"; : > "$root/etc/machine-id"
# Etcd is started by the control-plane provisioning only; workers never run it.
chroot "$root" systemctl disable etcd.service >/dev/null 2>&1 || true
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin

# The kernel's postinst makes the initrd only when initramfs-tools was configured before it.
if ! compgen -G "$root/boot/initrd.img-*" >/dev/null; then chroot "$root" update-initramfs -c -k all >/dev/null; fi
kernel="$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)"; initrd="$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)"
[ -s "$kernel" ] && [ -s "$initrd" ] || { echo "box build: no kernel/initrd in the root filesystem" >&2; exit 1; }
mkdir -p "$work/box"
cp "$kernel" "$work/box/vmlinuz"; cp "$initrd" "$work/box/initrd.img"
chmod 644 "$work/box/vmlinuz" "$work/box/initrd.img"
size_gib=8
truncate -s "${size_gib}G" "$work/root.ext4"
mkfs.ext4 -q -L root -d "$root" "$work/root.ext4"
qemu-img convert -O qcow2 "$work/root.ext4" "$work/box/box.img"
rm -f "$work/root.ext4"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":%d}\n' "$size_gib" > "$work/box/metadata.json"
cat > "$work/box/Vagrantfile" <<'EOT'
# Box defaults: boot the box's own Debian kernel directly (no bootloader), root on the whole virtio disk, cgroup v2.
Vagrant.configure('2') do |config|
  config.vm.provider :libvirt do |lv|
    lv.kernel = File.join(__dir__, 'vmlinuz')
    lv.initrd = File.join(__dir__, 'initrd.img')
    lv.cmd_line = 'root=/dev/vda rw console=ttyS0 net.ifnames=0 systemd.unified_cgroup_hierarchy=1'
    lv.disk_bus = 'virtio'
  end
end
EOT
tar -C "$work/box" -cf "$work/out.box" metadata.json Vagrantfile vmlinuz initrd.img box.img
mv "$work/out.box" "$box"
# Older boxes (another content hash) are stale: keep the cache to one box.
find "$cache" -maxdepth 1 -name 'keelson-bookworm-*.box' ! -path "$box" -delete
echo "$box"
