#!/usr/bin/env bash
# The documented consumer shellHook, for real: the shellHook text of
# examples/nix-consumer/flake.nix runs in bash with the built binaries on PATH (what
# `nix develop` would do, minus nix), then the example project is deployed, its migrations
# listed, the bundle checked with psql, and the server stopped. Real PostgreSQL, no nix.
# Usage: nix_consumer_example.sh SOURCE_DIR BINARY_DIR. Exit 77 (skip) when the binaries
# are not built or no PostgreSQL server is installed.
set -uo pipefail

src=$(cd "$1" && pwd)
bin=${2:-}
example=$src/examples/nix-consumer

tools_dir=""
for candidate in "$bin/tools" "$bin"; do
    if [[ -x $candidate/postgres-init && -x $candidate/database && -x $candidate/migrator && -x $candidate/postgres-cleanup &&
        -f $candidate/postgres-init ]]; then
        tools_dir=$candidate
        break
    fi
done
if [[ -z $tools_dir ]]; then
    echo "skip: the four binaries are not built under $bin"
    exit 77
fi
psql=""
if [[ -n ${PG_BIN_DIR:-} && -x $PG_BIN_DIR/psql ]]; then
    psql=$PG_BIN_DIR/psql
else
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [[ -x $candidate/psql && -x $candidate/initdb ]] && { psql=$candidate/psql; break; }
    done
    [[ -n $psql ]] || psql=$(command -v psql || true)
fi
if [[ -z $psql ]]; then
    echo "skip: no PostgreSQL installation found"
    exit 77
fi

# The shellHook as written in the example flake: the lines of the '' string, unindented.
hook=$(sed -n "/shellHook = ''/,/'';/p" "$example/flake.nix" | sed '1d;$d' | sed 's/^[[:space:]]*//')
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
grep -q '^export LOCAL_DIR=' <<<"$hook" || fail "the shellHook does not export LOCAL_DIR: $hook"
[[ $(grep -v '^#' <<<"$hook" | sed '/^$/d' | tail -1) == 'eval "$(postgres-init)"' ]] ||
    fail "the shellHook does not end with eval \"\$(postgres-init)\": $hook"

# A copy of the project, readable by the server's account when we run as root.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hectic-consumer.XXXXXX")
chmod 755 "$tmp"
cp -r "$example" "$tmp/project"
rm -rf "$tmp/project/focus"
chmod -R a+rX "$tmp/project"

cat >"$tmp/session.sh" <<EOF
set -u
export PATH=$tools_dir:\$PATH HECTIC_CACHE_DIR=$tmp/cache
cd $tmp/project
$hook
[ -n "\${DB_URL:-}" ] && [ -n "\${PGURL:-}" ] || { echo "session: DB_URL/PGURL not exported" >&2; exit 10; }
database deploy || { echo "session: database deploy failed" >&2; exit 11; }
migrator list --raw >$tmp/migrations || { echo "session: migrator list failed" >&2; exit 12; }
$psql "\$DB_URL" -X -A -t -v ON_ERROR_STOP=1 \
    -c "select count(*) from hectic.version" -c "select count(*) from public.note" >$tmp/psql.out ||
    { echo "session: psql failed" >&2; exit 13; }
EOF
bash "$tmp/session.sh" >"$tmp/session.log" 2>&1
rc=$?
# Whatever happened: stop the server (postgres-cleanup never fails), then check it is gone.
(cd "$tmp/project" && PG_WORKING_DIR=$tmp/project/focus/postgresql "$tools_dir/postgres-cleanup" >/dev/null 2>&1)
if [[ -f $tmp/project/focus/postgresql/data/postmaster.pid ]]; then
    fail "a server is still running in $tmp/project/focus/postgresql"
fi

if ((rc != 0)); then
    fail "the shellHook session failed (exit $rc):"
    sed 's/^/  | /' "$tmp/session.log" >&2
else
    echo "ok: the example shellHook exports DB_URL and PGURL; database deploy works in the example project"
    if [[ $(cat "$tmp/migrations") == "20250101000000-create-note" ]]; then
        echo "ok: migrator list sees the example migration through MIGRATION_DIR"
    else
        fail "migrator list --raw printed [$(cat "$tmp/migrations")]"
    fi
    if [[ $(tr '\n' ' ' <"$tmp/psql.out") == "1 0 " ]]; then
        echo "ok: the bundle is applied (hectic.version) and the example schema exists (public.note)"
    else
        fail "psql printed [$(cat "$tmp/psql.out")]"
    fi
fi

if ((failures > 0)); then
    echo "kept for inspection: $tmp" >&2
    exit 1
fi
rm -rf "$tmp"
echo "the example consumer shellHook works"
