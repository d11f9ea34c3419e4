#!/bin/bash
# SPDX-License-Identifier: MIT
# it_diff_merge.sh - `ptraudit diff` and `ptraudit merge` on hand-written
# reports: rows and change kinds, exit statuses, tie rules, usage and input
# errors, gzip and truncated inputs, write errors, merging shards into one
# ordered report; then diff of two generated 1,000,000-row reports in
# bounded memory (peak RSS read from /proc/PID/status while it runs).
# No network at all.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"
mkdir tmp
export TMPDIR=$SCRATCH/tmp

H=ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,customer
DH=ip,change,old_verdict,new_verdict,flags_added,flags_removed,old_ptr,new_ptr,old_banner_host,new_banner_host,old_checked_at,new_checked_at,customer

# run CMD...: sets OUT, ERR, RC
run() {
  "$@" >"$SCRATCH/o" 2>"$SCRATCH/e"; RC=$?
  OUT=$(cat "$SCRATCH/o"); ERR=$(cat "$SCRATCH/e")
}

# ---- diff: one of each change kind --------------------------------------
# OLD: out of order; 192.0.2.20 twice (the later checked_at is the one
# that counts: ok).
cat > old.csv <<EOF
$H
192.0.2.20,ok,,pass,ok,mx20.example.com,192.0.2.20,banner,220,mx20.example.com,220 mx20.example.com ESMTP,,2024-03-01T02:00:20Z,acme
192.0.2.3,warn,GENERIC_PTR,pass,ok,dyn-192-0-2-3.example.net,192.0.2.3,banner,220,dyn-192-0-2-3.example.net,220 dyn-192-0-2-3.example.net,,2024-03-01T02:00:03Z,"Bits, Inc."
2001:db8::25,ok,,pass,ok,mx6.example.com,2001:db8::25,banner,220,mx6.example.com,220 mx6.example.com ESMTP,,2024-03-01T02:00:25Z,acme
192.0.2.7,fail,NO_PTR,permerror,nxdomain,,,refused,,,,,2024-03-01T02:00:07Z,zeta
192.0.2.9,ok,,pass,ok,mail.example.org,192.0.2.9,banner,220,mail.example.org,220 mail.example.org,,2024-03-01T02:00:09Z,zeta
198.51.100.1,ok,,pass,ok,old.example.org,198.51.100.1,banner,220,old.example.org,220 old.example.org,,2024-03-01T02:00:30Z,gone-customer
192.0.2.20,fail,NO_PTR,permerror,nxdomain,,,banner,220,mx20.example.com,220 mx20.example.com ESMTP,,2024-03-01T01:00:00Z,acme
EOF
# NEW (gzip): 192.0.2.3 differs only in its banner text (a timestamp): same.
cat > new.csv <<EOF
$H
192.0.2.9,ok,,pass,ok,mail2.example.org,192.0.2.9,banner,220,mail2.example.org,220 mail2.example.org,,2024-03-02T02:00:09Z,zeta
192.0.2.20,warn,BANNER_MISMATCH,pass,ok,mx20.example.com,192.0.2.20,banner,220,localhost.example,220 localhost.example,,2024-03-02T02:00:20Z,acme
192.0.2.3,warn,GENERIC_PTR,pass,ok,dyn-192-0-2-3.example.net,192.0.2.3,banner,220,dyn-192-0-2-3.example.net,220 dyn-192-0-2-3.example.net Tue 2 Mar 02:00:03,,2024-03-02T02:00:03Z,"Bits, Inc."
192.0.2.7,ok,,pass,ok,mx7.example.com,192.0.2.7,banner,220,mx7.example.com,220 mx7.example.com,,2024-03-02T02:00:07Z,zeta
2001:DB8:0::25,fail,FCRDNS_MISMATCH,fail,ok,mx6.example.com,2001:db8::99,banner,220,mx6.example.com,220 mx6.example.com ESMTP,,2024-03-02T02:00:25Z,acme
203.0.113.5,warn,MULTI_PTR,pass,ok,a.example b.example,203.0.113.5,banner,220,a.example,220 a.example,,2024-03-02T02:00:31Z,"new ""quoted"" customer"
'=HYPERLINK(1),invalid,,,,,,,,,,,2024-03-02T02:00:40Z,mallory
EOF
gzip -k new.csv

