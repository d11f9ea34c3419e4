#!/bin/bash
# SPDX-License-Identifier: MIT
# it_cli.sh - the command-line contract of the built binary: help, version,
# usage and input errors (exit 2, message naming the field, nothing
# scanned), output-file rules, stdout mode, gzip validity, exit statuses,
# the rate limit, duplicate and special-purpose handling.  DNS answers come
# from testnet on loopback; SMTP is only ever probed on 127.0.0.0/8.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

start_testnet --smtp-net 127.64.0.0/24 --smtp-net 127.96.0.0/24
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 2000 -q)

# run CMD...: sets OUT, ERR, RC
run() {
  "$@" >"$SCRATCH/o" 2>"$SCRATCH/e"; RC=$?
  OUT=$(cat "$SCRATCH/o"); ERR=$(cat "$SCRATCH/e")
}

run "$PTRAUDIT" --help
check "--help exits 0" 0 "$RC"
check_match "--help shows usage" "Usage: ptraudit \[OPTIONS\] TARGET" "$OUT"
check_match "--help lists --fail-on" "--fail-on LEVEL" "$OUT"
run "$PTRAUDIT" -V
check_match "-V prints the version" "^ptraudit 0\.2\.0 " "$OUT"

run "$PTRAUDIT"
check "no targets: exit 2" 2 "$RC"
check_match "no targets: says so" "no targets" "$ERR"
run "$PTRAUDIT" --rate abc 127.0.0.1
check "--rate abc: exit 2" 2 "$RC"
check_match "--rate abc: names option and value" "--rate: 'abc'" "$ERR"
run "$PTRAUDIT" --rate -5 127.0.0.1
check "--rate -5: exit 2" 2 "$RC"
# --rate is plain decimal (README): hex, exponents, inf and nan are refused,
# and so are rates below 0.001/s (a tiny rate once overflowed the wait).
for v in 0x10 0x1p-1074 1e3 inf nan 0.0009 0.00000000001 10000001; do
  run "$PTRAUDIT" --dry-run --rate "$v" 127.0.0.1
  check "--rate $v: exit 2" 2 "$RC"
  check_match "--rate $v: names the option" "^ptraudit: --rate: " "$ERR"
done
run "$PTRAUDIT" --dry-run --rate 0.001 127.0.0.1
check "--rate 0.001 (the minimum): accepted" 0 "$RC"
run "$PTRAUDIT" --dns-timeout 0 127.0.0.1
check "--dns-timeout 0: exit 2" 2 "$RC"
run "$PTRAUDIT" --bogus 127.0.0.1
check "unknown option: exit 2" 2 "$RC"
run "$PTRAUDIT" -r example.com 127.0.0.1
check "--resolver hostname: exit 2" 2 "$RC"

# Bad targets: exit 2, the message quotes the field, and nothing is written.
bad=("10.0.0.0/33" "300.1.1.1" "fe80::1%eth0" "010.0.0.1" "0x7f.0.0.1" "127.1"
     "1.2.3.4 junk" "192.0.2.9-192.0.2.1" "10.0.0.1/8" "example.com" "0.0.0.0/0" "::/0"
     "2001:db8::/64" "127.0.0.1-::1")
for t in "${bad[@]}"; do
  run "$PTRAUDIT" "${R[@]}" -o "$SCRATCH/bad.csv" 127.0.0.1 "$t"
  check "bad target '$t': exit 2" 2 "$RC"
  check_match "bad target '$t': names argument 2" "argument 2: " "$ERR"
done
[ -e "$SCRATCH/bad.csv" ] && not_ok "bad target: no report written" || ok "bad target: no report written"
check "bad target: no temporary file left" "" "$(ls -A "$SCRATCH" | grep -E '\.tmp' || true)"

