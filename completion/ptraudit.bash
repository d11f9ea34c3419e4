# SPDX-License-Identifier: MIT
# bash completion for ptraudit(1).  Installed as
# $(datarootdir)/bash-completion/completions/ptraudit, where bash-completion
# loads it on first use; or `source completion/ptraudit.bash`.
#
# Nothing is listed here by hand that the program can say itself: the
# subcommands come from the usage lines of `ptraudit --help`, and each
# (sub)command's options and their argument names from the option lines of
# its own `--help` (the ptraudit being completed, so the completion follows
# the installed version).  What an argument name means is the one thing
# kept here: FILE-like names complete file names, and --format and --fail-on
# their values (tests/it_completion.sh checks both against --help).

# _ptraudit_table PROG [SUB]: one line per option of PROG [SUB] --help:
# "SHORT|LONG|ARG" (SHORT and ARG may be empty).  Option lines start with
# 2 to 6 spaces and a dash; wrapped description lines are indented further.
_ptraudit_table() {
  "$@" --help 2>/dev/null |
    sed -nE 's/^ {2,6}(-([A-Za-z]), )?(--[a-z][a-z0-9-]*)( ([A-Z][A-Za-z0-9_:./]*(\[[A-Z:]*\])?))?( .*)?$/\2|\3|\5/p'
}

# _ptraudit_subcommands PROG: the words after "ptraudit" in the usage lines
# that are subcommands (lower-case words), e.g. diff merge summary.
_ptraudit_subcommands() {
  "$1" --help 2>/dev/null | sed -nE 's/^(Usage:)? +ptraudit ([a-z]+)( .*)?$/\2/p' | sort -u
}

_ptraudit() {
  local cur prev prog sub subs table arg s l a
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  prog=${COMP_WORDS[0]}
  COMPREPLY=()

  subs=$(_ptraudit_subcommands "$prog" | tr '\n' ' ')
  sub=
  if ((COMP_CWORD > 1)); then
    case " $subs " in
      *" ${COMP_WORDS[1]} "*) sub=${COMP_WORDS[1]} ;;
    esac
  fi
  table=$(_ptraudit_table "$prog" ${sub:+"$sub"})

  # The argument of the option before the cursor (--opt ARG, -o ARG).
  arg=
  if [[ $prev == -* && $prev =~ ^--?[A-Za-z0-9-]+$ ]]; then
    while IFS='|' read -r s l a; do
      if [[ (-n $s && $prev == "-$s") || $prev == "$l" ]]; then
        arg=$a
        [[ -n $arg ]] && break
      fi
    done <<<"$table"
  fi
  if [[ -n $arg ]]; then
    case $prev in
      --format) mapfile -t COMPREPLY < <(compgen -W "csv jsonl" -- "$cur") ;;
      --fail-on) mapfile -t COMPREPLY < <(compgen -W "fail warn never" -- "$cur") ;;
      *)
        case $arg in
          FILE | F | CP | OUT | REPORT* | INVENTORY* | OLD | NEW)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        esac ;;
    esac
    return 0
  fi

  case $cur in
    --*=*) return 0 ;;
    -*)
      mapfile -t COMPREPLY < <(compgen -W "$(cut -d'|' -f2 <<<"$table")" -- "$cur")
      return 0 ;;
    @*)
      # @FILE: a file of targets.
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "${cur#@}" | sed 's/^/@/')
      return 0 ;;
  esac
  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    # Targets and file names too, unless only a subcommand can match.
    [[ ${#COMPREPLY[@]} -gt 0 && -n $cur ]] && return 0
  fi
  compopt -o filenames 2>/dev/null
  mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
  return 0
}
complete -F _ptraudit ptraudit
