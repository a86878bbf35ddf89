#!/usr/bin/env bash
# The test command (npm test): installs what the tests need on a fresh Debian machine, builds, runs ava.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -x node_modules/.bin/ava ] || npm install --no-fund --no-audit
npm run build --silent
npm run typecheck --silent
npx ava "$@"
