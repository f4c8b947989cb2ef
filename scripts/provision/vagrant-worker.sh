#!/usr/bin/env bash
# Vagrant: a worker VM — `keelson agent` as a systemd unit through scripts/provision/node.sh (as the e2e harness starts
# its worker nodes). Env: KEELSON_SERVER, KEELSON_NODE_IP, KEELSON_TOKEN_FILE (the join token from the control plane).
set -euo pipefail
mkdir -p /etc/keelson
cat > /etc/keelson/agent.env <<EOT
KEELSON_SERVER=${KEELSON_SERVER:?}
KEELSON_NODE_IP=${KEELSON_NODE_IP:?}
KEELSON_TOKEN=$(cat "${KEELSON_TOKEN_FILE:?}")
KEELSON_CLUSTER_DNS=10.96.0.10
EOT
chmod 600 /etc/keelson/agent.env
cat > /etc/systemd/system/keelson-agent.service <<'EOT'
[Unit]
Description=Keelson node (keelson agent)
After=network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=/etc/keelson/agent.env
ExecStart=/opt/keelson/scripts/provision/node.sh
KillMode=process
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
EOT
systemctl daemon-reload
systemctl enable keelson-agent
systemctl restart keelson-agent