EXPECTED_DIFF="$DH
192.0.2.7,better,fail,ok,,NO_PTR,,mx7.example.com,,mx7.example.com,2024-03-01T02:00:07Z,2024-03-02T02:00:07Z,zeta
192.0.2.9,changed,ok,ok,,,mail.example.org,mail2.example.org,mail.example.org,mail2.example.org,2024-03-01T02:00:09Z,2024-03-02T02:00:09Z,zeta
192.0.2.20,worse,ok,warn,BANNER_MISMATCH,,mx20.example.com,mx20.example.com,mx20.example.com,localhost.example,2024-03-01T02:00:20Z,2024-03-02T02:00:20Z,acme
198.51.100.1,gone,ok,,,,old.example.org,,old.example.org,,2024-03-01T02:00:30Z,,gone-customer
203.0.113.5,added,,warn,MULTI_PTR,,,a.example b.example,,a.example,,2024-03-02T02:00:31Z,\"new \"\"quoted\"\" customer\"
2001:DB8:0::25,worse,ok,fail,FCRDNS_MISMATCH,,mx6.example.com,mx6.example.com,mx6.example.com,mx6.example.com,2024-03-01T02:00:25Z,2024-03-02T02:00:25Z,acme
'=HYPERLINK(1),new_failing,,invalid,,,,,,,,2024-03-02T02:00:40Z,mallory"

run "$PTRAUDIT" diff old.csv new.csv.gz
check "diff: exit 1 when something became worse" 1 "$RC"
check "diff: rows (stdout, address order)" "$EXPECTED_DIFF" "$OUT"
# The new invalid row is at or above --fail-on fail (README "Exit status"):
# new_failing, a regression; the new warn row stays added.
check_match "diff: summary counts" "worse 2, new_failing 1, better 1, changed 1, added 1, gone 1, unchanged 1" "$ERR"
check_match "diff: summary names both files" "old\.csv \(6 targets\) -> new\.csv\.gz \(7 targets\)" "$ERR"
check_match "diff: summary notes the duplicate" "old\.csv lists 1 target more than once" "$ERR"
check_match "diff: worst first" "worst changes:
 +'=HYPERLINK\\(1\\) +\\(new\\) -> invalid
 +2001:DB8:0::25 +ok -> fail  \+FCRDNS_MISMATCH
 +192\.0\.2\.20 +ok -> warn  \+BANNER_MISMATCH" "$ERR"

run "$PTRAUDIT" diff -q -o diff.csv.gz old.csv new.csv.gz
check "diff -o .gz: exit 1" 1 "$RC"
check "diff -q: nothing on stderr" "" "$ERR"
check "diff -o .gz: nothing on stdout" "" "$OUT"
gzip -t diff.csv.gz 2>/dev/null && ok "diff -o .gz: valid gzip" || not_ok "diff -o .gz: valid gzip"
check "diff -o .gz: same rows" "$EXPECTED_DIFF" "$(zcat diff.csv.gz)"
check "diff -o: no temporary file left" "" "$(ls -A | grep -E '\.tmp' || true)"
run "$PTRAUDIT" diff -q -o diff.csv.gz old.csv new.csv.gz
check "diff: existing output refused: exit 2" 2 "$RC"
check_match "diff: existing output named" "diff\.csv\.gz" "$ERR"
run "$PTRAUDIT" diff -q --force -o diff.csv.gz old.csv new.csv.gz
check "diff --force: exit 1 (worse)" 1 "$RC"

