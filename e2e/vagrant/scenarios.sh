#!/usr/bin/env bash
# The scenarios of the Vagrant e2e run, against the VM cluster that run.sh brought up (called by it, inside its
# private namespaces): everything is checked the way a user sees it, with keelctl and with ssh into the VMs.
# Usage: scenarios.sh full|smoke. Env: KEELSON_SSH_CONFIG (`vagrant ssh-config`), KEELSON_TMP, KEELSON_NET.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=e2e/vagrant/lib.sh
. "$here/lib.sh"
mode="${1:?full|smoke}"
net="${KEELSON_NET:-192.168.56}"
ssh_config="${KEELSON_SSH_CONFIG:?}"
tmp="${KEELSON_TMP:?}"

vm() { local m="$1"; shift; ssh -F "$ssh_config" -o LogLevel=ERROR "$m" "$@" </dev/null; }
# The admin kubeconfig from cp, pointed at cp's private-network address (in the server certificate's SANs).
vm cp sudo cat /etc/keelson/keelson.yaml | sed -E "s#server: https://[^ ]+#server: https://$net.10:6443#" > "$tmp/kubeconfig"
kc() { node "$root/bin/keelctl" --kubeconfig "$tmp/kubeconfig" "$@"; }
# js EXPR: evaluates EXPR over the JSON on stdin (bound to `o`), prints the result.
js() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const o=JSON.parse(s);const r=($1);console.log(typeof r==='string'?r:JSON.stringify(r));})"; }
fail() { echo "SCENARIO FAILED: $*" >&2; kc get nodes >&2 || true; kc get pods -A -o wide >&2 || true; exit 1; }
# pods_on NS SELECTOR: "<name> <node> <ready> <terminating>" per pod.
pods_on() {
  kc get pods -n "$1" -l "$2" -o json | js "o.items.map(p=>[p.metadata.name,p.spec.nodeName||'-',
    (p.status.conditions||[]).some(c=>c.type==='Ready'&&c.status==='True'),!!p.metadata.deletionTimestamp].join(' ')).join('\n')"
}
# ready_count NS SELECTOR [NODE-REGEX]: pods Ready and not terminating (on matching nodes).
ready_count() { pods_on "$1" "$2" | awk -v re="${3:-.}" '$3=="true" && $4=="false" && $2 ~ re' | grep -c . || true; }
all_count() { pods_on "$1" "$2" | awk '$4=="false"' | grep -c . || true; }
want_ready() { [ "$(ready_count "$1" "$2" "${4:-.}")" = "$3" ] && [ "$(all_count "$1" "$2")" = "$3" ]; }
# hello NS REPLICAS GREETING [EXTRA-POD-SPEC-JSON]: the quickstart Deployment + Service, adapted.
hello() {
  node -e "
    const yaml=require('$root/node_modules/js-yaml');const fs=require('fs');
    const docs=yaml.loadAll(fs.readFileSync('$root/manifests/quickstart/hello.yaml','utf8'));
    for(const d of docs){ if(d.kind!=='Deployment') continue; d.spec.replicas=$2;
      d.spec.template.spec.containers[0].env.find(e=>e.name==='GREETING').value='$3';
      Object.assign(d.spec.template.spec, JSON.parse(process.argv[1])); }
    console.log(docs.map(d=>yaml.dump(d)).join('---\n'));" "${4:-{\}}" | kc apply -n "$1" -f - >/dev/null
}
# ask NS POD URL-HOST PORT: one HTTP GET from inside POD (busybox nc), prints the body's last line.
ask() { kc exec -n "$1" "$2" -- sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 $3 $4" 2>/dev/null | tr -d '\r' | tail -1; }
scenario() { timed "scenario-$1" "scenario_$1"; }

workers=(w1 w2); nodes=(cp w1 w2)
if [ "$mode" = smoke ]; then workers=(); nodes=(cp); fi
# Spread over the schedulable nodes: with nodeTaintsPolicy Honor the cordoned cp (tainted node.kubernetes.io/unschedulable)
# is no topology domain; counted as one with 0 pods (the default, Ignore) it would forbid the rolling update's surge pod.
spread='{"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNotSchedule","nodeTaintsPolicy":"Honor","labelSelector":{"matchLabels":{"app":"hello"}}}]}'

scenario_nodes_ready() {
  nodes_ready() {
    local table; table="$(kc get nodes)" || return 1
    for n in "${nodes[@]}"; do grep -Eq "^$n[[:space:]]+Ready" <<<"$table" || return 1; done
  }
  until_ok "nodes ${nodes[*]} Ready" 240 nodes_ready || fail "nodes not Ready"
  kc get nodes -o wide
  # The guests run cgroup v2 with the controllers the runtime needs.
  for n in "${nodes[@]}"; do
    local ctl; ctl="$(vm "$n" cat /sys/fs/cgroup/cgroup.controllers)"
    for c in memory cpu pids; do grep -qw "$c" <<<"$ctl" || fail "$n: cgroup v2 controller $c missing ($ctl)"; done
    echo "$n: cgroup v2 controllers: $ctl"
  done
}

scenario_spread() {
  # The control plane takes no new pods here, so the Deployment's 2 pods must land one on each worker (maxSkew 1).
  kc cordon cp >/dev/null
  kc create namespace spread >/dev/null
  hello spread 2 v1 "$spread"
  until_ok "2 ready hello pods" 300 want_ready spread app=hello 2 || fail "spread: pods not ready"
  pods_on spread app=hello
  for w in "${workers[@]}"; do
    [ "$(ready_count spread app=hello "^$w\$")" = 1 ] || fail "spread: expected 1 pod on $w"
  done
  # The runtime's cgroup v2 path: a pod's 64Mi memory limit is written to memory.max in the guest's unified hierarchy.
  vm w1 "sudo grep -rqx 67108864 --include=memory.max /sys/fs/cgroup" \
    || fail "no cgroup v2 memory.max of 64Mi on w1"
}

scenario_service() {
  local ip client p answered=""
  ip="$(kc get service hello -n spread -o jsonpath='{.spec.clusterIP}')"
  client="$(pods_on spread app=hello | awk '$2=="w1"{print $1; exit}')"
  [ -n "$client" ] || fail "no hello pod on w1"
  # From a pod on w1, the ClusterIP must be answered by the pods on w2 as well (traffic crosses the VMs).
  for _ in $(seq 1 60); do
    p="$(ask spread "$client" "$ip" 80 | sed -nE 's/^v1 \((hello-[^)]+)\)$/\1/p')"
    [ -n "$p" ] && answered="$(printf '%s\n%s\n' "$answered" "$p" | sort -u | grep .)"
    if [ "$(grep -c . <<<"$answered")" = 2 ]; then break; fi
  done
  echo "ClusterIP $ip answered by: $(echo $answered)"
  local expected; expected="$(pods_on spread app=hello | awk '{print $1}' | sort)"
  [ "$answered" = "$expected" ] || fail "service: answered by [$answered], pods [$expected]"
  # And from the w2 VM itself (node → ClusterIP through the proxy), to a pod on either node.
  vm w2 "printf 'GET / HTTP/1.0\r\n\r\n' | busybox nc -w 5 $ip 80" | tr -d '\r' | tail -1 | grep -q '^v1 (hello-' \
    || fail "service: not reachable from the w2 VM"
}

greetings() {
  local ns="$1" client ip; ip="$(kc get service hello -n "$ns" -o jsonpath='{.spec.clusterIP}')"
  kc get pods -n "$ns" -l app=hello -o json | js "o.items.filter(p=>!p.metadata.deletionTimestamp).map(p=>p.status.podIP).join(' ')" \
    | tr ' ' '\n' | while read -r pip; do
      client="$(pods_on "$ns" app=hello | awk '$3=="true"&&$4=="false"{print $1; exit}')"
      ask "$ns" "$client" "$pip" 8080 | sed -E 's/ \(.*//'
    done | sort -u | tr '\n' ' '
}

scenario_rollout_undo() {
  hello spread 2 v2 "$spread"
  kc rollout status deployment/hello -n spread --timeout=300s >/dev/null || fail "rollout to v2 did not finish"
  until_ok "2 ready pods after the rollout" 120 want_ready spread app=hello 2 || fail "rollout: pods not ready"
  [ "$(greetings spread)" = "v2 " ] || fail "rollout: pods answer [$(greetings spread)], not v2"
  kc rollout undo deployment/hello -n spread >/dev/null
  kc rollout status deployment/hello -n spread --timeout=300s >/dev/null || fail "undo did not finish"
  until_ok "2 ready pods after the undo" 120 want_ready spread app=hello 2 || fail "undo: pods not ready"
  [ "$(greetings spread)" = "v1 " ] || fail "undo: pods answer [$(greetings spread)], not v1"
  kc rollout history deployment/hello -n spread || true
}

scenario_oom() {
  local node="${workers[1]:-cp}"
  kc create namespace oom >/dev/null
  kc apply -n oom -f - >/dev/null <<EOT
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hog"},"spec":{"restartPolicy":"Never",
 "nodeSelector":{"kubernetes.io/hostname":"$node"},"tolerations":[{"operator":"Exists"}],
 "containers":[{"name":"hog","image":"busybox:latest","imagePullPolicy":"IfNotPresent",
  "command":["dd","if=/dev/zero","of=/dev/null","bs=256M","count=4"],"resources":{"limits":{"memory":"32Mi"}}}]}}
