#!/bin/bash
# SPDX-License-Identifier: MIT
# it_reliability.sh - crashes, signals, disks, resources and safe defaults
# (README "Reliability"): SIGINT + --resume covers every target exactly once; SIGKILL
# leaves a report zcat recovers; a second signal stops at once; a write
# error is exit 3, never success; ulimit -n 64 still completes; a resolver
# that refuses everything stops the run with a message; --exclude always
# wins (inventory rows come back as skipped); --dry-run sends nothing.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

start_testnet --smtp-any
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500)
stat_of() { kill -USR1 "${_PIDS[0]}"; sleep 0.3; awk -v k="$1" '$1 == k {print $2}' testnet.stats; }

# ips FILE: the ip column of a report (gzip or plain), sorted.
ips() { { zcat -f "$1" 2>/dev/null || true; } | tail -n +2 | cut -d, -f1 | sort; }

# --- SIGINT, checkpoint, --resume: every target exactly once -------------
"$PTRAUDIT" "${R[@]}" -q --rate 100 -o first.csv.gz 127.96.0.0/24 &
pid=$!
sleep 1.2
kill -INT "$pid"; wait "$pid"; rc=$?
check "SIGINT: exit 130" 130 "$rc"
[ -s first.csv.gz.checkpoint ] && ok "SIGINT: checkpoint written next to the report" \
  || not_ok "SIGINT: checkpoint written next to the report"
gzip -t first.csv.gz.partial && ok "SIGINT: report is complete gzip, under the partial name" \
  || not_ok "SIGINT: report is complete gzip, under the partial name"
[ ! -e first.csv.gz ] && ok "SIGINT: nothing under the final name" || not_ok "SIGINT: nothing under the final name"
n1=$(ips first.csv.gz.partial | wc -l)
check "SIGINT: stopped early (some, not all, of 256 rows)" 1 "$(( n1 > 20 && n1 < 256 ))"
"$PTRAUDIT" "${R[@]}" -q --rate 100 -o other.csv 127.96.0.0/25 --resume first.csv.gz.checkpoint \
  2>err.txt
check "--resume with other targets: exit 2" 2 "$?"
check_match "--resume with other targets: says why" "differ" "$(cat err.txt)"
"$PTRAUDIT" "${R[@]}" -q --rate 0 -o second.csv.gz 127.96.0.0/24 --resume first.csv.gz.checkpoint
check "--resume: exit 0" 0 "$?"
check "--resume: union of both reports is every target exactly once" \
  "$(for i in $(seq 0 255); do echo 127.96.0.$i; done | sort)" \
  "$( (ips first.csv.gz.partial; ips second.csv.gz) | sort)"

# --- --ordered resume keeps order in each part ------------------------------
"$PTRAUDIT" "${R[@]}" -q --rate 100 --ordered -o o1.csv 127.96.1.0/24 &
pid=$!; sleep 1.2; kill -INT "$pid"; wait "$pid"
"$PTRAUDIT" "${R[@]}" -q --rate 0 --ordered -o o2.csv 127.96.1.0/24 --resume o1.csv.checkpoint
check "--ordered resume: every target once" 256 "$( (ips o1.csv.partial; ips o2.csv) | sort -u | wc -l)"
check "--ordered resume: no duplicates" 256 "$( (ips o1.csv.partial; ips o2.csv) | wc -l)"

# --- SIGKILL: the temporary gzip file is readable up to its last member ----
"$PTRAUDIT" "${R[@]}" -q --rate 200 -o killed.csv.gz 127.96.8.0/22 &
pid=$!
sleep 3.5
kill -KILL "$pid"; wait "$pid" 2>/dev/null
tmp=$(ls -A | grep -E '^\.killed\.csv\.gz\.tmp' | head -1)
[ -n "$tmp" ] && ok "SIGKILL: temporary report left behind" || not_ok "SIGKILL: temporary report left behind"
rows=$(zcat "$tmp" 2>/dev/null | tail -n +2)
nrows=$(printf '%s\n' "$rows" | grep -c . || true)
check "SIGKILL: zcat recovers the rows of finished members (>= 200 of ~700 done)" 1 \
  "$(( nrows >= 200 ))"
check "SIGKILL: every recovered row is whole (ends in checked_at, smtp_tries, greeting_ms)" 0 \
  "$(printf '%s\n' "$rows" | grep -cvE ',[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z,[0-9]*,[0-9]*$' || true)"

# --- second signal: stop at once ------------------------------------------
# 127.64.4.0/28 greets with silence: those targets wait out --smtp-timeout.
"$PTRAUDIT" "${R[@]}" -q --rate 50 --smtp-timeout 8000 -o twice.csv.gz 127.64.4.0/28 \
  127.96.13.0/24 &
