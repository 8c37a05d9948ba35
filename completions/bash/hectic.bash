# bash completion for the hectic tools: database, migrator, postgres-init, postgres-cleanup,
# db-ops.
#
# One file for the five binaries, installed under each binary's name in
# share/bash-completion/completions/ (bash-completion loads it on first use of any of them),
# or sourced directly from ~/.bashrc. Self-contained: it works without the bash-completion
# package. Migration names (`migrator migrate to`, `migrator mark-applied`) come from
# `migrator list --raw`, honouring -d/--migration-dir and MIGRATION_DIR.

# Sets _hectic_cur and _hectic_prev, and _hectic_opt_arg when the cursor is on the value
# of a `--opt=value` word (COMP_WORDBREAKS splits it into `--opt`, `=`, `value`).
_hectic_current() {
    local -n _w=$1
    local cword=$2
    _hectic_cur=${_w[cword]-}
    _hectic_prev=${_w[cword - 1]-}
    if [[ $_hectic_cur == "=" && $_hectic_prev == --* ]]; then
        _hectic_cur=""
    elif [[ $_hectic_prev == "=" && $cword -ge 2 && ${_w[cword - 2]} == --* ]]; then
        _hectic_prev=${_w[cword - 2]}
    fi
}

# Adds the whitespace-separated words of $1 that start with the current word to COMPREPLY.
_hectic_reply() {
    local -a list=()
    local word
    IFS=$' \t\n' read -r -d '' -a list <<<"$1"
    for word in "${list[@]}"; do
        [[ $word == "$_hectic_cur"* ]] && COMPREPLY+=("$word")
    done
}

# The same for one candidate per line of $1 (migration names may hold spaces): candidates
# are inserted shell-quoted, and match the current word typed raw or quoted.
_hectic_reply_lines() {
    local -a list=()
    local word quoted
    mapfile -t list <<<"$1"
    for word in "${list[@]}"; do
        [[ -n $word ]] || continue
        printf -v quoted '%q' "$word"
        if [[ $word == "$_hectic_cur"* || $quoted == "$_hectic_cur"* ]]; then
            COMPREPLY+=("$quoted")
        fi
    done
}

# Adds file (or, with -d, directory) names to COMPREPLY, through bash-completion's
# _filedir when it is loaded.
_hectic_files() {
    if declare -F _filedir >/dev/null; then
        local cur=$_hectic_cur
        if [[ ${1-} == -d ]]; then _filedir -d; else _filedir; fi
        return
    fi
    local IFS=$'\n'
    local kind=-f
    [[ ${1-} == -d ]] && kind=-d
    COMPREPLY+=($(compgen "$kind" -- "$_hectic_cur"))
    compopt -o filenames 2>/dev/null
}

