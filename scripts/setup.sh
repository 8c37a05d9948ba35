#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root): install every package the project needs
# from Debian's archive, build, then run the main job on the example project:
# `database deploy` followed by `database check`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

packages=(
  build-essential cmake ninja-build pkg-config git ccache time
  libpq-dev postgresql-15 postgresql-client-15 postgresql-15-cron postgresql-15-pgtap
  libboost-dev libboost-filesystem-dev libcli11-dev libfmt-dev catch2 nlohmann-json3-dev libssl-dev
  libpg-query-dev libcurl4-openssl-dev
  clang-14 libclang-rt-14-dev nix-bin openssh-server openssh-client hyperfine bash-completion zsh less
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 3
  fi
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  # Debian's postgresql-common creates a cluster on install; we never use it.
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf ||
    echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js and npm for the S3 test server (s3rver, below); nodejs may come from another
# repository (nodesource bundles npm): install Debian's only when the commands are missing.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: node and npm are missing and installing them needs root" >&2
    exit 3
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

"$root/scripts/build.sh"

# s3rver, a real S3-compatible server for the `migrator watch` tests (tests/support/s3rver.*),
# from the npm registry into the build tree (pinned; skipped when that version is there).
s3rver_version=3.7.1
if ! grep -qs "\"version\": \"$s3rver_version\"" "$root/build/node/node_modules/s3rver/package.json"; then
  echo "setup: npm install s3rver@$s3rver_version into build/node" >&2
  npm install --prefix "$root/build/node" --no-audit --no-fund --loglevel=error "s3rver@$s3rver_version" >/dev/null
fi

[ "${HECTIC_SETUP_SKIP_EXAMPLE:-0}" = 1 ] && exit 0

# The main job: deploy the example project, then validate it in an isolated cluster.
export PATH="$root/build/tools:$PATH"
export LOCAL_DIR="$root/examples/project"
work=$LOCAL_DIR/focus/postgresql
if [ "$(id -u)" -eq 0 ] && ! runuser -u "${PG_RUN_AS:-postgres}" -- test -x "$LOCAL_DIR" 2>/dev/null; then
  # The server account cannot reach the checkout (e.g. under /root): keep the cluster in /tmp.
  work=/tmp/hectic-example-$(id -u)/postgresql
  mkdir -p "$(dirname "$work")"
  chmod 755 "$(dirname "$work")"
fi
export PG_WORKING_DIR=$work
database deploy
database check
database cleanup
echo "setup: done. The binaries are in $root/build/tools; run scripts/test.sh for the test suite." >&2
