#!/usr/bin/env bash
# The zsh completions (completions/zsh/_<binary>) parse, register with compinit, and, driven
# through a real interactive zsh in a pseudo-terminal (tests/shell/zsh_capture.zsh), offer
# the subcommands, options and migration names (from `migrator list --raw`, honouring -d /
# --migration-dir / MIGRATION_DIR). When the binaries are built, the completed subcommands
# and long options must be exactly those of each --help. All the command lines go through
# one zsh session. Usage: zsh_completion.sh SOURCE_DIR BINARY_DIR. Exit 77 (skip) when zsh
# is not installed.
set -uo pipefail

src=$(cd "$1" && pwd)
bin=${2:-}
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

for program in database migrator postgres-init postgres-cleanup db-ops; do
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
    print -r -- $_comps[database] $_comps[migrator] $_comps[postgres-init] $_comps[postgres-cleanup] $_comps[db-ops]' _ "$fdir" 2>&1)
if [[ $out == "_database _migrator _postgres-init _postgres-cleanup _db-ops" ]]; then
    echo "ok: compinit registers the five functions"
else
    fail "compinit registration: [$out]"
fi

if ! zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
    echo "note: zsh/zpty not available; not driving the completions"
    ((failures == 0)) || exit 1
    exit 0
fi

# --- the queries: collected first, answered by one zsh session, checked afterwards ---------
lines=() kinds=() wants=()
# exact LINE CANDIDATE... / has LINE CANDIDATE... / setup COMMAND / collect KEY LINE
exact() { lines+=("$1"); kinds+=(exact); shift; wants+=("$(printf '%s\n' "$@" | sort -u)"); }
has() { lines+=("$1"); kinds+=(has); shift; wants+=("$(printf '%s\n' "$@" | sort -u)"); }
setup() { lines+=("!$1"); kinds+=(setup); wants+=(""); }
collect() { lines+=("$2"); kinds+=("collect:$1"); wants+=(""); }

exact "database " deploy init hydrate patch test check cleanup log pull_staging \
    migrator backup restore normalize-backup diff secrets status help
exact "database de" deploy
has "database deploy -" --reuse -P --no-patch -H --no-hydrate -m --mock -c --cleanup --url --inherits
has "database -u x hydrate --" --no-hook --mock
exact "database secrets " load
exact "db-ops " secrets help
exact "db-ops secrets " load
has "db-ops secrets load -" -f --file
has "database secrets load -" -f --file
exact "migrator " init migrate create list status fetch plan apply mark-applied log diff watch help
has "migrator watch --" --store --path-prefix --interval --once --allow-drop --on-apply-failed
exact "migrator migrate " up down to
has "migrator migrate up " all latest head
has "migrator migrate -" --force --single-transaction --db-url --migration-dir --set
has "migrator migrate -" --targets --jobs --fail-fast --shard --json
has "migrator status -" --json --exit-code --targets
exact "postgres-init --format=" shell json
has "postgres-cleanup -" --help --version

mkdir -p "$tmp/pg/data/log"
touch "$tmp/pg/data/log/postgresql-2024-01-01.log" "$tmp/pg/data/log/postgresql-2024-01-02.log"
setup "export PG_WORKING_DIR=$tmp/pg"
exact "database log " list postgresql-2024-01-01.log postgresql-2024-01-02.log
setup "unset PG_WORKING_DIR"

migrations=$tmp/project/db/migration
mkdir -p "$migrations/20240101000000-create-user" "$migrations/20240103000000-seed"
mkdir -p "$tmp/stub-bin"
# The interpreter by absolute path: a nix build sandbox has no /usr/bin/env.
{
    printf '#!%s\n' "$BASH"
    cat <<'STUB'
printf '%s\n' "$@" >"$STUB_ARGS"
printf 'stub-%s\n' 20240101000000-create-user 20240102000000-add-index
STUB
} >"$tmp/stub-bin/migrator"
chmod +x "$tmp/stub-bin/migrator"

setup "export PATH=$tmp/stub-bin:\$PATH STUB_ARGS=$tmp/stub-args-1"
exact "migrator migrate -d $migrations to " latest head last \
    stub-20240101000000-create-user stub-20240102000000-add-index
setup "export STUB_ARGS=$tmp/stub-args-2"
exact "migrator --migration-dir=$migrations mark-applied stub-20240102" stub-20240102000000-add-index
# Without a migrator binary: the directory listing.
no_migrator_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
    [[ -n $dir && ! -x $dir/migrator ]] && no_migrator_path+=${no_migrator_path:+:}$dir
done
setup "export PATH=$no_migrator_path"
exact "migrator -d $migrations migrate to 2024" 20240101000000-create-user 20240103000000-seed
setup "export LOCAL_DIR=$tmp/project"
exact "database migrator migrate to 2024" 20240101000000-create-user 20240103000000-seed
setup "unset LOCAL_DIR"

