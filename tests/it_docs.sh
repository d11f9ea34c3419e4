#!/bin/bash
# SPDX-License-Identifier: MIT
# it_docs.sh - the documentation is part of the contract: README.md and the
# man page ptraudit.1 must describe what the built binary does.
#   - the README's quick start holds exactly the two set-up commands;
#   - every long option that `ptraudit --help` (and each subcommand's --help)
#     prints, and every option in src/cli/options.c's getopt table, appears in
#     README.md and ptraudit.1; every option of the table is in --help;
#   - every column of the binary's header row (with and without --ehlo),
#     every flag name and every verdict / iprev / ptr_status / smtp_status
#     value (from src/core/verdict.c's name tables) appears in the README and in
#     the man page;
#   - groff reports no warnings for ptraudit.1 and man renders it;
#   - every relative link in README.md points at a file that exists.
# Network: the header-row runs send one DNS query each to 127.0.0.1:9 (the
# discard port; nothing answers) and nothing else.
source "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

README=README.md
MAN=ptraudit.1
for f in "$README" "$MAN" "$PTRAUDIT" src/cli/options.c src/core/verdict.c; do
  [ -e "$f" ] || { not_ok "$f exists"; finish; }
done

# The man source with roff escapes for '-' undone and font changes dropped,
# so "\-\-ip\-column" reads "--ip-column".
MANTEXT=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\%//g' "$MAN")
READTEXT=$(cat "$README")

# has_opt TEXT OPT: OPT (e.g. --exclude) occurs, not as a prefix of a longer
# option (--exclude-file).
has_opt() { grep -qE -- "$2([^a-z0-9-]|\$)" <<<"$1"; }
# has_word TEXT WORD: WORD occurs as a whole word (for column and flag names).
has_word() { grep -qE -- "(^|[^A-Za-z0-9_])$2([^A-Za-z0-9_]|\$)" <<<"$1"; }

# ---- quick start: exactly the two set-up commands, verbatim ---------------
CMD_DEMO='scripts/deps && ./configure && make demo'
CMD_CHECK='scripts/deps && ./configure && make check'
grep -qxF -- "$CMD_DEMO" "$README" && ok "README: quick-start command 1 verbatim" \
  || not_ok "README: quick-start command 1 verbatim" "missing line: $CMD_DEMO"
grep -qxF -- "$CMD_CHECK" "$README" && ok "README: quick-start command 2 verbatim" \
  || not_ok "README: quick-start command 2 verbatim" "missing line: $CMD_CHECK"
