#!/bin/bash
# SPDX-License-Identifier: MIT
# it_status.sh - the live status (src/cli/statusline.h) against testnet:
# without a terminal a plain line every --status-interval seconds; the
# --status-file's JSON lines (valid JSON, the documented keys, a limiter
# that can be forced: --rate 50 on a fast /24 -> "rate", -c 4 against slow
# DNS -> "concurrency", a quiet stdin -> "input"); -q keeps stderr silent
# but still writes the file; on a terminal (a pty from script(1)) one
# redrawn line with a percentage and an ETA.  Plurals in the summaries of
# a one-target run, its diff and its merge.  Only generous time bounds.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

command -v script > /dev/null || { not_ok "script(1) is installed (util-linux)"; finish; }
command -v python3 > /dev/null || { not_ok "python3 is installed"; finish; }

testnet_start fast --dns-port 0 --smtp-port 0 --smtp-net 127.96.0.0/24
FAST=$(testnet_key fast dns_port)
FAST_SMTP=$(testnet_key fast smtp_port)
# Every answer 300-400 ms late: a row (PTR, then A) takes ~0.7 s.
testnet_start slow --dns-port 0 --dns-delay 0:300-400
SLOW=$(testnet_key slow dns_port)

# jcheck NAME FILE PYTHON-EXPRESSION: the expression over L (the parsed
# lines of FILE; R the lines with state "running") is true.  A line that
# is not JSON fails it.
jcheck() {
  local out
  out=$(python3 - "$2" "$3" <<'EOF'
import json, sys
try:
    L = [json.loads(x) for x in open(sys.argv[1]) if x.strip()]
except Exception as e:
    print("not JSON: %s" % e); sys.exit(1)
R = [x for x in L if x.get("state") == "running"]
try:
    ok = eval(sys.argv[2])
except Exception as e:
    print("error: %r" % e); sys.exit(1)
if not ok:
    print(json.dumps(L)[:1500]); sys.exit(1)
EOF
)
  if [ $? -eq 0 ]; then ok "$1"; else not_ok "$1" "$out"; fi
}

KEYS='{"time","state","elapsed_s","done","resumed","total","percent","rate","eta_s","in_flight","rows_max","limiter","limiter_hint","verdicts"}'

# --- --rate 50 on a fast /24: about 5 s, the token bucket limits ----------
# (--sessions-per-prefix 100: the default 10 sessions per /24, each counted
# 250 ms after it ends, allow only 40/s towards one /24; below)
"$PTRAUDIT" -r "127.0.0.1:$FAST" --smtp-port "$FAST_SMTP" --rate 50 --status-interval 1 \
  --sessions-per-prefix 100 \
  --status-file rate.jsonl -o rate.csv 127.96.0.0/24 2> rate.err
check "rate run: exit 0" 0 $?
n=$(grep -c '^ptraudit: status: ' rate.err)
check_ge "no terminal: a status line every second (>= 2 in a ~5 s run)" 2 "$n"
[ "$n" -le 12 ] && ok "no terminal: not more than one a second" || not_ok "at most 12 lines" "$n"
line=$(grep -m1 '^ptraudit: status: ' rate.err)
check_match "status line: percent, rows, rate, ETA, in flight per stage, limiter" \
  '^ptraudit: status: [0-9]+\.[0-9]%, [0-9]+ rows? done, [0-9]+/s, ETA [^;]+; in flight: SMTP [0-9]+, DNS [0-9]+, rows [0-9]+ of [0-9]+; limited by rate \(--rate\)$' \
  "$line"
check_match "the final summary is still there" "ptraudit: 256 targets in [0-9.]+ s" "$(cat rate.err)"
jcheck "status file: every line JSON with the documented keys" rate.jsonl \
  "len(L) >= 3 and all(set(x) == $KEYS for x in L)"
jcheck "status file: one line per interval while running (2..12)" rate.jsonl "2 <= len(R) <= 12"
jcheck "status file: limiter 'rate' while running" rate.jsonl \
  "all(x['limiter'] == 'rate' and x['limiter_hint'] == '--rate' for x in R)"
