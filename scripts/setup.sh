#!/usr/bin/env bash
# Sets up a checkout: Debian packages a node needs, npm packages (with the approved native builds), the TypeScript build,
# the native container helper, and the busybox base image the kubelet imports at start.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "keelson needs Node.js 20.19 or newer (found $(node --version))" >&2
  exit 1
fi

# `npm install` honours package-lock.json; `npm ci` is not used because npm 11 rejects lockfiles
# whose optional per-platform packages (unrs-resolver bindings) it recorded without entries.
bash scripts/deps.sh
npm install --no-audit --no-fund
npm run build
make -C kubelet/native
# The base image every example runs, built from Debian's busybox-static (k3s-style agent/images are imported at kubelet start).
images="${KEELSON_IMAGES_DIR:-/var/lib/keelson/agent/images}"
if mkdir -p "$images" 2>/dev/null && [ -w "$images" ]; then
  node kubelet/dist/images/build-busybox.js --out "$images/busybox.tar" >/dev/null
else
  echo "setup: cannot write $images (not root?): the busybox image is not installed" >&2
fi