EOT
  terminated() { kc get pod hog -n oom -o json | js "o.status.containerStatuses?.[0]?.state?.terminated?.reason ?? ''" | grep -q .; }
  until_ok "hog terminated" 180 terminated || fail "oom: hog never terminated"
  local reason; reason="$(kc get pod hog -n oom -o json | js "o.status.containerStatuses[0].state.terminated.reason")"
  kc get pod hog -n oom -o wide
  [ "$reason" = OOMKilled ] || fail "oom: terminated with reason $reason, not OOMKilled"
  # The kernel's own record, in the guest's cgroup v2 accounting: oom_kill events were counted.
  # (Each grep runs in the VM: a local `| grep -q` could end ssh with SIGPIPE, which pipefail counts as a failure.)
  vm "$node" "sudo grep -rqs '^oom_kill [1-9]' --include=memory.events /sys/fs/cgroup" || fail "oom: no oom_kill counted in $node's cgroup v2 memory.events"
  vm "$node" "{ sudo dmesg 2>/dev/null || sudo journalctl -k --no-pager; } | grep -qi 'memory cgroup out of memory'" || fail "oom: no OOM kill in $node's kernel log"
}

scenario_worker_halted() {
  kc create namespace survive >/dev/null
  # Fail over quickly, as a user who wants it would: leave an unreachable node after 2 s instead of 300 s.
  hello survive 4 survivor '{"tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":2},{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":2}],"topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":"hello"}}}]}'
  until_ok "4 ready survivor pods" 300 want_ready survive app=hello 4 || fail "halt: pods not ready"
  [ "$(ready_count survive app=hello '^w1$')" -ge 1 ] || fail "halt: no pod on w1 before the halt"
  pods_on survive app=hello
  # vagrant-libvirt first waits up to 60 s for a graceful shutdown and may then raise a timeout while the domain is
  # being stopped anyway: its exit status and trace say nothing the checks below do not.
  (cd "$root" && vagrant halt --force w1) >/dev/null 2>&1 || true
  w1_not_ready() { kc get nodes | grep -Eq '^w1[[:space:]]+NotReady'; }
  until_ok "w1 NotReady" 180 w1_not_ready || fail "halt: w1 never NotReady"
  until_ok "4 ready pods, all on w2" 300 want_ready survive app=hello 4 '^w2$' || fail "halt: pods not recreated on w2"
  pods_on survive app=hello
  kc get deployment hello -n survive | grep -Eq 'hello[[:space:]]+4/4' || fail "halt: deployment not 4/4"
}

scenario_smoke_workload() {
  kc create namespace smoke >/dev/null
  hello smoke 2 smoke
  until_ok "2 ready hello pods on cp" 300 want_ready smoke app=hello 2 || fail "smoke: pods not ready"
  vm cp "sudo grep -rqx 67108864 --include=memory.max /sys/fs/cgroup" || fail "no cgroup v2 memory.max of 64Mi on cp"
  local ip; ip="$(kc get service hello -n smoke -o jsonpath='{.spec.clusterIP}')"
  vm cp "printf 'GET / HTTP/1.0\r\n\r\n' | busybox nc -w 5 $ip 80" | tr -d '\r' | tail -1 | grep -q '^smoke (hello-' \
    || fail "smoke: service not reachable from cp"
}

scenario nodes_ready
if [ "$mode" = smoke ]; then
  scenario smoke_workload
  scenario oom
else
  scenario spread
  scenario service
  scenario rollout_undo
  scenario oom
  scenario worker_halted
fi
echo "all $mode scenarios passed"