pid=$!
sleep 1
kill -INT "$pid"; sleep 0.2; kill -INT "$pid"
t0=$(date +%s%N); wait "$pid"; rc=$?; t1=$(date +%s%N)
check "second SIGINT: exit 130" 130 "$rc"
check "second SIGINT: exits at once (< 1 s)" 1 "$(( (t1 - t0) < 1000000000 ))"
gzip -t twice.csv.gz.partial 2>/dev/null && ok "second SIGINT: report readable" || not_ok "second SIGINT: report readable"
[ -s twice.csv.gz.checkpoint ] && ok "second SIGINT: checkpoint written" || not_ok "second SIGINT: checkpoint written"

# --- SIGTERM: exit 143 -----------------------------------------------------
"$PTRAUDIT" "${R[@]}" -q --rate 50 -o term.csv 127.96.5.0/24 &
pid=$!; sleep 0.5; kill -TERM "$pid"; wait "$pid"
check "SIGTERM: exit 143" 143 "$?"

# --- write errors: exit 3, never success ------------------------------------
( ulimit -f 8; "$PTRAUDIT" "${R[@]}" --rate 0 -q --no-smtp -o big.csv 127.96.16.0/22 2>err.txt )
rc=$?
check "file size limit hit while writing: exit 3" 3 "$rc"
check_match "file size limit: clear message" "cannot write|File too large" "$(cat err.txt)"

# --- ulimit -n 64: the run completes, concurrency shrinks -------------------
( ulimit -n 64; "$PTRAUDIT" "${R[@]}" --rate 0 -c 1000 -o fd.csv 127.96.12.0/24 2>err.txt )
check "ulimit -n 64: exit 0" 0 "$?"
check "ulimit -n 64: every target reported" 256 "$(ips fd.csv | wc -l)"
check "ulimit -n 64: no target got a local-resource error" 0 \
  "$(grep -c ',error,' fd.csv || true)"

# --- a low open-file limit: complete, or stop at once saying how many -------
# ulimit -n 3..24: every run either completes (4 rows) or exits 3 at once
# with "the open-file limit is N descriptors and this run needs at least M",
# leaving no report and no temporary file.  Never an assertion, a crash or
# a loop spinning on EMFILE (timeout catches a hang).  Then the M it asked
# for must be enough.
lowfd() { # N [redirections are the caller's]: run with ulimit -n N
  local n=$1; shift
  rm -f lowfd.csv .lowfd.csv.tmp.*
  timeout -k 2 30 bash -c 'ulimit -n "$1"; shift; exec "$@"' _ "$n" \
    "$PTRAUDIT" "${R[@]}" -q --rate 0 -o lowfd.csv "$@" 127.96.40.0/30
}
need=
for n in $(seq 3 24); do
  if [ "$n" = 3 ]; then
    # stdin, stdout and stderr fill a limit of 3: the dynamic loader cannot
    # open the shared libraries before ptraudit runs (exit 127, its message).
    # With stdin closed, ptraudit itself gets to say it needs more.
    lowfd 3 </dev/null 2>err.txt; rc=$?
    check "ulimit -n 3, stdio open: the loader refuses (127)" 127 "$rc"
    lowfd 3 <&- 2>err.txt; rc=$?
    if [ "$rc" = 124 ] && nm -A "$PTRAUDIT" 2>/dev/null | grep -q __asan_init; then
      # The ASan runtime opens files of its own before main() runs: at a
      # limit of 3 it never gets to ptraudit (it waits; timeout ends it).
      ok "ulimit -n 3, stdin closed, ASan build: the sanitizer runtime stops before main (exit 124)"
      continue
    fi
  else
    lowfd "$n" </dev/null 2>err.txt; rc=$?
  fi
  if [ "$rc" = 3 ]; then
    check_match "ulimit -n $n: exit 3 says how many it needs" \
      "^ptraudit: the open-file limit is $n descriptors and this run needs at least [0-9]+ " \
      "$(cat err.txt)"
    [ -z "$need" ] && [ "$n" -gt 3 ] && need=$(sed -n 's/.*needs at least \([0-9]*\) .*/\1/p' err.txt)
    check "ulimit -n $n: no report, no temporary file" "" "$(ls -A | grep lowfd || true)"
  else
    check "ulimit -n $n: completes (exit 0) or exit 3 [$(head -c 200 err.txt)]" 0 "$rc"
    check "ulimit -n $n: every target reported" 4 "$(ips lowfd.csv | wc -l)"
  fi