jcheck "status file: total 256, percent between 0 and 100 and not falling" rate.jsonl \
  "all(x['total'] == 256 and 0 <= x['percent'] <= 100 for x in L) and [x['percent'] for x in L] == sorted(x['percent'] for x in L)"
jcheck "status file: windowed rate near --rate 50 (10..80), an ETA while running" rate.jsonl \
  "all(10 <= x['rate'] <= 80 and x['eta_s'] is not None and x['eta_s'] >= 0 for x in R)"
jcheck "status file: in flight per stage, rows within rows_max" rate.jsonl \
  "all(set(x['in_flight']) == {'smtp','dns','rows'} and x['in_flight']['rows'] <= x['rows_max'] for x in L)"
jcheck "status file: last line 'ended', 256 done, 100%, verdicts add up" rate.jsonl \
  "L[-1]['state'] == 'ended' and L[-1]['done'] == 256 and L[-1]['percent'] == 100 and sum(L[-1]['verdicts'].values()) == 256 and set(L[-1]['verdicts']) == {'ok','warn','unknown','fail','invalid','skipped'}"
jcheck "status file: time is RFC 3339 UTC" rate.jsonl \
  "all(len(x['time']) == 20 and x['time'].endswith('Z') and x['time'][10] == 'T' for x in L)"

# --- the same with the default --sessions-per-prefix 10: rows finish at
# ~40/s, start at 50/s and wait for their /24 -------------------------------
"$PTRAUDIT" -r "127.0.0.1:$FAST" --smtp-port "$FAST_SMTP" --rate 50 --status-interval 1 \
  --status-file pol.jsonl -o pol.csv 127.96.0.0/24 2> pol.err
check "politeness run: exit 0" 0 $?
jcheck "one MTA per /24: limiter 'politeness' in most running lines" pol.jsonl \
  "len(R) >= 2 and sum(x['limiter'] == 'politeness' for x in R) * 2 >= len(R) and all(x['limiter_hint'] == '--sessions-per-prefix' for x in R if x['limiter'] == 'politeness')"
jcheck "one MTA per /24: rows in flight are in the SMTP stage" pol.jsonl \
  "any(x['in_flight']['smtp'] > 10 for x in R)"

# --- -c 4 against slow DNS: the budget of rows limits ---------------------
"$PTRAUDIT" -r "127.0.0.1:$SLOW" --no-smtp --rate 0 -c 4 --status-interval 1 \
  --status-file conc.jsonl -o conc.csv 127.96.0.0/27 2> conc.err
check "concurrency run: exit 0" 0 $?
jcheck "-c 4, slow DNS: limiter 'concurrency' (-c)" conc.jsonl \
  "len(R) >= 2 and all(x['limiter'] == 'concurrency' and x['limiter_hint'] == '-c' for x in R[:-1])"
jcheck "-c 4: at most 4 rows in flight, all in DNS, none in SMTP" conc.jsonl \
  "all(x['rows_max'] == 4 and x['in_flight']['rows'] <= 4 and x['in_flight']['smtp'] == 0 for x in L) and any(x['in_flight']['dns'] == 4 for x in R)"
check_match "-c 4: the plain line names it" 'limited by concurrency \(-c\)' "$(cat conc.err)"
check_match "--no-smtp: no SMTP figure in the plain line" 'in flight: DNS [0-9]+, rows' \
  "$(grep -m1 'status:' conc.err)"

# --- stdin: no total, no percent, no ETA; waiting for input ----------------
{ echo 127.96.0.1; sleep 2.5; echo 127.96.0.2; } |
  "$PTRAUDIT" -r "127.0.0.1:$FAST" --no-smtp --status-interval 1 --status-file in.jsonl \
    -o in.csv - 2> in.err
check "stdin run: exit 0" 0 $?
jcheck "stdin: total, percent and ETA are null" in.jsonl \
  "all(x['total'] is None and x['percent'] is None and x['eta_s'] is None for x in L)"
jcheck "stdin: a quiet pipe shows limiter 'input'" in.jsonl \
  "any(x['limiter'] == 'input' for x in R)"
line=$(grep -m1 'status:' in.err)
check_match "stdin: plain line without percent or ETA" \
  '^ptraudit: status: [0-9]+ rows? done, [0-9]+/s; in flight: DNS' "$line"

