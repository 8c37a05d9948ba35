#!/usr/bin/env bash
# Benchmark: `migrator migrate up all` then `migrate down all` over 200 trivial migrations
# (one row each),
# against the shell migrator's way (one `psql` process per migration: BEGIN; \i up.sql;
# INSERT INTO hectic.migration ...; COMMIT; plus sha256sum of the file), in the same run, on
# the same throw-away cluster (created with postgres-init). Medians of RUNS runs.
# Usage: bench/migrator.sh [BUILD_DIR] [RUNS] [COUNT]   (default build-migrator, 5, 200)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-migrator}
runs=${2:-5}
count=${3:-200}
migrator=$build/tools/migrator
. "$src/bench/lib.sh"
bindir=$(bench_bindir)
psql=$bindir/psql
[ -x "$migrator" ] || { echo "bench: $migrator not built" >&2; exit 1; }

bench_cluster migrator

url=$PGURL
"$migrator" -u "$url" init 2>/dev/null
# Trivial migrations (one row each) so the figures are the tools' own cost; a migration with
# heavy DDL adds the same server time to both sides.
"$psql" -X -q -d "$url" -c 'CREATE TABLE public.bench_log (id int PRIMARY KEY) INHERITS (hectic.created_at)'

dir=$work/migration
for i in $(seq -w 1 "$count"); do
  m=$dir/20250101$(printf '%06d' "$((10#$i))")-bench_$i
  mkdir -p "$m"
  printf 'INSERT INTO public.bench_log (id) VALUES (%d);\n' "$((10#$i))" > "$m/up.sql"
  printf 'DELETE FROM public.bench_log WHERE id = %d;\n' "$((10#$i))" > "$m/down.sql"
done

now() { date +%s.%N; }

ours_once() {
  local t0 t1
  t0=$(now)
  "$migrator" -u "$url" -d "$dir" migrate up all 2>/dev/null
  "$migrator" -u "$url" -d "$dir" migrate down all 2>/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

# The shell migrator, reduced to its per-migration work (it also ran a few queries per run).
psql_once() {
  local t0 t1 m name hash
  t0=$(now)
  for m in "$dir"/*/; do
    name=$(basename "$m")
    hash=$(sha256sum "$m/up.sql" | cut -d' ' -f1)
    "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" >/dev/null <<SQL
BEGIN;
\i '$m/up.sql'
INSERT INTO hectic.migration (name, hash) VALUES ('$name', '$hash');
COMMIT;
SQL
  done
  for m in $(ls -d "$dir"/*/ | sort -r); do
    name=$(basename "$m")
    "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" >/dev/null <<SQL
BEGIN;
\i '$m/down.sql'
DELETE FROM hectic.migration WHERE name = '$name';
COMMIT;
SQL
  done
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

ours=() base=()
for r in $(seq 1 "$runs"); do
  ours+=("$(ours_once)")
  base+=("$(psql_once)")
done
ours_median=$(printf '%s\n' "${ours[@]}" | median)
base_median=$(printf '%s\n' "${base[@]}" | median)
ratio=$(echo "100 * $ours_median / $base_median" | bc -l)
printf 'migrations: %d up + %d down, %d runs\n' "$count" "$count" "$runs"
printf 'migrator (native engine, one process per run): median %.3f s  (%.2f ms per migration)\n' \
  "$ours_median" "$(echo "1000 * $ours_median / (2 * $count)" | bc -l)"
printf 'psql per migration (shell migrator way):       median %.3f s  (%.2f ms per migration)\n' \
  "$base_median" "$(echo "1000 * $base_median / (2 * $count)" | bc -l)"
printf 'ratio migrator / psql-per-migration: %.1f %%\n' "$ratio"
