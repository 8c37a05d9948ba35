#!/usr/bin/env bash
# The zsh completions (completions/zsh/_<binary>) parse, register with compinit, and, driven
# through a real interactive zsh in a pseudo-terminal (tests/shell/zsh_capture.zsh), offer
# the subcommands, options and migration names. Usage: zsh_completion.sh SOURCE_DIR
# BINARY_DIR. Exit 77 (skip) when zsh is not installed.
set -uo pipefail

src=$(cd "$1" && pwd)
if ! command -v zsh >/dev/null 2>&1; then
    echo "skip: zsh not installed"
    exit 77
fi
fdir=$src/completions/zsh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hectic-zsh-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp # no ~/.zshrc, no compdump in the real home

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

for program in database migrator postgres-init postgres-cleanup; do
    file=$fdir/_$program
    if [[ ! -f $file ]]; then
        fail "missing $file"
    elif ! out=$(zsh -n "$file" 2>&1); then
        fail "$file does not parse: $out"
    elif [[ $(head -1 "$file") != "#compdef $program" ]]; then
        fail "$file does not start with '#compdef $program'"
    else
        echo "ok: _$program parses"
    fi
done

out=$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit && compinit -u -D &&
    print -r -- $_comps[database] $_comps[migrator] $_comps[postgres-init] $_comps[postgres-cleanup]' _ "$fdir" 2>&1)
if [[ $out == "_database _migrator _postgres-init _postgres-cleanup" ]]; then
    echo "ok: compinit registers the four functions"
else
    fail "compinit registration: [$out]"
fi

if ! zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
    echo "note: zsh/zpty not available; not driving the completions"
    ((failures == 0)) || exit 1
    exit 0
fi

got=""
capture() {
    got=$(cd "$tmp" && timeout 30 zsh -f "$src/tests/shell/zsh_capture.zsh" "$fdir" "$1" 2>&1)
}
expect_exactly() {
    local line=$1 want
    shift
    capture "$line"
    want=$(printf '%s\n' "$@" | sort -u)
    if [[ $got != "$want" ]]; then
        fail "zsh '$line<TAB>' offers [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]"
    else
        echo "ok: zsh '$line<TAB>' offers exactly $*"
    fi
}
expect_has() {
    local line=$1 want
    shift
    capture "$line"
    for want in "$@"; do
        if ! grep -qxF -- "$want" <<<"$got"; then
            fail "zsh '$line<TAB>' does not offer '$want'; offers [$(tr '\n' ' ' <<<"$got")]"
            return
        fi
    done
    echo "ok: zsh '$line<TAB>' offers $*"
}

expect_exactly "database " deploy init hydrate patch test check cleanup log pull_staging \
    migrator backup restore normalize-backup diff secrets
expect_exactly "database de" deploy
expect_has "database deploy -" --reuse -P --no-patch -H --no-hydrate -m --mock -c --cleanup --url --inherits
expect_has "database -u x hydrate --" --no-hook --mock
expect_exactly "database secrets " load
expect_exactly "migrator " init migrate create list status fetch plan apply mark-applied log help
expect_exactly "migrator migrate " up down to
expect_has "migrator migrate up " all latest head
expect_has "migrator migrate -" --force --single-transaction --db-url --migration-dir
expect_exactly "postgres-init --format=" shell json
expect_has "postgres-cleanup -" --help --version

migrations=$tmp/project/db/migration
mkdir -p "$migrations/20240101000000-create-user" "$migrations/20240103000000-seed"
mkdir -p "$tmp/stub-bin"
cat >"$tmp/stub-bin/migrator" <<'STUB'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$STUB_ARGS"
printf 'stub-%s\n' 20240101000000-create-user 20240102000000-add-index
STUB
chmod +x "$tmp/stub-bin/migrator"
export STUB_ARGS=$tmp/stub-args

PATH=$tmp/stub-bin:$PATH expect_exactly "migrator migrate -d $migrations to " latest head last \
    stub-20240101000000-create-user stub-20240102000000-add-index
