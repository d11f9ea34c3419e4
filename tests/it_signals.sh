#!/bin/bash
# SPDX-License-Identifier: MIT
# it_signals.sh - a stop signal (SIGINT, SIGTERM, SIGHUP) at any moment of a
# run, from before the first row to the summary after --html, must end in a
# readable report: under the final name for a complete run, or under
# NAME.partial with a checkpoint while targets remain; never only the
# hidden temporary file.  The signals are sent at random times (a third of
# them in the first 40 ms, before or around the first row), ROUNDS times,
# and the invariant is checked after each; every fourth interrupted run is
# resumed and both parts together must hold every target exactly once.
source "$(dirname "$0")/lib.sh"
cd "$SCRATCH"

ROUNDS=${ROUNDS:-60}
start_testnet --smtp-any
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500)
NET=127.96.40.0/26
ALL=$(for i in $(seq 0 63); do echo "127.96.40.$i"; done | sort)
ips() { { zcat -f "$1" 2>/dev/null || true; } | tail -n +2 | cut -d, -f1 | sort; }

# whole FILE: the report decompresses cleanly, starts with the header, ends
# in a newline, and every row ends in its checked_at, smtp_tries and
# greeting_ms cells (a cut row does not).
whole() {
  zcat -f "$1" > whole.tmp 2>/dev/null || return 1
  [ -s whole.tmp ] || return 1
  [ "$(tail -c 1 whole.tmp | od -An -c | tr -d ' ')" = '\n' ] || return 1
  head -1 whole.tmp | grep -q '^ip,' || return 1
  ! tail -n +2 whole.tmp | grep -vqE ',[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z,[0-9]*,[0-9]*$'
}

SIGS=(INT TERM HUP)
ASAN=
nm -A "$PTRAUDIT" 2>/dev/null | grep -q __asan_init && ASAN=1
bad=0 interrupted=0 completed=0 early=0 resumed=0
RANDOM=4242 # the same sequence of times each run
for round in $(seq 1 "$ROUNDS"); do
  rm -rf run && mkdir run && cd run || exit 1
  sig=${SIGS[$((RANDOM % 3))]}
  if [ $((round % 3)) -eq 0 ]; then delay=$((RANDOM % 40)); else delay=$((RANDOM % 1400)); fi
  # Before main() runs nothing can catch a signal; under ASan the runtime's
  # start-up takes several milliseconds, so early signals start at 20 ms.
  [ -n "$ASAN" ] && [ "$delay" -lt 20 ] && delay=$((delay + 20))
  "$PTRAUDIT" "${R[@]}" --rate 150 -o r.csv.gz --html r.html "$NET" >/dev/null 2>err.txt &
  pid=$!
  sleep "$(printf '0.%03d' "$delay")"
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid"; rc=$?
  case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
  why=""
  tmp=$(ls -A | grep -c '^\.r\.csv\.gz\.tmp' || true)
  [ "$tmp" -eq 0 ] || why="$why; temporary file left"
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne "$want" ]; then why="$why; exit $rc"; fi
  if [ -e r.csv.gz.partial ]; then
    interrupted=$((interrupted + 1))
    [ "$delay" -lt 40 ] && early=$((early + 1))
    [ -e r.csv.gz ] && why="$why; both final and partial names"
    [ "$rc" -eq "$want" ] || why="$why; partial report but exit $rc"
    whole r.csv.gz.partial || why="$why; partial report not readable whole"
    [ -s r.csv.gz.checkpoint ] || why="$why; partial report without checkpoint"
    if [ -z "$why" ] && [ $((interrupted % 4)) -eq 1 ]; then
      "$PTRAUDIT" "${R[@]}" -q --rate 0 -o rest.csv.gz --resume r.csv.gz.checkpoint "$NET" \
        2>>err.txt
      if [ "$(cat <(ips r.csv.gz.partial) <(ips rest.csv.gz) | sort)" != "$ALL" ]; then
        why="$why; resumed union is not every target exactly once"
      fi
      resumed=$((resumed + 1))
    fi
  elif [ -e r.csv.gz ]; then
    completed=$((completed + 1))
    whole r.csv.gz || why="$why; final report not readable whole"
    [ "$(ips r.csv.gz)" = "$ALL" ] || why="$why; final name but not every target"
    [ -e r.csv.gz.checkpoint ] && why="$why; checkpoint for a complete run"
  else
    why="$why; no report at all"
  fi
  if [ -n "$why" ]; then
    bad=$((bad + 1))
    echo "round $round: SIG$sig after ${delay} ms: exit $rc${why}" >&2
    sed 's/^/    /' err.txt >&2
    ls -A >&2
  fi
  cd "$SCRATCH" || exit 1