# stdin for one side
run bash -c "\"$PTRAUDIT\" diff -q old.csv - < new.csv.gz"
check "diff: NEW from stdin (gzip)" "$EXPECTED_DIFF" "$OUT"

# ---- diff: only better -> exit 0 -----------------------------------------
cat > b_old.csv <<EOF
$H
192.0.2.3,warn,MULTI_PTR GENERIC_PTR,pass,ok,a.example dyn-3.example,192.0.2.3,banner,220,a.example,220 a.example,,2024-03-01T00:00:00Z,x
192.0.2.7,fail,NO_PTR,permerror,nxdomain,,,refused,,,,,2024-03-01T00:00:00Z,y
192.0.2.8,ok,,pass,ok,c.example,192.0.2.8,banner,220,c.example,220 c.example,,2024-03-01T00:00:00Z,z
EOF
cat > b_new.csv <<EOF
$H
192.0.2.7,ok,,pass,ok,mx7.example.com,192.0.2.7,banner,220,mx7.example.com,220 mx7.example.com,,2024-03-02T00:00:00Z,y
192.0.2.3,warn,GENERIC_PTR,pass,ok,dyn-3.example,192.0.2.3,banner,220,dyn-3.example,220 dyn-3.example,,2024-03-02T00:00:00Z,x
EOF
run "$PTRAUDIT" diff -q b_old.csv b_new.csv
check "diff: only better (and gone): exit 0" 0 "$RC"
check "diff: better rows" "$DH
192.0.2.3,better,warn,warn,,MULTI_PTR,a.example dyn-3.example,dyn-3.example,a.example,dyn-3.example,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,x
192.0.2.7,better,fail,ok,,NO_PTR,,mx7.example.com,,mx7.example.com,2024-03-01T00:00:00Z,2024-03-02T00:00:00Z,y
192.0.2.8,gone,ok,,,,c.example,,c.example,,2024-03-01T00:00:00Z,,z" "$OUT"
run "$PTRAUDIT" diff b_new.csv b_old.csv
check "diff: the same pair reversed is worse: exit 1" 1 "$RC"
run "$PTRAUDIT" diff old.csv old.csv
check "diff: identical reports: exit 0" 0 "$RC"
check "diff: identical reports: header only" "$DH" "$OUT"
check_match "diff: identical: all unchanged" "worse 0, new_failing 0, better 0, changed 0, added 0, gone 0, unchanged 6" "$ERR"

# ---- diff: new targets that already fail (issue 12) ----------------------
# OLD has one target; NEW adds four: fail NO_PTR, unknown, warn and ok.
# With the default --fail-on fail only the fail one is a regression
# (new_failing, exit 1); with warn the unknown and warn ones are too; with
# never none is (all added, exit 0).  Nothing of OLD changed.
cat > n_old.csv <<EOF
$H
192.0.2.1,ok,,pass,ok,a.example,192.0.2.1,banner,220,a.example,220 a.example,,2024-03-01T00:00:01Z,acme
EOF
cat > n_new.csv <<EOF
$H
192.0.2.1,ok,,pass,ok,a.example,192.0.2.1,banner,220,a.example,220 a.example,,2024-03-02T00:00:01Z,acme
192.0.2.66,fail,NO_PTR,permerror,nxdomain,,,banner,220,mail.example,220 mail.example,,2024-03-02T00:00:66Z,newco
192.0.2.67,unknown,PTR_TEMPERROR,temperror,servfail,,,refused,,,,,2024-03-02T00:00:67Z,newco
192.0.2.68,warn,GENERIC_PTR,pass,ok,dyn-68.example,192.0.2.68,banner,220,dyn-68.example,220 dyn-68.example,,2024-03-02T00:00:68Z,newco
192.0.2.69,ok,,pass,ok,mx69.example,192.0.2.69,banner,220,mx69.example,220 mx69.example,,2024-03-02T00:00:69Z,newco
EOF
changes() { echo "$OUT" | tail -n +2 | cut -d, -f2 | tr '\n' ' ' | sed 's/ $//'; }
run "$PTRAUDIT" diff n_old.csv n_new.csv
check "diff: a new failing target: exit 1" 1 "$RC"
check "diff: a new failing target: rows" "$DH
192.0.2.66,new_failing,,fail,NO_PTR,,,,,mail.example,,2024-03-02T00:00:66Z,newco
192.0.2.67,added,,unknown,PTR_TEMPERROR,,,,,,,2024-03-02T00:00:67Z,newco
192.0.2.68,added,,warn,GENERIC_PTR,,,dyn-68.example,,dyn-68.example,,2024-03-02T00:00:68Z,newco
192.0.2.69,added,,ok,,,,mx69.example,,mx69.example,,2024-03-02T00:00:69Z,newco" "$OUT"
check_match "diff: new failing counted" "worse 0, new_failing 1, better 0, changed 0, added 3, gone 0, unchanged 1" "$ERR"
check_match "diff: new failing listed on stderr" "worst changes:
 +192\.0\.2\.66 +\(new\) -> fail  \+NO_PTR$" "$ERR"
