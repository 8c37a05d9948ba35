#!/usr/bin/env bash
# CTest splits a Catch2 test name at ';' (catch_discover_tests builds a list): a TEST_CASE
# whose name holds one becomes pieces that run nothing and count as passed. Refuse such names.
# Usage: test_names.sh SOURCE_DIR [BINARY_DIR]
set -euo pipefail
src=$(cd "$1" && pwd)
bad=$(grep -rn --include='*.cpp' -E 'TEST_CASE\("[^"]*;' "$src/tests" || true)
if [ -n "$bad" ]; then
  echo "TEST_CASE names must not contain ';' (CTest would split them into empty tests):" >&2
  echo "$bad" >&2
  exit 1
fi
count=$(grep -rh --include='*.cpp' -c 'TEST_CASE("' "$src/tests" | awk '{ n += $1 } END { print n }')
echo "ok: $count TEST_CASE names, none with ';'"
