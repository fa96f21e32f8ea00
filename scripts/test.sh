#!/usr/bin/env bash
# The whole test suite: types, lint and format, then every test (unit, integration, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
npm run --silent typecheck
npm run --silent lint
npx vitest run "$@"