# Counts past 2^64 (--allow-huge): a /64 once wrapped to 0 targets and was
# refused as "no targets in the input" (exit 2); so were two /65s and three
# /64s.  --dry-run prints the exact count and a readable duration.
run "$PTRAUDIT" --dry-run --allow-huge 2001:db8::/64
check "/64 --allow-huge: accepted" 0 "$RC"
check_match "/64: exact count" "the input holds 18446744073709551616 addresses" "$OUT"
run "$PTRAUDIT" --dry-run --allow-huge 2001:db8::/65 2001:db8:0:0:8000::/65
check "two /65s: accepted" 0 "$RC"
check_match "two /65s: exact count" "the input holds 18446744073709551616 addresses" "$OUT"
run "$PTRAUDIT" --dry-run --allow-huge 2001:db8::/64 2001:db8:0:1::/64 2001:db8:0:2::/64
check "three /64s: accepted" 0 "$RC"
check_match "three /64s: exact count" "the input holds 55340232221128654848 addresses" "$OUT"
run "$PTRAUDIT" --dry-run --rate 100 10.1.0.0/16
check_match "--dry-run: readable duration" "pace: 100 targets/s, 1800 resolving at once: about 10 min 55 s$" "$OUT"
run "$PTRAUDIT" --dry-run --rate 1 10.1.0.0/31
check_match "--dry-run: singular rate, seconds" "pace: 1 target/s, 256 resolving at once: about 2 s$" "$OUT"

# Inputs that can be read once are opened once.  @FIFO: the validation pass
# once opened it, then the run opened it again after the writer was gone
# and waited forever.  Stdin from a regular file: the validation pass once
# left it at its end, and the run saw no targets.
mkfifo tfifo ifofo
# (the writers give up after 10 s: one left waiting for a reader would hold
# the script's output open)
( sleep 0.5; timeout 10 sh -c 'printf "127.0.0.1\n127.0.0.2\n" > tfifo' ) &
run timeout -k 2 10 "$PTRAUDIT" --dry-run @tfifo
check "@FIFO: exit 0 (not opened twice)" 0 "$RC"
check_match "@FIFO: both targets" "first targets: 127.0.0.1 127.0.0.2"$'\n' "$OUT"
( sleep 0.5; timeout 10 sh -c 'printf "ip,owner\n127.0.0.3,x\n" > ifofo' ) &
run timeout -k 2 10 "$PTRAUDIT" --dry-run -i ifofo
check "-i FIFO: exit 0" 0 "$RC"
check_match "-i FIFO: the row" "first targets: 127.0.0.3"$'\n' "$OUT"
printf '127.0.0.4\n127.0.0.5\n' > stdin.txt
run "$PTRAUDIT" --dry-run - < stdin.txt
check_match "stdin from a regular file: both targets" "first targets: 127.0.0.4 127.0.0.5"$'\n' "$OUT"
check_match "stdin from a regular file: counted" "targets to scan: 2"$'\n' "$OUT"

# A 1 MB line in a target file.
head -c 1048576 /dev/zero | tr '\0' '1' > big.txt
run "$PTRAUDIT" "${R[@]}" -o - @big.txt
check "1 MB line: exit 2" 2 "$RC"
check_match "1 MB line: names file and line" "big.txt:1: line longer than" "$ERR"
check "1 MB line: message stays short" 1 "$(( ${#ERR} < 300 ))"

printf '# customer block\n127.96.0.1\n\n127.96.0.2 # comment\n300.1.1.1\n' > list.txt
run "$PTRAUDIT" "${R[@]}" -o - @list.txt
check "@FILE bad line: exit 2" 2 "$RC"
check_match "@FILE bad line: names file:line and field" "list.txt:5: .*300\.1\.1\.1" "$ERR"
check "@FILE bad line: nothing on stdout" "" "$OUT"
run "$PTRAUDIT" "${R[@]}" -o - @missing.txt
check "@FILE missing: exit 2" 2 "$RC"
check_match "@FILE missing: names file" "missing.txt" "$ERR"