# Against the real binaries, when built: help_* read the --help texts.
tool_path() {
    local candidate
    for candidate in "$bin/tools/$1" "$bin/tools/$1/$1" "$bin/bin/$1" "$bin/$1"; do
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
declare -A listed=()
help_tools=()
for tool in postgres-init postgres-cleanup database migrator db-ops; do
    if ! path=$(tool_path "$tool"); then
        echo "note: $tool not built under $bin; not comparing with its --help"
        continue
    fi
    help_tools+=("$tool")
    top_help=$("$path" --help 2>&1)
    subs=$(help_subcommands <<<"$top_help")
    [[ -z $subs ]] || has "$tool " $subs
    for sub in "" $subs; do
        [[ $sub == help || ($tool == database && $sub == migrator) ]] && continue
        help=$("$path" $sub --help 2>&1) || { fail "'$tool $sub --help' failed: $help"; continue; }
        listed[$tool]+=$(help_options <<<"$help")$'\n'
        collect "$tool" "$tool ${sub:+$sub }--"
        # Nested subcommands (database secrets load, migrator migrate up): their options too.
        [[ -n $sub ]] || continue
        for subsub in $(help_subcommands <<<"$help"); do
            listed[$tool]+=$("$path" $sub "$subsub" --help 2>&1 | help_options)$'\n'
            collect "$tool" "$tool $sub $subsub --"
        done
    done
done

# --- ask zsh --------------------------------------------------------------------------------
if ! answers=$(cd "$tmp" && timeout 300 zsh -f "$src/tests/shell/zsh_capture.zsh" "$fdir" "${lines[@]}" 2>&1); then
    fail "zsh_capture.zsh failed: $answers"
fi
declare -A got=()
index=0
while IFS= read -r answer; do
    if [[ $answer =~ ^==\ ([0-9]+)$ ]]; then
        index=${BASH_REMATCH[1]}
    elif ((index > 0)); then
        got[$index]+=$answer$'\n'
    fi
done <<<"$answers"

declare -A offered=()
for ((i = 0; i < ${#lines[@]}; i++)); do
    line=${lines[i]} kind=${kinds[i]} want=${wants[i]}
    answer=$(sed '/^$/d' <<<"${got[$((i + 1))]-}")
    case $kind in
        exact)
            if [[ $answer != "$want" ]]; then
                fail "zsh '$line<TAB>' offers [$(tr '\n' ' ' <<<"$answer")], expected [$(tr '\n' ' ' <<<"$want")]"
            else
                echo "ok: zsh '$line<TAB>' offers exactly $(tr '\n' ' ' <<<"$want")"
            fi
            ;;
        has)
            missing=$(comm -23 <(echo "$want") <(echo "$answer"))
            if [[ -n $missing ]]; then
                fail "zsh '$line<TAB>' lacks [$(tr '\n' ' ' <<<"$missing")]; offers [$(tr '\n' ' ' <<<"$answer")]"
            else
                echo "ok: zsh '$line<TAB>' offers $(tr '\n' ' ' <<<"$want")"
            fi
            ;;
        collect:*)
            offered[${kind#collect:}]+=$(grep -- '^--' <<<"$answer")$'\n'
            ;;
    esac
done

if [[ $(tr '\n' ' ' <"$tmp/stub-args-1" 2>/dev/null) != "list --raw -d $migrations " ]]; then
    fail "zsh did not run 'migrator list --raw -d $migrations': $(cat "$tmp/stub-args-1" 2>/dev/null)"
else
    echo "ok: zsh takes the names from 'migrator list --raw -d DIR'"
fi
[[ $(tr '\n' ' ' <"$tmp/stub-args-2" 2>/dev/null) == "list --raw -d $migrations " ]] ||
    fail "zsh did not pass --migration-dir=DIR to migrator list: $(cat "$tmp/stub-args-2" 2>/dev/null)"

for tool in "${help_tools[@]}"; do
    l=$(sed '/^$/d' <<<"${listed[$tool]-}" | sort -u)
    o=$(sed '/^$/d' <<<"${offered[$tool]-}" | sort -u)
    if [[ $l != "$o" ]]; then
        fail "zsh $tool: long options in --help but not completed: [$(comm -23 <(echo "$l") <(echo "$o") | tr '\n' ' ')]," \
            "completed but not in --help: [$(comm -13 <(echo "$l") <(echo "$o") | tr '\n' ' ')]"
    else
        echo "ok: zsh $tool: the completed long options are exactly those of --help ($(wc -l <<<"$l") options)"
    fi
done

if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all zsh completion checks passed"
