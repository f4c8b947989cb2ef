#!/usr/bin/env bash
# Vagrant: the control-plane VM — etcd (Debian's etcd-server), then `keelson server --storage etcd://…` as a systemd
# unit through scripts/provision/server.sh (as the e2e harness starts its control plane), and keelctl for the vagrant user.
# Env: KEELSON_NODE_IP (the VM's address on the private network).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
command -v etcd >/dev/null 2>&1 || apt-get install -y --no-install-recommends etcd-server || { apt-get update -q && apt-get install -y --no-install-recommends etcd-server; }
# Debian's etcd is 3.4, whose watch progress requests are unsafe: the API server's watch caches learn the current
# revision from periodic progress notifications instead (as e2e/src/etcd.ts starts etcd); without them requests at a
# recent resourceVersion fail with "Too large resource version" and every informer backs off.
if ! grep -q '^ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL=' /etc/default/etcd 2>/dev/null; then
  echo 'ETCD_EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL=500ms' >> /etc/default/etcd
fi
systemctl enable etcd
systemctl restart etcd

mkdir -p /etc/keelson
cat > /etc/keelson/server.env <<EOT
KEELSON_STORAGE=etcd://127.0.0.1:2379
KEELSON_BIND_ADDRESS=0.0.0.0
KEELSON_NODE_IP=${KEELSON_NODE_IP:?}
KEELSON_KUBECONFIG_OUT=/etc/keelson/keelson.yaml
KEELSON_EXTRA_ARGS=--tls-san ${KEELSON_NODE_IP}
EOT
cat > /etc/systemd/system/keelson-server.service <<'EOT'
[Unit]
Description=Keelson control plane (keelson server)
After=network-online.target etcd.service
Wants=network-online.target etcd.service

[Service]
EnvironmentFile=/etc/keelson/server.env
ExecStart=/opt/keelson/scripts/provision/server.sh
# Like k3s: only the server process is stopped; the runtime shim and pods outlive a restart.
KillMode=process
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
EOT
systemctl daemon-reload
systemctl enable keelson-server
systemctl restart keelson-server
for _ in $(seq 1 180); do [ -s /etc/keelson/keelson.yaml ] && keelctl --kubeconfig /etc/keelson/keelson.yaml get nodes >/dev/null 2>&1 && break; sleep 1; done
install -d -o vagrant -g vagrant /home/vagrant/.kube
install -m 600 -o vagrant -g vagrant /etc/keelson/keelson.yaml /home/vagrant/.kube/config
keelctl --kubeconfig /etc/keelson/keelson.yaml get nodes