# --- -q: nothing on stderr, the file still written; interval 0 ------------
"$PTRAUDIT" -r "127.0.0.1:$FAST" --no-smtp --rate 50 -q --status-interval 1 \
  --status-file q.jsonl -o q.csv 127.96.0.0/26 2> q.err
check "-q: exit 0" 0 $?
check "-q: stderr empty" "" "$(cat q.err)"
jcheck "-q: the status file is still written (asked for explicitly)" q.jsonl \
  "len(R) >= 1 and L[-1]['state'] == 'ended' and L[-1]['done'] == 64"
"$PTRAUDIT" -r "127.0.0.1:$FAST" --no-smtp --rate 50 --status-interval 0 \
  -o z.csv 127.96.0.0/26 2> z.err
check "--status-interval 0: no status line" 0 "$(grep -c 'status:' z.err)"
check_match "--status-interval 0: the summary stays" "ptraudit: 64 targets in" "$(cat z.err)"
# the file appends: a second run adds its lines after the first run's
before=$(wc -l < q.jsonl)
"$PTRAUDIT" -r "127.0.0.1:$FAST" --no-smtp --rate 0 -q --status-file q.jsonl -o q2.csv 127.96.0.1
check "status file: appended, one 'ended' line for a short run" "$((before + 1))" \
  "$(wc -l < q.jsonl)"

# --- options ---------------------------------------------------------------
"$PTRAUDIT" -r "127.0.0.1:$FAST" --status-interval x 127.96.0.1 -o bad.csv 2> bad.err
check "--status-interval x: exit 2" 2 $?
check_match "--status-interval x: message" "--status-interval: 'x' is not a whole number" \
  "$(cat bad.err)"
"$PTRAUDIT" -r "127.0.0.1:$FAST" --status-file same.csv -o same.csv 127.96.0.1 2> same.err
check "--status-file = -o: exit 2" 2 $?
check_match "--status-file = -o: refused" "same file" "$(cat same.err)"
"$PTRAUDIT" -r "127.0.0.1:$FAST" --status-file nodir/s.jsonl -o nd.csv 127.96.0.1 2> nd.err
check "--status-file in a missing directory: exit 2" 2 $?
check_match "--status-file in a missing directory: message" "--status-file nodir/s.jsonl:" \
  "$(cat nd.err)"
[ -e nd.csv ] && not_ok "no report when the status file cannot be opened" || \
  ok "no report when the status file cannot be opened"

# --- on a terminal: one line, redrawn, with a percentage and an ETA -------
script -qec "'$PTRAUDIT' -r 127.0.0.1:$FAST --no-smtp --rate 100 -o tty.csv 127.96.0.0/24" \
  /dev/null > tty.out < /dev/null
check "terminal run: exit 0" 0 $?
TTY=$(tr -d '\r' < tty.out)
check_match "terminal: redrawn line (erase sequence) with percent, ETA and limiter" \
  $'\e\\[K[0-9]+\\.[0-9]%, [0-9]+ rows? done, [0-9]+/s, ETA [^;]+; in flight: DNS [0-9]+, rows [0-9]+ of [0-9]+; limited by rate \\(--rate\\)' \
  "$TTY"
check "terminal: no plain status lines" 0 "$(grep -c 'ptraudit: status:' tty.out)"
check_match "terminal: the last drawing says 100%" $'\e\\[K100\\.0%, 256 rows done' "$TTY"

# --- plurals: one target, its diff and merge -------------------------------
"$PTRAUDIT" -r "127.0.0.1:$FAST" --no-smtp --rate 0 -o one.csv 127.96.0.7 2> one.err
check_match "summary: 1 target" "ptraudit: 1 target in " "$(cat one.err)"
"$PTRAUDIT" diff one.csv one.csv > /dev/null 2> d.err
check_match "diff: (1 target)" "one\.csv \(1 target\) -> one\.csv \(1 target\)" "$(cat d.err)"
"$PTRAUDIT" merge -o m.csv one.csv 2> m.err
check_match "merge: 1 report, 1 row -> 1 target" "1 report, 1 row -> 1 target in m\.csv" \
  "$(cat m.err)"

finish
