#!/usr/bin/env bash
# The bash completions (completions/bash/hectic.bash) load in a plain bash and offer the
# subcommands and options of the five binaries, and the migration names for
# `migrator migrate to` / `mark-applied` / `database migrator migrate to` from
# `migrator list --raw` (honouring -d/--migration-dir and MIGRATION_DIR). When the binaries
# are built, every subcommand and long option their --help lists must be offered, and
# nothing else. Usage: bash_completion.sh SOURCE_DIR BINARY_DIR.
set -uo pipefail

src=$(cd "$1" && pwd)
bin=${2:-}
script=$src/completions/bash/hectic.bash
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hectic-bash-completion.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

if ! out=$(bash --norc --noprofile -c 'source "$1" && complete -p database migrator postgres-init postgres-cleanup db-ops' _ "$script" 2>&1); then
    fail "sourcing $script: $out"
fi
# shellcheck source=/dev/null
source "$script" || { echo "FAIL: cannot source $script" >&2; exit 1; }

# Runs the completion registered for $1 on the words given (the last one is the word under
# the cursor) and sets `got` to the candidates, one per line, sorted.
got=""
complete_words() {
    local spec fn
    # Like bash: the compspec of the full path, else of its last component.
    spec=$(complete -p "$1" 2>/dev/null) || spec=$(complete -p "${1##*/}" 2>/dev/null) ||
        { got=""; return 1; }
    fn=${spec#*-F }
    fn=${fn%% *}
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort)
}

# expect_has "WORDS" CANDIDATE... : each candidate is offered.
expect_has() {
    local line=$1 want
    shift
    local -a words
    read -r -a words <<<"$line"
    [[ $line == *" " ]] && words+=("")
    complete_words "${words[@]}"
    for want in "$@"; do
        if ! grep -qxF -- "$want" <<<"$got"; then
            fail "'$line<TAB>' does not offer '$want'; offers: $(tr '\n' ' ' <<<"$got")"
            return
        fi
    done
    echo "ok: '$line<TAB>' offers $*"
}

# expect_exactly "WORDS" CANDIDATE... : exactly these candidates.
expect_exactly() {
    local line=$1
    shift
    local -a words
    read -r -a words <<<"$line"
    [[ $line == *" " ]] && words+=("")
    complete_words "${words[@]}"
    local want
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
    if [[ $got != "$want" ]]; then
        fail "'$line<TAB>' offers [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]"
    else
        echo "ok: '$line<TAB>' offers exactly $*"
    fi
}

# --- subcommands and options, from the README --------------------------------------------------
expect_exactly "database " deploy init hydrate patch test check cleanup log pull_staging \
    migrator backup restore normalize-backup diff secrets status help
expect_exactly "database de" deploy
expect_exactly "database -u postgresql:///x hy" hydrate
expect_has "database deploy -" --reuse -P --no-patch -H --no-hydrate -m --mock -c --cleanup -u --url -i --inherits
expect_has "database hydrate --" --no-hook --mock
expect_has "database check -" -P -H -m
expect_has "database patch -" -e --edit
expect_has "database normalize-backup --" --output --role --database --admin-role
expect_has "database diff --" --tables --ignore-migration-fail --output --sql --generate --allow-drop
expect_exactly "database secrets " load
expect_has "database secrets load -" -f --file
expect_has "database diff " log

expect_exactly "migrator " init migrate create list status fetch plan apply mark-applied log diff watch help
expect_has "migrator watch --" --store --path-prefix --interval --once --allow-drop --on-apply-failed
# Words as bash splits them at COMP_WORDBREAKS (`:` and `=`): URLs and NAME=VALUE.
expect_exactly "migrator -u postgresql : //me@/db migrate " up down to
expect_exactly "migrator migrate -v name = value " up down to
expect_exactly "database -u postgresql : //me@/db?host = /tmp de" deploy
expect_exactly "migrator -u postgresql : //me@/db" 
expect_exactly "migrator mi" migrate
expect_exactly "migrator migrate " up down to
expect_exactly "migrator -d /nowhere migrate " up down to
expect_has "migrator migrate up " all latest head
expect_has "migrator migrate down " all
expect_has "migrator migrate to " latest head last
expect_has "migrator -" -u --db-url -d --migration-dir -V --version -h --help
expect_has "migrator init --" --dry-run
expect_has "migrator list --" --raw
expect_has "migrator create --" --name --from-diff --to --allow-drop
expect_has "migrator apply --" --plan --auto-approve
expect_has "migrator plan --" --output-json --output-human
expect_has "migrator --" --targets --jobs --fail-fast --shard --json
expect_has "migrator status --" --json --exit-code
expect_has "migrator log --" --json --limit

