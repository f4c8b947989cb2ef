#!/usr/bin/env bash
# Vagrant (runs on the host, from a trigger): asks the control-plane VM for a join token and stores it in the tree
# (gitignored .keelson/), which the rsync of each worker carries to it. `--if-missing` keeps an existing token.
set -euo pipefail
cd "$(dirname "$0")/../.."
file="${1:?token file}"
if [ "${2:-}" = --if-missing ] && [ -s "$file" ]; then exit 0; fi
mkdir -p "$(dirname "$file")"
# The control plane may still be starting (or restarting under systemd): retry for up to 3 minutes.
for _ in $(seq 1 18); do
  vagrant ssh cp -c "sudo keelson token create --kubeconfig /etc/keelson/keelson.yaml --ttl 24h --description vagrant-workers" </dev/null | tr -d '\r' | tail -1 > "$file.tmp" || true
  # A join token: [K10<CA hash>::]<id>.<secret>, as `keelson token create` prints it.
  if grep -Eq '^(K10[0-9a-f]+::)?[a-z0-9]{6}\.[a-z0-9]{16}$' "$file.tmp"; then break; fi
  cat "$file.tmp" >&2; : > "$file.tmp"; sleep 10
done
[ -s "$file.tmp" ] || { echo "could not create a join token on cp" >&2; rm -f "$file.tmp"; exit 1; }
mv "$file.tmp" "$file"