done
echo "signals: $ROUNDS rounds, $interrupted interrupted ($early in the first 40 ms), $completed complete, $resumed resumed" >&2
check "a stop signal at a random moment always leaves a readable report (and a checkpoint when targets remain)" 0 "$bad"
check "some rounds were interrupted, some completed, some resumed" 1 \
  "$(( interrupted > 3 && completed > 0 && resumed > 0 ))"

# --- a signal while the inputs are read ----------------------------------------
# Reading a large inventory takes a while before the report exists.  A stop
# signal then used to end the process with its default action: no report,
# no checkpoint, no message (issue 12: "a SIGTERM left nothing, 1 of 24
# tries").  Now the handler is installed before the inputs are read: every
# round must end in exit 143, a NAME.partial (a header, maybe a few rows), a checkpoint
# and a message (the main loop above checks that such checkpoints resume).
python3 -c "
print('customer,ip')
for i in range(300000): print('c,127.%d.%d.%d' % (96 + (i >> 16), (i >> 8) & 255, i & 255))
" > big.csv
bad=0
for round in $(seq 1 12); do
  rm -rf early && mkdir early
  delay=$((round * 5))
  [ -n "$ASAN" ] && delay=$((delay + 20))
  "$PTRAUDIT" "${R[@]}" --rate 150 --fail-on never -q --shard 1/2 --seed 7 -i big.csv \
    -o early/s.csv.gz >/dev/null 2>early/err &
  pid=$!
  sleep "$(printf '0.%03d' "$delay")"
  kill -TERM "$pid"
  wait "$pid"; rc=$?
  why=""
  [ "$rc" -eq 143 ] || why="$why; exit $rc"
  [ -e early/s.csv.gz ] && why="$why; final name"
  # (inventory columns follow the report's: only the header is checked)
  zcat early/s.csv.gz.partial 2>/dev/null | head -1 | grep -q '^ip,' ||
    why="$why; no readable partial report"
  [ -s early/s.csv.gz.checkpoint ] || why="$why; no checkpoint"
  grep -q 'checkpoint written to' early/err || why="$why; no message"
  ls -A early | grep -q '\.tmp\.' && why="$why; temporary file left"
  if [ -n "$why" ]; then
    bad=$((bad + 1))
    echo "early round $round: SIGTERM after ${delay} ms${why}" >&2
    sed 's/^/    /' early/err >&2
  fi
done
check "SIGTERM while a 300000-row inventory is read: partial report, checkpoint and message (12 rounds)" 0 "$bad"

# --- SIGHUP is a stop signal like SIGTERM ------------------------------------
"$PTRAUDIT" "${R[@]}" -q --rate 50 -o hup.csv 127.96.41.0/24 &
pid=$!; sleep 0.7; kill -HUP "$pid"; wait "$pid"; rc=$?
check "SIGHUP: exit 129" 129 "$rc"
[ -s hup.csv.partial ] && [ -s hup.csv.checkpoint ] && ok "SIGHUP: partial report and checkpoint" \
  || not_ok "SIGHUP: partial report and checkpoint" "$(ls -A)"

finish
