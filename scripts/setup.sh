#!/usr/bin/env bash
# Project setup (`npm run setup`): the test suite starts its own private redis-server, PostgreSQL and moto (the
# AWS API emulator), so it needs their binaries installed; then install the npm dependencies and build the CLI.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

have_postgres() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
have_postgres || missing+=(postgresql)
# The instances' start script (infra/agent-start.sh) is checked by shellcheck in the tests and in CI.
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# `npm run bench:function` holds the engine to a Lambda function's CPU share with it.
command -v cpulimit >/dev/null 2>&1 || missing+=(cpulimit)

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]} from Debian packages"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "setup: need root or sudo to install ${missing[*]}" >&2
      exit 1
    fi
  fi
  # Asking for an already installed package is a no-op, so always name them all.
  # Any system services the packages start are left alone; the tests never use them.
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server postgresql shellcheck cpulimit
else
  echo "setup: redis-server, PostgreSQL, shellcheck and cpulimit already installed"
fi

if command -v moto_server >/dev/null 2>&1; then
  echo "setup: moto_server already installed"
else
  echo "setup: installing moto_server (pip install 'moto[server]')"
  python3 -m pip install --user 'moto[server]'
  command -v moto_server >/dev/null 2>&1 || echo "setup: moto_server is not on PATH; add python3's user bin folder" >&2
fi

echo "setup: npm ci in $(pwd)"
npm ci
echo "setup: npm run build (the compiled CLI bin/warmstack runs, and the library in dist/lib)"
npm run build
echo "setup: done"
