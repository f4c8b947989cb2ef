#!/usr/bin/env bash
# Sets everything up, then runs lint and the whole test suite (unit + integration against a real etcd).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
bash scripts/setup.sh
npm run lint
npm test -- --ci