run "$PTRAUDIT" diff -q --fail-on warn n_old.csv n_new.csv
check "diff --fail-on warn: exit 1" 1 "$RC"
check "diff --fail-on warn: warn and unknown are new_failing too" \
  "new_failing new_failing new_failing added" "$(changes)"
run "$PTRAUDIT" diff -q n_old.csv n_new.csv --fail-on never
check "diff --fail-on never: exit 0" 0 "$RC"
check "diff --fail-on never: every new target is added" "added added added added" "$(changes)"
run "$PTRAUDIT" diff --fail-on sometimes n_old.csv n_new.csv
check "diff --fail-on sometimes: exit 2" 2 "$RC"
check_match "diff --fail-on sometimes: named" "--fail-on: 'sometimes' is not one of fail, warn, never" "$ERR"
# Only passing targets are new: exit 0 as before.
{ head -n 2 n_new.csv; tail -n 1 n_new.csv; } > n_ok.csv
run "$PTRAUDIT" diff -q n_old.csv n_ok.csv
check "diff: a new passing target: exit 0" 0 "$RC"
check "diff: a new passing target stays added" "$DH
192.0.2.69,added,,ok,,,,mx69.example,,mx69.example,,2024-03-02T00:00:69Z,newco" "$OUT"

# Passthrough columns come from NEW; a gone row takes OLD's same-named cell.
printf 'ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,owner,customer\n192.0.2.1,ok,,,,,,,,,,,t1,o1,c1\n' > p_old.csv
printf 'ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,customer,plan\n192.0.2.2,ok,,,,,,,,,,,t2,c2,p2\n' > p_new.csv
run "$PTRAUDIT" diff -q p_old.csv p_new.csv
check "diff: passthrough columns of NEW, by name for gone rows" \
"ip,change,old_verdict,new_verdict,flags_added,flags_removed,old_ptr,new_ptr,old_banner_host,new_banner_host,old_checked_at,new_checked_at,customer,plan
192.0.2.1,gone,ok,,,,,,,,t1,,c1,
192.0.2.2,added,,ok,,,,,,,,t2,c2,p2" "$OUT"

