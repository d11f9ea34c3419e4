#!/bin/bash
# SPDX-License-Identifier: MIT
# it_stdin_stream.sh - inputs read once (stdin from a pipe, a FIFO) never
# stall the event loop: targets that arrived are probed while the input is
# quiet (not left to time out), and SIGTERM is acted on while it waits,
# also while a FIFO waits for its writer.  Needs the pipeline glue
# (source_opts.nonblocking, source_wait_fd polled by the loop).
source "$(dirname "$0")/lib.sh" # (move this file to tests/ with the glue)
cd "$SCRATCH"

start_testnet --smtp-any
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500 -q)

# rows FILE: data rows; col FILE N: column N of the data rows
rows() { tail -n +2 "$1" 2>/dev/null | wc -l; }
col() { tail -n +2 "$1" | cut -d, -f"$2" | sort | tr '\n' ' ' | sed 's/ $//'; }
# wait_rows FILE N SECONDS: 0 once FILE has N data rows
wait_rows() {
  for _ in $(seq $(( $3 * 10 ))); do [ "$(rows "$1")" -ge "$2" ] && return 0; sleep 0.1; done
  return 1
}

# wait_max PID SECONDS: wait for PID, killing it (exit 137) after SECONDS so
# a hang fails the test instead of stalling it; sets RC
wait_max() {
  for _ in $(seq $(( $2 * 10 ))); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1"; RC=$?
}

# --- (echo A; echo B; pause; echo C) | ptraudit - -------------------------
# The clean block (127.96/12) answers at once: A and B must be reported,
# with their banners, while stdin stays open and quiet.  A loop blocked in
# read(stdin) reported them as SMTP timeouts once C arrived.
mkfifo in1
"$PTRAUDIT" "${R[@]}" -o - - <in1 >out1.csv 2>err1.txt &
pid=$!
exec 3>in1
printf '127.96.50.1\n127.96.50.2\n' >&3
wait_rows out1.csv 2 8 && ok "stdin pauses: A and B reported while stdin is quiet" \
  || not_ok "stdin pauses: A and B reported while stdin is quiet" "$(cat out1.csv)"
sleep 2 # longer than --smtp-timeout: nothing may time out meanwhile
printf '127.96.50.3\n' >&3
exec 3>&-
wait_max "$pid" 20
check "stdin pauses: exit 0" 0 "$RC"
check "stdin pauses: A, B and C reported" "127.96.50.1 127.96.50.2 127.96.50.3" "$(col out1.csv 1)"
check "stdin pauses: every SMTP probe got its banner" "banner banner banner" "$(col out1.csv 8)"

# --- SIGTERM while stdin is quiet ------------------------------------------
mkfifo in2
"$PTRAUDIT" "${R[@]}" -o - - <in2 >out2.csv 2>err2.txt &
pid=$!
exec 3>in2
printf '127.96.51.1\n' >&3
wait_rows out2.csv 1 8
t0=$(date +%s%N)
kill -TERM "$pid"
wait_max "$pid" 20; rc=$RC
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
exec 3>&-
check "SIGTERM while stdin is quiet: exit 143" 143 "$rc"
check "SIGTERM while stdin is quiet: stops at once (${ms} ms < 3000)" 1 "$(( ms < 3000 ))"
check "SIGTERM while stdin is quiet: the row before it kept" "127.96.51.1" "$(col out2.csv 1)"

# --- @FIFO: read once, as it streams; SIGTERM while it has no writer -------
mkfifo list
( sleep 1; timeout 10 sh -c 'printf "127.96.52.1\n127.96.52.2\n" > list' ) &
timeout -k 2 20 "$PTRAUDIT" "${R[@]}" -o out3.csv @list
check "@FIFO: exit 0 (opened once, the writer came later)" 0 "$?"
check "@FIFO: both targets" "127.96.52.1 127.96.52.2" "$(col out3.csv 1)"

mkfifo lonely
"$PTRAUDIT" "${R[@]}" -o out4.csv @lonely 2>err4.txt &
pid=$!
sleep 1
t0=$(date +%s%N)
kill -TERM "$pid"
wait_max "$pid" 20; rc=$RC
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "@FIFO without a writer: SIGTERM exits 143" 143 "$rc"
check "@FIFO without a writer: at once (${ms} ms < 3000)" 1 "$(( ms < 3000 ))"
check "@FIFO without a writer: no temporary file left" "" "$(ls -A | grep '\.tmp' || true)"

finish