# Good file list, stdout mode: header + one row per target.
head -n 4 list.txt > good.txt
run "$PTRAUDIT" "${R[@]}" --no-smtp -o - @good.txt
check "@FILE good: exit 0" 0 "$RC"
check "stdout: header row" \
  "ip,verdict,flags,iprev,ptr_status,ptr,forward,smtp_status,smtp_code,banner_host,banner,expected,checked_at,smtp_tries,greeting_ms" \
  "$(head -n 1 "$SCRATCH/o")"
check "stdout: rows in input order of a small run" "127.96.0.1 127.96.0.2" \
  "$(tail -n +2 "$SCRATCH/o" | cut -d, -f1 | sort | tr '\n' ' ' | sed 's/ $//')"

# stdin targets
run bash -c "printf '127.96.0.3\n127.96.0.4\n' | '$PTRAUDIT' ${R[*]} --no-smtp -o - -"
check "stdin targets: exit 0" 0 "$RC"
check "stdin targets: two rows" 2 "$(tail -n +2 "$SCRATCH/o" | wc -l)"

# Duplicates are audited and reported each time they are given.
run "$PTRAUDIT" "${R[@]}" --no-smtp -o - 127.96.0.9 127.96.0.9
check "duplicate target: two rows" 2 "$(tail -n +2 "$SCRATCH/o" | wc -l)"

# gzip output, no clobber, --force.
run "$PTRAUDIT" "${R[@]}" -o r.csv.gz 127.96.0.0/30
check "gzip report: exit 0" 0 "$RC"
gzip -t r.csv.gz 2>/dev/null && ok "gzip report: valid gzip" || not_ok "gzip report: valid gzip"
check "gzip report: 4 rows + header" 5 "$(zcat r.csv.gz | wc -l)"
run "$PTRAUDIT" "${R[@]}" -o r.csv.gz 127.96.0.0/30
check "existing report: exit 2" 2 "$RC"
check_match "existing report: mentions --force" "--force" "$ERR"
run "$PTRAUDIT" "${R[@]}" --force -o r.csv.gz 127.96.0.5
check "--force replaces: exit 0" 0 "$RC"
check "--force replaces: 1 row + header" 2 "$(zcat r.csv.gz | wc -l)"
ln -s r.csv.gz link.csv.gz
run "$PTRAUDIT" "${R[@]}" -o link.csv.gz 127.96.0.5
check "symlink output: exit 2" 2 "$RC"
run "$PTRAUDIT" "${R[@]}" -o /nonexistent-dir/r.csv 127.96.0.5
check "unwritable output: exit 2" 2 "$RC"
check_match "unwritable output: names the path" "/nonexistent-dir" "$ERR"

# Exit status follows --fail-on: 127.64.0.1 has no PTR (fail), 127.64.0.5
# has two PTRs (warn), 127.96.0.1 passes.
run "$PTRAUDIT" "${R[@]}" -o - 127.64.0.1
check "fail row: exit 1" 1 "$RC"
run "$PTRAUDIT" "${R[@]}" --fail-on never -o - 127.64.0.1
check "fail row, --fail-on never: exit 0" 0 "$RC"
run "$PTRAUDIT" "${R[@]}" -o - 127.64.0.5
check "warn row, --fail-on fail: exit 0" 0 "$RC"
run "$PTRAUDIT" "${R[@]}" --fail-on warn -o - 127.64.0.5
check "warn row, --fail-on warn: exit 1" 1 "$RC"

