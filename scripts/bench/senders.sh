#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/bench/senders.sh - the "sender checks" section of `make bench`
# (`make bench-senders` alone): 65,536 addresses of one /16 (127.96.0.0/16,
# testnet's clean block) as an inventory whose rows share 50 sender domains
# (sender1..50.tn.test, each SPF record with two includes: tests/testnet.md,
# "The benchmark's senders"), SPF, DMARC and one blocklist (bl.tn.test) on,
# --no-smtp, --rate 0, against testnet:
#
#   S0  the same /16 without sender checks (PTR + A only): the baseline;
#   S1  with SPF, DMARC and the blocklist: queries sent per row (testnet's
#       counters), targets/s, peak RSS, every row checked (spf pass);
#   S2  S1 through a resolver answering 30% at once and 70% after
#       100-200 ms (testnet --dns-delay), as a recursive resolver does;
#       S0m, S0 through the same resolver, is its baseline (run to run,
#       the DNS window's slow start on this mix varies by up to 2x).
#
# Without the answer cache every row would ask PTR, A, the blocklist, its
# domain's SPF record and one or two includes, and DMARC once or twice:
# 6.5 to 8 queries a row.  Writes tests/bench/senders.md
# (PTRAUDIT_BENCH_SENDERS_OUT overrides) and prints it.  Loopback only.
# About a minute.
set -u -o pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$TOP/tests/lib.sh"
OUT=${PTRAUDIT_BENCH_SENDERS_OUT:-$TOP/tests/bench/senders.md}
cd "$SCRATCH" || exit 1
MD=()
row() { MD+=("| $1 | $2 | $3 | $4 | $5 |"); }
queries() { # NAME: every query testnet instance NAME answered or dropped so far
  local u t
  u=$(testnet_stat "$1" dns_udp)
  t=$(testnet_stat "$1" dns_tcp)
  echo $((u + t))
}
N=65536
python3 - >inv.csv <<'PY'
print("customer,ip,sender")
for i in range(65536):
    print("c%d,127.96.%d.%d,mailer@sender%d.tn.test" % (i % 50 + 1, i >> 8, i & 255, i % 50 + 1))
PY

testnet_start plain --dns-port 0
P=$(testnet_key plain dns_port)
q0=$(queries plain)
timed_run s0 "$PTRAUDIT" -r "127.0.0.1:$P" --no-smtp --rate 0 -q --fail-on never -o s0.csv 127.96.0.0/16
q1=$(queries plain)
row "S0 /16, PTR + A only" "$WALL s" "$(python3 -c "print(round($N / $WALL))")/s" \
  "$(python3 -c "print('%.2f' % (($q1 - $q0) / $N))") queries/row, RSS $((RSS / 1024)) MiB" \
  "$(report_count s0.csv iprev pass) of $N iprev pass"
timed_run s1 "$PTRAUDIT" -r "127.0.0.1:$P" --no-smtp --rate 0 --dnsbl bl.tn.test -q --fail-on never \
  -o s1.csv -i inv.csv
q2=$(queries plain)
row "S1 /16, 50 senders: SPF + DMARC + 1 blocklist" "$WALL s" "$(python3 -c "print(round($N / $WALL))")/s" \
  "$(python3 -c "print('%.2f' % (($q2 - $q1) / $N))") queries/row, RSS $((RSS / 1024)) MiB" \
  "$(report_count s1.csv spf pass) of $N spf pass, $(report_count s1.csv dnsbl '') not listed"

testnet_start mix --dns-port 0 --dns-delay 30:100-200
M=$(testnet_key mix dns_port)
timed_run s0m "$PTRAUDIT" -r "127.0.0.1:$M" --no-smtp --rate 0 -q --fail-on never -o s0m.csv 127.96.0.0/16
row "S0m S0 through 30% at once / 70% at 100-200 ms (the baseline of S2)" "$WALL s" \
  "$(python3 -c "print(round($N / $WALL))")/s" "RSS $((RSS / 1024)) MiB" \
  "$(report_count s0m.csv iprev pass) of $N iprev pass"
q3=$(queries mix)
timed_run s2 "$PTRAUDIT" -r "127.0.0.1:$M" --no-smtp --rate 0 --dnsbl bl.tn.test -q --fail-on never \
  -o s2.csv -i inv.csv
q4=$(queries mix)
row "S2 S1 through 30% at once / 70% at 100-200 ms" "$WALL s" "$(python3 -c "print(round($N / $WALL))")/s" \
  "$(python3 -c "print('%.2f' % (($q4 - $q3) / $N))") queries/row, RSS $((RSS / 1024)) MiB" \
  "$(report_count s2.csv spf pass) of $N spf pass"
{
  echo "# make bench: sender checks"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null), $(nproc) cores."
  echo "Without the cache a row would cost 6.5-8 queries (PTR, A, blocklist, SPF record,"
  echo "one or two includes, DMARC once or twice)."
  echo
  echo "| case | wall | targets/s | queries, memory | checked |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${MD[@]}"
} >"$OUT"
cat "$OUT"
finish