# ---- diff: usage and input errors ----------------------------------------
run "$PTRAUDIT" diff --help
check "diff --help: exit 0" 0 "$RC"
check_match "diff --help: usage" "^Usage: ptraudit diff \[OPTIONS\] OLD NEW" "$OUT"
run "$PTRAUDIT" diff
check "diff without reports: exit 2" 2 "$RC"
check_match "diff without reports: usage on stderr" "Usage: ptraudit diff" "$ERR"
run "$PTRAUDIT" diff old.csv
check "diff with one report: exit 2" 2 "$RC"
run "$PTRAUDIT" diff --bogus old.csv new.csv
check "diff unknown option: exit 2" 2 "$RC"
check_match "diff unknown option: named" "unknown option '--bogus'" "$ERR"
run "$PTRAUDIT" diff - -
check "diff - -: exit 2" 2 "$RC"
run "$PTRAUDIT" diff old.csv missing.csv
check "diff missing file: exit 2" 2 "$RC"
check_match "diff missing file: named" "missing\.csv: cannot open" "$ERR"
check "diff missing file: nothing on stdout" "" "$OUT"
{ echo "$H"; echo "192.0.2.1,ok,,pass,ok,a,192.0.2.1,banner,220,a,220 a,,t,c"; echo "192.0.2.2,ok,,pass"; } > ragged.csv
run "$PTRAUDIT" diff old.csv ragged.csv
check "diff ragged row: exit 2" 2 "$RC"
check_match "diff ragged row: file and line" "ragged\.csv:3: 4 fields, header has 14" "$ERR"
printf 'ip,status\n192.0.2.1,ok\n' > notreport.csv
run "$PTRAUDIT" diff notreport.csv old.csv
check "diff not a report: exit 2" 2 "$RC"
check_match "diff not a report: says which column" "notreport\.csv: not a ptraudit report: no column 'verdict'" "$ERR"
printf '%s\n192.0.2.1,ok,"unterminated\n' "$H" > badcsv.csv
run "$PTRAUDIT" diff old.csv badcsv.csv
check "diff CSV syntax error: exit 2" 2 "$RC"
check_match "diff CSV syntax error: file and line" "badcsv\.csv:2: " "$ERR"

# a report cut inside a gzip member (killed run)
awk -v h="$H" 'BEGIN { print h; for (i = 0; i < 20000; i++) printf "10.9.%d.%d,ok,,pass,ok,h%d.example,10.9.%d.%d,banner,220,h%d.example,220 h%d.example,,2024-03-02T00:00:00Z,c\n", int(i/256), i%256, i, int(i/256), i%256, i, i }' > cut_src.csv
gzip -c cut_src.csv > cut_full.csv.gz
head -c $(( $(stat -c %s cut_full.csv.gz) / 2 )) cut_full.csv.gz > cut.csv.gz
run "$PTRAUDIT" diff -q cut_src.csv cut.csv.gz
check "diff truncated gzip: exit 2" 2 "$RC"
check_match "diff truncated gzip: says so, names file:line" "cut\.csv\.gz:[0-9]+: gzip data cut short" "$ERR"
check_match "diff truncated gzip: suggests --allow-truncated" "--allow-truncated" "$ERR"
run "$PTRAUDIT" diff --allow-truncated cut_src.csv cut.csv.gz
check "diff --allow-truncated: exit 0 (gone is not worse)" 0 "$RC"
check_match "diff --allow-truncated: warning" "warning: cut\.csv\.gz:[0-9]+: gzip data cut short" "$ERR"
run "$PTRAUDIT" diff -q --allow-truncated cut_src.csv cut.csv.gz
check_match "diff -q --allow-truncated: the warning stays" "warning: cut\.csv\.gz:[0-9]+:" "$ERR"
# complete rows: the lines zcat recovers that end in a newline, less the header
readable=$(( $(zcat cut.csv.gz 2>/dev/null | wc -l) - 1 ))
check "diff --allow-truncated: every complete row used, the rest gone" \
  "$((20000 - readable))" "$(printf '%s\n' "$OUT" | grep -c ',gone,')"

# write errors: stdout on a full device; no room for temporary files
run bash -c "\"$PTRAUDIT\" diff -q old.csv new.csv > /dev/full"
check "diff to /dev/full: exit 3" 3 "$RC"
check_match "diff to /dev/full: says why" "No space left on device" "$ERR"
run env TMPDIR=/nonexistent/ptraudit "$PTRAUDIT" diff -q --sort-mem 2 cut_src.csv cut_src.csv
check "diff without temporary space: exit 3" 3 "$RC"
check_match "diff without temporary space: names the directory" "temporary file in /nonexistent/ptraudit" "$ERR"
run "$PTRAUDIT" diff --sort-mem 0 old.csv new.csv
check "diff --sort-mem 0: exit 2" 2 "$RC"
check_match "diff --sort-mem 0: names the range merge has too" "from 1 to 1048576" "$ERR"
# one minimum for diff and merge (cmdutil.h): 1 MiB, half per sorter
run "$PTRAUDIT" diff -q --sort-mem 1 cut_src.csv cut_src.csv
check "diff --sort-mem 1: exit 0, nothing changed" "0 1" "$RC $(printf '%s\n' "$OUT" | wc -l)"