# Inventory errors.
printf 'name,ip\na,127.96.0.1\nb,"127.96.0.2\n' > unterminated.csv
run "$PTRAUDIT" "${R[@]}" -o - -i unterminated.csv
check "inventory unterminated quote: exit 2" 2 "$RC"
check_match "inventory unterminated quote: names file and line" "unterminated.csv:3" "$ERR"
printf 'name,owner\na,b\n' > nocol.csv
run "$PTRAUDIT" "${R[@]}" -o - -i nocol.csv
check "inventory without IP column: exit 2" 2 "$RC"
check_match "inventory without IP column: lists header" "name, owner" "$ERR"
printf 'name,ip\n' > headeronly.csv
run "$PTRAUDIT" "${R[@]}" -o - -i headeronly.csv
check "header-only inventory: exit 2" 2 "$RC"
check_match "header-only inventory: no targets" "no targets" "$ERR"
run "$PTRAUDIT" "${R[@]}" -o - -i unterminated.csv 127.96.0.1
check "inventory and targets together: exit 2" 2 "$RC"
: > empty.csv
run "$PTRAUDIT" "${R[@]}" -o - -i empty.csv
check "empty inventory: exit 2" 2 "$RC"
check_match "empty inventory: no targets" "no targets" "$ERR"
printf 'name,ip
a,127.96.0.1
b"x,127.96.0.2
' > stray.csv
run "$PTRAUDIT" "${R[@]}" -o - -i stray.csv
check "stray quote in an unquoted field: exit 2" 2 "$RC"
check_match "stray quote: names file and line" "stray.csv:3" "$ERR"
printf 'name,ip,plan
a,127.96.0.1,x
b,127.96.0.2
' > short.csv
run "$PTRAUDIT" "${R[@]}" -o - -i short.csv
check "row with too few fields: exit 2" 2 "$RC"
check_match "too few fields: names line and counts" "short.csv:3: .*2 fields.*3" "$ERR"
printf 'name,ip
a,127.96.0.1,extra
' > long.csv
run "$PTRAUDIT" "${R[@]}" -o - -i long.csv
check "row with too many fields: exit 2 (never shift columns)" 2 "$RC"
{ printf 'name,ip
"'; head -c 1048576 /dev/zero | tr '\0' a; printf '",127.96.0.1
'; } > bigfield.csv
run "$PTRAUDIT" "${R[@]}" -o - -i bigfield.csv
check "1 MB field: exit 2" 2 "$RC"
check_match "1 MB field: names line and column" "bigfield.csv:2: .*name" "$ERR"
printf 'name,ip
a\000b,127.96.0.1
' > nul.csv
run "$PTRAUDIT" "${R[@]}" -o - -i nul.csv
check "NUL byte in a field: exit 2" 2 "$RC"
check_match "NUL byte: names file and line" "nul.csv:2" "$ERR"
printf 'name,ip
caf\351,127.96.0.1
' > latin1.csv
run "$PTRAUDIT" "${R[@]}" -o - -i latin1.csv
check "invalid UTF-8: exit 2" 2 "$RC"
check_match "invalid UTF-8: names file and line" "latin1.csv:2" "$ERR"
check "inventory errors: nothing on stdout (nothing scanned)" "" "$OUT"

# Special-purpose blocks inside a wider target are skipped with a count;
# DNS only (the scanned addresses are outside loopback: never probe SMTP).
run "$PTRAUDIT" -r "127.0.0.1:$DNS" --dns-timeout 500 --no-smtp -o - \
  127.255.255.254-128.0.0.1
check "special skip: only 128.0.0.0 and .1 reported" "128.0.0.0 128.0.0.1" \
  "$(tail -n +2 "$SCRATCH/o" | cut -d, -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
check_match "special skip: counted in the summary" "skipped: 2 addresses" "$ERR"

# The rate holds at any concurrency: 60 targets at --rate 30 with -c 1000
# cannot finish in less than ~2 s (the first token is free).
t0=$(date +%s%N)
run "$PTRAUDIT" "${R[@]}" --no-smtp --rate 30 -c 1000 -o - 127.96.1.0/26
t1=$(date +%s%N)
rows=$(tail -n +2 "$SCRATCH/o" | wc -l)
ms=$(( (t1 - t0) / 1000000 ))
check "rate: 64 rows" 64 "$rows"
check "rate 30/s held at -c 1000 (64 targets took ${ms} ms, >= 2000)" 1 "$(( ms >= 2000 ))"
check "rate not far below the cap (took ${ms} ms, < 3500)" 1 "$(( ms < 3500 ))"

finish
