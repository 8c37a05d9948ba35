#!/usr/bin/env bash
# The README is executable (issue 16 point 1): every ```sh block of README.md, then of
# examples/project/README.md, runs in order in one sandbox holding a copy of the example
# project, each in a fresh bash -e that inherits the previous block's exports and directory.
# A block preceded by `<!-- illustrative -->` is skipped; `<!-- exit N -->` before a block
# documents its exit status (default 0).
# Usage: readme_examples.sh SOURCE_DIR BINARY_DIR
set -euo pipefail
source_dir=$1
binary_dir=$2
[[ -x $binary_dir/tools/database ]] || { echo "SKIP: binaries not built"; exit 77; }

sandbox=$(mktemp -d "${HECTIC_TEST_TMPDIR:-/tmp}/readme-examples-XXXXXX")
cleanup() {
  for dir in "$sandbox"/examples/project/focus/postgresql*; do
    [[ -d $dir/data ]] && PG_WORKING_DIR=$dir "$binary_dir/tools/postgres-cleanup" >/dev/null 2>&1 || true
  done
  [[ ${HECTIC_KEEP_TEST_DIRS:-} == 1 ]] && echo "kept $sandbox" || rm -rf "$sandbox"
}
trap cleanup EXIT
chmod 755 "$sandbox" # as root, the server account must reach the project
mkdir -p "$sandbox/examples"
cp -r "$source_dir/examples/project" "$sandbox/examples/"
chmod -R a+rX "$sandbox"

# Blocks of a markdown file, each as "EXPECTED_STATUS<TAB>LINE_NUMBER" followed by its lines,
# separated by a NUL: what the next ```sh fence holds, with the marker just before it.
blocks_of() {
  awk '
    /^<!-- illustrative -->$/ { marker = "skip"; next }
    /^<!-- exit [0-9]+ -->$/ { marker = $3; next }
    /^```sh$/ && !inside { inside = 1; status = marker == "" ? 0 : marker; start = NR; body = ""; marker = ""; next }
    /^```$/ && inside { inside = 0; if (status != "skip") printf "%s\t%d\n%s%c", status, start, body, 0; next }
    inside { body = body $0 "\n"; next }
    NF { marker = "" }
  ' "$1"
}

state=$sandbox/state.env
# A fresh shell: only PATH (the built tools first), HOME and a private template cache.
fresh_shell() {
  env -i HOME="$sandbox" PATH="$binary_dir/tools:$PATH" bash -c 'export -p' |
    grep -vE '^declare -x (PWD|OLDPWD|SHLVL|_)=' > "$state"
  cat >> "$state" <<VARS
export HECTIC_CACHE_DIR='$sandbox/cache' PG_INIT_SPARES=0 TERM=dumb
VARS
}
failures=0
run_blocks() {
  local file=$1 header body status line
  while IFS= read -r -d '' block; do
    header=${block%%$'\n'*}
    body=${block#*$'\n'}
    status=${header%%$'\t'*}
    line=${header#*$'\t'}
    echo "== $file:$line (expect exit $status)"
    set +e
    (cd "$cwd" && env -i bash -ec "source '$state'; $body
export -p | grep -vE '^declare -x (PWD|OLDPWD|SHLVL|_)=' > '$state.next'; pwd > '$sandbox/cwd'") </dev/null
    local got=$?
    set -e
    if [[ $got == "$status" ]]; then
      [[ -f $state.next ]] && mv "$state.next" "$state"
      cwd=$(cat "$sandbox/cwd" 2>/dev/null || echo "$cwd")
    else
      echo "FAIL: $file:$line exited $got, the README says $status" >&2
      failures=$((failures + 1))
    fi
    rm -f "$state.next"
  done < <(blocks_of "$source_dir/$file")
}
fresh_shell
cwd=$sandbox
run_blocks README.md
# The example's README is read on its own: a new shell in the project directory.
fresh_shell
cwd=$sandbox/examples/project
run_blocks examples/project/README.md
((failures == 0)) || { echo "$failures block(s) failed" >&2; exit 1; }
echo "all README blocks ran as documented"
