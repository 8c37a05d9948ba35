#!/usr/bin/env bash
# Cluster benchmarks. Each case is timed RUNS times (default 7) after its
# untimed preparation step; the table shows medians and ratios against the baseline measured in
# the same run: plain `initdb` + `pg_ctl start -w` + `createdb`.
#
#   bench/cluster.sh [BUILD_DIR]        (default BUILD_DIR: ./build)
#   RUNS=9 bench/cluster.sh build-cluster
#
# As root, the baseline runs as `postgres` (runuser) and postgres-init runs as root (its root
# mode hands the cluster to `postgres`), i.e. how CI and containers use both.
# No preload library (pg_cron) on either side: the baseline has none.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
runs=${RUNS:-7}
init=$build/tools/postgres-init
cleanup=$build/tools/postgres-cleanup
for program in "$init" "$cleanup"; do
  [ -x "$program" ] || { echo "bench/cluster.sh: error: $program is not built" >&2; exit 127; }
done

# The real PostgreSQL bin dir (a PATH entry may hold symlinks to just a few programs).
if [ -z "${PG_BIN_DIR:-}" ]; then
  PG_BIN_DIR=$(dirname "$(readlink -f "$(command -v initdb || echo /nonexistent)")" 2>/dev/null || true)
  [ -x "$PG_BIN_DIR/createdb" ] || PG_BIN_DIR=$(pg_config --bindir 2>/dev/null || true)
  [ -x "$PG_BIN_DIR/createdb" ] || PG_BIN_DIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
export PG_BIN_DIR

work=$(mktemp -d /tmp/hectic-bench-XXXXXX)
chmod 755 "$work"
as_server=()
if [ "$(id -u)" = 0 ]; then
  as_server=(runuser -u postgres --)