# ---- merge ----------------------------------------------------------------
# row IP VERDICT FLAGS CHECKED_AT CUSTOMER
row() { printf '%s,%s,%s,pass,ok,h.example,%s,banner,220,h.example,220 h.example,,%s,%s\n' "$1" "$2" "$3" "$1" "$4" "$5"; }
{ echo "$H"
  row 192.0.2.1 ok "" 2024-03-02T00:00:05Z c1
  row 10.0.0.2 ok "" 2024-03-02T00:00:02Z c1
  row 2001:db8::1 warn GENERIC_PTR 2024-03-02T00:00:09Z c1; } > shard1.csv
{ echo "$H"
  row 10.0.0.10 ok "" 2024-03-02T00:00:10Z c2
  row 192.0.2.1 fail NO_PTR 2024-03-02T00:00:09Z c2
  row 9.9.9.8 warn MULTI_PTR 2024-03-02T00:00:01Z '"c2, ltd"'; } | gzip > shard2.csv.gz
{ echo "$H"
  row 2001:db8:0:0::1 ok "" 2024-03-02T00:00:03Z c3
  row 10.0.0.1 ok "" 2024-03-02T00:00:01Z c3
  printf '%s\n' "not-an-ip,invalid,,,,,,,,,,,2024-03-02T00:00:00Z,c3"
  row ::1 ok "" 2024-03-02T00:00:04Z c3
  row 10.0.0.2 ok "" 2024-03-02T00:00:02Z c3-tie; } > shard3.csv
EXPECTED_MERGE="$H
$(row 9.9.9.8 warn MULTI_PTR 2024-03-02T00:00:01Z '"c2, ltd"' )
$(row 10.0.0.1 ok "" 2024-03-02T00:00:01Z c3)
$(row 10.0.0.2 ok "" 2024-03-02T00:00:02Z c3-tie)
$(row 10.0.0.10 ok "" 2024-03-02T00:00:10Z c2)
$(row 192.0.2.1 fail NO_PTR 2024-03-02T00:00:09Z c2)
$(row ::1 ok "" 2024-03-02T00:00:04Z c3)
$(row 2001:db8::1 warn GENERIC_PTR 2024-03-02T00:00:09Z c1)
not-an-ip,invalid,,,,,,,,,,,2024-03-02T00:00:00Z,c3"
run "$PTRAUDIT" merge -o merged.csv.gz shard1.csv shard2.csv.gz shard3.csv
check "merge: exit 0" 0 "$RC"
gzip -t merged.csv.gz 2>/dev/null && ok "merge: valid gzip" || not_ok "merge: valid gzip"
check "merge: every target once, address order, latest checked_at, later shard on a tie" \
  "$EXPECTED_MERGE" "$(zcat merged.csv.gz)"
check_match "merge: summary" "3 reports, 11 rows -> 8 targets in merged\.csv\.gz" "$ERR"
check_match "merge: duplicates counted" "3 duplicate rows dropped" "$ERR"
run "$PTRAUDIT" merge -q -o - merged.csv.gz
check "merge: merging a merged report changes nothing" "$EXPECTED_MERGE" "$OUT"
run "$PTRAUDIT" merge -q -o - shard3.csv shard2.csv.gz shard1.csv
check "merge: input order decides only ties" \
  "$(printf '%s\n' "$EXPECTED_MERGE" | sed 's/^10\.0\.0\.2,\(.*\),c3-tie$/10.0.0.2,\1,c1/')" "$OUT"
