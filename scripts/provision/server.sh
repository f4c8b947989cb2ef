#!/usr/bin/env bash
# Runs a control plane (`keelson server`) configured from KEELSON_* environment variables; the e2e harness and the
# Vagrant control-plane VM both start it through this script, so the two cannot drift. Unset variables keep the
# server's defaults. KEELSON_DISABLE_AGENT=1 runs no kubelet here; KEELSON_EXTRA_ARGS is appended word by word.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
args=(server)
add() { if [ -n "${2:-}" ]; then args+=("$1" "$2"); fi; }
add --data-dir "${KEELSON_DATA_DIR:-}"
add --storage "${KEELSON_STORAGE:-}"
add --port "${KEELSON_PORT:-}"
add --bind-address "${KEELSON_BIND_ADDRESS:-}"
add --write-kubeconfig "${KEELSON_KUBECONFIG_OUT:-}"
add --node-name "${KEELSON_NODE_NAME:-}"
add --node-ip "${KEELSON_NODE_IP:-}"
add --kubelet-root-dir "${KEELSON_KUBELET_ROOT:-}"
add --images "${KEELSON_IMAGES_DIR:-}"
add --cgroup-root "${KEELSON_CGROUP_ROOT:-}"
add --bridge "${KEELSON_BRIDGE:-}"
add --chain-prefix "${KEELSON_CHAIN_PREFIX:-}"
add --cluster-cidr "${KEELSON_CLUSTER_CIDR:-}"
add --kubelet-port "${KEELSON_KUBELET_PORT:-}"
add --local-path-dir "${KEELSON_LOCAL_PATH_DIR:-}"
add --node-monitor-grace-period "${KEELSON_NODE_MONITOR_GRACE_PERIOD:-}"
add --proxy-table "${KEELSON_PROXY_TABLE:-}"
add --proxy-healthz-port "${KEELSON_PROXY_HEALTHZ_PORT:-}"
add --proxy-metrics-port "${KEELSON_PROXY_METRICS_PORT:-}"
add --log-level "${KEELSON_LOG_LEVEL:-}"
if [ "${KEELSON_DISABLE_AGENT:-0}" = 1 ]; then args+=(--disable-agent); fi
# shellcheck disable=SC2206 # word splitting of the extra arguments is the point
if [ -n "${KEELSON_EXTRA_ARGS:-}" ]; then args+=(${KEELSON_EXTRA_ARGS}); fi
exec "$root/bin/keelson" "${args[@]}"