fi
mkdir -p "$work/base"
[ ${#as_server[@]} -eq 0 ] || chown postgres "$work/base"

export PG_WORKING_DIR=$work/pg HECTIC_CACHE_DIR=$work/cache PG_SHARED_PRELOAD_LIBRARIES= HECTIC_LOG=warn
unset PG_REUSE PG_CONF_FILE PG_LOG_PATH PG_PORT PG_DATABASE PG_INIT_CACHE PG_INIT_SPARES PG_DISABLE_LOGGING

finish() {
  "$cleanup" >/dev/null 2>&1 || true
  "${as_server[@]}" "$PG_BIN_DIR/pg_ctl" stop -D "$work/base/data" -m immediate >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap finish EXIT

# ---- the cases: prepare_<name> (untimed) and run_<name> (timed) ---------------------------
# Old dirs are moved into $work/trash, not deleted: a deletion's discards (this disk is mounted
# with `discard`) would otherwise land inside the next timed run, on both sides.
mkdir -p "$work/trash"
trash_count=0
to_trash() {
  local path
  for path in "$@"; do
    [ -e "$path" ] || continue
    trash_count=$((trash_count + 1))
    mv "$path" "$work/trash/$trash_count"
  done
}
base_stop() {
  "${as_server[@]}" "$PG_BIN_DIR/pg_ctl" stop -D "$work/base/data" -m immediate >/dev/null 2>&1 || true
  to_trash "$work/base/data" "$work/base/sock"
}
prepare_baseline() { base_stop; }
run_baseline() {
  "${as_server[@]}" "$PG_BIN_DIR/initdb" -D "$work/base/data" -E UTF8 --no-locale -A trust >/dev/null
  "${as_server[@]}" mkdir "$work/base/sock"
  "${as_server[@]}" "$PG_BIN_DIR/pg_ctl" start -w -D "$work/base/data" -l "$work/base/server.log" \
    -o "-c listen_addresses= -c unix_socket_directories=$work/base/sock" >/dev/null
  "${as_server[@]}" "$PG_BIN_DIR/createdb" -h "$work/base/sock" testdb
}
# The same without durability (initdb --no-sync, fsync off, as postgres-init's base config): how
# much of the gain is the template and the polling rather than fsync.
prepare_baseline_tuned() { base_stop; }
run_baseline_tuned() {
  "${as_server[@]}" "$PG_BIN_DIR/initdb" -D "$work/base/data" -E UTF8 --no-locale -A trust --no-sync >/dev/null
  "${as_server[@]}" mkdir "$work/base/sock"
  "${as_server[@]}" "$PG_BIN_DIR/pg_ctl" start -w -D "$work/base/data" -l "$work/base/server.log" \
    -o "-c listen_addresses= -c unix_socket_directories=$work/base/sock -c fsync=off" >/dev/null
  "${as_server[@]}" "$PG_BIN_DIR/createdb" -h "$work/base/sock" testdb
}
prepare_baseline_stop() { base_stop; run_baseline; }
run_baseline_stop() { "${as_server[@]}" "$PG_BIN_DIR/pg_ctl" stop -w -D "$work/base/data" -m fast >/dev/null; }

init_quiet() { "$init" >/dev/null; }
wipe() { "$cleanup" >/dev/null 2>&1; to_trash "$PG_WORKING_DIR"; }
prepare_cold() { wipe; to_trash "$HECTIC_CACHE_DIR"; }
run_cold() { init_quiet; }
prepare_fresh() { wipe; [ -d "$HECTIC_CACHE_DIR/templates" ] || init_quiet; wipe; }
run_fresh() { init_quiet; }
prepare_fresh_copy() { prepare_fresh; }
run_fresh_copy() { PG_INIT_SPARES=0 init_quiet; }
prepare_fresh_over() { init_quiet; }
run_fresh_over() { init_quiet; }
prepare_reuse_stopped() { PG_REUSE=1 init_quiet; "$cleanup" >/dev/null 2>&1; }
run_reuse_stopped() { PG_REUSE=1 init_quiet; }
prepare_reuse_running() { PG_REUSE=1 init_quiet; }
run_reuse_running() { PG_REUSE=1 init_quiet; }
prepare_cleanup() { PG_REUSE=1 init_quiet; }
run_cleanup() { "$cleanup" >/dev/null 2>&1; }

# Waits for the background spare filler of the last init (it holds its pool's lock while it
# copies): its work is never inside a timed run, ours or the baseline's.
settle() {
  sleep 0.2
  local lock
  for lock in "$HECTIC_CACHE_DIR"/spares/*/.lock; do [ -e "$lock" ] && flock -s "$lock" true; done
  return 0
}
now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A result
measure() {
  local name=$1 samples=() i start end
  for ((i = 0; i < runs; i++)); do
    "prepare_$name"
    settle
    # Deletions finish their discards at the next journal commit: not inside the timed run.
    sync
    start=$(now_ns)
    "run_$name"
    end=$(now_ns)
    samples+=($(( (end - start) / 1000 )))
  done
  result[$name]=$(printf '%s\n' "${samples[@]}" | median)
  printf '%-16s median %8.1f ms  (runs: %s us)\n' "$name" "$(awk "BEGIN { print ${result[$name]} / 1000 }")" \
    "${samples[*]}" >&2
}

rss_kib() {
  local samples=() i
  for ((i = 0; i < runs; i++)); do
    wipe
    sync
    /usr/bin/time -f '%M' -o "$work/rss" "$init" >/dev/null 2>&1
    samples+=("$(tail -1 "$work/rss")")
  done
  printf '%s\n' "${samples[@]}" | median
}

echo "bench/cluster.sh: $runs runs per case, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$PG_BIN_DIR/postgres" --version)" >&2
for name in baseline baseline_tuned cold fresh fresh_copy fresh_over reuse_stopped reuse_running cleanup baseline_stop; do measure "$name"; done
rss=n/a
if [ -x /usr/bin/time ]; then rss=$(rss_kib); fi

ms() { awk "BEGIN { printf \"%.1f\", $1 / 1000 }"; }
ratio() { awk "BEGIN { printf \"%.0f%%\", 100 * $1 / ${result[baseline]} }"; }
row() { printf '| %s | %s ms | %s |\n' "$1" "$(ms "${result[$2]}")" "$(ratio "${result[$2]}")"; }
echo
echo "| case (median of $runs) | time | vs baseline |"
echo "|---|---|---|"
row "baseline: initdb + pg_ctl start -w + createdb" baseline
row "baseline, no durability: initdb --no-sync, fsync=off" baseline_tuned
row "postgres-init, cold cache (initdb, template stored)" cold
row "postgres-init, fresh (a spare moved in), empty dir" fresh
row "postgres-init, fresh, PG_INIT_SPARES=0 (template copy)" fresh_copy
row "postgres-init, fresh over a running cluster" fresh_over
row "postgres-init PG_REUSE=1, stopped cluster" reuse_stopped
row "postgres-init PG_REUSE=1, running healthy cluster" reuse_running
row "postgres-cleanup (running cluster)" cleanup
row "baseline stop: pg_ctl stop -m fast -w" baseline_stop
if [ "$rss" != n/a ]; then
  echo "| peak RSS of postgres-init, template path (median) | $(awk "BEGIN { printf \"%.1f\", $rss / 1024 }") MiB | |"
fi