done
check "ulimit -n 24 completes (the test's budget is below it)" 0 "$rc"
if [ -n "$need" ]; then
  lowfd "$need" </dev/null 2>err.txt
  check "ulimit -n $need (the number asked for): completes" 0 "$?"
  check "ulimit -n $need: every target reported" 4 "$(ips lowfd.csv | wc -l)"
else
  not_ok "a low ulimit -n gave the exit-3 message at least once"
fi

# --- a resolver that refuses (nearly) everything ----------------------------
# testnet refuses names outside its zone; DNS only, nothing is connected to.
t0=$(date +%s)
"$PTRAUDIT" -r "127.0.0.1:$DNS" --no-smtp --rate 0 -q -o refused.csv 128.0.0.0/20 2>err.txt
rc=$?; t1=$(date +%s)
check "refusing resolver: exit 3" 3 "$rc"
check_match "refusing resolver: clear message" "refused or failed .* rate-limiting" "$(cat err.txt)"
check "refusing resolver: stopped well before the 4096 targets" 1 \
  "$(( $(ips refused.csv.partial | wc -l) < 2000 ))"
[ -s refused.csv.checkpoint ] && ok "refusing resolver: checkpoint to resume later" \
  || not_ok "refusing resolver: checkpoint to resume later"

# --- exclusions always win; --dry-run sends nothing ------------------------
printf '# never touch\n127.96.20.0/30\n\n127.96.20.9\n' > excl.txt
"$PTRAUDIT" "${R[@]}" -q --rate 0 -o ex.csv --exclude 127.96.20.16/28 --exclude-file excl.txt \
  127.96.20.0/27 2>err.txt
check "exclusions: 32 - 4 - 1 - 16 = 11 rows" 11 "$(ips ex.csv | wc -l)"
check "exclusions: none of the excluded addresses reported" 0 \
  "$(ips ex.csv | grep -cE '^127\.96\.20\.([0-3]|9|1[6-9]|2[0-9]|3[01])$' || true)"
printf 'ip,customer\n127.96.21.1,A\n127.96.21.2,B\n' > inv.csv
"$PTRAUDIT" "${R[@]}" -q --rate 0 -o exinv.csv --exclude 127.96.21.2 -i inv.csv
check "excluded inventory row: reported with verdict skipped" "127.96.21.2,skipped" \
  "$(grep '^127.96.21.2,' exinv.csv | cut -d, -f1,2)"
"$PTRAUDIT" "${R[@]}" --exclude 10.0.0.0/33 -o - 127.96.21.1 2>err.txt
check "bad --exclude: exit 2" 2 "$?"
printf '127.96.0.0/24\nbogus\n' > badex.txt
"$PTRAUDIT" "${R[@]}" --exclude-file badex.txt -o - 127.96.21.1 2>err.txt
check "bad --exclude-file line: exit 2" 2 "$?"
check_match "bad --exclude-file line: names file and line" "badex.txt:2: " "$(cat err.txt)"

before=$(stat_of dns_q_ptr)
"$PTRAUDIT" "${R[@]}" --dry-run --exclude 127.96.30.0/25 127.96.30.0/24 >dry.txt 2>&1
check "--dry-run: exit 0" 0 "$?"
check_match "--dry-run: counts what would be scanned" "targets to scan: 128" "$(cat dry.txt)"
check_match "--dry-run: counts exclusions" "skipped, excluded: 128" "$(cat dry.txt)"
check_match "--dry-run: shows the first addresses" "first targets: 127.96.30.128 127.96.30.129" \
  "$(cat dry.txt)"
check "--dry-run: no DNS query was sent" "$before" "$(stat_of dns_q_ptr)"

# --- truncated UDP answer, TCP retry refused or stalled ---------------------
# 127.64.0.10 answers TC=1 over UDP; a second testnet refuses or stalls TCP.
# Either way the row is a temporary error, never "no PTR".
for mode in refuse stall; do
  "$TESTNET" --dns-port 0 --dns-tcp "$mode" --ready-file "tc-$mode.ready" &
  track_pid $!
  wait_for_file "tc-$mode.ready" 10; sleep 0.1
  port=$(awk '$1 == "dns_port" {print $2}' "tc-$mode.ready")
  "$PTRAUDIT" -r "127.0.0.1:$port" --no-smtp --dns-timeout 400 --dns-tries 1 -q -o - \
    127.64.0.10 > "tc-$mode.csv"
  row=$(tail -n 1 "tc-$mode.csv" | cut -d, -f2-5)
  check_match "TC then TCP $mode: temporary error, not NO_PTR" \
    '^unknown,PTR_TEMPERROR,temperror,(timeout|error)$' "$row"
done

finish
