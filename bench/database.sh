#!/usr/bin/env bash
# Benchmark: `database deploy --cleanup` and `database check` on a generated project
# (30 tables, 10 plpgsql functions, 8 indexes, 5000 rows of test data) against the same work
# done the plain way (initdb + pg_ctl + psql -f), measured in the same run; also both without
# the spare pool (PG_INIT_SPARES=0), where each fresh cluster is a template copy.
# Usage: bench/database.sh [BUILD_DIR] [RUNS]   (default build-database, 5 runs; medians printed)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-database}
runs=${2:-5}
database=$build/tools/database
bindir=${PG_BIN_DIR:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
[ -x "$database" ] || { echo "bench: $database not built" >&2; exit 1; }

work=$(mktemp -d /tmp/hectic-bench-database.XXXXXX)
chmod 755 "$work"
as_server=()
if [ "$(id -u)" = 0 ]; then as_server=(runuser -u postgres --); fi
cleanup() {
  "${as_server[@]}" "$bindir/pg_ctl" -D "$work/plain/data" -m immediate stop >/dev/null 2>&1 || true
  LOCAL_DIR=$work/project "$build/tools/postgres-cleanup" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${BENCH_KEEP:-}" ] && trap - EXIT

# ---- the generated project ------------------------------------------------------------------
p=$work/project
mkdir -p "$p/db/src/tables" "$p/db/src/functions"
{
  echo '\ir tables/all.sql'
  echo '\ir functions/all.sql'
} > "$p/db/src/entrypoint.sql"
for t in $(seq 1 30); do
  cat <<SQL
CREATE TABLE public.t$t (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    amount numeric(12, 2) NOT NULL DEFAULT 0,
    flag boolean NOT NULL DEFAULT false,
    payload jsonb
) INHERITS (hectic.created_at, hectic.updated_at);
SQL
done > "$p/db/src/tables/all.sql"
for i in $(seq 1 8); do echo "CREATE INDEX t${i}_name_idx ON public.t$i (name);"; done >> "$p/db/src/tables/all.sql"
for f in $(seq 1 10); do
  cat <<SQL
CREATE FUNCTION public.f$f(p_id bigint) RETURNS numeric LANGUAGE plpgsql AS \$\$
DECLARE total numeric := 0;
BEGIN
    SELECT COALESCE(sum(amount), 0) INTO total FROM public.t$f WHERE id <= p_id;
    IF total > 1000 THEN total := total * 0.9; END IF;
    RETURN total;
END
\$\$;
SQL
done > "$p/db/src/functions/all.sql"
{
  for t in $(seq 1 10); do
    echo "INSERT INTO public.t$t (name, amount, flag, payload) VALUES"
    for r in $(seq 1 500); do
      sep=','; [ "$r" = 500 ] && sep=';'
      echo "  ('row $r of t$t', $r.25, $((r % 2 == 0)) = 1, '{\"r\": $r}')$sep"
    done
  done
} > "$p/test-data.sql"

# The bundle as plain files (what psql users get installed).
bundle=()
for part in version secret migration inheritance; do bundle+=(-f "$build/sql/$part.sql"); done

# ---- timing helpers -------------------------------------------------------------------------
# Untimed: waits for the background spare filler started by the previous case (it holds its
# pool's lock while it copies), so its work never lands in the baseline's time.
settle() {
  sleep 0.2
  local lock
  for lock in "$HECTIC_CACHE_DIR"/spares/*/.lock; do [ -e "$lock" ] && flock -s "$lock" true; done
  return 0
}
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

plain_run() {
  local d=$work/plain
  rm -rf "$d"; mkdir -p "$d/sock"; chmod 755 "$d"
  [ "${#as_server[@]}" -gt 0 ] && chown -R postgres: "$d"
  "${as_server[@]}" "$bindir/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
  "${as_server[@]}" "$bindir/pg_ctl" -D "$d/data" -l "$d/server.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories='$d/sock' -c port=5432" start >/dev/null
  "$bindir/createdb" -h "$d/sock" -U postgres testdb
  PGOPTIONS="-c client_min_messages=warning" "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$d/sock" -U postgres -d testdb "${bundle[@]}" \
    -f "$p/db/src/entrypoint.sql" -f "$p/test-data.sql" >/dev/null
  "${as_server[@]}" "$bindir/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null
}

export LOCAL_DIR=$p PG_SHARED_PRELOAD_LIBRARIES= HECTIC_CACHE_DIR=$work/cache HECTIC_LOG=warn
unset DB_URL PGURL PG_WORKING_DIR PG_REUSE
"$database" deploy --cleanup >/dev/null   # warm-up: builds the template cache once

declare -A samples
for i in $(seq 1 "$runs"); do
  settle
  t0=$(now); plain_run; t1=$(now)
  samples[plain]+="$(echo "$t1 - $t0" | bc) "
  t0=$(now); "$database" deploy --cleanup >/dev/null; t1=$(now)
  samples[deploy]+="$(echo "$t1 - $t0" | bc) "
  t0=$(now); "$database" check >/dev/null; t1=$(now)
  samples[check]+="$(echo "$t1 - $t0" | bc) "
  # Without spares: every fresh cluster is a copy of the template made while we wait.
  t0=$(now); PG_INIT_SPARES=0 "$database" deploy --cleanup >/dev/null; t1=$(now)
  samples[deploy0]+="$(echo "$t1 - $t0" | bc) "
  t0=$(now); PG_INIT_SPARES=0 "$database" check >/dev/null; t1=$(now)
  samples[check0]+="$(echo "$t1 - $t0" | bc) "
done

plain=$(tr ' ' '\n' <<<"${samples[plain]}" | grep . | median)
printf '| %-48s | %8s | %6s |\n' "case ($runs runs, median)" "seconds" "ratio"
printf '|---|---:|---:|\n'
printf '| %-48s | %8s | %6s |\n' "plain initdb + pg_ctl + psql -f (baseline)" "$plain" "1.00"
declare -A labels=([deploy]="database deploy --cleanup" [check]="database check"
  [deploy0]="database deploy --cleanup, PG_INIT_SPARES=0" [check0]="database check, PG_INIT_SPARES=0")
for k in deploy check deploy0 check0; do
  m=$(tr ' ' '\n' <<<"${samples[$k]}" | grep . | median)
  label=${labels[$k]}
  printf '| %-48s | %8s | %6.2f |\n' "$label" "$m" "$(echo "$m / $plain" | bc -l)"
done
