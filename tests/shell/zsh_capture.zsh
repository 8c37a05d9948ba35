# Prints what zsh's completion system offers for command lines.
# Usage: zsh -f zsh_capture.zsh FPATH_DIR LINE...
# Each LINE is typed into one interactive zsh (in a pseudo-terminal, zsh/zpty) with
# compinit loaded and FPATH_DIR first on fpath, then TAB is pressed; the output is
# "== N" (N = the LINE's position, from 1) followed by the candidates, one per line, sorted.
# A LINE starting with "!" is run as a command instead (e.g. "!export PATH=/x:$PATH"); its
# block is empty. compadd is wrapped to print every match it adds.
zmodload zsh/zpty || exit 77
zmodload zsh/datetime
fdir=$1
shift
zpty hectic zsh -f -i
# Markers are lower-cased at run time, so the echoed command lines never match them.
zpty -w hectic "fpath=(${(q)fdir} \$fpath); PROMPT=; RPROMPT=; TERM=dumb"
zpty -w hectic 'autoload -Uz compinit && compinit -u -D'
zpty -w hectic 'hectic_mark() { print -rn -- $'"'"'\n'"'"'${(L):-<<HECTIC>>}$'"'"'\n'"'"' }; hectic-complete() { hectic_mark; zle complete-word; hectic_mark }; zle -N hectic-complete'
zpty -w hectic 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) || return 1; print -rl -- "${(L):-<C>}"${^__hits} }'
zpty -w hectic 'print ${(L):-READY}; bindkey "^I" hectic-complete; bindkey "^U" kill-whole-line; bindkey "^O" accept-line; bindkey "^M" undefined-key; bindkey "^J" undefined-key'

# Reads the pty until the accumulated output matches $1; gives up after 20 s.
read_until() {
  local chunk deadline=$(( EPOCHREALTIME + 20 ))
  buf=
  while [[ $buf != $~1 ]]; do
    if zpty -r -t hectic chunk; then
      buf+=$chunk
    elif (( EPOCHREALTIME > deadline )); then
      print -u2 -r -- "zsh_capture: no answer from zsh; output so far: $buf"
      exit 1
    else
      sleep 0.005
    fi
  done
}

read_until '*ready*'
integer n=0
for line in "$@"; do
  (( n++ ))
  print -r -- "== $n"
  if [[ $line == '!'* ]]; then
    zpty -w -n hectic "${line#!}; hectic_mark; hectic_mark"$'\C-o'
    read_until '*<<hectic>>*<<hectic>>*'
    continue
  fi
  zpty -w -n hectic "$line"$'\t'
  read_until '*<<hectic>>*<<hectic>>*'
  print -r -- "$buf" | tr -d '\r' | sed -n 's/^.*<c>//p' | sort -u
  zpty -w -n hectic $'\C-u'
done
zpty -d hectic
