#!/usr/bin/env bash
# Sets up a checkout: npm packages (with the approved native builds) and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "keelson needs Node.js 20.19 or newer (found $(node --version))" >&2
  exit 1
fi

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
npm run build
