#!/usr/bin/env bash
# The whole test suite: build, run every test with ctest (real PostgreSQL servers, each test in
# its own temp dir), then, when we are root, run the cluster integration tests again as a
# throw-away unprivileged user. Prints one closing "total: N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${HECTIC_TEST_JOBS:-2}

# Installs any missing package (a fresh machine) and builds; the example run is setup.sh's job.
HECTIC_SETUP_SKIP_EXAMPLE=1 "$root/scripts/setup.sh" || { echo "total: 0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 600 "$@" 2>&1 | tee "$log"
ctest_rc=${PIPESTATUS[0]}
summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
failed=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
passed=$(( ${total:-0} - ${failed:-0} ))
failed=${failed:-1}

# Unprivileged pass: PostgreSQL refuses root, so as root the suite ran the servers as
# `postgres`; now the same integration tests run as an ordinary user, servers and all, from
# copies of the binaries and of the sources they read (the checkout may be unreadable to it).
if [ "$(id -u)" -eq 0 ] && [ $# -eq 0 ]; then
  user=hectic-test
  id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
  stage=$(mktemp -d /tmp/hectic-unprivileged-XXXXXX)
  mkdir -p "$stage/bin" "$stage/tests" "$stage/tmp" "$stage/src"
  cp build/tools/postgres-init build/tools/postgres-cleanup build/tools/database build/tools/migrator build/tools/db-ops "$stage/bin/"
  cp build/tests/integration_* "$stage/tests/"
  cp -r examples sql tests "$stage/src/"
  # s3rver for the migrator watch tests (scripts/setup.sh put it under build/node).
  [ -d build/node ] && cp -r build/node "$stage/"
  chown -R "$user" "$stage"
  chmod 755 "$stage"
  # Two binaries at a time (HECTIC_TEST_JOBS): each has its own sandboxes and sockets.
  run_unprivileged() { # BINARY -> $stage/results/NAME.{out,rc}
    local name
    name=$(basename "$1")
    runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="/home/$user" \
      HECTIC_TEST_BIN_DIR="$stage/bin" HECTIC_TEST_TMPDIR="$stage/tmp" \
      HECTIC_TEST_SOURCE_DIR="$stage/src" HECTIC_S3RVER="$stage/node/node_modules/s3rver/bin/s3rver.js" \
      "$1" >"$stage/results/$name.out" 2>&1
    echo $? >"$stage/results/$name.rc"
  }
  mkdir -p "$stage/results"
  for t in "$stage"/tests/*; do
    [ -x "$t" ] || continue
    # The schema corpus compares databases by URL only (nothing there depends on who runs it)
    # and is the slowest binary; integration_schema_diff runs the engine's own clusters here.
    [ "$(basename "$t")" = integration_schema_corpus ] && continue
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    run_unprivileged "$t" &
  done
  wait
  for rc_file in "$stage"/results/*.rc; do
    name=$(basename "$rc_file" .rc)
    out=$(cat "$stage/results/$name.out")
    if [ "$(cat "$rc_file")" -eq 0 ]; then
      n=$(grep -oE '\(([0-9]+) assertions? in ([0-9]+) test cases?\)' <<<"$out" | grep -oE '[0-9]+ test case' | grep -oE '[0-9]+')
      passed=$((passed + ${n:-1}))
      echo "unprivileged ($user): $name passed"
    else
      failed=$((failed + 1))
      echo "unprivileged ($user): $name FAILED"
      echo "$out" | tail -40
    fi
  done
  # A detached spare filler (postgres-init) may still be copying into the stage's cache: it
  # holds its pool's lock while it does.
  for lock in "$stage"/tmp/*/spares/*/.lock; do
    [ -e "$lock" ] && timeout 120 flock "$lock" true
  done
  rm -rf "$stage"
fi

echo "total: $passed passed, $failed failed"
[ "$ctest_rc" -eq 0 ] && [ "$failed" -eq 0 ]
