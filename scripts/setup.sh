#!/usr/bin/env bash
# Sets up a checkout: npm packages (with the approved native builds) and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "keelson needs Node.js 20.19 or newer (found $(node --version))" >&2
  exit 1
fi

# `npm install` honours package-lock.json; `npm ci` is not used because npm 11 rejects lockfiles
# whose optional per-platform packages (unrs-resolver bindings) it recorded without entries.
npm install --no-audit --no-fund
npm run build
make -C kubelet/native