# The code blocks of the "Quick start" section before its first subsection.
qs_blocks=$(awk '
  /^## Quick start/ { on = 1; next }
  on && /^##/ { exit }
  on && /^```/ { inb = !inb; if (inb) n++; next }
  on && inb { printf "%d:%s\n", n, $0 }' "$README")
check "README: the quick start has exactly the two set-up commands" \
  "1:$CMD_DEMO
2:$CMD_CHECK" "$qs_blocks"

# ---- options ---------------------------------------------------------------
help_opts() { "$PTRAUDIT" "$@" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u; }
MAIN_HELP=$(help_opts)
[ -n "$MAIN_HELP" ] && ok "ptraudit --help prints long options" \
  || not_ok "ptraudit --help prints long options"
# The getopt table: lines like  {"ip-column", required_argument, ...
TABLE_OPTS=$(sed -n '/longopts\[\] = {/,/^};/p' src/cli/options.c |
  grep -oE '^[[:space:]]*\{"[a-z0-9-]+"' | sed -E 's/.*\{"/--/; s/"$//' | sort -u)
[ "$(wc -l <<<"$TABLE_OPTS")" -ge 20 ] && ok "src/cli/options.c getopt table read" \
  || not_ok "src/cli/options.c getopt table read" "$TABLE_OPTS"

missing_help=""
for o in $TABLE_OPTS; do has_opt "$MAIN_HELP" "$o" || missing_help="$missing_help $o"; done
check "every option of the getopt table is in ptraudit --help" "" "${missing_help# }"

for sub in "" diff merge summary; do
  # shellcheck disable=SC2086
  opts=$(help_opts $sub)
  [ -z "$sub" ] && opts=$(printf '%s\n%s\n' "$opts" "$TABLE_OPTS" | sort -u)
  what=${sub:-main}
  missing_r="" missing_m=""
  for o in $opts; do
    [ "$o" = --help ] && [ -n "$sub" ] && continue # every subcommand has one
    has_opt "$READTEXT" "$o" || missing_r="$missing_r $o"
    has_opt "$MANTEXT" "$o" || missing_m="$missing_m $o"
  done
  check "README documents every $what option" "" "${missing_r# }"
  check "ptraudit.1 documents every $what option" "" "${missing_m# }"
done

# ---- report columns --------------------------------------------------------
# One DNS query to the discard port on loopback; --no-smtp: nothing else.
HDR=$("$PTRAUDIT" -r 127.0.0.1:9 --dns-timeout 100 --dns-tries 1 --no-smtp -q -o - 192.0.2.1 |
  head -n 1)
check_match "binary prints the header row" '^ip,verdict,' "$HDR"
HDR_EHLO=$("$PTRAUDIT" -r 127.0.0.1:9 --dns-timeout 100 --dns-tries 1 --no-smtp -q \
  --ehlo scanner.example.net -o - 192.0.2.1 | head -n 1)
check "--ehlo adds exactly one column at the end" "$HDR,ehlo_host" "$HDR_EHLO"
# Every optional column at once (the sender checks ask the discard port too)
HDR_ALL=$("$PTRAUDIT" -r 127.0.0.1:9 --dns-timeout 100 --dns-tries 1 --no-smtp -q \
  --ehlo scanner.example.net --dnsbl bl.example --dnsbl-txt --spf-domain example.com \
  -o - 192.0.2.1 | head -n 1)
check "the sender checks add their columns after ehlo_host" \
  "$HDR_EHLO,dnsbl,dnsbl_txt,spf,spf_detail,dmarc" "$HDR_ALL"
missing_r="" missing_m=""
for col in $(tr ',' ' ' <<<"$HDR_ALL"); do
  grep -qF -- "\`$col\`" "$README" || missing_r="$missing_r $col"
  has_word "$MANTEXT" "$col" || missing_m="$missing_m $col"
done
check "README documents every report column" "" "${missing_r# }"
check "ptraudit.1 documents every report column" "" "${missing_m# }"
# The README's column table lists them in the binary's order.
readme_cols=$(sed -n '/^## The report/,/^### /p' "$README" |
  grep -oE '^\| [0-9()]+ \| `[a-z_]+`' | sed -E 's/.*`([a-z_]+)`/\1/' | paste -sd, -)
check "README column table is in the header row's order" "$HDR_ALL" "$readme_cols"

# ---- flags and values (the name tables of src/core/verdict.c) -------------------
table_names() { # TABLE-START-REGEX: quoted strings up to the closing "};"
  sed -n "/$1/,/^};/p" src/core/verdict.c | grep -oE '"[A-Za-z_]+"' | tr -d '"' | sort -u
}
# The flag table's rows start with the name: {"NO_PTR", VERDICT_FAIL, "..."},
FLAGS=$(sed -n '/flag_table\[[A-Z_]*\] = {/,/^};/p' src/core/verdict.c |
  grep -oE '^[[:space:]]*\{"[A-Z_]+"' | grep -oE '[A-Z_]+' | sort -u)
check "src/core/verdict.c: 24 flag names read" 24 "$(grep -c . <<<"$FLAGS")"
VALUES=$(for t in verdicts iprev_names dns_names smtp_names; do
  table_names "$t\\[[A-Z_]*\\] = {"; done | sort -u)
[ "$(grep -c . <<<"$VALUES")" -ge 15 ] && ok "src/core/verdict.c: value names read" \
  || not_ok "src/core/verdict.c: value names read" "$VALUES"
missing_r="" missing_m=""
for f in $FLAGS $VALUES; do
  grep -qF -- "\`$f\`" "$README" || missing_r="$missing_r $f"
  has_word "$MANTEXT" "$f" || missing_m="$missing_m $f"
done
check "README documents every flag and value" "" "${missing_r# }"
check "ptraudit.1 documents every flag and value" "" "${missing_m# }"
# Each flag has its row in the README's flag table.
missing_r=""
for f in $FLAGS; do grep -qE "^\| \`$f\` \|" "$README" || missing_r="$missing_r $f"; done
check "README flag table has a row per flag" "" "${missing_r# }"

# ---- exit statuses -----------------------------------------------------------
missing_r="" missing_m=""
for s in 0 1 2 3 130 143; do
  grep -qE "^\| $s \|" "$README" || missing_r="$missing_r $s"
  grep -qxF ".B $s" "$MAN" || missing_m="$missing_m $s"
done
check "README exit-status table: 0 1 2 3 130 143" "" "${missing_r# }"
check "ptraudit.1 EXIT STATUS: 0 1 2 3 130 143" "" "${missing_m# }"

# ---- man page ----------------------------------------------------------------
if command -v groff >/dev/null; then
  warn=$(groff -man -ww -z "$MAN" 2>&1)
  check "groff -man -ww -z ptraudit.1: no warnings" "" "$warn"
else
  not_ok "groff is installed (scripts/deps: man-db pulls in groff-base)"
fi
missing_m=""
for sec in NAME SYNOPSIS DESCRIPTION OPTIONS SUBCOMMANDS TARGETS INVENTORY REPORT \
           "EXIT STATUS" SIGNALS FILES ENVIRONMENT EXAMPLES "SEE ALSO" STANDARDS; do
  grep -qxF ".SH $sec" "$MAN" || missing_m="$missing_m [$sec]"
done
check "ptraudit.1 has every section" "" "${missing_m# }"
missing_m=""
for rfc in 8601 1912 2317 5321 4180; do
  has_word "$MANTEXT" "RFC $rfc" || missing_m="$missing_m $rfc"
done
check "ptraudit.1 STANDARDS cites RFC 8601 1912 2317 5321 4180" "" "${missing_m# }"
missing_m=""
for sub in diff merge summary; do
  grep -qE "^\.B ptraudit $sub" "$MAN" || missing_m="$missing_m $sub"
done
check "ptraudit.1 SYNOPSIS names the subcommands" "" "${missing_m# }"
if command -v man >/dev/null; then
  rendered=$(MANPAGER=cat MANWIDTH=80 man -l "$MAN" 2>&1 | head -n 12)
  check_match "man -l ptraudit.1 renders NAME and SYNOPSIS" \
    'PTRAUDIT\(1\).*NAME.*ptraudit.*SYNOPSIS' "$(tr '\n' ' ' <<<"$rendered")"
else
  not_ok "man is installed (scripts/deps: man-db)"
fi

# ---- README links ------------------------------------------------------------
missing_r=""
while IFS= read -r link; do
  case $link in http*|mailto:*|'#'*) continue ;; esac
  [ -e "${link%%#*}" ] || missing_r="$missing_r $link"
done < <(grep -oE '\]\([^)]+\)' "$README" | sed -E 's/^\]\(//; s/\)$//')
check "README: every relative link points at an existing file" "" "${missing_r# }"

finish