run "$PTRAUDIT" merge -o merged.csv.gz shard1.csv
check "merge: existing output refused: exit 2" 2 "$RC"

sed 's/,customer$/,client/' shard1.csv > other_header.csv
run "$PTRAUDIT" merge -o m2.csv shard1.csv other_header.csv
check "merge: different header: exit 2" 2 "$RC"
check_match "merge: different header: names file and column" "other_header\.csv: header column 14 is 'client'" "$ERR"
[ -e m2.csv ] && not_ok "merge: different header: nothing written" || ok "merge: different header: nothing written"
check "merge: no temporary file left" "" "$(ls -A | grep -E '\.tmp' || true)"
cut -d, -f1-13 shard1.csv > fewer.csv
run "$PTRAUDIT" merge -o m2.csv shard1.csv fewer.csv
check "merge: fewer columns: exit 2" 2 "$RC"
check_match "merge: fewer columns: named" "fewer\.csv: header has 13 columns, shard1\.csv has 14" "$ERR"
run "$PTRAUDIT" merge shard1.csv
check "merge without -o: exit 2" 2 "$RC"
check_match "merge without -o: usage" "Usage: ptraudit merge -o OUT" "$ERR"
run "$PTRAUDIT" merge -o m2.csv
check "merge without reports: exit 2" 2 "$RC"
run "$PTRAUDIT" merge --help
check "merge --help: exit 0" 0 "$RC"
check_match "merge --help: usage" "^Usage: ptraudit merge -o OUT \[OPTIONS\] REPORT\.\.\." "$OUT"
run "$PTRAUDIT" merge -o m2.csv shard1.csv ragged.csv
check "merge ragged row: exit 2" 2 "$RC"
check_match "merge ragged row: file and line" "ragged\.csv:3: " "$ERR"
run "$PTRAUDIT" merge -o m2.csv cut.csv.gz
check "merge truncated shard: exit 2" 2 "$RC"
run "$PTRAUDIT" merge --allow-truncated -o m2.csv cut.csv.gz
check "merge --allow-truncated: exit 0" 0 "$RC"
check "merge --allow-truncated: the complete rows" "$((readable + 1))" "$(wc -l < m2.csv)"

# Many rows through tiny sort memory: spill files and their merge.  Three
# interleaved shards of 60,000 targets (each in a scrambled order), plus
# 10,000 targets repeated in two shards.
awk -v h="$H" 'BEGIN {
  print h > "big1.csv"; print h > "big2.csv"; print h > "big3.csv"
  for (k = 0; k < 60000; k++) {
    i = (k * 7907) % 60000
    f = "big" (i % 3 + 1) ".csv"
    printf "10.%d.%d.%d,ok,,pass,ok,m%d.example,x,banner,220,m%d.example,220 m%d.example ESMTP,,2024-03-02T00:00:00Z,c%d\n", int(i/65536), int(i/256)%256, i%256, i, i, i, i%7 > f
    if (i < 10000)
      printf "10.%d.%d.%d,ok,,pass,ok,m%d.example,x,banner,220,m%d.example,220 m%d.example ESMTP,,2024-03-01T00:00:00Z,older\n", int(i/65536), int(i/256)%256, i%256, i, i, i > "big" ((i + 1) % 3 + 1) ".csv"
  }
}'
run "$PTRAUDIT" merge --sort-mem 1 -o big.csv.gz big1.csv big2.csv big3.csv
check "merge 70,000 rows in 1 MiB: exit 0" 0 "$RC"
check_match "merge 70,000 rows: summary" "70000 rows -> 60000 targets" "$ERR"
zcat big.csv.gz | tail -n +2 | cut -d, -f1 > big.ips
check "merge 70,000 rows: every target once" "60000" "$(sort -u big.ips | wc -l)"
sort -c -t . -k1,1n -k2,2n -k3,3n -k4,4n big.ips 2>/dev/null && ok "merge 70,000 rows: address order" \
  || not_ok "merge 70,000 rows: address order"
