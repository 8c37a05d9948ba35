#!/usr/bin/env bash
# Benchmark: `migrator plan --file` of the example project's sources (examples/project/db/src,
# with the hectic bundle: --hook) against an empty database, against the baseline a team
# scripts today: load the sources into a scratch database of the same cluster with psql, then
# pg_dump both databases and diff the dumps. Medians of RUNS runs.
# Usage: bench/plan_file.sh [BUILD_DIR] [RUNS]   (default ./build, 5)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
runs=${2:-5}
migrator=$build/tools/migrator
. "$src/bench/lib.sh"
bindir=$(bench_bindir)
psql=$bindir/psql
[ -x "$migrator" ] || { echo "bench/plan_file.sh: error: $migrator is not built" >&2; exit 127; }

bench_cluster plan

export HECTIC_LOG=warn
base="postgresql://$POSTGRESQL_USER@/?host=$POSTGRESQL_HOST&port=$POSTGRESQL_PORT&dbname="
"$psql" -X -q -d "$PGURL" -c "CREATE DATABASE bench_empty"
sources=$src/examples/project/db/src
"$migrator" init --dry-run > "$work/bundle.sql"

baseline() {
  "$psql" -X -q -d "$PGURL" -c "DROP DATABASE IF EXISTS scratch" -c "CREATE DATABASE scratch"
  "$psql" -X -q -v ON_ERROR_STOP=1 -d "${base}scratch" -f "$work/bundle.sql" -f "$sources/entrypoint.sql"
  "$bindir/pg_dump" --schema-only -d "${base}bench_empty" > "$work/a.sql"
  "$bindir/pg_dump" --schema-only -d "${base}scratch" > "$work/b.sql"
  diff "$work/a.sql" "$work/b.sql" > "$work/dump.diff" || true
}
ours() { "$migrator" -u "${base}bench_empty" plan --file "$sources" --hook --output-json "$work/plan.json"; }


ours >/dev/null 2>&1 || { echo "bench/plan_file.sh: error: migrator plan --file failed" >&2; ours; exit 1; }
statements=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["statements"]))' "$work/plan.json")
b=(); o=()
for _ in $(seq "$runs"); do
  b+=("$(seconds baseline)")
  o+=("$(seconds ours)")
done
bm=$(printf '%s\n' "${b[@]}" | median)
om=$(printf '%s\n' "${o[@]}" | median)
printf '| case (median of %s) | time | vs baseline |\n|---|---|---|\n' "$runs"
printf '| baseline: psql the sources into a scratch database, pg_dump both, diff | %.3f s | 100%% |\n' "$bm"
printf '| migrator plan --file db/src --hook (%s statements, throw-away cluster) | %.3f s | %.0f%% |\n' \
  "$statements" "$om" "$(echo "100 * $om / $bm" | bc -l)"
