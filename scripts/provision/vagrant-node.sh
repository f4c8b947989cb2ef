#!/usr/bin/env bash
# Vagrant: common provisioning of every VM — the host's Node.js (rsynced with the tree, .keelson/node) on PATH, keelctl on PATH, then
# scripts/provision/prepare.sh (the node prerequisites the e2e harness uses too).
set -euo pipefail
if [ -x /opt/keelson/.keelson/node/bin/node ]; then ln -sf /opt/keelson/.keelson/node/bin/node /usr/local/bin/node; fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  echo "Node.js 20.19+ is needed in the VM: set KEELSON_NODE_BIN to a Node 20 binary on the host" >&2; exit 1; }
ln -sf /opt/keelson/bin/keelctl /usr/local/bin/keelctl
ln -sf /opt/keelson/bin/keelson /usr/local/bin/keelson
bash /opt/keelson/scripts/provision/prepare.sh
