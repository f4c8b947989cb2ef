#!/usr/bin/env bash
# Sets everything up, then runs lint and the whole test suite (unit, integration against a real etcd, e2e), then the
# Vagrant e2e run on VMs (e2e/vagrant/ci.sh; KEELSON_VAGRANT_E2E=full|smoke|off).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
bash scripts/setup.sh
npm run lint
# The Vagrantfile is validated (never brought up) in CI.
bash scripts/provision/validate-vagrant.sh
results="$(mktemp --suffix=.json)"
trap 'rm -f "$results"' EXIT
status=0
npm test -- --ci --json --outputFile="$results" || status=$?
# The Vagrantfile's cluster on real VMs (QEMU, cgroup v2 guests), when this machine can run them: e2e/vagrant/ci.sh.
vagrant_status=0
bash e2e/vagrant/ci.sh || vagrant_status=$?
if [ "$vagrant_status" != 0 ]; then echo "vagrant e2e FAILED (exit $vagrant_status)"; status=$vagrant_status; fi
# One plain closing line with the totals, whatever the runner printed above it.
node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);' "$results" 2>/dev/null || true
exit "$status"
