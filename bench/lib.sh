# Sourced by the bench scripts: the PostgreSQL bin dir, a throw-away cluster, timing helpers.
# Expects $build (the build dir with tools/) to be set.

bench_bindir() { echo "${PG_BIN_DIR:-$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"; }

# A work dir ($work) with a running cluster of our own (postgres-init's PGURL and POSTGRESQL_*
# exported), both removed when the script exits.
bench_cluster() { # NAME
  work=$(mktemp -d "/tmp/hectic-bench-$1.XXXXXX")
  chmod 755 "$work"
  trap 'LOCAL_DIR=$work "$build/tools/postgres-cleanup" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  eval "$(LOCAL_DIR=$work PG_SHARED_PRELOAD_LIBRARIES= PG_DISABLE_LOGGING=1 "$build/tools/postgres-init")"
}

# Seconds a command takes (its output discarded; exit 1, "differences", counts as success).
seconds() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || [ $? -eq 1 ]; t1=$(date +%s%N); echo "scale=3; ($t1 - $t0) / 1000000000" | bc; }
# The median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {m=(NR+1)/2; if (NR%2) print a[m]; else print (a[m-0.5]+a[m+0.5])/2}'; }
