#!/usr/bin/env bash
# The README's first command: installs everything (scripts/setup.sh), starts a single-node cluster (`keelson server` on
# the embedded SQLite store, in the background), applies manifests/quickstart/, waits until the app answers, and prints
# what to try next. Run again, it reuses the running server. Env: KEELSON_DATA_DIR, KEELSON_KUBECONFIG, KEELSON_LOG,
# KEELSON_SKIP_SETUP=1 (already set up), and the KEELSON_* settings of scripts/provision/server.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
data="${KEELSON_DATA_DIR:-/var/lib/keelson/server}"
kubeconfig="${KEELSON_KUBECONFIG:-/etc/keelson/keelson.yaml}"
log="${KEELSON_LOG:-/var/log/keelson/server.log}"
pidfile="$data/server.pid"

if [ "$(id -u)" -ne 0 ]; then
  echo "quickstart: run as root (the node runs containers: namespaces, cgroups, a pod bridge)" >&2
  exit 1
fi

step() { printf '\n==> %s\n' "$*"; }

if [ "${KEELSON_SKIP_SETUP:-0}" != 1 ]; then
  step "installing (Debian packages, npm packages, build, native helper, busybox image)"
  bash scripts/setup.sh
fi

keelctl() { "$root/bin/keelctl" --kubeconfig "$kubeconfig" "$@"; }

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && keelctl get namespaces >/dev/null 2>&1; then
  step "a server is already running (pid $(cat "$pidfile"))"
else
  step "starting a single-node cluster (keelson server; log: $log)"
  mkdir -p "$data" "$(dirname "$log")"
  KEELSON_DATA_DIR="$data" KEELSON_KUBECONFIG_OUT="$kubeconfig" setsid nohup bash scripts/provision/server.sh >>"$log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 120); do
    if keelctl get namespaces >/dev/null 2>&1; then break; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "keelson server exited; see $log" >&2; tail -20 "$log" >&2; exit 1; fi
    sleep 1
  done
fi

step "waiting for the node to be Ready"
for _ in $(seq 1 120); do
  if keelctl get nodes 2>/dev/null | grep -q ' Ready'; then break; fi
  sleep 1
done
keelctl wait --for=condition=Ready node --all --timeout=60s

step "applying manifests/quickstart/"
keelctl apply -f manifests/quickstart/
keelctl rollout status deployment/hello --timeout=180s

step "asking the app"
# Through the Service's ClusterIP when the node proxy runs; else straight to a ready pod (what the proxy would pick).
cluster_ip="$(keelctl get service hello -o 'jsonpath={.spec.clusterIP}')"
answer=""
for _ in $(seq 1 60); do
  answer="$(node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>r.ok?r.text():Promise.reject(r.status)).then(t=>process.stdout.write(t),()=>process.exit(1))' "http://$cluster_ip/" 2>/dev/null)" && break
  pod_ip="$(keelctl get endpoints hello -o 'jsonpath={.subsets[0].addresses[0].ip}' 2>/dev/null || true)"
  if [ -n "$pod_ip" ]; then
    answer="$(node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>r.ok?r.text():Promise.reject(r.status)).then(t=>process.stdout.write(t),()=>process.exit(1))' "http://$pod_ip:8080/" 2>/dev/null)" && break
  fi
  sleep 1
done
if [ -z "$answer" ]; then echo "the hello app did not answer; try: bin/keelctl --kubeconfig $kubeconfig why deploy/hello" >&2; exit 1; fi
echo "hello answered: $answer"

cat <<EOT

Keelson is running (pid $(cat "$pidfile"), log $log). Try:

    export KUBECONFIG=$kubeconfig
    bin/keelctl get nodes,deploy,pods,svc -o wide
    bin/keelctl scale deploy/hello --replicas=5 && bin/keelctl rollout status deploy/hello
    bin/keelctl logs deploy/hello
    bin/keelctl exec deploy/hello -- sh -c 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc localhost 8080'
    bin/keelctl apply -f manifests/examples/          # a Job, a CronJob, a DaemonSet, a StatefulSet with storage
    bin/keelctl delete -f manifests/quickstart/

Stop the cluster with: kill \$(cat $pidfile)   (pods keep running; \`bin/keelson shim --cleanup\` removes them)
EOT
