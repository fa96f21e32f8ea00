#!/usr/bin/env bash
# The whole test suite: types, lint and format, then every test (unit, integration, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
# The suites run a real OPA and a real gitleaks: without them they would fail one by one, far from
# the cause. `npm run setup` installs both (with Go).
bash scripts/check-tools.sh --strict
npm run --silent typecheck
npm run --silent lint
npx vitest run "$@"