if [[ $(tr '\n' ' ' <"$STUB_ARGS" 2>/dev/null) != "list --raw -d $migrations " ]]; then
    fail "zsh did not run 'migrator list --raw -d $migrations': $(cat "$STUB_ARGS" 2>/dev/null)"
else
    echo "ok: zsh takes the names from 'migrator list --raw -d DIR'"
fi
PATH=$tmp/stub-bin:$PATH expect_exactly "migrator --migration-dir=$migrations mark-applied stub-20240102" \
    stub-20240102000000-add-index
# No migrator binary: the directory listing.
PATH=/usr/bin:/bin expect_exactly "migrator -d $migrations migrate to 2024" \
    20240101000000-create-user 20240103000000-seed
PATH=/usr/bin:/bin LOCAL_DIR=$tmp/project expect_exactly "database migrator migrate to 2024" \
    20240101000000-create-user 20240103000000-seed

# --- against the real binaries, when built: completions and --help agree -----------------
bin=${2:-}
tool_path() {
    local candidate
    for candidate in "$bin/tools/$1" "$bin/tools/$1/$1" "$bin/$1"; do
        [[ -f $candidate && -x $candidate ]] && { printf '%s\n' "$candidate"; return 0; }
    done
    return 1
}
# Long options of the "Options:" sections; subcommands of the "(Sub)commands:" sections.
help_options() {
    awk '/^[A-Za-z].*:$/ { in_opts = ($0 ~ /^Options:$/); next }
         in_opts && /^ +-/ { sub(/^ +/, ""); split($0, cols, /   +/); print cols[1] }' |
        grep -oE -- '--[a-zA-Z][a-zA-Z0-9_-]*' | sort -u
}
help_subcommands() {
    awk '/^[A-Za-z].*:$/ { in_cmds = ($0 ~ /^(Sub)?[Cc]ommands:$/); next }
         /^$/ { in_cmds = 0 }
         in_cmds && /^  [a-z]/ { print $1 }' | sort -u
}
for tool in postgres-init postgres-cleanup database migrator; do
    if ! path=$(tool_path "$tool"); then
        echo "note: $tool not built under $bin; not comparing with its --help"
        continue
    fi
    listed="" offered=""
    top_help=$("$path" --help 2>&1)
    subs=$(help_subcommands <<<"$top_help")
    for sub in "" $subs; do
        [[ $sub == help || ($tool == database && $sub == migrator) ]] && continue
        help=$("$path" $sub --help 2>&1) || { fail "'$tool $sub --help' failed: $help"; continue; }
        listed+=$(help_options <<<"$help")$'\n'
        # Nested subcommands (database secrets load, migrator migrate up): their options too.
        for subsub in $(help_subcommands <<<"$help"); do
            [[ -n $sub ]] || break
            listed+=$("$path" $sub "$subsub" --help 2>&1 | help_options)$'\n'
            capture "$tool $sub $subsub --"
            offered+=$(grep -- '^--' <<<"$got")$'\n'
        done
        capture "$tool ${sub:+$sub }--"
        offered+=$(grep -- '^--' <<<"$got")$'\n'
    done
    capture "$tool "
    missing=$(comm -23 <(printf '%s\n' $subs | sort -u) <(printf '%s\n' "$got"))
    [[ -z $missing ]] || fail "zsh '$tool <TAB>' lacks $(tr '\n' ' ' <<<"$missing")(listed by --help)"
    listed=$(sed '/^$/d' <<<"$listed" | sort -u)
    offered=$(sed '/^$/d' <<<"$offered" | sort -u)
    if [[ $listed != "$offered" ]]; then
        fail "zsh $tool: long options in --help but not completed: [$(comm -23 <(echo "$listed") <(echo "$offered") | tr '\n' ' ')]," \
            "completed but not in --help: [$(comm -13 <(echo "$listed") <(echo "$offered") | tr '\n' ' ')]"
    else
        echo "ok: zsh $tool: subcommands of --help offered; completed long options are exactly those of --help"
    fi
done

if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all zsh completion checks passed"
