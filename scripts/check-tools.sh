#!/usr/bin/env bash
# Says which of the pinned Go tools (opa, gitleaks, temporal) are missing from .tools/bin and what does not work
# without each. Called by setup.sh (after it tried to install them) and by test.sh (before the tests).
# Exits 1 when one is missing and the caller is strict: `--strict`, or CI=true (a CI machine must not
# go green with half the checks unable to run). Otherwise it warns and exits 0, so `npm start` works
# without Go. AUTODEV_TOOLS_BIN names another tools folder (the tests of this script use it).
set -euo pipefail
cd "$(dirname "$0")/.."
tools_bin="${AUTODEV_TOOLS_BIN:-$PWD/.tools/bin}"
strict=0
[ "${1:-}" = "--strict" ] && strict=1
[ "${CI:-}" = "true" ] && strict=1

missing=()
[ -x "$tools_bin/opa" ] || missing+=(opa)
[ -x "$tools_bin/gitleaks" ] || missing+=(gitleaks)
[ -x "$tools_bin/temporal" ] || missing+=(temporal)
[ ${#missing[@]} -eq 0 ] && exit 0

{
  echo "autodev: missing from $tools_bin: ${missing[*]}"
  if ! command -v go >/dev/null 2>&1; then
    echo "  Go is not installed: npm run setup installs opa, gitleaks and temporal with 'go install'."
  fi
  for tool in "${missing[@]}"; do
    case "$tool" in
      gitleaks) echo "  - without gitleaks, every task's secrets scan fails, so no task can deliver a pull request" ;;
      opa) echo "  - without opa, the policy tests (a real OPA) cannot run, nor 'autodev doctor' check a policy" ;;
      temporal) echo "  - without temporal, the temporal engine's tests (a real dev server) cannot run" ;;
    esac
  done
  echo "  Install Go (1.23 or newer) and run 'npm run setup' again."
} >&2
if [ "$strict" -eq 1 ]; then
  echo "autodev: stopping: the tests need these tools (CI=true or --strict)" >&2
  exit 1
fi
exit 0