expect_has "postgres-init -" --format -h --help --version
expect_exactly "postgres-init --format " shell json
expect_has "postgres-cleanup -" -h --help --version
expect_exactly "db-ops " secrets help
expect_exactly "db-ops -u postgresql : //me@/db secrets " load
expect_has "db-ops secrets load -" -f --file -u --url
expect_has "db-ops -" -u --url --version -h --help

# --- database log: the server log files of PG_WORKING_DIR ---------------------------------
mkdir -p "$tmp/pg/data/log"
touch "$tmp/pg/data/log/postgresql-2024-01-01.log" "$tmp/pg/data/log/postgresql-2024-01-02.log"
PG_WORKING_DIR=$tmp/pg expect_exactly "database log " list postgresql-2024-01-01.log postgresql-2024-01-02.log
PG_WORKING_DIR=$tmp/pg expect_exactly "database log postgresql-2024-01-02" postgresql-2024-01-02.log

# --- migration names -------------------------------------------------------------------------
migrations=$tmp/project/db/migration
mkdir -p "$migrations/20240101000000-create-user" "$migrations/20240102000000-add index" \
    "$migrations/20240103000000-seed"
for dir in "$migrations"/*/; do
    echo "select 1;" >"$dir/up.sql"
    echo "select 1;" >"$dir/down.sql"
done
# PATH without any migrator on it (the system tools stay reachable, also in a nix build).
no_migrator_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
    [[ -n $dir && ! -x $dir/migrator ]] && no_migrator_path+=${no_migrator_path:+:}$dir
done

# A migrator on PATH that records its arguments and answers like `migrator list --raw`.
mkdir -p "$tmp/stub-bin"
# The interpreter by absolute path: a nix build sandbox has no /usr/bin/env.
{
    printf '#!%s\n' "$BASH"
    cat <<'EOF'
printf '%s\n' "$@" >"$STUB_ARGS"
dir=${MIGRATION_DIR:-./migration}
while (($#)); do
    case $1 in
        -d | --migration-dir) dir=$2; shift ;;
    esac
    shift
done
printf 'stub-%s\n' 20240101000000-create-user "20240102000000-add index"
printf 'dir=%s\n' "$dir" >>"$STUB_ARGS"
EOF
} >"$tmp/stub-bin/migrator"
chmod +x "$tmp/stub-bin/migrator"
export STUB_ARGS=$tmp/stub-args

PATH=$tmp/stub-bin:$PATH expect_exactly "migrator -d $migrations migrate to " latest head last \
    stub-20240101000000-create-user 'stub-20240102000000-add\ index'
if [[ $(head -3 "$STUB_ARGS" | tr '\n' ' ') != "list --raw -d " || $(tail -1 "$STUB_ARGS") != "dir=$migrations" ]]; then
    fail "the completion did not run 'migrator list --raw -d $migrations': $(tr '\n' ' ' <"$STUB_ARGS")"
else
    echo "ok: names come from 'migrator list --raw -d DIR'"
fi
rm -f "$STUB_ARGS"
PATH=$tmp/stub-bin:$PATH expect_exactly "migrator migrate --migration-dir=$migrations to stub-2024010" \
    stub-20240101000000-create-user 'stub-20240102000000-add\ index'
grep -qxF "dir=$migrations" "$STUB_ARGS" 2>/dev/null || fail "--migration-dir=DIR did not reach migrator list"
# COMP_WORDBREAKS splits `--migration-dir=DIR` into `--migration-dir` `=` `DIR`.
rm -f "$STUB_ARGS"
PATH=$tmp/stub-bin:$PATH expect_exactly "migrator migrate --migration-dir = $migrations to stub-2024010" \
    stub-20240101000000-create-user 'stub-20240102000000-add\ index'
grep -qxF "dir=$migrations" "$STUB_ARGS" 2>/dev/null || fail "'--migration-dir = DIR' did not reach migrator list"
PATH=$tmp/stub-bin:$PATH MIGRATION_DIR=$migrations expect_has "migrator mark-applied " stub-20240101000000-create-user

# Without a migrator binary: the directory listing, same names.
PATH=$no_migrator_path expect_exactly "migrator -d $migrations migrate to 2024" \
    20240101000000-create-user '20240102000000-add\ index' 20240103000000-seed
PATH=$no_migrator_path MIGRATION_DIR=$migrations expect_exactly "migrator migrate to 20240103" \
    20240103000000-seed
# `database migrator ...`: the project's migration dir ($DATABASE_DIR/migration).
PATH=$no_migrator_path LOCAL_DIR=$tmp/project expect_has "database -u postgresql:///x migrator migrate to " \
    latest 20240101000000-create-user 20240103000000-seed
PATH=$no_migrator_path LOCAL_DIR=$tmp/project expect_exactly "database migrator migrate " up down to

# --- with the bash-completion package loaded (its _filedir completes paths) --------------
for bash_completion in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
    [[ -r $bash_completion ]] || continue
    if out=$(cd "$tmp/project/db" && bash --norc --noprofile -c '
        source "$1" && source "$2" || exit 1
        COMP_WORDS=(migrator -d mig); COMP_CWORD=2; COMP_LINE="migrator -d mig"; COMP_POINT=${#COMP_LINE}
        _hectic_migrator; printf "%s\n" "${COMPREPLY[@]}"
        COMP_WORDS=(migrator -d migration migrate to 202401030); COMP_CWORD=5
        COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
        _hectic_migrator; printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion" "$script" 2>&1) &&
        [[ $out == $'migration\n20240103000000-seed' ]]; then
        echo "ok: works with $bash_completion loaded (directories, migration names)"
    else
        fail "with $bash_completion loaded: [$out]"
    fi
    break
done

# --- the CMake install layout, and bash-completion's on-demand loading from it -----------
if [[ -n $bin && -f $bin/completions/cmake_install.cmake ]] && command -v cmake >/dev/null; then
    prefix=$tmp/prefix
    if ! out=$(cmake -DCMAKE_INSTALL_PREFIX="$prefix" -P "$bin/completions/cmake_install.cmake" 2>&1); then
        fail "installing the completions: $out"
    fi
    for program in database migrator postgres-init postgres-cleanup db-ops; do
        [[ -f $prefix/share/bash-completion/completions/$program ]] ||
            fail "cmake --install: no share/bash-completion/completions/$program"
        [[ -f $prefix/share/zsh/site-functions/_$program ]] ||
            fail "cmake --install: no share/zsh/site-functions/_$program"
        out=$(bash --norc --noprofile -c 'source "$1" && complete -p "$2"' _ \
            "$prefix/share/bash-completion/completions/$program" "$program" 2>&1)
        [[ $out == "complete -F "*" $program" ]] || fail "installed completion for $program: [$out]"
    done
    echo "ok: cmake --install puts the bash and zsh completions of the five binaries in place"
    for bash_completion in /usr/share/bash-completion/bash_completion; do
        [[ -r $bash_completion ]] || continue
        out=$(XDG_DATA_DIRS=$prefix/share bash --norc --noprofile -c \
            'source "$1" && __load_completion migrator && complete -p migrator' _ "$bash_completion" 2>&1)
        if [[ $out == "complete -F _hectic_migrator migrator" ]]; then
            echo "ok: bash-completion loads the installed completion on demand"
        else
            fail "bash-completion on-demand loading from $prefix/share: [$out]"
        fi
    done
fi

# --- against the real binaries, when built: completions and --help agree -----------------
tool_path() {
    local candidate
    for candidate in "$bin/tools/$1" "$bin/tools/$1/$1" "$bin/bin/$1" "$bin/$1"; do
        [[ -f $candidate && -x $candidate ]] && { printf '%s\n' "$candidate"; return 0; }
    done
    return 1
}

# The long options of the "Options:" sections of a --help text (the option column only, not
# the prose or the examples).
help_options() {
    awk '/^[A-Za-z].*:$/ { in_opts = ($0 ~ /^Options:$/); next }
         in_opts && /^ +-/ { sub(/^ +/, ""); split($0, cols, /   +/); print cols[1] }' |
        grep -oE -- '--[a-zA-Z][a-zA-Z0-9_-]*' | sort -u
}
# The subcommands of a --help text: first words of the "Subcommands:" (CLI11) or "Commands:"
# section, at two spaces of indentation.
help_subcommands() {
    awk '/^[A-Za-z].*:$/ { in_cmds = ($0 ~ /^(Sub)?[Cc]ommands:$/); next }
         /^$/ { in_cmds = 0 }
         in_cmds && /^  [a-z]/ { print $1 }' | sort -u
}

# Walks `tool [sub [subsub]] --help`: every subcommand listed must be offered at its
# position; the union of the long options listed must equal the union of the long options
# the completion offers at those positions.
check_tool_against_help() {
    local tool=$1 path=$2
    local -a queue=("") # subcommand paths, space-separated words
    local listed="" offered="" prefix help subs sub missing
    while ((${#queue[@]})); do
        prefix=${queue[0]}
        queue=("${queue[@]:1}")
        local -a prefix_words=()
        read -r -a prefix_words <<<"$prefix"
        if ! help=$("$path" "${prefix_words[@]}" --help 2>&1); then
            fail "'$tool $prefix --help' failed: $help"
            continue
        fi
        listed+=$(help_options <<<"$help")$'\n'
        complete_words "$tool" "${prefix_words[@]}" "--"
        offered+=$(grep -- '^--' <<<"$got")$'\n'
        subs=$(help_subcommands <<<"$help")
        [[ -n $subs ]] || continue
        complete_words "$tool" "${prefix_words[@]}" ""
        missing=$(comm -23 <(printf '%s\n' "$subs") <(printf '%s\n' "$got"))
        if [[ -n $missing ]]; then
            fail "'$tool $prefix <TAB>' lacks $(tr '\n' ' ' <<<"$missing")(listed by '$tool $prefix --help')"
        else
            echo "ok: '$tool $prefix <TAB>' offers every subcommand of --help"
        fi
        for sub in $subs; do
            # `database migrator` hands everything to migrator; `help` is the help.
            [[ $sub == help || ($tool == database && $sub == migrator) ]] && continue
            ((${#prefix_words[@]} < 2)) && queue+=("${prefix:+$prefix }$sub")
        done
    done
    listed=$(sed '/^$/d' <<<"$listed" | sort -u)
    offered=$(sed '/^$/d' <<<"$offered" | sort -u)
    if [[ $listed != "$offered" ]]; then
        fail "$tool: long options in --help but not completed: [$(comm -23 <(echo "$listed") <(echo "$offered") | tr '\n' ' ')]," \
            "completed but not in --help: [$(comm -13 <(echo "$listed") <(echo "$offered") | tr '\n' ' ')]"
    else
        echo "ok: $tool: the completed long options are exactly those of --help ($(wc -l <<<"$listed") options)"
    fi
}

for tool in postgres-init postgres-cleanup database migrator db-ops; do
    if path=$(tool_path "$tool"); then
        check_tool_against_help "$tool" "$path"
    else
        echo "note: $tool not built under $bin; not comparing with its --help"
    fi
done

# The real migrator lists the names (migrator list --raw -d DIR), typed as a path.
if path=$(tool_path migrator); then
    PATH=$no_migrator_path expect_exactly "$path -d $migrations migrate to 20240" \
        20240101000000-create-user '20240102000000-add\ index' 20240103000000-seed
    mkdir -p "$tmp/real-bin"
    ln -s "$path" "$tmp/real-bin/migrator"
    PATH=$tmp/real-bin:$no_migrator_path LOCAL_DIR=$tmp/project expect_has "database migrator migrate to " \
        latest 20240101000000-create-user '20240102000000-add\ index' 20240103000000-seed
fi

if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all bash completion checks passed"
