#!/usr/bin/env bash
# CTest splits a test name at ';': a Catch2 TEST_CASE whose name holds one becomes pieces that
# run nothing and count as passed. Every TEST_CASE name must be free of ';'.
# Usage: test_names.sh SOURCE_DIR [BINARY_DIR]
set -euo pipefail
src=$(cd "$1" && pwd)
if bad=$(grep -rnE 'TEST_CASE\("[^"]*;' "$src/tests" --include='*.cpp'); then
  echo "TEST_CASE names with ';' (CTest would split them into empty tests):"
  echo "$bad"
  exit 1
fi
# A name starting with '-' reaches the test binary as an option: Catch2 prints its help (exit 0,
# counted as passed, nothing run) or refuses it as an unknown token.
if bad=$(grep -rnE 'TEST_CASE\("-' "$src/tests" --include='*.cpp'); then
  echo "TEST_CASE names starting with '-' (the binary would read them as options):"
  echo "$bad"
  exit 1
fi
echo "every TEST_CASE name is free of ';' and starts with something other than '-'"
