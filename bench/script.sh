#!/usr/bin/env bash
# Benchmark: the native script engine vs `psql -f`, in the same run, on one throw-away cluster:
#   insert.sql  5000 single-row INSERT statements (autocommit, like a pg_dump --inserts file)
#   ddl.sql     300 DDL statements (100 CREATE TABLE, 100 CREATE INDEX, 100 COMMENT ON)
# Each file runs RUNS times per runner (alternating), wall time per run including process start
# and connection; medians and the ratio native / psql are printed as a Markdown table.
# Usage: bench/script.sh [BUILD_DIR] [RUNS]   (default build-script, 7 runs)
# The build dir is configured with -DHECTIC_BENCH=ON and script_bench is built if needed.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-script}
runs=${2:-7}
bindir=${PG_BIN_DIR:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
psql=$bindir/psql

cmake -S "$src" -B "$build" -G Ninja -DHECTIC_BENCH=ON >/dev/null
ninja -C "$build" script_bench postgres-init postgres-cleanup >/dev/null

work=$(mktemp -d /tmp/hectic-bench-script.XXXXXX)
chmod 755 "$work"
export LOCAL_DIR=$work PG_SHARED_PRELOAD_LIBRARIES= PG_BIN_DIR=$bindir
cleanup() {
  "$build/tools/postgres-cleanup/postgres-cleanup" >/dev/null 2>&1 || "$build/tools/postgres-cleanup" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

tool() { # tools/<name> is either the binary or a directory holding it
  if [ -x "$build/tools/$1/$1" ]; then echo "$build/tools/$1/$1"; else echo "$build/tools/$1"; fi
}
eval "$("$(tool postgres-init)")"
url=$PGURL

{
  echo "SET client_min_messages = warning;"
  echo "DROP TABLE IF EXISTS public.bench_insert;"
  echo "CREATE TABLE public.bench_insert (id int PRIMARY KEY, name text NOT NULL, amount numeric(12,2), note text);"
  for i in $(seq 1 5000); do
    echo "INSERT INTO public.bench_insert (id, name, amount, note) VALUES ($i, 'name $i', $i.25, 'it''s row $i; fine');"
  done
} > "$work/insert.sql"
{
  echo "SET client_min_messages = warning;"
  echo "DROP SCHEMA IF EXISTS bench CASCADE;"
  echo "CREATE SCHEMA bench;"
  for i in $(seq 1 100); do
    echo "CREATE TABLE bench.t$i (id bigserial PRIMARY KEY, name text NOT NULL, amount numeric(12,2) DEFAULT 0, payload jsonb);"
    echo "CREATE INDEX t${i}_name_idx ON bench.t$i (name);"
    echo "COMMENT ON TABLE bench.t$i IS 'table $i';"
  done
} > "$work/ddl.sql"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
measure() { # measure FILE -> "native_ms psql_ms"
  local file=$1 n=() p=() t0 i
  for i in $(seq 1 "$runs"); do
    if [ $((i % 2)) = 1 ]; then
      t0=$(now); "$build/bench/script_bench" "$url" "$file"; n+=($(( ($(now) - t0) / 1000 )))
      t0=$(now); "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$file" >/dev/null; p+=($(( ($(now) - t0) / 1000 )))
    else
      t0=$(now); "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$file" >/dev/null; p+=($(( ($(now) - t0) / 1000 )))
      t0=$(now); "$build/bench/script_bench" "$url" "$file"; n+=($(( ($(now) - t0) / 1000 )))
    fi
  done
  echo "$(printf '%s\n' "${n[@]}" | median) $(printf '%s\n' "${p[@]}" | median)"
}

setting() { "$psql" -XAtq -d "$url" -c "SHOW $1"; }
row() { # row FILE
  local f=$1 n p stmts
  read -r n p < <(measure "$work/$f.sql")
  stmts=$(grep -c ';$' "$work/$f.sql")
  awk -v f="$f.sql" -v s="$stmts" -v c="fsync=$(setting fsync)" -v n="$n" -v p="$p" \
    'BEGIN { printf "| %s | %d | %s | %.1f | %.1f | %.0f%% |\n", f, s, c, n/1000, p/1000, 100*n/p }'
}
echo "| file | statements | server | native (median ms) | psql -f (median ms) | native / psql |"
echo "|---|---|---|---|---|---|"
# As postgres-init configures a development cluster (fsync off), then as a durable server
# (staging, production, CI against a real database): fsync on, every commit flushed.
row insert
row ddl
"$psql" -XAtq -d "$url" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
  -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
row insert
row ddl
echo
echo "runs per runner: $runs; server: $("$psql" -XAtq -d "$url" -c "SELECT version()" | cut -d' ' -f1-2);" \
     "load average before: $load_before"