# A word as the user typed it, with one pair of outer quotes and a leading ~ resolved.
_hectic_unquote() {
    local word=$1
    if [[ $word == \'*\' || $word == \"*\" ]]; then
        word=${word:1:${#word}-2}
    fi
    [[ $word == "~" || $word == "~/"* ]] && word=$HOME${word:1}
    printf '%s' "$word"
}

# Prints the migration names of a directory ($2, empty: migrator's own default) using the
# migrator binary $1; falls back to the directory listing when that binary is not there.
_hectic_migration_names() {
    local migrator=$1 dir=$2
    local -a args=(list --raw)
    [[ -n $dir ]] && args+=(-d "$dir")
    if type -P "$migrator" >/dev/null 2>&1; then
        "$migrator" "${args[@]}" 2>/dev/null </dev/null
        return
    fi
    [[ -n $dir ]] || dir=${MIGRATION_DIR:-./migration}
    local path
    for path in "$dir"/[0-9]*-*/; do
        [[ -d $path ]] || continue
        path=${path%/}
        printf '%s\n' "${path##*/}"
    done
}

_hectic_migrator_subcommands="init migrate create list status fetch plan apply mark-applied log diff watch help"
# Options that stand anywhere (before or after the subcommand).
_hectic_migrator_global_opts="-u --db-url -d --migration-dir -v --set -f --force --single-transaction --lock-timeout --statement-timeout --lock-wait --targets --jobs --fail-fast --shard --json --inherits -V --version -h --help"
# Options that take a value (the next word, or `--opt=value`).
_hectic_migrator_arg_opts="-u --db-url -d --migration-dir --inherits -v --set --lock-wait --lock-timeout --statement-timeout --jobs --shard --targets -n --name --limit --output-json --output-human --output-sql --plan --file --env --source-schema --target-schema --to --store --path-prefix --schema-file --completed-file --interval --hook-timeout --on-start --on-fetch-error --on-apply-failed --on-apply-succeeded"

# Completes migrator's arguments: $1 = the index of the current word in the array named by
# $2 whose element 0 is the migrator command word.
_hectic_migrator_core() {
    local cword=$1
    local -n words=$2
    local _hectic_cur _hectic_prev
    _hectic_current words "$cword"

    # Walk the words before the cursor: collect positionals, remember -d.
    local -a pos=()
    local migration_dir="" i=1 word opt
    while ((i < cword)); do
        word=${words[i]}
        if [[ $word == -* ]]; then
            opt=$word
            if [[ " $_hectic_migrator_arg_opts " == *" $opt "* ]]; then
                # `--opt=value`, split by COMP_WORDBREAKS into `--opt` `=` `value`.
                if [[ ${words[i + 1]-} == "=" ]]; then ((i++)); fi
                ((i++))
                if ((i < cword)) && [[ $opt == -d || $opt == --migration-dir ]]; then
                    migration_dir=$(_hectic_unquote "${words[i]}")
                fi
            elif [[ $opt == --migration-dir=?* ]]; then
                migration_dir=$(_hectic_unquote "${opt#--migration-dir=}")
            fi
        elif [[ $word == "=" || $word == ":" ]]; then
            # COMP_WORDBREAKS split `NAME=VALUE` or `postgresql://...`: skip the rest.
            ((i++))
        else
            pos+=("$word")
        fi
        ((i++))
    done

    case $_hectic_prev in
        -d | --migration-dir) _hectic_files -d; return ;;
        --plan | --output-json | --output-human | --output-sql | --file | --env | --to | --store | --targets) _hectic_files; return ;;
        --path-prefix | --schema-file | --completed-file | --interval | --hook-timeout | --on-start | --on-fetch-error | --on-apply-failed | --on-apply-succeeded)
            return ;;
        -u | --db-url | --inherits | -v | --set | --lock-wait | --lock-timeout | --statement-timeout | --jobs | --shard | -n | --name | --limit)
            return ;;
    esac

    local sub=${pos[0]-}
    [[ $sub == fetch ]] && sub=status
    if [[ $_hectic_cur == -* ]]; then
        local opts=$_hectic_migrator_global_opts
        case $sub in
            init) opts+=" --dry-run" ;;
            apply) opts+=" --plan --auto-approve --file --allow-drop --rename-before-drop --online --hook --schema --exclude-schema --no-privileges --owner" ;;
            create) opts+=" -n --name --from-diff --to --allow-drop" ;;
            list) opts+=" --raw" ;;
            status) opts+=" --exit-code" ;;
            plan) opts+=" --output-json --output-human --output-sql --file --allow-drop --rename-before-drop --online --hook --schema --exclude-schema --no-privileges --owner" ;;
            log) opts+=" -n --limit" ;;
            diff) opts+=" --from --to --output --output-json --apply --allow-drop --rename-before-drop --rename --online --schema --exclude-schema --no-privileges --owner --hook --env --source-schema --target-schema --dry-run --no-rename-before-drop" ;;
            watch) opts+=" --store --path-prefix --schema-file --completed-file --interval --once --allow-drop --on-start --on-fetch-error --on-apply-failed --on-apply-succeeded --hook-timeout" ;;
        esac
        _hectic_reply "$opts"
        return
    fi

    local migrator=${words[0]}
    [[ $migrator == */* ]] || migrator=migrator
    migrator=$(_hectic_unquote "$migrator")
    case ${#pos[@]} in
        0) _hectic_reply "$_hectic_migrator_subcommands" ;;
        1)
            case $sub in
                migrate) _hectic_reply "up down to" ;;
                mark-applied) _hectic_reply_lines "$(_hectic_migration_names "$migrator" "$migration_dir")" ;;
                help) _hectic_reply "$_hectic_migrator_subcommands" ;;
            esac
            ;;
        2)
            [[ $sub == migrate ]] || return
            case ${pos[1]} in
                up) _hectic_reply "1 all latest head" ;;
                down) _hectic_reply "1 all" ;;
                to)
                    _hectic_reply "latest head last"
                    _hectic_reply_lines "$(_hectic_migration_names "$migrator" "$migration_dir")"
                    ;;
            esac
            ;;
    esac
}

_hectic_migrator() {
    COMPREPLY=()
    _hectic_migrator_core "$COMP_CWORD" COMP_WORDS
}

_hectic_database_subcommands="deploy init hydrate patch test check cleanup log pull_staging migrator backup restore normalize-backup diff secrets status help"
_hectic_database_arg_opts="-u --url -i --inherits -o --output --role --database --admin-role --tables --generate -f --file"

# The server log files `database log` can pick, by name.
_hectic_database_logs() {
    local dir=${PG_WORKING_DIR:-${LOCAL_DIR:+$LOCAL_DIR/focus/postgresql}}
    [[ -n $dir && -d $dir/data/log ]] || return
    local path
    for path in "$dir"/data/log/*; do
        [[ -f $path ]] && printf '%s\n' "${path##*/}"
    done
}

