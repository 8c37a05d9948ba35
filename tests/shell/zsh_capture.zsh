# Prints the candidates zsh's completion system offers for a command line, one per line.
# Usage: zsh -f zsh_capture.zsh FPATH_DIR 'command line '   (the line is completed at its end)
# It runs an interactive zsh in a pseudo-terminal (zsh/zpty), loads compinit with FPATH_DIR
# first on fpath, wraps compadd to print every match, and presses TAB.
zmodload zsh/zpty || exit 77
fdir=$1
line=$2
zpty hectic zsh -f -i
# The markers are lower-cased at run time, so the echoed command lines never match them.
zpty -w hectic "fpath=(${(q)fdir} \$fpath); PROMPT=; RPROMPT=; TERM=dumb"
zpty -w hectic 'autoload -Uz compinit && compinit -u -D'
zpty -w hectic 'hectic_mark() { print -rn -- $'"'"'\n'"'"'${(L):-<<HECTIC>>}$'"'"'\n'"'"' }; compprefuncs=(hectic_mark); comppostfuncs=(hectic_mark exit)'
zpty -w hectic 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) || return 1; print -rl -- "${(L):-<C>}"${^__hits} }'
zpty -w hectic 'print ${(L):-READY}; bindkey "^I" complete-word; bindkey "^M" undefined-key; bindkey "^J" undefined-key'
zpty -r hectic out '*ready*'
zpty -w -n hectic "$line"$'\t'
zpty -r hectic out '*<<hectic>>*<<hectic>>*'
zpty -d hectic
print -r -- "$out" | tr -d '\r' | sed -n 's/^.*<c>//p' | sort -u
