#!/usr/bin/env bash
# Sets up everything autodev and its tests need on a fresh Debian machine:
# system packages (git, bubblewrap, ripgrep, acl, postgresql, chromium, prometheus), npm packages, Go tools into .tools/bin, and the build.
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
# setfacl: run as root, the sandbox runs commands as an unprivileged uid that needs write access to
# the workspace (src/sandbox/unprivileged-user.ts); setpriv (util-linux) drops to that uid.
command -v setfacl >/dev/null 2>&1 || need_apt+=(acl)
command -v setpriv >/dev/null 2>&1 || need_apt+=(util-linux)
# PostgreSQL 15 (Debian's postgresql): the tests start throwaway clusters of it for the PostgreSQL
# store ([autodev.store] url, test/helpers/postgres-cluster.ts). Debian keeps initdb off PATH.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=(postgresql)
fi
# The dashboard's browser tests drive Debian's chromium through playwright-core (Playwright's own
# browser download is not used); the Prometheus test runs Debian's prometheus and its promtool.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi

# Project-local tools, pinned, so tests use the same versions everywhere.
mkdir -p .tools/bin
export GOBIN="$PWD/.tools/bin"
go_tool() { # name module@version
  if [ ! -x ".tools/bin/$1" ]; then
    echo "setup: go install $2"
    go install "$2"
  fi
}
if command -v go >/dev/null 2>&1; then
  go_tool opa github.com/open-policy-agent/opa@v1.22.2
  go_tool gitleaks github.com/zricethezav/gitleaks/v8@v8.30.1
  # The Temporal CLI's dev server: the temporal engine's tests start it (test/helpers/temporal-server.ts).
  go_tool temporal github.com/temporalio/cli/cmd/temporal@v1.1.2
  # Gitea's published API description (swagger v2), from its Go module, for the gitea forge's
  # contract tests (test/helpers/fake-gitea/spec.ts, which also fetches it when missing).
  GITEA_SPEC=.tools/openapi/gitea-v1.26.0.json
  if [ ! -s "$GITEA_SPEC" ]; then
    echo "setup: gitea swagger v1.26.0"
    gitea_dir=$(GOFLAGS=-mod=mod go mod download -json code.gitea.io/gitea@v1.26.0 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    mkdir -p .tools/openapi
    sed -e 's/{{.SwaggerAppVer}}/v1.26.0/' -e 's/{{.SwaggerAppSubUrl}}//' \
      "$gitea_dir/templates/swagger/v1_json.tmpl" > "$GITEA_SPEC"
  fi
fi

# Without Go, opa and gitleaks could not be installed: say so and what does not work without them.
# Fatal on CI (CI=true), a warning elsewhere: `npm start` still works, `npm test` refuses to run.
bash scripts/check-tools.sh

# Ruff, the Python linter the languages layer runs for Python projects (src/languages/python.ts);
# its tests lint a fixture with it. Pinned so findings do not change under the tests.
if ! command -v ruff >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
  echo "setup: pip install ruff"
  # PEP 668: a Debian system python refuses pip installs without this; pyenv's ignores it.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet 'ruff==0.17.5'
  # pyenv only finds a new console script after a rehash of its shims.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi

# pypiserver, the Python index the Python dependency-update tests start on loopback
# (test/helpers/pypiserver.ts), in a virtualenv of its own: it requires a newer pip than the
# machine's, and the machine's pip is what repositories' Python steps run. Pinned so its pages do not
# change under the tests.
if command -v python3 >/dev/null 2>&1 && [ ! -x .tools/pypiserver/bin/python ]; then
  echo "setup: pypiserver into .tools/pypiserver"
  python3 -m venv .tools/pypiserver
  .tools/pypiserver/bin/python -m pip install --quiet 'pypiserver==2.4.2'
fi
# pip-tools: dependency updates recompile a repository's requirements.in with it (python3 -m piptools
# in the sandbox). Pinned to a release that works with the pip the machine has.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import piptools' >/dev/null 2>&1; then
  echo "setup: pip install pip-tools"
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet 'pip-tools==7.4.1'
fi
# uv: dependency updates relock a repository's uv.lock with it (`uv lock` in the sandbox, which shows
# the host's toolchains read-only). Installed the same way, as a wheel carrying the binary, pinned so
# the lockfiles it writes do not drift; a uv already on PATH is kept.
if command -v python3 >/dev/null 2>&1 && ! command -v uv >/dev/null 2>&1; then
  echo "setup: pip install uv"
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet 'uv==0.13.8'
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi

# The package managers a repository's lockfile can name (src/languages/node.ts): pnpm and yarn 1 as
# npm global packages into node's own prefix (next to node and npm, e.g. /usr/bin), not into .tools:
# the sandbox shows the host read-only but hides HOME and gives each command a private /tmp, where a
# checkout (and its .tools) may live. Yarn 2+ (berry) goes through corepack, which fetches the exact
# version a repo's "packageManager" pins into that repo's caches during setup; Node 20 ships it, later
# Node releases do not, so it is installed when missing. Pinned so installs and lockfiles do not drift.
PNPM_VERSION=9.15.9
YARN_CLASSIC_VERSION=1.22.22
COREPACK_VERSION=0.34.6
npm_global() { # program version package
  if [ "$("$1" --version 2>/dev/null || true)" != "$2" ]; then
    echo "setup: npm install -g $3@$2"
    SUDO=""
    [ -w "$(npm prefix -g)" ] || SUDO="sudo"
    $SUDO npm install -g --no-audit --no-fund "$3@$2" >/dev/null
  fi
}
if command -v npm >/dev/null 2>&1; then
  npm_global pnpm "$PNPM_VERSION" pnpm
  npm_global yarn "$YARN_CLASSIC_VERSION" yarn
  command -v corepack >/dev/null 2>&1 || npm_global corepack "$COREPACK_VERSION" corepack
fi

echo "setup: build"
npm run --silent build