_hectic_database() {
    COMPREPLY=()
    local cword=$COMP_CWORD
    local -a words=("${COMP_WORDS[@]}")
    local _hectic_cur _hectic_prev
    _hectic_current words "$cword"

    local -a pos=()
    local i=1 word sub_index=0
    while ((i < cword)); do
        word=${words[i]}
        if [[ $word == -* ]]; then
            if [[ " $_hectic_database_arg_opts " == *" $word "* ]]; then
                if [[ ${words[i + 1]-} == "=" ]]; then ((i++)); fi
                ((i++))
            fi
        elif [[ $word == "=" || $word == ":" ]]; then
            ((i++))
        else
            pos+=("$word")
            if [[ ${#pos[@]} -eq 1 && $word == migrator ]]; then
                sub_index=$i
                break
            fi
        fi
        ((i++))
    done

    # `database migrator ARGS...` runs migrator with the project's MIGRATION_DIR.
    if ((sub_index > 0)); then
        local -a sub_words=("${words[@]:sub_index}")
        sub_words[0]=migrator
        local project_dir=${LOCAL_DIR:-.}
        MIGRATION_DIR=${MIGRATION_DIR:-${DATABASE_DIR:-$project_dir/db}/migration} \
            _hectic_migrator_core $((cword - sub_index)) sub_words
        return
    fi

    case $_hectic_prev in
        -o | --output | -f | --file) _hectic_files; return ;;
        --format) if [[ ${pos[0]-} == status ]]; then _hectic_reply "text json"; else _hectic_reply "shell json"; fi; return ;;
        -u | --url | -i | --inherits | --role | --database | --admin-role | --tables | --generate) return ;;
    esac

    local sub=${pos[0]-}
    if [[ $_hectic_cur == -* ]]; then
        local opts="-h --help -u --url -i --inherits"
        case $sub in
            "") opts+=" --version" ;;
            deploy) opts+=" --reuse -P --no-patch -H --no-hydrate -m --mock -c --cleanup --format" ;;
            init) opts+=" --reuse --format" ;;
            hydrate) opts+=" -H --no-hook -m --mock" ;;
            patch) opts+=" -e --edit" ;;
            check) opts+=" -P --no-patch -H --no-hydrate -m --mock" ;;
            backup) opts+=" -o --output" ;;
            restore) opts+=" --archive" ;;
            normalize-backup) opts+=" -o --output --role --database --admin-role --archive" ;;
            diff) opts+=" --tables --ignore-migration-fail -m --mock --archive -o --output --sql --generate --allow-drop" ;;
            secrets) opts+=" -f --file --dry-run" ;;
            status) opts+=" --format" ;;
        esac
        _hectic_reply "$opts"
        return
    fi

    case ${#pos[@]} in
        0) _hectic_reply "$_hectic_database_subcommands" ;;
        1)
            case $sub in
                log) _hectic_reply "list"; _hectic_reply_lines "$(_hectic_database_logs)" ;;
                secrets) _hectic_reply "load" ;;
                diff) _hectic_reply "log"; _hectic_files -d ;;
                restore | normalize-backup) _hectic_files ;;
            esac
            ;;
    esac
}

_hectic_postgres_init() {
    COMPREPLY=()
    local _hectic_cur _hectic_prev
    _hectic_current COMP_WORDS "$COMP_CWORD"
    case $_hectic_prev in
        --format) _hectic_reply "shell json"; return ;;
    esac
    [[ $_hectic_cur == -* ]] && _hectic_reply "--format -h --help --version"
}

_hectic_postgres_cleanup() {
    COMPREPLY=()
    local _hectic_cur _hectic_prev
    _hectic_current COMP_WORDS "$COMP_CWORD"
    [[ $_hectic_cur == -* ]] && _hectic_reply "-h --help --version"
}

# db-ops [-u URL] secrets load [-f FILE].
_hectic_db_ops() {
    COMPREPLY=()
    local _hectic_cur _hectic_prev
    _hectic_current COMP_WORDS "$COMP_CWORD"
    case $_hectic_prev in
        -f | --file) _hectic_files; return ;;
        -u | --url) return ;;
    esac
    local -a pos=()
    local i=1 word
    while ((i < COMP_CWORD)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -u || $word == --url || $word == -f || $word == --file ]]; then
            if [[ ${COMP_WORDS[i + 1]-} == "=" ]]; then ((i++)); fi
            ((i++))
        elif [[ $word == "=" || $word == ":" ]]; then
            ((i++)) # the rest of a word bash split at COMP_WORDBREAKS
        elif [[ $word != -* ]]; then
            pos+=("$word")
        fi
        ((i++))
    done
    if [[ $_hectic_cur == -* ]]; then
        local opts="-h --help -u --url"
        case ${#pos[@]} in
            0) opts+=" --version" ;;
            2) opts+=" -f --file --dry-run" ;;
        esac
        _hectic_reply "$opts"
        return
    fi
    case ${#pos[@]} in
        0) _hectic_reply "secrets help" ;;
        1) [[ ${pos[0]} == secrets ]] && _hectic_reply "load" ;;
    esac
}

complete -F _hectic_database database
complete -F _hectic_migrator migrator
complete -F _hectic_postgres_init postgres-init
complete -F _hectic_postgres_cleanup postgres-cleanup
complete -F _hectic_db_ops db-ops
