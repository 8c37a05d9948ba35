#!/usr/bin/env bash
# Benchmark: `migrator diff` of two generated databases of 1000 tables (6000 columns, 2000
# indexes beside the primary keys, 200 views, 300 functions) that differ in 10% of the objects,
# against @pgkit/migra (a maintained port of migra, from the npm registry) on the same pair in
# the same run; and the desired-state path (`--to schema.sql` of that size, loaded into a
# throw-away cluster). Medians of RUNS runs.
# Usage: bench/schema.sh [BUILD_DIR] [RUNS]   (default ./build, 5)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
runs=${2:-5}
migrator=$build/tools/migrator
. "$src/bench/lib.sh"
bindir=$(bench_bindir)
psql=$bindir/psql
[ -x "$migrator" ] || { echo "bench/schema.sh: error: $migrator is not built" >&2; exit 127; }
command -v npm >/dev/null || { echo "bench/schema.sh: error: npm is needed for @pgkit/migra" >&2; exit 127; }

bench_cluster schema

echo "installing @pgkit/migra into $work/node ..." >&2
npm install --silent --prefix "$work/node" @pgkit/migra@0.6.1 >/dev/null
migra=$work/node/node_modules/.bin/migra

export HECTIC_LOG=warn

# One database of the pair; variant b differs in every tenth table, index, view and function.
generate() { # NAME VARIANT
  "$psql" -X -q -v ON_ERROR_STOP=1 -d "$PGURL" -c "CREATE DATABASE $1"
  "$psql" -X -q -v ON_ERROR_STOP=1 -d "$POSTGRESQL_URL_BASE$1" -v variant="$2" <<'SQL'
SELECT set_config('bench.variant', :'variant', false);
DO $$
DECLARE b boolean := current_setting('bench.variant') = 'b';
BEGIN
  FOR i IN 1..1000 LOOP
    EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, c1 integer, c2 text, c3 timestamptz DEFAULT now(), '
                   'c4 numeric(10,2), c5 boolean%s)', i, CASE WHEN b AND i % 10 = 0 THEN ', c6 text' ELSE '' END);
    EXECUTE format('CREATE INDEX t%s_c1 ON t%s (c1)', i, i);
    EXECUTE format('CREATE INDEX t%s_c2 ON t%s (%s)', i, i, CASE WHEN b AND i % 10 = 1 THEN 'c2, c1' ELSE 'c2' END);
  END LOOP;
  FOR i IN 1..200 LOOP
    EXECUTE format('CREATE VIEW v%s AS SELECT id, c1%s FROM t%s', i, CASE WHEN b AND i % 10 = 2 THEN ', c2' ELSE '' END, i);
  END LOOP;
  FOR i IN 1..300 LOOP
    EXECUTE format('CREATE FUNCTION f%s(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS %L', i,
                   format('SELECT x + %s', CASE WHEN b AND i % 10 = 3 THEN i * 2 ELSE i END));
  END LOOP;
END $$;
SQL
}
POSTGRESQL_URL_BASE="postgresql://$POSTGRESQL_USER@/?host=$POSTGRESQL_HOST&port=$POSTGRESQL_PORT&dbname="
generate bench_a a
generate bench_b b
url_a="${POSTGRESQL_URL_BASE}bench_a"
url_b="${POSTGRESQL_URL_BASE}bench_b"
# migra (node-postgres) reads the socket dir from the host parameter of a URL.
migra_a="postgresql://$POSTGRESQL_USER@localhost/bench_a?host=$POSTGRESQL_HOST&port=$POSTGRESQL_PORT"
migra_b="postgresql://$POSTGRESQL_USER@localhost/bench_b?host=$POSTGRESQL_HOST&port=$POSTGRESQL_PORT"
"$bindir/pg_dump" --schema-only --no-owner -d "$url_b" > "$work/schema_b.sql"


ours_statements=$("$migrator" diff --from "$url_a" --to "$url_b" 2>/dev/null | grep -c ';$' || true)
migra_statements=$("$migra" "$migra_a" "$migra_b" --unsafe 2>/dev/null | grep -c ';$' || true)
ours=(); theirs=(); desired=()
for _ in $(seq "$runs"); do
  ours+=("$(seconds "$migrator" diff --from "$url_a" --to "$url_b")")
  theirs+=("$(seconds "$migra" "$migra_a" "$migra_b" --unsafe)")
  desired+=("$(seconds "$migrator" diff --from "$url_a" --to "$work/schema_b.sql")")
done
o=$(printf '%s\n' "${ours[@]}" | median)
m=$(printf '%s\n' "${theirs[@]}" | median)
d=$(printf '%s\n' "${desired[@]}" | median)
printf '| case (median of %s) | time | vs migra |\n|---|---|---|\n' "$runs"
printf '| @pgkit/migra 0.6.1, URL to URL (%s statements) | %.2f s | 100%% |\n' "$migra_statements" "$m"
printf '| migrator diff, URL to URL (%s statements) | %.2f s | %.0f%% |\n' "$ours_statements" "$o" "$(echo "100 * $o / $m" | bc -l)"
printf '| migrator diff --to schema.sql (pg_dump of B, throw-away cluster) | %.2f s | %.0f%% |\n' "$d" "$(echo "100 * $d / $m" | bc -l)"
