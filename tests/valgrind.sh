#!/bin/bash
# SPDX-License-Identifier: MIT
# valgrind.sh - `make valgrind`: the Check runner in one process
# (CK_FORK=no) and real ptraudit runs against testnet, each under memcheck
# with full leak checking.  Any error or leak fails.  Needs a build without
# sanitizers (valgrind and ASan do not mix).
source "$(dirname "$0")/lib.sh"
VG=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --track-fds=no)
command -v valgrind >/dev/null || { not_ok "valgrind is installed (scripts/deps)"; finish; }
if nm -A "$PTRAUDIT" 2>/dev/null | grep -q __asan_init; then
  not_ok "valgrind needs a build without --enable-sanitizers"; finish
fi

( cd "$TOP/tests" && CK_FORK=no CK_DEFAULT_TIMEOUT=120 "${VG[@]}" ./check_ptraudit ) \
  >"$SCRATCH/unit.log" 2>&1
rc=$?
check "unit tests under valgrind: no error, no leak" 0 "$rc"
[ "$rc" -eq 0 ] || tail -30 "$SCRATCH/unit.log"

start_testnet --smtp-net 127.64.0.0/20
cd "$SCRATCH"
R=(-r "127.0.0.1:$DNS" --smtp-port "$SMTP" --dns-timeout 500 --smtp-timeout 1500 --rate 0 -q
   --fail-on never)
runvg() { # NAME ARGS...
  local name=$1; shift
  "${VG[@]}" "$PTRAUDIT" "$@" >"$SCRATCH/vg.out" 2>"$SCRATCH/vg.log"
  local rc=$?
  check "$name under valgrind: no error, no leak" 0 "$(( rc == 99 ))"
  [ "$rc" -ne 99 ] || tail -30 "$SCRATCH/vg.log"
}
runvg "DNS scenarios" "${R[@]}" --ordered -o a.csv.gz 127.64.0.0/27
runvg "SMTP scenarios" "${R[@]}" -o b.csv 127.64.1.0 127.64.2.0 127.64.6.0 127.64.12.0 \
  127.64.13.0 127.64.14.0
printf 'ip,customer\n127.64.0.5,A\nbad,B\n' > inv.csv
runvg "inventory + jsonl + html" "${R[@]}" --format jsonl --html p.html -o c.jsonl -i inv.csv
runvg "bad input" "${R[@]}" -o d.csv 127.1
runvg "dry run" "${R[@]}" --dry-run --seed 7 --shard 2/3 127.64.0.0/24
# inputs read once: stdin from a pipe and an inventory on stdin go through
# the reader thread (src/input/instream.c), which must end cleanly
printf '127.64.0.5\n127.64.0.6\n' | runvg "targets on stdin (reader thread)" "${R[@]}" -o e.csv -
runvg "inventory on stdin (reader thread)" "${R[@]}" -o f.csv -i - < <(cat inv.csv)
# The sender checks: every blocklist outcome, SPF and DMARC of the demo's
# senders through the answer cache (waiters, hits, TIMEOUT names), a list
# dropped after error codes
runvg "sender checks: blocklist, SPF, DMARC" "${R[@]}" --dnsbl bl.tn.test --dnsbl-txt \
  --html q.html -o s.csv -i "$TOP/samples/inventory.csv"
runvg "sender checks: --spf-domain on a block" "${R[@]}" --no-smtp --dnsbl bl.tn.test \
  --spf-domain sender4.tn.test -o t.csv 127.64.0.0/27 127.96.0.0/26

# The network-realism paths: the DNS window and stale queries (late answers,
# a lame zone), the health stop on a silent resolver (canaries, pauses), the
# SMTP stage's politeness and its 421 retries (a shared MTA).
testnet_start slow --dns-port 0 --dns-delay 30:100-200 --dns-lame 127.96.1.0/25 \
  --dns-drop 0 --smtp-port 0 --smtp-net 127.66.0.0/28 --smtp-net 127.65.6.0/30 --mta-limit 3
S=(-r "127.0.0.1:$(testnet_key slow dns_port)" --smtp-port "$(testnet_key slow smtp_port)"
   --dns-timeout 300 --rate 0 -q --fail-on never)
runvg "late answers, a lame zone" "${S[@]}" --no-smtp -o e.csv 127.96.0.0/24 127.96.1.0/26
runvg "shared MTA, 421 retries" "${S[@]}" --sessions-per-prefix 16 --ordered -o f.csv \
  127.66.0.0/28 127.65.6.1
testnet_start dead --dns-port 0 --dns-drop 100
runvg "silent resolver: health stop" -r "127.0.0.1:$(testnet_key dead dns_port)" --dns-timeout 300 \
  --no-smtp -q -o g.csv 127.96.0.0/28
finish
