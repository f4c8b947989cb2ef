#!/usr/bin/env bash
# Runs a worker node configured from KEELSON_* environment variables; the e2e harness (inside a network namespace) and
# the Vagrant worker VMs both start nodes through this script, so the two cannot drift.
# With KEELSON_SERVER and KEELSON_TOKEN it joins with `keelson agent` (TLS bootstrap by join token); otherwise, while
# the agent is not available in this build, it runs `keelson kubelet` with KEELSON_KUBECONFIG (an admin kubeconfig).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
keelson="$root/bin/keelson"
common=()
add() { if [ -n "${2:-}" ]; then common+=("$1" "$2"); fi; }
add --node-name "${KEELSON_NODE_NAME:-}"
add --node-ip "${KEELSON_NODE_IP:-}"
add --images "${KEELSON_IMAGES_DIR:-}"
add --cgroup-root "${KEELSON_CGROUP_ROOT:-}"
add --bridge "${KEELSON_BRIDGE:-}"
add --chain-prefix "${KEELSON_CHAIN_PREFIX:-}"
add --cluster-cidr "${KEELSON_CLUSTER_CIDR:-}"
add --log-level "${KEELSON_LOG_LEVEL:-}"
add --root-dir "${KEELSON_NODE_DIR:-}"
add --port "${KEELSON_KUBELET_PORT:-}"
add --cluster-dns "${KEELSON_CLUSTER_DNS:-}"

agent_available() { "$keelson" agent --help 2>&1 | grep -q -- '--token' && ! "$keelson" agent --help 2>&1 | grep -q 'not available'; }
if [ -n "${KEELSON_TOKEN:-}" ] && agent_available; then
  args=(agent --server "${KEELSON_SERVER:?KEELSON_SERVER is the control plane URL}" --token "$KEELSON_TOKEN")
  exec "$keelson" "${args[@]}" "${common[@]}"
fi
exec "$keelson" kubelet --kubeconfig "${KEELSON_KUBECONFIG:?KEELSON_KUBECONFIG (or KEELSON_SERVER and KEELSON_TOKEN) is required}" "${common[@]}"