check "merge 70,000 rows: the older duplicates dropped" "0" "$(zcat big.csv.gz | grep -c ',older$')"
check "merge: temporary files removed" "" "$(ls -A "$TMPDIR")"

# ---- bounded memory: two reports of 1,000,000 rows each ------------------
# OLD in address order, NEW (gzip) in a scrambled order; in NEW every
# 1000th target fails (NO_PTR) and every 1000th + 500 has a new PTR name;
# one target only in OLD, one only in NEW.
cat > gen.awk <<'EOF'
BEGIN {
  OFS = ","
  print "ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,customer"
  n = 1000000
  t = side == "new" ? "2024-05-02T03:00:00Z" : "2024-05-01T03:00:00Z"
  for (k = 0; k < n; k++) {
    i = side == "new" ? (k * 7919) % n : k
    ip = "10." int(i / 65536) "." int(i / 256) % 256 "." i % 256
    host = "mail" i ".example.net"
    v = "ok"; fl = ""; ipr = "pass"; ps = "ok"; ptr = host; fw = ip
    if (side == "new" && i % 1000 == 0) { v = "fail"; fl = "NO_PTR"; ipr = "permerror"; ps = "nxdomain"; ptr = ""; fw = "" }
    else if (side == "new" && i % 1000 == 500) ptr = "renamed" i ".example.net"
    print ip, v, fl, ipr, ps, ptr, fw, "banner", 220, host, "220 " host " ESMTP Postfix", "", t, "customer" (i % 97)
  }
  print (side == "new" ? "11.0.0.2" : "11.0.0.1"), "ok", "", "pass", "ok", "x.example", "", "skipped", "", "", "", "", t, "extra"
}
EOF
awk -v side=old -f gen.awk > m_old.csv
awk -v side=new -f gen.awk | gzip -1 > m_new.csv.gz
start=$(date +%s%N)
"$PTRAUDIT" diff -o m_diff.csv m_old.csv m_new.csv.gz 2>m_err & pid=$!
peak=0
while kill -0 "$pid" 2>/dev/null; do
  v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  [ -n "$v" ] && peak=$v
  sleep 0.05
done
wait "$pid"; RC=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "     1M-row diff: ${ms} ms, peak RSS ${peak} kB"
check "1M-row diff: exit 1 (worse)" 1 "$RC"
check_match "1M-row diff: counts" "worse 1000, new_failing 0, better 0, changed 1000, added 1, gone 1, unchanged 998000" "$(cat m_err)"
check "1M-row diff: rows" "2003" "$(wc -l < m_diff.csv)"
check "1M-row diff: a worse row" "10.0.3.232,worse,ok,fail,NO_PTR,,mail1000.example.net,,mail1000.example.net,mail1000.example.net,2024-05-01T03:00:00Z,2024-05-02T03:00:00Z,customer30" \
  "$(grep -m1 '^10\.0\.3\.232,' m_diff.csv)"
check "1M-row diff: a changed row" "10.0.1.244,changed,ok,ok,,,mail500.example.net,renamed500.example.net,mail500.example.net,mail500.example.net,2024-05-01T03:00:00Z,2024-05-02T03:00:00Z,customer15" \
  "$(grep -m1 '^10\.0\.1\.244,' m_diff.csv)"
[ "$peak" -gt 0 ] && [ "$peak" -lt 131072 ] && ok "1M-row diff: peak RSS under 128 MiB (${peak} kB)" \
  || not_ok "1M-row diff: peak RSS under 128 MiB" "peak: ${peak} kB"
[ "$ms" -lt 20000 ] && ok "1M-row diff: under 20 s" || not_ok "1M-row diff: under 20 s" "took ${ms} ms"
check "1M-row diff: temporary files removed" "" "$(ls -A "$TMPDIR")"

finish
