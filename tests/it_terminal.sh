#!/bin/bash
# SPDX-License-Identifier: MIT
# it_terminal.sh - what `ptraudit summary` and `ptraudit diff` print to a
# terminal from a hand-made report holding raw ESC sequences and invisible
# characters, and an error message quoting an inventory header: always the
# escaped form (src/core/cell.h), never the raw bytes.  Expected text
# written by hand.  No network at all (the inventory run stops at its
# header, before any query).
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

H=ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at
ESC=$'\e'
BEL=$'\a'
BOM=$'\xef\xbb\xbf'

# A report whose checked_at sets the terminal title and whose ip clears the
# screen; the second row's ip hides behind two BOMs.
printf '%s\n%s\n%s\n' "$H" \
  "${ESC}[2J192.0.2.1,ok,,pass,ok,a.example,192.0.2.1,banner,220,a.example,220 a.example,,2024-03-01T00:00:00Z${ESC}]0;pwned${BEL}" \
  "${BOM}${BOM}192.0.2.2,ok,,pass,ok,b.example,192.0.2.2,banner,220,b.example,220 b.example,,2024-03-01T00:00:01Z" \
  > old.csv
printf '%s\n%s\n%s\n' "$H" \
  "${ESC}[2J192.0.2.1,fail,NO_PTR${ESC}[31m,permerror,nxdomain,,,banner,220,a.example,220 a.example,,2024-03-02T00:00:00Z" \
  "${BOM}${BOM}192.0.2.2,fail,NO_PTR,permerror,nxdomain,,,banner,220,b.example,220 b.example,,2024-03-02T00:00:01Z" \
  > new.csv

has_raw() { LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1" || LC_ALL=C grep -q $'\xef\xbb\xbf' "$1"; }

"$PTRAUDIT" summary old.csv > sum.out 2> sum.err
check "summary: exit 0" 0 $?
has_raw sum.out && not_ok "summary: no raw control byte or BOM on stdout" "$(cat -v sum.out)" \
  || ok "summary: no raw control byte or BOM on stdout"
check_match "summary: checked_at shown escaped" \
  'checked 2024-03-01T00:00:00Z\\x1b\]0;pwned\\x07 \.\. 2024-03-01T00:00:01Z' "$(cat sum.out)"

"$PTRAUDIT" diff old.csv new.csv > diff.out 2> diff.err
check "diff: exit 1 (worse)" 1 $?
has_raw diff.err && not_ok "diff: no raw control byte or BOM on stderr" "$(cat -v diff.err)" \
  || ok "diff: no raw control byte or BOM on stderr"
check_match "diff: ip and added flag shown escaped" \
  '\\x1b\[2J192\.0\.2\.1 +ok -> fail  \+NO_PTR\\x1b\[31m' "$(cat diff.err)"
check_match "diff: an address behind two BOMs does not look like a plain address" \
  '\\xef\\xbb\\xbf\\xef\\xbb\\xbf192\.0\.2\.2 +ok -> fail' "$(cat diff.err)"
# The diff report itself is cells: escaped the same way, the BOMs visible.
grep -q '^\\xef\\xbb\\xbf\\xef\\xbb\\xbf192\.0\.2\.2,worse,' diff.out \
  && ok "diff: report cell escaped" || not_ok "diff: report cell escaped" "$(cat -v diff.out)"

# An error message quoting input: an inventory whose header starts with two
# BOMs (the reader skips one, as a spreadsheet's).  The second must show,
# or the message reads "header has: ip, customer" and makes no sense.
printf '%s%sip,customer\n192.0.2.1,a\n' "$BOM" "$BOM" > inv.csv
"$PTRAUDIT" -i inv.csv --no-smtp --resolver 127.0.0.1:1 -o inv-out.csv 2> inv.err
check "inventory with a second BOM: exit 2" 2 $?
check_match "inventory: the second BOM is shown in the message" \
  'header has: \\xef\\xbb\\xbfip, customer' "$(cat inv.err)"

finish
