#!/usr/bin/env bash
# Benchmark: `migrator --targets FILE --jobs 8 migrate up all` over 50 databases x 20
# migrations, against a shell loop running one `migrator -u URL migrate up all` per database,
# same cluster (created with postgres-init), same run. Every run starts from the same state:
# each database initialised (`migrator init`) with no migration applied (an untimed
# `migrate down all` on every target resets it). Also measured, to explain the figures:
# `--targets --jobs 1` (threads off: what one process saves) and `xargs -P JOBS` of one
# migrator process per database (child processes instead of threads). Medians of RUNS runs.
# Usage: bench/targets.sh [BUILD_DIR] [RUNS] [DATABASES] [MIGRATIONS] [JOBS]
#        (default build, 5, 50, 20, 8)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
runs=${2:-5}
databases=${3:-50}
count=${4:-20}
jobs=${5:-8}
migrator=$build/tools/migrator
. "$src/bench/lib.sh"
bindir=$(bench_bindir)
psql=$bindir/psql
[ -x "$migrator" ] || { echo "bench: $migrator not built" >&2; exit 1; }

bench_cluster targets

targets=$work/targets.txt
urls=()
for i in $(seq -w 1 "$databases"); do
  "$psql" -X -q -d "$PGURL" -c "CREATE DATABASE bench_$i"
  url="postgresql://$POSTGRESQL_USER@/bench_$i?host=$POSTGRESQL_HOST&port=$POSTGRESQL_PORT"
  urls+=("$url")
  printf 'db-%s %s\n' "$i" "$url" >> "$targets"
done

# Small migrations (a table, then one row each) so the figures are the tools' own cost; heavier
# DDL adds the same server time to every side.
dir=$work/migration
for i in $(seq -w 1 "$count"); do
  m=$dir/20250101$(printf '%06d' "$((10#$i))")-bench_$i
  mkdir -p "$m"
  if [ "$((10#$i))" -eq 1 ]; then
    echo 'CREATE TABLE public.bench_log (id int PRIMARY KEY) INHERITS (hectic.created_at);' > "$m/up.sql"
    echo 'DROP TABLE public.bench_log;' > "$m/down.sql"
  else
    printf 'INSERT INTO public.bench_log (id) VALUES (%d);\n' "$((10#$i))" > "$m/up.sql"
    printf 'DELETE FROM public.bench_log WHERE id = %d;\n' "$((10#$i))" > "$m/down.sql"
  fi
done
export MIGRATION_DIR=$dir
"$migrator" --targets "$targets" --jobs "$jobs" init > /dev/null 2>&1

now() { date +%s.%N; }

reset() { "$migrator" --targets "$targets" --jobs "$jobs" migrate down all > /dev/null 2>&1; }

# Each timed function prints its seconds; the state is checked after it (all applied).
check() {
  local n
  n=$("$migrator" --targets "$targets" --jobs "$jobs" --json status 2>/dev/null |
      grep -c '"status": "up to date"' || true)
  [ "$n" -eq "$databases" ] || { echo "bench: only $n of $databases databases migrated" >&2; exit 1; }
}

fleet_once() { # $1 = jobs
  local t0 t1
  reset
  t0=$(now)
  "$migrator" --targets "$targets" --jobs "$1" migrate up all > /dev/null 2>&1
  t1=$(now)
  check
  echo "$t1 - $t0" | bc -l
}

loop_once() {
  local t0 t1 url
  reset
  t0=$(now)
  for url in "${urls[@]}"; do
    "$migrator" -u "$url" migrate up all 2>/dev/null
  done
  t1=$(now)
  check
  echo "$t1 - $t0" | bc -l
}

xargs_once() {
  local t0 t1
  reset
  t0=$(now)
  printf '%s\n' "${urls[@]}" | xargs -P "$jobs" -I{} "$migrator" -u {} migrate up all 2>/dev/null
  t1=$(now)
  check
  echo "$t1 - $t0" | bc -l
}

fleet=() loop=() single=() para=()
for r in $(seq 1 "$runs"); do
  fleet+=("$(fleet_once "$jobs")")
  loop+=("$(loop_once)")
  single+=("$(fleet_once 1)")
  para+=("$(xargs_once)")
done
m_fleet=$(printf '%s\n' "${fleet[@]}" | median)
m_loop=$(printf '%s\n' "${loop[@]}" | median)
m_single=$(printf '%s\n' "${single[@]}" | median)
m_para=$(printf '%s\n' "${para[@]}" | median)
per_minute() { echo "60 * $databases / $1" | bc -l; }
printf 'databases: %d x %d migrations, %d runs, load before: %s\n' "$databases" "$count" "$runs" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %14s %8s\n' case 'median s' 'targets/min' 'vs loop'
row() { printf '%-44s %8.3f %14.0f %7.2fx\n' "$1" "$2" "$(per_minute "$2")" "$(echo "$m_loop / $2" | bc -l)"; }
row "shell loop: migrator migrate up all per db" "$m_loop"
row "migrator --targets --jobs $jobs" "$m_fleet"
row "migrator --targets --jobs 1" "$m_single"
row "xargs -P $jobs: migrator per db" "$m_para"
